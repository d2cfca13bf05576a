"""The census as plain data: the `stats --json` contract, shared by the CLI and every report."""

from __future__ import annotations

from ..model.moe import moe_of
from ..stats.precision import precision_view
from ..stats.scale import scale_view


def quant_dict(t, tensors: dict) -> dict | None:
    q = t.quant
    if q is None:
        return None
    nbytes = lambda name: tensors[name].stored_nbytes if name in tensors else 0  # noqa: E731
    return {"scheme": q.scheme, "label": q.label, "op": q.op, "bits": q.bits, "block_size": q.block_size,
            "axis": q.axis, "scale": q.scale, "zero_point": q.zero_point,
            "scale_bytes": nbytes(q.scale) + sum(nbytes(n) for n in q.extra_aux), "zero_point_bytes": nbytes(q.zero_point)}


def tensor_dict(t, histograms: bool = True, tensors: dict | None = None) -> dict:
    tensors = tensors or {}
    d = {
        "name": t.name, "stored_as": t.stored, "shape": list(t.shape), "stored_shape": list(t.stored_shape or t.shape),
        "dtype": t.dtype, "scheme": t.scheme, "kind": t.kind, "role": t.role, "count": t.count,
        "counted": t.counted, "tied_to": t.tied_to, "aliased": t.aliased,
        "bits_per_parameter": 8 * t.nbytes / t.count if t.count else None,
        "quantization": quant_dict(t, tensors), "nodes": t.nodes, "expert": t.expert,
    }
    d["bytes"] = t.nbytes
    if t.stats is not None:
        d.update(t.stats.summary())
        if histograms and t.counted:
            d["histogram"] = t.stats.histogram()
    return d


def layer_dict(layer, total: int, histograms: bool = True, tensors: dict | None = None) -> dict:
    d = {
        "name": layer.name, "index": layer.index, "parameters": layer.parameters, "weights": layer.weights,
        "biases": layer.biases, "share": layer.parameters / total if total else 0.0,
        "bytes": layer.nbytes,
        "stats": {kind: s.summary() for kind, s in layer.stats.items()},
        "tensors": [tensor_dict(t, histograms, tensors) for t in layer.tensors],
    }
    if histograms:
        d["histograms"] = {kind: s.histogram() for kind, s in layer.stats.items()}
    return d


def source_dict(source) -> dict | None:
    """Which file of the folder this is, the others beside it, and the side files read."""
    if source is None:
        return None
    return {"folder": str(source.root), "file": source.variant.name if source.variant else source.path.name,
            "variants": [v.as_dict() for v in source.variants], "side_files": source.side_files()}


def census_dict(census, histograms: bool = True) -> dict:
    m, arch, total = census.model, census.architecture, census.parameters
    return {
        "file": str(m.path),
        "file_bytes": m.file_size,
        "producer": m.producer,
        "opset": m.opset,
        "parameters": total,
        "weights": census.weights,
        "biases": census.biases,
        "architecture": arch.as_dict(),
        "source": source_dict(m.source),
        "stored": {**vars(census.stored), "names_not_utf8": m.repaired_names},
        "excluded_constants": [{"name": n, "why": w} for n, w in census.excluded],
        "scale": scale_view(total, arch),
        "quantization": precision_view(census),
        "moe": moe.as_dict() if (moe := moe_of(census)) is not None else None,
        "layers": [layer_dict(layer, total, histograms, m.tensors) for layer in census.layers],
    }
