"""What each head does, measured rather than guessed, on the standard probe: N random tokens repeated twice
(after the BOS token when the model's configs name one).  On the repeated half a head that looks at the previous
position is a previous-token head; one that looks at the token after the current token's earlier occurrence (N − 1
back: where an induction circuit copies from) is an induction head; one that looks at position 0 is a first-token
(sink) head.  A head's score for each pattern is the mean weight it gives that position over the N query positions
of the repeated half; its role is the pattern it scores highest on if that score reaches THRESHOLD, else none.

Then each head is switched off alone (model/ablation.py) and the loss on the repeated half — every token of it but
its first, which nothing earlier predicts — is read again: how much it rises is what the model lost with the head.
Where attention is one fused op its weights cannot be read: no head gets a role, the loss rise is still measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import ablation_text as say
from .. import units
from ..compare.tokens import log_softmax
from ..errors import Cancelled, GenerationError
from ..messages import Message
from ..progress_text import Progress
from ..model.ablation import Ablation, Part
from .generator import Generator

ROLES = ("previous-token", "induction", "first-token")  # the patterns scored; a head matching none is "none"
NONE = "none"
THRESHOLD = 0.4  # the mean attention a head must give its pattern's position to take that role
DEFAULT_LENGTH = 50  # random tokens in each half, as TransformerLens's induction test uses
MIN_LENGTH = 4  # below this the three positions a query is scored on are not distinct


@dataclass
class HeadScore:
    block: int
    head: int
    scores: dict[str, float] | None  # pattern -> mean attention on its position; None where it cannot be read
    loss_rise: float | None  # nats on the repeated half with this head off, against the intact model

    @property
    def role(self) -> str:
        if not self.scores:
            return NONE
        best = max(ROLES, key=lambda r: self.scores[r])
        return best if self.scores[best] >= THRESHOLD else NONE

    def as_dict(self) -> dict:
        return {"block": self.block, "head": self.head, "role": self.role, "scores": self.scores,
                "loss_rise": self.loss_rise}


@dataclass
class HeadsReading:
    ids: list[int]  # the probe: [BOS] + r + r
    length: int  # N, the random tokens in each half
    seed: int
    bos: int | None
    n_layer: int
    n_head: int
    loss_first: float  # nats per token on the first (random) half: what the model makes of random tokens
    loss_repeated: float  # nats per token on the repeated half, intact
    heads: list[HeadScore] = field(default_factory=list)  # block-major
    note: Message | None = None  # why attention (and so the roles) cannot be read

    def head(self, block: int, head: int) -> HeadScore:
        return self.heads[block * self.n_head + head]

    def count(self, role: str) -> int:
        return sum(h.role == role for h in self.heads)

    def grid(self, what: str = "role") -> np.ndarray:
        """[n_layer, n_head]: the role's index in ROLES (-1: none), a pattern's score, or 'loss_rise'."""
        out = np.full((self.n_layer, self.n_head), np.nan if what != "role" else -1.0)
        for h in self.heads:
            if what == "role":
                out[h.block, h.head] = ROLES.index(h.role) if h.role in ROLES else -1
            elif what == "loss_rise":
                out[h.block, h.head] = np.nan if h.loss_rise is None else h.loss_rise
            elif h.scores:
                out[h.block, h.head] = h.scores[what]
        return out

    def summary(self) -> Message:
        said = say.HEADS_PROBE_BOS if self.bos is not None else say.HEADS_PROBE
        return said(self.length, self.seed, units.number(self.loss_repeated, 3), units.number(self.loss_first, 3))

    def as_dict(self) -> dict:
        return {"ids": self.ids, "length": self.length, "seed": self.seed, "bos": self.bos, "n_layer": self.n_layer,
                "n_head": self.n_head, "threshold": THRESHOLD, "roles": list(ROLES) + [NONE],
                "loss_first": self.loss_first, "loss_repeated": self.loss_repeated, "note": self.note,
                "counts": {r: self.count(r) for r in (*ROLES, NONE)},
                "numbering": say.NUMBERING, "heads": [h.as_dict() for h in self.heads]}


def bos_id(gen: Generator) -> int | None:
    """The BOS token the model's configs name, if one lies in its vocabulary."""
    for name in ("generation_config.json", "config.json"):
        cfg = gen.source.side_json(name) or {}
        bos = cfg.get("bos_token_id")
        if isinstance(bos, int) and not isinstance(bos, bool) and 0 <= bos < (gen.io.vocab_size or bos + 1):
            return bos
    genai = gen.source.side_json("genai_config.json") or {}
    bos = genai.get("model", {}).get("bos_token_id") if isinstance(genai.get("model"), dict) else None
    return bos if isinstance(bos, int) and not isinstance(bos, bool) and bos >= 0 else None


