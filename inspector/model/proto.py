"""onnx's protobuf messages without importing onnx.

`import onnx` costs half a second or more (its helpers load ml_dtypes, its checker, its reference
evaluator's registries), most of `stats --counts-only`'s time.  The census needs only the generated
messages (`ModelProto`, `TensorProto` …), which protobuf defines from one generated module.  That module
is loaded here from onnx's own package, under its own name (`onnx.onnx_ml_pb2`), so a later `import onnx`
finds it in `sys.modules` and shares the very same classes: a graph parsed here is an `onnx.ModelProto`
to every onnx helper.  Where onnx is already imported, its module is used as it is.

`attribute_value` and `to_array` stand in for `onnx.helper.get_attribute_value` and
`onnx.numpy_helper.to_array` on what the census reads (attributes, small constants).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

GENERATED = "onnx.onnx_ml_pb2"


def _generated_module():
    if GENERATED in sys.modules:
        return sys.modules[GENERATED]
    if "onnx" in sys.modules:  # onnx already paid for: take its module
        import onnx

        return onnx.onnx_ml_pb2
    spec = importlib.util.find_spec("onnx")  # finds the package without running its __init__
    where = Path(next(iter(spec.submodule_search_locations or []), "")) / "onnx_ml_pb2.py" if spec else None
    if where is None or not where.is_file():  # an unusual onnx build: import it the ordinary way
        import onnx

        return onnx.onnx_ml_pb2
    generated = importlib.util.spec_from_file_location(GENERATED, where)
    module = importlib.util.module_from_spec(generated)
    sys.modules[GENERATED] = module
    try:
        generated.loader.exec_module(module)
    except BaseException:
        del sys.modules[GENERATED]
        raise
    return module


_pb = _generated_module()
ModelProto = _pb.ModelProto
GraphProto = _pb.GraphProto
NodeProto = _pb.NodeProto
TensorProto = _pb.TensorProto
AttributeProto = _pb.AttributeProto
ValueInfoProto = _pb.ValueInfoProto


def attribute_value(attr):
    """An attribute's value, as onnx.helper.get_attribute_value gives it (lists as lists)."""
    kind = attr.type
    if kind == AttributeProto.FLOAT:
        return attr.f
    if kind == AttributeProto.INT:
        return attr.i
    if kind == AttributeProto.STRING:
        return attr.s
    if kind == AttributeProto.TENSOR:
        return attr.t
    if kind == AttributeProto.GRAPH:
        return attr.g
    if kind == AttributeProto.FLOATS:
        return list(attr.floats)
    if kind == AttributeProto.INTS:
        return list(attr.ints)
    if kind == AttributeProto.STRINGS:
        return list(attr.strings)
    if kind == AttributeProto.TENSORS:
        return list(attr.tensors)
    if kind == AttributeProto.GRAPHS:
        return list(attr.graphs)
    return None


_NUMPY = {  # onnx data type -> numpy dtype of the values (bfloat16 widened to float32)
    TensorProto.FLOAT: np.float32, TensorProto.DOUBLE: np.float64, TensorProto.FLOAT16: np.float16,
    TensorProto.BFLOAT16: np.float32, TensorProto.INT8: np.int8, TensorProto.UINT8: np.uint8,
    TensorProto.INT16: np.int16, TensorProto.UINT16: np.uint16, TensorProto.INT32: np.int32,
    TensorProto.UINT32: np.uint32, TensorProto.INT64: np.int64, TensorProto.UINT64: np.uint64,
    TensorProto.BOOL: np.bool_,
}
_TYPED = {  # where values lie when raw_data is not used (ONNX's rules)
    TensorProto.FLOAT: "float_data", TensorProto.DOUBLE: "double_data", TensorProto.INT64: "int64_data",
    TensorProto.UINT32: "uint64_data", TensorProto.UINT64: "uint64_data",
}


def to_array(tensor) -> np.ndarray:
    """The values of a small TensorProto held in the graph (a Constant's, a shape's), in its shape.

    Raises ValueError for a type the census never reads this way (packed int4, strings, external data)."""
    dt = tensor.data_type
    if dt not in _NUMPY or tensor.data_location == TensorProto.EXTERNAL:
        raise ValueError(f"cannot read a tensor of onnx type {dt} here")
    shape = tuple(int(d) for d in tensor.dims)
    if tensor.raw_data:
        if dt == TensorProto.BFLOAT16:
            values = (np.frombuffer(tensor.raw_data, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            values = np.frombuffer(tensor.raw_data, np.dtype(_NUMPY[dt]).newbyteorder("<")).astype(_NUMPY[dt])
    else:
        stored = np.asarray(getattr(tensor, _TYPED.get(dt, "int32_data")))
        if dt == TensorProto.FLOAT16:  # bit patterns in int32_data
            values = stored.astype(np.uint16).view(np.float16)
        elif dt == TensorProto.BFLOAT16:
            values = (stored.astype(np.uint32) << 16).view(np.float32)
        else:
            values = stored.astype(_NUMPY[dt])
    return values.reshape(shape)
