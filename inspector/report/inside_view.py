"""The inside of a run as a report shows it: the logit-lens table (steps × blocks) and which steps' attention
to draw.  Read from the `generate --json` data, so a report says exactly what the JSON holds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LensCell:
    text: str  # the lens's most probable token after this block
    prob: float
    chosen: bool  # it is the token the step chose
    first: bool  # the first block where the chosen token leads (marked)


@dataclass
class LensRow:
    step: int  # as people count: the first generated token is step 1
    text: str  # the chosen token
    cells: list[LensCell | None]  # per block; None where the residual stream was not found


def lens_rows(generation: dict) -> list[LensRow]:
    texts = (generation.get("inside") or {}).get("token_text", {})
    rows = []
    for index, step in enumerate(generation["steps"]):
        lens = step.get("lens") or []
        first = next((b for b, row in enumerate(lens) if row and row[0][0] == step["id"]), None)
        cells = []
        for block, row in enumerate(lens):
            if not row:
                cells.append(None)
                continue
            top, p = row[0]
            cells.append(LensCell(texts.get(str(top), str(top)), p, top == step["id"], block == first))
        rows.append(LensRow(index + 1, step["text"], cells))
    return rows


def attention_steps(generation: dict, asked: list[int] | None = None) -> list[int]:
    """The steps whose attention a report draws, as indices of the run's steps: those asked for (that have
    attention), else the first and the last."""
    have = [i for i, s in enumerate(generation["steps"]) if s.get("attention")]
    if not have:
        return []
    if asked:
        return [i for i in dict.fromkeys(asked) if i in have]
    return sorted({have[0], have[-1]})


def context_labels(generation: dict, step: int) -> list[str]:
    """The text of every position step `step` attended over: the prompt's tokens, then the generated ones."""
    texts = (generation.get("inside") or {}).get("token_text", {})
    ids = generation["prompt_ids"] + [s["id"] for s in generation["steps"][:step]]
    return [texts.get(str(i), str(i)) for i in ids]