def probe_ids(vocab: int, length: int, seed: int, bos: int | None, special: set[int]) -> list[int]:
    """[BOS] + r + r: r is `length` distinct random ids, no special token among them (a seeded draw)."""
    pool = np.array([i for i in range(vocab) if i not in special and i != bos], np.int64)
    if len(pool) < length:
        raise GenerationError(say.PROBE_FEW_TOKENS(len(pool), length))
    r = np.random.default_rng(seed).choice(pool, size=length, replace=False).tolist()
    return ([bos] if bos is not None else []) + r + r


def _losses(logits: np.ndarray, ids: list[int], start: int, stop: int) -> float:
    """Mean −log p(ids[t]) for t in [start, stop): predicted at position t − 1."""
    lp = log_softmax(logits[start - 1:stop - 1])
    return float(-np.mean(lp[np.arange(stop - start), ids[start:stop]]))


def read_heads(gen: Generator, length: int = DEFAULT_LENGTH, seed: int = 0,
               progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> HeadsReading:
    """Score every head on the probe and switch each off in turn (n_layer · n_head + 1 passes of 2N tokens)."""
    if length < MIN_LENGTH:
        raise GenerationError(say.PROBE_TOO_SHORT(MIN_LENGTH, length))
    hooks = gen.hooks
    n_layer, n_head = hooks.n_layer, hooks.n_head
    if not n_layer or not n_head:
        raise GenerationError(say.NO_HEADS(), str(gen.path))
    bos = bos_id(gen)
    vocab = gen.io.vocab_size or (gen.codec.tok.get_vocab_size() if gen.codec else 0)
    offset = 1 if bos is not None else 0
    if gen.context_length and offset + 2 * length > gen.context_length:
        raise GenerationError(say.PROBE_TOO_LONG(length, gen.context_length, (gen.context_length - offset) // 2))
    ids = probe_ids(vocab, length, seed, bos, gen.codec.special if gen.codec else set())

    def check(fraction: float, what: Message) -> None:
        if cancelled and cancelled():
            raise Cancelled()
        if progress:
            progress(fraction, what)

    check(0.0, say.READING_HEADS())
    was_inside, was_ablation = gen.inside is not None, gen.ablation
    try:
        return _read(gen, ids, length, seed, bos, offset, check)
    finally:  # the generator as it was (its session may have been swapped meanwhile)
        gen.set_inside(was_inside)
        gen.set_ablation(was_ablation)


def _read(gen: Generator, ids: list[int], length: int, seed: int, bos: int | None, offset: int,
          check: Progress) -> HeadsReading:
    hooks = gen.hooks
    n_layer, n_head = hooks.n_layer, hooks.n_head
    inside = gen.set_inside(True)
    gen.set_ablation(Ablation())
    names = tuple(a for a in inside.probes.attention if a)
    logits, patterns = gen.read_whole(ids, names)
    gen.set_inside(False)  # the loss runs read no probe: the copy stays, for its keep input
    first, second = offset, offset + length  # where each half starts
    loss_first = _losses(logits, ids, first + 1, second)
    loss_repeated = _losses(logits, ids, second + 1, second + length)
    scores = _scores(inside.probes.attention, dict(zip(names, patterns)), n_layer, n_head, length, second)
    heads = []
    for b in range(n_layer):
        for h in range(n_head):
            check((b * n_head + h) / (n_layer * n_head), say.SWITCHING_HEAD(b, h))
            part = Part(b, "head", h)
            rise = None
            if hooks.takes(part):
                gen.set_ablation(Ablation((part,)))
                rise = _losses(gen.logits_for(ids), ids, second + 1, second + length) - loss_repeated
            heads.append(HeadScore(b, h, scores[b][h] if scores else None, rise))
    return HeadsReading(ids, length, seed, bos, n_layer, n_head, loss_first, loss_repeated, heads, inside.note)


def _scores(names: list[str | None], values: dict, n_layer: int, n_head: int, length: int,
            second: int) -> list[list[dict[str, float] | None]] | None:
    """Per block and head, the mean weight on each pattern's position over the repeated half's queries."""
    if not any(names):
        return None
    queries = np.arange(second, second + length)
    targets = {"previous-token": queries - 1, "induction": queries - length + 1,
               "first-token": np.zeros_like(queries)}
    out = []
    for b in range(n_layer):
        a = values.get(names[b]) if b < len(names) and names[b] else None
        if a is None:
            out.append([None] * n_head)
            continue
        a = np.asarray(a, np.float32)[0]  # [heads, query, key]
        row = []
        for h in range(min(n_head, a.shape[0])):
            row.append({role: float(a[h, queries, t].mean()) for role, t in targets.items()})
        out.append(row + [None] * (n_head - len(row)))
    return out
