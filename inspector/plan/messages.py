"""What the planner and the memory guard say to people: one list of sentences with `{0}`-style places, formatted
here, each translated in the reports' catalogue (report/i18n/zh.json) so the app can say it in its language."""

from __future__ import annotations

from typing import Callable, NamedTuple

# the guard's one line: what it needs, what there is, what would fit
NEEDS_RAM = ("this model needs {0} of memory at {1} tokens of context (weights {2}, KV cache {3}, runtime {4}) and "
             "{5} is available. {6} Add --force to run it anyway.")
NEEDS_GPU = ("this model needs {0} of GPU memory on {1} at {2} tokens of context (weights {3}, KV cache {4}, "
             "runtime {5}) and {6} is free. {7} Add --force to run it anyway.")
NEEDS_BOTH = ("these models need {0} of memory together at {1} tokens of context and {2} is available. {3} "
              "Add --force to run them anyway.")
WOULD_FIT = "Would fit: {0}."
NOTHING_FITS = "Neither int4 nor a shorter context would fit here."
LIST_SEPARATOR = "; "
ALT_CONTEXT = "a context of {0} tokens"
ALT_INT4 = "int4 weights ({0} in all)"
ALT_GPU = "a GPU of {0} GB such as the {1}"
ALT_GPU_INT4 = "int4 weights on a GPU of {0} GB such as the {1}"
# a device's verdict, and the plan's notes
FITS, FITS_INT4, DOES_NOT_FIT = "fits", "fits at int4", "does not fit"
NOTE_LOAD_PEAK = "the peak is while the session is created"
NOTE_CUDA_UNMEASURED = ("the CUDA context's device memory is not measured yet (python bench/plan_bench.py --fit "
                        "--provider cuda, on a GPU): not counted")

SENTENCES = (NEEDS_RAM, NEEDS_GPU, NEEDS_BOTH, WOULD_FIT, NOTHING_FITS, LIST_SEPARATOR, ALT_CONTEXT, ALT_INT4,
             ALT_GPU, ALT_GPU_INT4, FITS, FITS_INT4, DOES_NOT_FIT, NOTE_LOAD_PEAK, NOTE_CUDA_UNMEASURED)


class Said(NamedTuple):
    """A sentence of SENTENCES and what fills its places (numbers as text, or Said, or a list of Said)."""

    sentence: str
    args: tuple = ()


def render(said: Said, tr: Callable[[str], str] = lambda s: s) -> str:
    """`said` in the language of `tr` (a catalogue lookup; by default English as written)."""
    def one(arg) -> str:
        if isinstance(arg, Said):
            return render(arg, tr)
        if isinstance(arg, list):
            return tr(LIST_SEPARATOR).join(one(a) for a in arg)
        return str(arg)

    return tr(said.sentence).format(*(one(a) for a in said.args))
