"""Standard JSON (RFC 8259) for every `--json` output and JSON report.

Python's json writes NaN and Infinity bare, which jq and browsers refuse; a statistic of a tensor
holding NaN, or a latency never measured, is written as null instead. A sentence of the core (messages.Message)
is written in English.
"""

from __future__ import annotations

import json
import math
from typing import IO, Any

import numpy as np

from .messages import Message


def finite_only(obj: Any) -> Any:
    """`obj` with every non-finite float replaced by None, numpy scalars made plain and Messages in English."""
    if isinstance(obj, Message):
        return str(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, dict):
        return {k: finite_only(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_only(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return finite_only(obj.tolist())
    return obj


def dump(obj: Any, fh: IO[str], **kw) -> None:
    json.dump(finite_only(obj), fh, allow_nan=False, **kw)
