"""Decode one token at a time, measuring each step.

    gen = Generator("model_dir")
    gen.start("Once upon a time", GenerationConfig(max_new_tokens=20))
    for step in gen.steps():
        print(step.text, end="")

A step is a forward pass plus the choice of a token: the first one (prefill) runs the
whole prompt, the others feed back one token and the KV cache (`present.N.*` becomes
`past_key_values.N.*`).  On CUDA the cache stays on the device through IO binding.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import onnxruntime as ort

from ..errors import GenerationError
from ..messages import Message, sentence
from ..model import load_model, take_census
from ..model.ablation import KEEP_INPUT, Ablation
from ..model.sources import open_source
from .metrics import MemoryProbe, RunMetrics
from .model_io import NOT_CAUSAL_LM, ModelIO, read_io
from .inside import Inside
from .inside import prepare as prepare_inside
from .experts import add_outputs, routed_copy
from .plan import RunPlan, plan_for
from .providers import create_session, ort_message
from .sampling import Sampler, SamplingConfig
from .tokenizer import TextCodec, context_from_config, eos_ids


DECODE_CONTEXT = 6  # tokens decoded before the new one, so a decoder's context rules (spaces, bytes) apply

FINISH_REASONS = {  # why a run ended: the one vocabulary of the engine, the app, the JSON and the reports
    "eos": sentence("the end-of-text token"), "stop": sentence("a stop string"), "length": sentence("the token limit"),
    "context": sentence("the model's context is full"), "stopped": sentence("stopped"),
}

# why a run cannot go on (GenerationError's one line; the step numbers are people's: the first token is step 1)
NO_TOKENIZER = sentence("this model has no tokenizer.json: give the prompt as token ids")
EMPTY_PROMPT = sentence("the prompt is empty")
IDS_OUT_OF_RANGE = sentence("prompt ids must lie in 0..{0}")
PROMPT_TOO_LONG = sentence("the prompt has {0} tokens; the model's context is {1}")
NO_NEW_TOKENS = sentence("max new tokens must be at least 1")
FAILED_AT_STEP = sentence("onnxruntime failed at step {0}: {1}")
NOT_FINITE = sentence("the model produced {0} logits at step {1} (its weights or activations are not finite): no "
                      "token can be chosen")
INFINITE = sentence("infinite")  # logits that are not NaN but not finite either
DO_NOT_FIT = sentence("{0} tokens do not fit the model's context of {1}")
FAILED_READING = sentence("onnxruntime failed reading {0} tokens: {1}")

@dataclass(frozen=True)
class GenerationConfig:
    max_new_tokens: int = 32
    sampling: SamplingConfig = SamplingConfig()
    candidates: int = 5  # how many top candidates each step reports
    stop_strings: tuple[str, ...] = ()
    stop_at_eos: bool = True
    inside: bool = False  # read attention and the logit lens at every step (a probed copy of the model)


@dataclass
class Step:
    index: int  # 0 is the token chosen after the prefill
    id: int
    text: str  # the token on its own
    top: list[tuple[int, float]]  # candidates, most probable first
    prob: float  # the chosen token's probability
    entropy: float  # bits, of the distribution the token was drawn from
    latency_ms: float
    kv_len: int  # tokens the model has seen after this step
    rss: int
    gpu: int | None
    prefill: bool
    finish: str | None = None  # on the last step: one of FINISH_REASONS
    shown: str = ""  # what the running text gains at this step: whole characters (bytes join their neighbours)
    attention: list | None = None  # with the inside view: per layer, per head, weights over the positions so far
    lens: list | None = None  # with the inside view: per layer, the top candidates the residual stream gives
    experts: list | None = None  # a mixture of experts: per MoE block, the [(expert, weight)] its router chose


@dataclass
class GenerationResult:
    prompt_ids: list[int]
    new_ids: list[int]
    text: str
    steps: list[Step]
    metrics: RunMetrics
    provider: str
    finish: str | None
    config: GenerationConfig = GenerationConfig()
    prompt: str | None = None
    note: Message | None = None  # why ids may differ from the float model's (a quantized or fp16 model)
    inside_note: Message | None = None  # with the inside view: why attention is missing (a fused attention op)
    texts: dict[int, str] = field(default_factory=dict)  # with the inside view: every id it names, as text
    routers: object | None = None  # experts.RouterProbes of a mixture of experts (its blocks and expert count)

    def expert_load(self):
        """How many times each expert was chosen over the run: [MoE blocks, experts] counts, or None (dense)."""
        if self.routers is None:
            return None
        return self.routers.load([s.experts for s in self.steps if s.experts is not None])

    @property
    def inside(self) -> bool:
        """The run read the inside (from the start, or from a step on)."""
        return self.config.inside or any(s.lens is not None for s in self.steps)

    @property
    def context_ids(self) -> list[int]:
        """The positions attention is over: the prompt's, then the generated ones."""
        return self.prompt_ids + self.new_ids


