"""What the command line prints for people: every option explained, numbers as people write them (one helper),
percentages one way, tokens as the tables show them, steps counted from 1."""

import argparse
import io
from types import SimpleNamespace

import numpy as np

from inspector import units
from inspector.cli import build_parser
from inspector.engine.cli import print_inside


def options(parser, path="python -m inspector"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from options(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield path, action


def test_every_option_says_what_it_does():
    found = list(options(build_parser()))
    assert len(found) > 40
    assert [f"{path} {a.option_strings or a.dest}" for path, a in found if not (a.help or "").strip()] == []


def test_numbers_and_percentages_are_written_one_way():
    assert [units.number(x, 3) for x in (1250.4, 999.7, 123.456, 12.34, 0.00078, 9.6e-07, 0.0, None)] == [
        "1,250", "1,000", "123", "12.3", "0.00078", "9.6e-07", "0", "–"]
    assert units.number(1234567.8) == "1,234,568" and units.number(float("nan")) == "–"
    assert "e+" not in units.number(52_000.0, 2)
    assert [units.percent(x) for x in (0.9947, 1.0, None)] == ["99.47%", "100.00%", "–"]
    assert units.percent(0.95, 0) == "95%"


def test_the_inside_table_shows_tokens_as_the_tables_do_and_counts_steps_from_one():
    steps = [SimpleNamespace(index=i, id=i, text=text, lens=[[(i, 0.9)]], attention=[np.array([[0.2, 0.8]])])
             for i, text in enumerate(["\n", "it's", "⟨E5 8F⟩"])]
    result = SimpleNamespace(texts={0: "The", 1: " cat"}, context_ids=[0, 1], steps=steps)
    out = io.StringIO()
    print_inside(result, out)
    rows = out.getvalue().splitlines()[1:]
    assert [row.split()[0] for row in rows] == ["1", "2", "3"]
    assert [row.split()[1] for row in rows] == ["'↵'", "'it's'", "'⟨E5"]
    assert all("' cat' at 1 (0.8)" in row for row in rows)
    assert "\\n" not in out.getvalue() and '"' not in out.getvalue()  # no Python reprs
