"""`python -m inspector generate`: stream text to the terminal, or one JSON object with --json."""

from __future__ import annotations

import sys

import numpy as np

from .. import json_output, units
from ..cli_options import add_variant_option
from ..errors import GenerationError, terminal_text
from ..messages import sentence
from .ablation_cli import add_ablation_options
from .serialize import result_dict


def add_generate_parser(sub) -> None:
    g = sub.add_parser("generate", help="run the model one token at a time")
    g.add_argument("model", help="a .onnx file or an export folder")
    add_variant_option(g)
    add_generation_options(g)
    g.add_argument("--json", action="store_true", help="one JSON object on stdout instead of streamed text")
    add_ablation_options(g)
    g.set_defaults(func=cmd_generate)


def add_generation_options(p, prompt_required: bool = True) -> None:
    src = p.add_mutually_exclusive_group(required=prompt_required)
    src.add_argument("--prompt", help="the prompt text (needs tokenizer.json beside the model)")
    src.add_argument("--prompt-ids", help="the prompt as comma-separated token ids")
    p.add_argument("--max-new-tokens", type=int, default=32, metavar="N",
                   help="generate at most N tokens (default 32; fewer if the text ends or a stop string appears)")
    p.add_argument("--greedy", action="store_true", help="always take the most probable token (the default)")
    p.add_argument("--temperature", type=float, help="sample at this temperature")
    p.add_argument("--top-p", type=float, help="nucleus sampling mass")
    p.add_argument("--top-k", type=int, help="sample among the k most probable; also how many candidates to report")
    p.add_argument("--seed", type=int, help="random seed: the same seed gives the same tokens")
    p.add_argument("--stop", action="append", default=[], help="stop when this text appears (repeatable)")
    p.add_argument("--provider", default="auto", help="auto, cpu or cuda")
    p.add_argument("--threads", type=int, help="CPU threads (default: physical cores)")
    p.add_argument("--inside", action="store_true",
                   help="also read where each token looked (attention) and what each layer would have said "
                        "(the logit lens): every step gets `attention` and `lens` in --json")


def config_from_args(args):
    from .generator import GenerationConfig
    from .sampling import SamplingConfig

    sampling_asked = any(v is not None for v in (args.temperature, args.top_p, args.seed))
    if args.greedy and sampling_asked:
        raise GenerationError("--greedy cannot be combined with --temperature, --top-p or --seed")
    greedy = args.greedy or not sampling_asked
    sampling = SamplingConfig(greedy=greedy, temperature=args.temperature if args.temperature is not None else 1.0,
                              top_k=None if greedy else args.top_k, top_p=args.top_p, seed=args.seed)
    return GenerationConfig(max_new_tokens=args.max_new_tokens, sampling=sampling,
                            candidates=args.top_k or 5, stop_strings=tuple(args.stop), inside=args.inside)


def prompt_from_args(args):
    if args.prompt_ids is not None:
        try:
            return [int(x) for x in args.prompt_ids.replace(" ", "").split(",") if x]
        except ValueError:
            raise GenerationError("--prompt-ids must be comma-separated integers") from None
    return args.prompt


def run_generation(args, stream=None, echo_prompt: bool = False):
    """Build the generator, run it, and return (generator, result); streams text deltas to `stream`."""
    from .generator import Generator

    config = config_from_args(args)
    gen = Generator(args.model, provider=args.provider, threads=args.threads, variant=getattr(args, "variant", None))
    if gen.note and stream is not None:  # text mode: say it before the text; --json carries it as "note"
        print(f"note: {gen.note}", file=sys.stderr)
    gen.start(prompt_from_args(args), config)
    if gen.inside is not None and gen.inside.note and stream is not None:
        print(f"note: {gen.inside.note}", file=sys.stderr)
    show = terminal_text if stream is not None and stream.isatty() else (lambda text: text)
    if echo_prompt and stream is not None and args.prompt is not None:
        stream.write(show(args.prompt))
    shown = ""
    for step in gen.steps():
        if stream is not None:  # whole characters as they complete (a CJK character may take three tokens)
            stream.write(show(step.shown))
            stream.flush()
            shown += step.shown
    result = gen.result()
    if stream is not None and result.text.startswith(shown) and len(result.text) > len(shown):
        stream.write(show(result.text[len(shown):]))  # bytes that never made a character, shown as bytes
    return gen, result


