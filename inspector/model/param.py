"""One logical parameter: the unit the census counts and the statistics describe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .quantization import Quantization, float_scheme


@dataclass
class ParamTensor:
    """One logical parameter, as PyTorch's `named_parameters()` would list it."""

    name: str  # logical name (the alias an exporter kept, or the stored name)
    stored: str  # the initializer holding the bytes
    shape: tuple[int, ...]  # logical, as a float export stores it (a MatMul weight is [in, out])
    dtype: str
    kind: str  # "weight" or "bias"
    role: str
    layer: str
    index: int | None
    count: int  # logical elements (a packed int4 matrix counts its logical elements)
    counted: bool = True  # False for a tied head
    tied_to: str | None = None
    nodes: list[str] = field(default_factory=list)  # consuming compute nodes
    aliased: bool = False  # shares stored bytes with another logical parameter
    transposed: bool = False  # every use reads it through a Transpose: PyTorch's shape is `shape` reversed
    quant: Quantization | None = None  # how the stored codes stand for the values; None: stored as floats
    stored_shape: tuple[int, ...] | None = None  # the initializer's own dims (packed codes for int4)
    nbytes: int = 0  # what it is stored in: its bytes, with its scales and zero points
    expert: int | None = None  # the routed expert a per-expert module's parameter belongs to (moe.py)
    stats: Any = None  # stats.TensorStats, filled by compute_statistics

    @property
    def parameters(self) -> int:
        return self.count if self.counted else 0

    @property
    def scheme(self) -> str:
        """'int4, block 32', 'int8 dynamic', 'QDQ uint8, per channel', 'fp16', 'fp32' …"""
        return self.quant.label if self.quant else float_scheme(self.dtype)
