"""Hostile files: nothing a file can contain may hang, crash or garble the inspector."""

import json
import os
import subprocess
import sys
import time

import pytest

from inspector.app.workers import describe_error
from inspector.errors import ModelError
from inspector.model import load_model, take_census
from inspector.model.graph_walk import GraphIndex

from . import hostile
from .conftest import ROOT, reference

N = 100_000


def cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "inspector", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def strict_json(text: str):
    """RFC 8259: NaN and Infinity are not JSON."""
    def refuse(token):
        raise ValueError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


def one_line_error(r, *needles):
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("make", ["identity_chain", "live_identity_chain", "constant_nodes", "matmul_chain",
                                  "scalar_initializers"])
def test_a_hundred_thousand_nodes_in_seconds(tmp_path, make):
    """Every graph walk is linear: 100,000 nodes of any kind take seconds, not minutes (a hang guard here;
    the figures are bench/fuzz.py's)."""
    kind = "llama" if make == "live_identity_chain" else "gpt2"
    build = getattr(hostile, make.replace("live_", ""))
    m = build(hostile.base_model(kind), N, live=True) if make == "live_identity_chain" else \
        build(hostile.base_model(kind), N)
    path = hostile.save_beside(m, tmp_path / make, kind=kind)
    t0 = time.monotonic()
    c = take_census(load_model(path))
    assert time.monotonic() - t0 < 30
    assert c.parameters >= reference("tiny-gpt2" if kind == "gpt2" else "tiny-llama")["parameters"]
    r = cli("generate", path, "--prompt-ids", "1,2,3", "--max-new-tokens", 2, "--json", timeout=120)
    assert r.returncode in (0, 2) and len(r.stderr.strip().splitlines()) <= 1, r.stderr[-500:]
    if r.returncode == 0:
        assert len(strict_json(r.stdout)["new_ids"]) == 2


def test_identity_roots_are_found_once_per_chain():
    m = hostile.identity_chain(hostile.base_model(), 5000)
    idx = GraphIndex.build(m.graph, {t.name for t in m.graph.initializer})
    assert idx.aliases[m.graph.initializer[0].name][-1] == "chain_4999"
    calls = 0
    real = GraphIndex.root

    def counting(self, name, memo=None):
        nonlocal calls
        calls += 1
        return real(self, name, memo)

    GraphIndex.root = counting
    try:
        GraphIndex.build(m.graph, {t.name for t in m.graph.initializer})
    finally:
        GraphIndex.root = real
    assert calls == sum(1 for n in m.graph.node if n.op_type == "Identity")


def test_control_characters_in_a_file_name_stay_on_one_line(tmp_path):
    evil = tmp_path / "evil\n\x1b[31mred.onnx"
    evil.write_bytes(b"not a model at all")
    r = cli("stats", evil)
    line = one_line_error(r, "evil?")
    assert "\x1b" not in r.stderr
    with pytest.raises(ModelError) as info:
        load_model(evil)
    message, _details = describe_error(info.value)  # what the app's dialog shows
    assert "\n" not in message and "\x1b" not in message and message in line


def test_nan_weights_give_standard_json_and_a_plain_error(tmp_path):
    path = hostile.save_beside(hostile.nan_weights(hostile.base_model()), tmp_path / "nan")
    r = cli("stats", path, "--json")
    assert r.returncode == 0, r.stderr
    d = strict_json(r.stdout)
    bad = [t for layer in d["layers"] for t in layer["tensors"] if t["nan"]]
    assert bad and bad[0]["mean"] is None and bad[0]["std"] is None
    r = cli("report", path, "-o", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    strict_json((tmp_path / "r.json").read_text())
    one_line_error(cli("generate", path, "--prompt", "Hello", "--max-new-tokens", 3, "--json"), "NaN logits")
    inf = hostile.save_beside(hostile.nan_weights(hostile.base_model(), float("inf")), tmp_path / "inf")
    one_line_error(cli("generate", inf, "--prompt", "Hello", "--max-new-tokens", 3), "logits at step 1")


def test_names_that_are_not_utf8_are_escaped(tmp_path):
    folder = tmp_path / "utf8"
    path = hostile.save_beside(hostile.base_model(), folder)
    hostile.invalid_utf8_names(path)
    c = take_census(load_model(path))
    assert c.parameters == reference("tiny-gpt2")["parameters"]
    assert any("\\xff" in t.name for t in c.tensors)
    r = cli("stats", path, "--json")
    assert r.returncode == 0 and "\\\\xff" in r.stdout, r.stderr


def test_malformed_external_data_is_refused_in_one_line(tmp_path):
    twice = hostile.external_entries(tmp_path / "twice", [("location", "w.bin"), ("location", "other.bin")])
    with pytest.raises(ModelError, match="'location' twice"):
        load_model(twice)
    one_line_error(cli("stats", twice), "twice")
    for name, make in (("fifo", hostile.fifo_external), ("folder", hostile.folder_external)):
        path = make(tmp_path / name)
        with pytest.raises(ModelError, match="is not a regular file"):
            load_model(path)
        one_line_error(cli("stats", path, timeout=30), "not a regular file")


def test_a_rewritten_shape_fails_generation_in_one_line(tmp_path):
    path = hostile.save_beside(hostile.rewritten_dims(hostile.base_model()), tmp_path / "dims")
    r = cli("generate", path, "--prompt", "Hello", "--max-new-tokens", 2)
    one_line_error(r, "onnxruntime")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_given_as_the_model_is_refused(tmp_path):
    os.mkfifo(tmp_path / "model.onnx")
    one_line_error(cli("stats", tmp_path / "model.onnx", timeout=30), "not a regular file")
