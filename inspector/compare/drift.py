"""How far B's residual stream is from A's, block by block, on the same tokens: where the output goes wrong,
which the weights alone do not say (a small change early can matter more than a large one late).

At each point the stream is read (stream.py) the drift is the mean over positions of ‖h_B − h_A‖ / ‖h_A‖,
taken in float64.  A block's growth is what its drift adds to the drift it received; where the graph adds the
attention and the MLP to the stream by separate sums, the growth is split between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..messages import Message
from . import messages as say
from .stream import BlockStream


@dataclass
class BlockDrift:
    block: int
    rel_l2: float | None  # the stream the block hands on
    input_rel_l2: float | None  # the stream it received (block 0: the embeddings' output)
    attn_rel_l2: float | None = None  # the stream after the attention's sum (None: not added on its own)
    rank: int | None = None  # 1: the block whose drift grows most

    @property
    def growth(self) -> float | None:
        return _minus(self.rel_l2, self.input_rel_l2)

    @property
    def attn_growth(self) -> float | None:
        return _minus(self.attn_rel_l2, self.input_rel_l2)

    @property
    def mlp_growth(self) -> float | None:
        return _minus(self.rel_l2, self.attn_rel_l2)

    def as_dict(self) -> dict:
        return {"block": self.block, "layer": f"block {self.block}", "rel_l2": self.rel_l2,
                "input_rel_l2": self.input_rel_l2, "attn_rel_l2": self.attn_rel_l2, "growth": self.growth,
                "attn_growth": self.attn_growth, "mlp_growth": self.mlp_growth, "rank": self.rank}


@dataclass
class Point:
    """One place the stream was read, in the model's order: what a chart of the drift draws."""

    label: str  # "embeddings", "block 3 attention", "block 3 MLP", "block 3"
    block: int | None
    kind: str  # "embeddings", "attention", "mlp" or "block"
    rel_l2: float
    growth: float | None  # what the sub-layer before this point added


@dataclass
class Drift:
    blocks: list[BlockDrift]
    positions: int  # how many positions each figure is the mean over
    note: Message | None = None  # why some or all figures are missing
    logits_differ: bool = False  # B's distributions differ from A's somewhere (set by whoever read both)

    def as_list(self) -> list[dict]:
        return [b.as_dict() for b in self.blocks]

    @property
    def ranked(self) -> list[BlockDrift]:
        """The blocks whose drift grows most, first."""
        return sorted((b for b in self.blocks if b.rank is not None), key=lambda b: b.rank)

    @property
    def peak(self) -> str | None:
        """Where the drift grows most: "embeddings" (the stream entering block 0), "block N"; "head" where the
        stream is the same all through (what differs lies after the last block: the final norm or the LM head,
        as when only a tied head's stored copy was quantized); None where nothing was read."""
        grown = [("embeddings", self.blocks[0].input_rel_l2 if self.blocks else None)] + [
            (f"block {b.block}", b.growth) for b in self.blocks]
        if self.blocks and all(g == 0 for _label, g in grown):
            return "head" if self.logits_differ else None
        grown = [(label, g) for label, g in grown if g is not None and g > 0]
        return max(grown, key=lambda lg: lg[1])[0] if grown else None

    def series(self) -> list[Point]:
        """The stream's drift through the model, point by point (a chart's line), with each step's growth."""
        points: list[Point] = []
        first = self.blocks[0].input_rel_l2 if self.blocks else None
        if first is not None:
            points.append(Point("embeddings", None, "embeddings", first, None))
        for b in self.blocks:
            if b.rel_l2 is None:
                continue
            if b.attn_rel_l2 is not None:
                points.append(Point(f"block {b.block} attention", b.block, "attention", b.attn_rel_l2, b.attn_growth))
                points.append(Point(f"block {b.block} MLP", b.block, "mlp", b.rel_l2, b.mlp_growth))
            else:
                points.append(Point(f"block {b.block}", b.block, "block", b.rel_l2, b.growth))
        return points


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def rel_l2(a: np.ndarray, b: np.ndarray) -> float | None:
    """Mean over positions (rows) of ‖b − a‖ / ‖a‖; rows where A's stream is zero are left out."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    norm = np.linalg.norm(a64, axis=-1)
    keep = norm > 0
    if not keep.any():
        return None
    return float(np.mean(np.linalg.norm(b64 - a64, axis=-1)[keep] / norm[keep]))


def block_drift(streams_a: list[BlockStream | None], hidden_a: dict[str, np.ndarray],
                streams_b: list[BlockStream | None], hidden_b: dict[str, np.ndarray]) -> Drift:
    """Each block of A against the same block of B, the stream matched by its place, never by name."""
    positions = next((len(v) for v in hidden_a.values()), 0)
    if len(streams_a) != len(streams_b):
        return Drift([], positions, say.DRIFT_BLOCKS_DIFFER(len(streams_a), len(streams_b)))

    def at(name_a: str | None, name_b: str | None) -> float | None:
        if not name_a or not name_b or name_a not in hidden_a or name_b not in hidden_b:
            return None
        a, b = hidden_a[name_a], hidden_b[name_b]
        return rel_l2(a, b) if a.shape == b.shape else None

    blocks: list[BlockDrift] = []
    previous = None
    for sa, sb in zip(streams_a, streams_b):
        if sa is None or sb is None:
            blocks.append(BlockDrift(len(blocks), None, previous))
            previous = None
            continue
        entering = previous if sa.block > 0 else at(sa.input, sb.input)
        out = at(sa.output, sb.output)
        blocks.append(BlockDrift(sa.block, out, entering, at(sa.attention, sb.attention)))
        previous = out
    growing = sorted((b for b in blocks if b.growth is not None and b.growth > 0), key=lambda b: -b.growth)
    for i, b in enumerate(growing):
        b.rank = i + 1
    drift = Drift(blocks, positions)
    if not blocks or all(b.rel_l2 is None for b in blocks):
        drift.note = say.DRIFT_NOT_FOUND()
    elif all(b.attn_rel_l2 is None for b in blocks if b.rel_l2 is not None):
        drift.note = say.DRIFT_ONE_SUM()
    return drift

