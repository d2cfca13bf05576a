"""A run with parts switched off beside the intact one: both token streams, where they part, and at every step of
the ablated run how its next-token distribution differs from the intact model's at the same context (KL, the
candidates that rose and fell).  The data the app's side-by-side view draws and `generate --ablate` prints.

Both runs use the probed copy's one session (model/ablation.py): the intact run feeds no part, so the two differ
only where the parts are off.  The intact model's distribution at the ablated run's context is read teacher
forced, in one pass over that context, after the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import ablation_text as say
from ..compare.tokens import log_softmax
from ..messages import Message
from ..model.ablation import Ablation
from .generator import GenerationConfig, GenerationResult, Generator, Step
from .serialize import result_dict


@dataclass
class Shift:
    """One candidate's probability in the intact model and with the parts off, at the same context."""

    id: int
    intact: float
    ablated: float

    def as_list(self) -> list:
        return [self.id, self.intact, self.ablated]


@dataclass
class StepChange:
    """Step `index` of the ablated run (0: the token the prefill chose) against the intact model there."""

    index: int
    id: int  # the token the ablated run chose
    prob: float  # its probability with the parts off
    intact_id: int  # the intact model's most probable token at the same context
    intact_prob: float  # the intact model's probability of `id`
    kl: float  # KL(intact ‖ ablated), nats
    off: bool  # the parts were off at this step
    rose: list[Shift] = field(default_factory=list)  # most risen first
    fell: list[Shift] = field(default_factory=list)  # most fallen first

    def as_dict(self) -> dict:
        return {"index": self.index, "id": self.id, "prob": self.prob, "intact_id": self.intact_id,
                "intact_prob": self.intact_prob, "kl": self.kl, "off": self.off,
                "rose": [s.as_list() for s in self.rose], "fell": [s.as_list() for s in self.fell]}


@dataclass
class AblationComparison:
    ablation: Ablation
    intact: GenerationResult
    ablated: GenerationResult
    changes: list[StepChange]  # one per step of the ablated run
    texts: dict[int, str] = field(default_factory=dict)  # every id the changes name, as text
    note: Message | None = None  # what a fused attention op means for the ablation (model/ablation.py's Hooks.note)

    @property
    def divergence(self) -> int | None:
        """The first step whose token differs between the two runs (one run ending first counts), or None."""
        a, b = self.intact.new_ids, self.ablated.new_ids
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
        return first if first is not None or len(a) == len(b) else min(len(a), len(b))

    @property
    def divergence_char(self) -> int | None:
        """Where the two generated texts first differ, in characters, or None when they are the same."""
        a, b = self.intact.text, self.ablated.text
        if a == b:
            return None
        return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))

    def label(self) -> Message:
        """'switched off: head 1 of block 0 (blocks and heads counted from 0)', with the step if only one."""
        steps = self.ablation.steps
        if steps is not None and len(steps) == 1:
            return say.SWITCHED_OFF_AT(self.ablation.label, say.NUMBERING, next(iter(steps)) + 1)
        return say.SWITCHED_OFF(self.ablation.label, say.NUMBERING)

    def as_dict(self) -> dict:
        return {
            "spec": self.ablation.spec, "numbering": say.NUMBERING,
            "parts": [{"block": p.block, "kind": p.kind, "head": p.head, "label": p.label}
                      for p in self.ablation.parts],
            "steps": None if self.ablation.steps is None else sorted(self.ablation.steps),
            "divergence": self.divergence, "divergence_char": self.divergence_char,
            "changes": [c.as_dict() for c in self.changes],
            "intact": result_dict(self.intact),
            "token_text": {str(i): t for i, t in self.texts.items()}, "note": self.note,
        }


def step_change(index: int, token: int, intact_logits: np.ndarray, ablated_logits: np.ndarray, off: bool,
                k: int) -> StepChange:
    """The difference at one step: KL(intact ‖ ablated) and the k candidates that rose and fell the most."""
    li, la = log_softmax(intact_logits), log_softmax(ablated_logits)
    pi, pa = np.exp(li), np.exp(la)
    kl = float(max(0.0, (pi * (li - la)).sum()))
    delta = pa - pi
    order = np.argsort(-delta, kind="stable")
    rose = [Shift(int(i), float(pi[i]), float(pa[i])) for i in order[:k] if delta[i] > 0]
    fell = [Shift(int(i), float(pi[i]), float(pa[i])) for i in order[::-1][:k] if delta[i] < 0]
    return StepChange(index, int(token), float(pa[token]), int(np.argmax(li)), float(pi[token]), kl, off, rose, fell)


def compare_ablation(gen: Generator, prompt: str | list[int], config: GenerationConfig, ablation: Ablation,
                     on_step: Callable[[Step], None] | None = None) -> AblationComparison:
    """Run the intact model, then the one with `ablation`'s parts off (`on_step` sees each of its steps as it
    comes), with the same settings and seed.  The generator is left on the probed copy, intact."""
    gen.hooks.check(ablation)  # a part the model lacks fails before any run
    gen.set_ablation(Ablation())
    intact = gen.generate(prompt, config)
    gen.set_ablation(ablation)
    gen.start(prompt, config)
    rows = []
    for step in gen.steps():
        rows.append(gen.last_logits)
        if on_step is not None:
            on_step(step)
    ablated = gen.result()
    gen.set_ablation(Ablation())
    n = len(ablated.new_ids)
    context = ablated.prompt_ids + ablated.new_ids[:-1]
    intact_rows = gen.logits_for(context)[len(ablated.prompt_ids) - 1:] if n else np.zeros((0, 0), np.float32)
    k = max(1, config.candidates)
    changes = [step_change(i, ablated.new_ids[i], intact_rows[i], rows[i], ablation.active(i), k) for i in range(n)]
    named = set(intact.new_ids) | set(ablated.new_ids) | {c.intact_id for c in changes} | {
        s.id for c in changes for s in c.rose + c.fell}
    return AblationComparison(ablation, intact, ablated, changes, {i: gen.token_text(i) for i in sorted(named)},
                              gen.hooks.note)
