"""The generation engine: KV-cache decoding on onnxruntime, one measured step at a time.

The names below load on first use (PEP 562): the command line imports the engine's argument parser
without paying for onnxruntime when it only takes a census.
"""

import importlib

_EXPORTS = {"Generator": ".generator", "GenerationConfig": ".generator", "Step": ".generator",
            "RunMetrics": ".metrics"}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
