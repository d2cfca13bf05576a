"""One model's probed copy for comparing: the graph with each block's residual stream as extra outputs
(stream.py), opened once and read teacher forced — the whole sequence at once, an empty cache.  The same pass
gives the logits the KL figures are taken from and the hidden states the drift is taken from.

Like the inside view's copy (engine/inside.py), it is made in memory and points at the weights where they
lie; the user's file is never written.
"""

from __future__ import annotations

import numpy as np
import onnx

from ..engine.generator import FAILED_READING
from ..engine.inside import _point_at_file
from ..engine.model_io import ModelIO, read_io
from ..engine.providers import create_session, ort_message
from ..errors import GenerationError
from ..model.merged import with_past_branch
from ..model.probes import find_probes
from ..model.pruning import pruned
from .stream import BlockStream, expose_final_sum, find_stream

class ProbedModel:
    """`read(ids)`: the logits and the stream at every position of `ids`, one onnxruntime run."""

    def __init__(self, census, provider: str = "auto", threads: int | None = None):
        model = census.model
        self.path = model.path
        proto = onnx.ModelProto()
        proto.CopyFrom(with_past_branch(model.proto) or pruned(model.proto) or model.proto)
        _point_at_file(proto.graph, model)
        probes = find_probes(census, proto.graph)
        final_nodes = {n.name for n in census.node_layers.get("final_norm", []) if n.name}
        expose_final_sum(proto.graph, probes, final_nodes)
        self.blocks: list[BlockStream | None] = find_stream(proto.graph, probes)
        self.hidden_names = list(dict.fromkeys(
            v for s in self.blocks if s is not None for v in ([s.input] if s.block == 0 and s.input else [])
            + s.values))
        known = {o.name for o in proto.graph.output}
        for name in self.hidden_names:
            if name not in known:  # untyped: onnxruntime takes the type the value has
                proto.graph.output.append(onnx.ValueInfoProto(name=name))
        self.session, self.provider = create_session(str(model.path), provider, threads, proto.SerializeToString(),
                                                     str(model.folder))
        self.io: ModelIO = read_io(self.session, census.architecture)
        self.context_length = census.architecture.context_length

    def feeds(self, ids: list[int]) -> dict[str, np.ndarray]:
        io, n = self.io, len(ids)
        feeds = {io.input_ids: np.asarray([ids], dtype=io.ids_dtype)}
        if io.attention_mask:
            feeds[io.attention_mask] = np.ones((1, n), dtype=io.mask_dtype)
        if io.position_ids:
            feeds[io.position_ids] = np.arange(n, dtype=np.int64)[None, :]
        if io.use_cache_branch:
            feeds[io.use_cache_branch] = np.array([False])
        if io.cached:
            feeds.update(io.empty_past())
        return feeds

    def read(self, ids: list[int], rows: slice = slice(None), hidden: bool = True
             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(logits as float32 [positions, vocab], {stream value: [positions, d] float32}) at the `rows` of `ids`."""
        names = [self.io.logits] + (self.hidden_names if hidden else [])
        try:
            out = self.session.run(names, self.feeds([int(i) for i in ids]))
        except Exception as exc:  # noqa: BLE001 - onnxruntime's run errors, as one line
            raise GenerationError(FAILED_READING(len(ids), ort_message(exc, str(self.path))), str(self.path)) from None
        logits = np.asarray(out[0]).reshape(-1, out[0].shape[-1])[rows].astype(np.float32, copy=False)
        states = {}
        for name, value in zip(names[1:], out[1:]):
            value = np.asarray(value)
            states[name] = value.reshape(-1, value.shape[-1])[rows].astype(np.float32)  # OPT: [batch·seq, d]
        return logits, states

    def close(self) -> None:
        self.session = None