def cmd_generate(args) -> int:
    if getattr(args, "ablate", None) is not None:
        from .ablation_cli import cmd_ablate

        return cmd_ablate(args, config_from_args(args), prompt_from_args(args), print_summary)
    if args.json:
        _gen, result = run_generation(args)
        json_output.dump(result_dict(result), sys.stdout)
        sys.stdout.write("\n")
        return 0
    _gen, result = run_generation(args, stream=sys.stdout, echo_prompt=True)
    sys.stdout.write("\n")
    print_summary(result, sys.stderr)
    if result.inside:
        print_inside(result, sys.stderr)
    print_experts(result, sys.stderr)
    return 0


def print_summary(result, out) -> None:
    """One line: tokens, why the run ended, time to first token, speed, latency percentiles, peak RSS."""
    m = result.metrics.summary()
    n = len(result.new_ids)
    print(f"[{n} token{'' if n == 1 else 's'}, {result.finish}; time to first token {units.number(m['ttft_ms'], 3)} ms, "
          f"{units.number(m['tokens_per_s'], 3)} tokens/s, p50 {units.number(m['latency_p50_ms'], 3)} ms, "
          f"p95 {units.number(m['latency_p95_ms'], 3)} ms, peak RSS {units.number(m['peak_rss_mb'], 3)} MB, "
          f"{result.provider}]", file=out)


# the routers' choices over a run (the core's sentences: messages.py)
EXPERTS_CHOSEN = sentence("experts chosen over {0} ({1} experts per block):")
ONE_STEP = sentence("{0} step")
STEPS = sentence("{0} steps")
BLOCK_LOAD = sentence("block {0}: {1} ({2} never chosen)")


def print_experts(result, out) -> None:
    """A mixture of experts: per MoE block, how many times each expert was chosen over the run (expert×times)."""
    load = result.expert_load()
    if load is None:
        return
    n = len(result.steps)
    print(EXPERTS_CHOSEN((ONE_STEP if n == 1 else STEPS)(n), result.routers.experts), file=out)
    for block, counts in zip(result.routers.blocks, load):
        used = "  ".join(f"{e}×{int(times)}" for e, times in enumerate(counts) if times)
        print(f"  {BLOCK_LOAD(block, used, int((counts == 0).sum()))}", file=out)


def print_inside(result, out) -> None:
    """Per step (the first generated token is step 1): the layer where the chosen token first led the logit lens,
    and where the last layer looked (positions count from 0, the prompt's first token). Tokens as the tables show
    them: quoted, a byte as ⟨E5⟩, a newline as ↵."""
    from .inside import first_layer, mean_attention

    show = terminal_text if out.isatty() else (lambda text: text)
    context = [result.texts.get(i, str(i)) for i in result.context_ids]
    print(f"{'step':>5}  {'token':<16}{'leads the logit lens from':>26}  looked at most (last block, mean of heads)",
          file=out)
    for s in result.steps:
        n = len(s.lens or [])
        lead = first_layer(s.lens, s.id, top1=True)
        led = f"block {lead} (of {n})" if lead is not None else "never"
        row = mean_attention(s.attention, len(s.attention or []) - 1)
        looked = "–"
        if row is not None:
            pos = int(np.argmax(row))
            looked = f"{show(units.token(context[pos]))} at {pos} ({units.number(float(row[pos]), 2)})"
        print(f"{s.index + 1:>5}  {show(units.token(s.text)):<16}{led:>26}  {looked}", file=out)
