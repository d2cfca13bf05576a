"""What each head does (engine/heads.py, `python -m inspector heads`, report --heads): against PyTorch on a model
trained to have an induction circuit, the table on the sample model as it is, a fused model, and the reports."""

import json

import numpy as np
import pytest

from inspector import ablation_text as say
from inspector.cli import main
from inspector.engine import Generator
from inspector.engine.heads import NONE, ROLES, THRESHOLD, probe_ids, read_heads

from .conftest import FIXTURES, SAMPLE

INDUCTION = FIXTURES / "tiny-induction"


@pytest.fixture(scope="module")
def induction():
    ref = json.loads((INDUCTION / "heads_reference.json").read_text())
    return ref, read_heads(Generator(INDUCTION), ref["length"], ref["seed"])


def test_the_heads_equal_pytorchs(induction):
    """Scores from the copy's Softmax outputs and loss rises with each head off, against PyTorch's attentions and
    a hook zeroing the head's slice of c_proj's input, on the same probe."""
    ref, reading = induction
    assert reading.ids == ref["ids"] and reading.bos == ref["bos"]
    assert reading.loss_repeated == pytest.approx(ref["loss_repeated"], abs=1e-4)
    assert reading.loss_first == pytest.approx(ref["loss_first"], abs=1e-4)
    for got, want in zip(reading.heads, ref["heads"]):
        assert (got.block, got.head) == (want["block"], want["head"])
        for role in ROLES:
            assert got.scores[role] == pytest.approx(want["scores"][role], abs=1e-4)
        assert got.loss_rise == pytest.approx(want["loss_rise"], abs=1e-4)
        assert got.role == want["role"]


def test_a_model_with_an_induction_circuit_shows_it(induction):
    """Trained on text and repeated random sequences, two blocks: a previous-token head feeds an induction head, and
    switching the induction head off costs the repeated half most of what the circuit gave it."""
    _ref, reading = induction
    assert reading.count("previous-token") >= 1 and reading.count("induction") >= 1
    assert reading.loss_repeated < reading.loss_first - 2  # it copies: the repeated half is far easier
    prev = [h for h in reading.heads if h.role == "previous-token"]
    ind = [h for h in reading.heads if h.role == "induction"]
    assert min(h.block for h in prev) < max(h.block for h in ind)  # the previous-token head comes first
    assert max(h.loss_rise for h in ind) > 1.0
    assert reading.grid("role")[ind[0].block, ind[0].head] == ROLES.index("induction")


def test_the_sample_models_table(capsys):
    """The sample model's heads, as they are: every head's role, scores and loss rise, and the counts line."""
    assert main(["heads", str(SAMPLE), "--length", "40"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in out[3:-1]]
    assert len(rows) == 16 and [(int(r[0]), int(r[1])) for r in rows] == [(b, h) for b in range(4) for h in range(4)]
    assert all(r[2] in (*ROLES, NONE) for r in rows)
    assert all(0 <= float(x) <= 1 for r in rows for x in r[3:6]) and all(np.isfinite(float(r[6])) for r in rows)
    assert out[1] == str(say.HEADS_RULE(THRESHOLD, say.NUMBERING))
    counts = [sum(r[2] == role for r in rows) for role in (*ROLES, NONE)]
    assert out[-1] == str(say.HEADS_COUNT(*counts, 16))


def test_heads_json_and_a_fused_model(capsys):
    """genai's GroupQueryAttention: no weights to read, so no roles, and it says so; the loss rises are there."""
    assert main(["heads", str(FIXTURES / "genai-llama"), "--length", "12", "--seed", "3", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["note"] and "GroupQueryAttention" in d["note"]
    assert d["length"] == 12 and d["seed"] == 3 and len(d["ids"]) == (d["bos"] is not None) + 24
    assert d["counts"] == {**{r: 0 for r in ROLES}, NONE: d["n_layer"] * d["n_head"]}
    assert all(h["scores"] is None and h["loss_rise"] is not None for h in d["heads"])


def test_the_probe_is_seeded_distinct_and_repeated():
    a = probe_ids(100, 20, 7, 0, {1, 2})
    assert a == probe_ids(100, 20, 7, 0, {1, 2}) and a != probe_ids(100, 20, 8, 0, {1, 2})
    assert a[0] == 0 and a[1:21] == a[21:] and len(set(a[1:21])) == 20 and not {0, 1, 2} & set(a[1:])


def test_too_long_a_probe_is_one_line(capsys):
    assert main(["heads", str(FIXTURES / "tiny-gpt2-zero-bias"), "--length", "40"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--length 31" in err


def test_the_report_has_the_heads_in_both_languages(induction, tmp_path):
    from inspector.pipeline import inspect
    from inspector.report.content import build_report
    from inspector.report.formats import export
    from inspector.messages import translator

    _ref, reading = induction
    content = build_report(inspect(INDUCTION), heads=reading, lang="zh")  # the charts once: they cost the most
    assert content.data["heads"]["counts"]["induction"] >= 1 and "heads.png" in content.images
    for lang in ("en", "zh"):
        _ = translator(lang)
        content.data["language"] = lang
        html = export(content, tmp_path / f"r-{lang}.html", "html").read_text(encoding="utf-8")
        md = export(content, tmp_path / f"r-{lang}.md", "md").read_text(encoding="utf-8")
        for text in (html, md):
            assert _("What each head does") in text and _("induction") in text and _("previous-token") in text
        assert (tmp_path / f"r-{lang}_files" / "heads.png").exists()
    assert "每个注意力头在做什么" in html