@dataclass
class _State:
    ids: list[int]
    prompt_len: int
    config: GenerationConfig
    sampler: Sampler
    prompt: str | None = None
    cache: dict = field(default_factory=dict)  # past input name -> array / OrtValue
    steps: list[Step] = field(default_factory=list)
    metrics: RunMetrics = field(default_factory=RunMetrics)
    finish: str | None = None
    shown_upto: int = 0  # ids before this have had their text shown (Step.shown); the prompt's length at start


class Generator:
    """One onnxruntime session and the decoding state of one run."""

    def __init__(self, model: str | Path, provider: str = "auto", threads: int | None = None,
                 io_binding: bool | None = None, context_length: int | None = None, validate: bool = True,
                 variant: str | None = None, plan: RunPlan | None = None):
        """`model`: a .onnx file or a folder (`variant` picks one of its files).  `plan`, from a census already
        taken (plan.py), says what the session's inputs leave open and why ids may differ from the float
        model's; with `validate` the census is taken here, after our own checks of the file."""
        self.source = open_source(model, variant)
        path = self.path = self.source.path
        if validate:  # our checks (sizes, external data inside the folder) before onnxruntime reads a byte
            plan = self._check_model()
        plan = plan or RunPlan()
        self.note = plan.note
        context_length = context_length or (plan.architecture.context_length if plan.architecture else None)
        self.routers = plan.routers  # a mixture of experts: its routers' logits are outputs of the session's copy
        # what the plain session opens: the file, a pruned copy, or a copy with the routers' logits as outputs
        self._plain = (plan.model_bytes, plan.external_folder) if self.routers is None else \
            routed_copy(path, self.routers.logits)
        self.session, self.provider = create_session(str(path), provider, threads, *self._plain)
        self.io: ModelIO = read_io(self.session, plan.architecture, self.source.side_json("genai_config.json"))
        self.device = "cuda" if self.provider == "cuda" else "cpu"
        # shared buffers are written in place: bound on the CPU as on the GPU (the same code)
        self.io_binding = (self.provider == "cuda" or self.io.shared) if io_binding is None else io_binding
        tok = self.source.side_file("tokenizer.json")
        self.codec = TextCodec(tok) if tok is not None else None
        self.eos = eos_ids(self.source, self.codec)
        self.context_length = context_length or context_from_config(self.source)
        self.probe = MemoryProbe(gpu=self.provider == "cuda")
        self._stop = threading.Event()
        self.state: _State | None = None
        self.inside: Inside | None = None  # set while the inside view is on (set_inside)
        self._probed: tuple | None = None  # (Inside, copy bytes, folder), made the first time it is asked for
        self._threads = threads
        self._probe_values: dict[str, np.ndarray] = {}  # the last step's probed outputs
        self.ablation: Ablation | None = None  # parts switched off (set_ablation); None: the intact model
        self._on_copy = False  # the session is the probed copy's
        self.last_logits: np.ndarray | None = None  # the last step's logits, as the model gave them

    # ------------------------------------------------------------------ the inside view
    def set_inside(self, on: bool) -> Inside | None:
        """From the next step on, read attention and the logit lens too, or stop reading them.

        The probed copy (inside.py) replaces the session while the inside view is on, and the plain session
        comes back when it is turned off: one session's weights in memory, never two, and plain steps at
        plain speed (onnxruntime runs every node of a graph, asked-for outputs or not)."""
        if on == (self.inside is not None):
            return self.inside
        self._use_copy(on or self.ablation is not None)
        self.inside = self._probed[0] if on else None
        return self.inside

    def set_ablation(self, ablation: Ablation | None) -> None:
        """From the next step on, switch `ablation`'s parts off (None: the intact model, on the plain session
        again unless the inside view is on).  The parts are switched off in the probed copy through its keep
        input (model/ablation.py), so an Ablation without parts runs the intact model on the same session —
        what a comparison of the two wants.  A part the model lacks or cannot switch off raises AblationError."""
        if ablation is not None:
            self.hooks.check(ablation)
        self.ablation = ablation
        self._use_copy(self.inside is not None or ablation is not None)

    @property
    def hooks(self):
        """What this model can switch off (model/ablation.py's Hooks); makes the probed copy when first asked."""
        if self._probed is None:
            self._probed = prepare_inside(self.path)
        return self._probed[0].hooks

    def _use_copy(self, on: bool) -> None:
        """The probed copy replaces the session, or the plain session comes back: one session's weights in
        memory, never two."""
        if on == self._on_copy:
            return
        if on and self._probed is None:
            self._probed = prepare_inside(self.path)  # (Inside, the copy's bytes, its weights' folder)
        model = self._plain
        if on:
            _inside, data, folder = self._probed
            model = (add_outputs(data, self.routers.logits) if self.routers is not None else data, folder)
        self.session = None  # the old session's memory goes before the new one's comes
        self.session, _provider = create_session(str(self.path), self.provider, self._threads, *model)
        self._on_copy = on

    # ------------------------------------------------------------------ text
    def encode(self, text: str) -> list[int]:
        if self.codec is None:
            raise GenerationError(NO_TOKENIZER, str(self.path))
        return self.codec.encode(text)

    def decode(self, ids: list[int], final: bool = True) -> str:
        """Text people can read: bytes joined into characters, none replaced, no control character
        (`final` False: a character still arriving is held back)."""
        return self.codec.readable(ids, final) if self.codec else " ".join(map(str, ids))

    def token_text(self, token_id: int) -> str:
        return self.codec.token_text(token_id) if self.codec else f"<{token_id}>"

    # ------------------------------------------------------------------ run control
    def start(self, prompt: str | list[int], config: GenerationConfig = GenerationConfig()) -> list[int]:
        ids = self.encode(prompt) if isinstance(prompt, str) else [int(i) for i in prompt]
        if not ids:
            raise GenerationError(EMPTY_PROMPT)
        vocab = self.io.vocab_size
        if vocab and any(not 0 <= i < vocab for i in ids):
            raise GenerationError(IDS_OUT_OF_RANGE(vocab - 1))
        if self.context_length and len(ids) >= self.context_length:
            raise GenerationError(PROMPT_TOO_LONG(len(ids), self.context_length))
        if config.max_new_tokens < 1:
            raise GenerationError(NO_NEW_TOKENS)
        try:
            sampler = Sampler(config.sampling)
        except ValueError as exc:
            raise GenerationError(str(exc)) from None
        self.set_inside(config.inside)
        self._stop.clear()
        self.state = _State(ids=list(ids), prompt_len=len(ids), shown_upto=len(ids), config=config,
                            sampler=sampler, prompt=prompt if isinstance(prompt, str) else None)
        return ids

    def reset(self) -> None:
        self.state = None
        self._stop.clear()

    def stop(self) -> None:
        """Ask a running `steps()` loop to end after the step in progress (safe from any thread): 'stopped'."""
        self._stop.set()

    @property
    def finished(self) -> bool:
        return self.state is None or self.state.finish is not None

    def step(self) -> Step:
        st = self.state
        if st is None:
            raise GenerationError("call start() before step()")
        if st.finish:
            raise GenerationError(f"generation has finished ({st.finish})")
        prefill = not st.steps
        t0 = time.perf_counter()
        try:
            logits = self._forward(prefill)
        except GenerationError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime's run errors (a rewritten shape, a bad value)
            raise GenerationError(FAILED_AT_STEP(len(st.steps) + 1, ort_message(exc, str(self.path))),
                                  str(self.path)) from None
        if np.isnan(logits).any() or np.isposinf(logits).any() or not np.isfinite(logits).any():
            bad = "NaN" if np.isnan(logits).any() else INFINITE
            raise GenerationError(NOT_FINITE(bad, len(st.steps) + 1), str(self.path))
        self.last_logits = logits
        dist = st.sampler.distribution(logits)
        token = st.sampler.choose(dist)
        top, prob, entropy = dist.top(max(1, st.config.candidates)), dist.prob(token), dist.entropy
        attention = lens = None
        experts = self.routers.choose(self._probe_values) if self.routers is not None else None
        if self.inside is not None:
            attention = self.inside.attention(self._probe_values)
            lens = self.inside.lens(self._probe_values, logits, max(1, st.config.candidates))
        latency = (time.perf_counter() - t0) * 1000.0  # the whole step, the inspector's own work included
        st.ids.append(token)
        rss, gpu = self.probe.rss(), self.probe.gpu()
        step = Step(index=len(st.steps), id=token, text=self.token_text(token), top=top, prob=prob,
                    entropy=entropy, latency_ms=latency, kv_len=len(st.ids) - 1, rss=rss, gpu=gpu, prefill=prefill,
                    shown=self._running_text(), attention=attention, lens=lens, experts=experts)
        st.metrics.record(latency, prefill, rss, gpu)
        st.steps.append(step)
        st.finish = step.finish = self._finish_reason(token)
        return step

    def _running_text(self) -> str:
        """What the new tokens' text gained with the last one (whole characters): the text of a few tokens before
        it, with and without it, compared (decoding them in context; a character still arriving is held back by
        both, so it shows once complete).  A window, not the whole run: each step costs the same."""
        st = self.state
        if self.codec is None:
            return self.token_text(st.ids[-1]) + " "
        start = max(st.prompt_len, st.shown_upto - DECODE_CONTEXT)
        before = self.decode(st.ids[start:st.shown_upto], final=False)
        now = self.decode(st.ids[start:], final=False)
        st.shown_upto = len(st.ids)
        return now[len(before):] if now.startswith(before) else self.token_text(st.ids[-1])

    def steps(self) -> Iterator[Step]:
        """Steps until the run finishes or is stopped."""
        while self.state is not None and not self.state.finish:
            if self._stop.is_set():
                self.state.finish = "stopped"
                if self.state.steps:
                    self.state.steps[-1].finish = "stopped"
                return
            yield self.step()

    def generate(self, prompt: str | list[int], config: GenerationConfig = GenerationConfig()) -> GenerationResult:
        self.start(prompt, config)
        for _ in self.steps():
            pass
        return self.result()

    def logits_for(self, ids: list[int]) -> np.ndarray:
        """The logits at every position of `ids` read at once (teacher forcing, an empty cache): [len(ids), vocab].
        What each position predicts for the next, whatever was chosen there; the run's state is untouched."""
        return self.read_whole(ids)[0]

    def read_whole(self, ids: list[int], outputs: tuple[str, ...] = ()) -> tuple[np.ndarray, list[np.ndarray]]:
        """`logits_for`, and the session's `outputs` (probes of the copy) from the same pass.  With an
        ablation, its parts are off at every position."""
        ids = [int(i) for i in ids]
        if not ids:
            raise GenerationError("no ids to read")
        if self.context_length and len(ids) > self.context_length:
            raise GenerationError(DO_NOT_FIT(len(ids), self.context_length))
        io = self.io
        feeds = self._feeds(ids, 0)
        if io.cached:
            feeds.update(io.empty_past())
        try:
            out = self.session.run([io.logits, *outputs], feeds)
        except Exception as exc:  # noqa: BLE001 - onnxruntime's run errors, as one line
            raise GenerationError(FAILED_READING(len(ids), ort_message(exc, str(self.path))), str(self.path)) from None
        return np.asarray(out[0][0], np.float32), out[1:]

    def result(self) -> GenerationResult:
        st = self.state
        if st is None:
            raise GenerationError("nothing has been generated")
        new = st.ids[st.prompt_len:]
        inside_note, texts = None, {}
        if st.config.inside or any(s.lens is not None for s in st.steps):  # the lens names tokens no step chose
            inside_note = self._probed[0].note if self._probed else None
            named = set(st.ids) | {i for s in st.steps for layer in (s.lens or []) if layer for i, _p in layer}
            texts = {i: self.token_text(i) for i in sorted(named)}
        return GenerationResult(st.ids[:st.prompt_len], new, self.decode(new), list(st.steps), st.metrics,
                                self.provider, st.finish, st.config, st.prompt, self.note, inside_note, texts,
                                self.routers)

    # ------------------------------------------------------------------ internals
    def _finish_reason(self, token: int) -> str | None:
        st = self.state
        new = len(st.ids) - st.prompt_len
        if st.config.stop_at_eos and token in self.eos:
            return "eos"
        if st.config.stop_strings and self.codec is not None:
            text = self.codec.decode(st.ids[st.prompt_len:])
            if any(s and s in text for s in st.config.stop_strings):
                return "stop"
        if new >= st.config.max_new_tokens:
            return "length"
        if self.context_length and len(st.ids) >= self.context_length:
            return "context"
        return None

    def _feeds(self, new_ids: list[int], past_len: int, step: int | None = None) -> dict[str, np.ndarray]:
        """`step`: the run's step this pass chooses a token for (an ablation may hold for some steps only)."""
        io, n = self.io, len(new_ids)
        feeds = {io.input_ids: np.asarray([new_ids], dtype=io.ids_dtype)}
        if io.attention_mask:
            feeds[io.attention_mask] = np.ones((1, past_len + n), dtype=io.mask_dtype)
        if io.position_ids:
            feeds[io.position_ids] = np.arange(past_len, past_len + n, dtype=np.int64)[None, :]
        if io.use_cache_branch:
            feeds[io.use_cache_branch] = np.array([past_len > 0])
        if self.ablation is not None and self._on_copy:
            hooks = self._probed[0].hooks
            feeds[KEEP_INPUT] = self.ablation.keep(hooks.n_layer, hooks.n_head, step)
        return feeds

    def _forward(self, prefill: bool) -> np.ndarray:
        """Logits for the next token."""
        st, io = self.state, self.io
        session, probes = self.session, self._extra_outputs()
        if not io.cached:  # no cache in the graph: recompute the whole sequence
            out = session.run([io.logits] + probes, self._feeds(st.ids, 0, len(st.steps)))
            self._probe_values = dict(zip(probes, out[1:]))
            return out[0][0, -1].astype(np.float32)
        new_ids = st.ids if prefill else st.ids[-1:]
        past_len = 0 if prefill else len(st.ids) - 1
        feeds = self._feeds(new_ids, past_len, len(st.steps))
        if prefill:
            st.cache = self._empty_cache()
        if self.io_binding and self.inside is None:
            return self._forward_bound(feeds, st, probes)
        feeds.update(self._host_cache(st.cache))
        presents = [n for kv in io.present for n in kv]
        out = session.run([io.logits] + presents + probes, feeds)
        past_names = [n for kv in io.past for n in kv]
        st.cache = dict(zip(past_names, out[1:1 + len(presents)]))
        self._probe_values = dict(zip(probes, out[1 + len(presents):]))
        return out[0][0, -1].astype(np.float32)  # fp16 models give fp16 logits

    @staticmethod
    def _host_cache(cache: dict) -> dict:
        """The cache as arrays (the inside view runs without IO binding; a device cache comes back once)."""
        return {n: (v.numpy() if isinstance(v, ort.OrtValue) else v) for n, v in cache.items()}

    def _empty_cache(self) -> dict:
        empty = self.io.empty_past()
        if not self.io_binding:
            return empty
        return {n: ort.OrtValue.ortvalue_from_numpy(a, self.device, 0) for n, a in empty.items()}

    def _extra_outputs(self) -> list[str]:
        """What a step asks for besides the logits and the cache: the inside's probes, the routers' logits."""
        extra = list(self.inside.outputs) if self.inside is not None else []
        return extra + (self.routers.logits if self.routers is not None else [])

    def _forward_bound(self, feeds: dict[str, np.ndarray], st: _State, extra: list[str] = ()) -> np.ndarray:
        io = self.io
        binding = self.session.io_binding()
        for name, arr in feeds.items():
            if name == KEEP_INPUT:  # an overridable initializer: bind_cpu_input knows only the graph's inputs
                binding.bind_ortvalue_input(name, ort.OrtValue.ortvalue_from_numpy(arr))
            else:
                binding.bind_cpu_input(name, arr)
        binding.bind_output(io.logits, "cpu")  # the outputs come back in the order they are bound
        present_of = io.present_of()
        for name, value in st.cache.items():
            if not isinstance(value, ort.OrtValue):  # the inside view ran the last step on host arrays
                value = st.cache[name] = ort.OrtValue.ortvalue_from_numpy(value, self.device, 0)
            binding.bind_ortvalue_input(name, value)
            if io.shared:  # the step writes its keys and values into the same buffer
                binding.bind_ortvalue_output(present_of[name], value)
            else:
                binding.bind_output(present_of[name], self.device)  # stays where the model runs
        for name in extra:
            binding.bind_output(name, "cpu")
        self.session.run_with_iobinding(binding)
        outs = binding.get_outputs()
        past_names = list(st.cache)
        self._probe_values = {n: v.numpy() for n, v in zip(extra, outs[1 + len(past_names):])}
        if not io.shared:
            st.cache = dict(zip(past_names, outs[1:1 + len(past_names)]))
        return outs[0].numpy()[0, -1].astype(np.float32)

    def _check_model(self) -> RunPlan:
        """Validate the file with the safe loader; its census gives the plan."""
        model = load_model(self.path)
        try:
            if "input_ids" not in model.input_names() or not any(o.name == "logits" for o in model.graph.output):
                raise GenerationError(NOT_CAUSAL_LM, str(self.path))
            return plan_for(take_census(model))
        finally:
            model.close()
