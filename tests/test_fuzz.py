"""A small deterministic sample of the fuzz run (bench/fuzz.py runs the full one)."""

import sys

import pytest

from . import fuzzing

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks a child per run (Linux)")


def test_every_strategy_makes_a_mutant(tmp_path):
    for strategy in fuzzing.STRATEGIES:
        folder = fuzzing.make_mutant("gpt2", strategy, 0, tmp_path)
        again = fuzzing.make_mutant("gpt2", strategy, 0, tmp_path / "again")
        assert (folder / "model.onnx").read_bytes() == (again / "model.onnx").read_bytes()  # deterministic


def test_the_judge_tells_outcomes_apart(tmp_path):
    assert fuzzing.judge("stats", 0, '{"a": null}', "", 1, 100, tmp_path)[0] == "ok"
    assert fuzzing.judge("stats", 0, '{"a": NaN}', "", 1, 100, tmp_path)[0] == "failure"
    assert fuzzing.judge("stats", 2, "", "error: x.onnx: bad\n", 1, 100, tmp_path)[0] == "error"
    assert fuzzing.judge("stats", 2, "", "error: a\nerror: b\n", 1, 100, tmp_path)[0] == "failure"
    assert fuzzing.judge("stats", -11, "", "", 1, 100, tmp_path)[0] == "failure"
    assert fuzzing.judge("stats", None, "", "", 61, 100, tmp_path)[0] == "failure"
    assert fuzzing.judge("stats", 0, "{}", "", 1, 2000, tmp_path)[0] == "failure"


def test_a_sample_of_mutants_never_fails():
    """A mutant of each strategy and base, each through stats, generate and report; the inside view and compare
    on one base each (the full run puts every mutant through all five)."""
    tally = fuzzing.Tally()
    for base in ("gpt2", "llama"):
        for strategy in fuzzing.STRATEGIES:
            commands = ("stats", "generate", "report", "inside" if base == "gpt2" else "compare")
            tally.verdicts.extend(fuzzing.fuzz_one(base, strategy, 0 if base == "gpt2" else 1, commands))
    assert not tally.failures, "\n".join(f"{v.mutant} {v.command}: {v.why}" for v in tally.failures)
    outcomes = {v.outcome for v in tally.verdicts}
    assert outcomes == {"ok", "error"}  # both happen: the sample exercises good and bad files
