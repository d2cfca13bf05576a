"""What the planner and the memory guard say to people: each sentence declared once (inspector/messages.py), its
Chinese in report/i18n/zh.json, so the command line says it in English and the app in its language."""

from __future__ import annotations

from ..messages import sentence

# the guard's one line: what it needs, what there is, what would fit
NEEDS_RAM = sentence("this model needs {0} of memory at {1} tokens of context (weights {2}, KV cache {3}, runtime {4}) "
                     "and {5} is available. {6} Add --force to run it anyway.")
NEEDS_GPU = sentence("this model needs {0} of GPU memory on {1} at {2} tokens of context (weights {3}, KV cache {4}, "
                     "runtime {5}) and {6} is free. {7} Add --force to run it anyway.")
NEEDS_BOTH = sentence("these models need {0} of memory together at {1} tokens of context and {2} is available. {3} "
                      "Add --force to run them anyway.")
WOULD_FIT = sentence("Would fit: {0}.")
NOTHING_FITS = sentence("Neither int4 nor a shorter context would fit here.")
EITHER = sentence("{0}; {1}")  # alternatives one after the other
ALT_CONTEXT = sentence("a context of {0} tokens")
ALT_INT4 = sentence("int4 weights ({0} in all)")
ALT_GPU = sentence("a GPU of {0} GB such as the {1}")
ALT_GPU_INT4 = sentence("int4 weights on a GPU of {0} GB such as the {1}")
# a device's verdict, and the plan's notes
FITS = sentence("fits")
FITS_INT4 = sentence("fits at int4")
DOES_NOT_FIT = sentence("does not fit")
NOTE_LOAD_PEAK = sentence("the peak is while the session is created")
NOTE_CUDA_UNMEASURED = sentence("the CUDA context's device memory is not measured yet (python bench/plan_bench.py "
                                "--fit --provider cuda, on a GPU): not counted")
