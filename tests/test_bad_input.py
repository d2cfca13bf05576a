"""Anything that is not a usable model: exit status 2 and one clear line, no traceback, no read outside."""

import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from inspector.errors import ModelError
from inspector.model import load_model, take_census

from .conftest import FIXTURES, ROOT

MODEL = FIXTURES / "tiny-gpt2" / "model.onnx"


def tiny_external(folder, location, length=None, offset=0, write_data=True, dims=(4, 4)):
    """A one-MatMul graph whose weight lives in external data at `location`."""
    folder.mkdir(parents=True, exist_ok=True)
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=list(dims))
    w.data_location = TensorProto.EXTERNAL
    entries = {"location": location, "offset": str(offset)}
    if length is not None:
        entries["length"] = str(length)
    for k, v in entries.items():
        e = w.external_data.add()
        e.key, e.value = k, v
    g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="/h.0/mlp/MatMul")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, dims[0]])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, dims[1]])], [w])
    path = folder / "model.onnx"
    with open(path, "wb") as fh:
        fh.write(helper.make_model(g).SerializeToString())
    if write_data:
        (folder / "w.bin").write_bytes(np.arange(16, dtype=np.float32).tobytes())
    return path


def cases(tmp):
    data = MODEL.read_bytes()
    out = {}
    (tmp / "empty.onnx").write_bytes(b"")
    out["empty"] = tmp / "empty.onnx"
    (tmp / "truncated.onnx").write_bytes(data[: len(data) // 2])
    out["truncated"] = tmp / "truncated.onnx"
    (tmp / "random.onnx").write_bytes(np.random.default_rng(0).bytes(50_000))
    out["random"] = tmp / "random.onnx"
    (tmp / "picture.onnx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    out["picture"] = tmp / "picture.onnx"
    (tmp / "text.onnx").write_text("This is a README, not a model.\n" * 20)
    out["text"] = tmp / "text.onnx"
    out["missing external"] = tiny_external(tmp / "missing", "w.bin", write_data=False)
    out["escaping external"] = tiny_external(tmp / "escape", "../secret.bin")
    out["absolute external"] = tiny_external(tmp / "absolute", "/etc/passwd")
    out["short external"] = tiny_external(tmp / "short", "w.bin", length=64 * 4)
    link_dir = tmp / "link"
    link_dir.mkdir()
    (tmp / "outside.bin").write_bytes(np.arange(16, dtype=np.float32).tobytes())
    os.symlink(tmp / "outside.bin", link_dir / "w.bin")
    out["link out"] = tiny_external(link_dir, "w.bin", write_data=False)
    # a tensor that declares more elements than its bytes carry
    m = onnx.load(MODEL)
    init = next(i for i in m.graph.initializer if i.name.endswith("c_attn.weight"))
    init.dims[0] = 10_000_000
    onnx.save(m, tmp / "shape.onnx")
    out["shape mismatch"] = tmp / "shape.onnx"
    out["no model in folder"] = tmp / "empty_dir"
    (tmp / "empty_dir").mkdir()
    out["not there"] = tmp / "nope.onnx"
    return out


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    return cases(tmp_path_factory.mktemp("bad"))


NAMES = ["empty", "truncated", "random", "picture", "text", "missing external", "escaping external",
         "absolute external", "short external", "link out", "shape mismatch", "no model in folder", "not there"]


@pytest.mark.parametrize("case", NAMES)
def test_library_raises_model_error(bad, case):
    with pytest.raises(ModelError) as info:
        take_census(load_model(bad[case]))
    assert str(bad[case].name) in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", NAMES)
def test_cli_exits_2_with_one_line(bad, case):
    r = subprocess.run([sys.executable, "-m", "inspector", "stats", str(bad[case])], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr and bad[case].name in lines[0]


def test_escape_is_refused_before_reading(bad):
    with pytest.raises(ModelError, match="leaves the model's folder"):
        load_model(bad["escaping external"])
    with pytest.raises(ModelError, match="leaves the model's folder"):
        load_model(bad["link out"])


def test_declared_shape_is_checked_before_allocation(bad):
    with pytest.raises(ModelError, match="declares shape"):
        load_model(bad["shape mismatch"])


def test_names_inside_a_model_are_untrusted_text(tmp_path):
    m = onnx.load(MODEL)
    m.graph.initializer[0].name = "evil\x1b[31m\nname"
    m.graph.initializer[0].dims[0] += 1
    onnx.save(m, tmp_path / "model.onnx")
    with pytest.raises(ModelError) as info:
        load_model(tmp_path / "model.onnx")
    assert "\n" not in str(info.value) and "\x1b" not in str(info.value)


@pytest.mark.parametrize("case", ["empty", "truncated", "random", "text", "shape mismatch", "short external",
                                  "escaping external"])
def test_lazy_parser_refuses_the_same_files(bad, case):
    with pytest.raises(ModelError) as info:
        load_model(bad[case], lazy=True)
    assert bad[case].name in str(info.value) and "\n" not in str(info.value)
