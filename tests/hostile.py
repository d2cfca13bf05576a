"""Hostile files made from a valid export: what the hardening tests and the fuzz run feed the inspector."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .conftest import FIXTURES

BASES = {"gpt2": FIXTURES / "tiny-gpt2", "llama": FIXTURES / "tiny-llama"}


def base_model(kind: str = "gpt2") -> onnx.ModelProto:
    return onnx.load(BASES[kind] / "model.onnx")


def save_beside(model: onnx.ModelProto, folder: Path, name: str = "model.onnx", kind: str = "gpt2") -> Path:
    """Save into `folder` with the base's tokenizer and configs, as a user's folder would hold them."""
    folder.mkdir(parents=True, exist_ok=True)
    for side in ("tokenizer.json", "config.json", "generation_config.json"):
        shutil.copy(BASES[kind] / side, folder / side)
    onnx.save(model, folder / name)
    return folder / name


def identity_chain(m: onnx.ModelProto, n: int, live: bool = False) -> onnx.ModelProto:
    """n Identity nodes in a row from a weight: dead, or (live) feeding the first MatMul that read it."""
    stored = {t.name for t in m.graph.initializer}
    user = next((node for node in m.graph.node if node.op_type in ("MatMul", "Gemm") and node.input[1] in stored),
                None)
    weight = user.input[1] if live else m.graph.initializer[0].name
    chain, prev = [], weight
    for i in range(n):
        chain.append(helper.make_node("Identity", [prev], [f"chain_{i}"], name=f"/chain/Identity_{i}"))
        prev = f"chain_{i}"
    if live:
        user.input[1] = prev
    nodes = chain + list(m.graph.node)  # the chain reads only the weight: first is a valid order
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    return m


def constant_nodes(m: onnx.ModelProto, n: int) -> onnx.ModelProto:
    m.graph.node.extend(helper.make_node("Constant", [], [f"const_{i}"], name=f"/c/Constant_{i}",
                                         value=numpy_helper.from_array(np.array([i], np.int64))) for i in range(n))
    return m


def matmul_chain(m: onnx.ModelProto, n: int) -> onnx.ModelProto:
    """n MatMuls on one small weight, named as if they were spread over eight blocks."""
    m.graph.initializer.append(numpy_helper.from_array(np.eye(4, dtype=np.float32), "eye"))
    m.graph.initializer.append(numpy_helper.from_array(np.ones((1, 4), np.float32), "start"))
    prev = "start"
    for i in range(n):
        m.graph.node.append(helper.make_node("MatMul", [prev, "eye"], [f"mm_{i}"], name=f"/h.{i % 8}/mlp/MatMul_{i}"))
        prev = f"mm_{i}"
    return m


def scalar_initializers(m: onnx.ModelProto, n: int) -> onnx.ModelProto:
    for i in range(n):
        m.graph.initializer.append(numpy_helper.from_array(np.array([float(i)], np.float32), f"s_{i}"))
        m.graph.node.append(helper.make_node("Add", ["s_0", f"s_{i}"], [f"sum_{i}"], name=f"/add_{i}"))
    return m


def nan_weights(m: onnx.ModelProto, value: float = float("nan")) -> onnx.ModelProto:
    """Every value of the first matrix NaN (or Inf): the logits cannot be finite."""
    init = next(i for i in m.graph.initializer if len(i.dims) == 2)
    arr = numpy_helper.to_array(init).copy()
    arr[...] = value
    init.CopyFrom(numpy_helper.from_array(arr, init.name))
    return m


def rewritten_dims(m: onnx.ModelProto) -> onnx.ModelProto:
    """A matrix whose dims are swapped: the bytes still fit, the graph no longer does."""
    init = next(i for i in m.graph.initializer if len(i.dims) == 2 and i.dims[0] != i.dims[1])
    init.dims[0], init.dims[1] = init.dims[1], init.dims[0]
    return m


def invalid_utf8_names(path: Path) -> Path:
    """A node's name and a weight's name (everywhere it is used) end in a byte that is not UTF-8: protobuf
    hands such fields back as bytes."""
    m = onnx.load(path)
    data = m.SerializeToString()
    node = m.graph.node[5].name.encode()
    field = b"\x1a" + bytes([len(node)]) + node
    data = data.replace(field, b"\x1a" + bytes([len(node)]) + node[:-1] + b"\xff", 1)
    weight = m.graph.initializer[0].name.encode()
    data = data.replace(weight, weight[:-1] + b"\xff")  # same length: every reference still matches
    path.write_bytes(data)
    return path


def external_entries(folder: Path, entries: list[tuple[str, str]], data: bool = True) -> Path:
    """A one-MatMul graph whose weight's external data is described by `entries` (key, value)."""
    folder.mkdir(parents=True, exist_ok=True)
    w = onnx.TensorProto(name="w", data_type=onnx.TensorProto.FLOAT, dims=[4, 4])
    w.data_location = onnx.TensorProto.EXTERNAL
    for k, v in entries:
        e = w.external_data.add()
        e.key, e.value = k, v
    g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="/h.0/mlp/MatMul")], "g",
                          [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 4])], [w])
    path = folder / "model.onnx"
    path.write_bytes(helper.make_model(g).SerializeToString())
    if data:
        (folder / "w.bin").write_bytes(np.arange(16, dtype=np.float32).tobytes())
    return path


def fifo_external(folder: Path) -> Path:
    path = external_entries(folder, [("location", "pipe.bin")], data=False)
    os.mkfifo(folder / "pipe.bin")
    return path


def folder_external(folder: Path) -> Path:
    path = external_entries(folder, [("location", "sub")], data=False)
    (folder / "sub").mkdir()
    return path
