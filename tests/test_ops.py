"""The op table (model/ops.py): every list the census, quantization, probes and the lens read comes from it."""

from onnxruntime.capi import onnxruntime_pybind11_state as schemas

from inspector.model import ops


def test_derived_lists_agree_with_each_other():
    # every op that can be the head's product works row by row, so the lens can clone it
    assert ops.HEAD_OPS <= ops.ROW_WISE
    assert {"MatMul", "Gemm", "MatMulNBits", "MatMulBnb4", "MatMulInteger", "FusedMatMul"} == ops.HEAD_OPS
    assert ops.SKIP_NORMS <= ops.NORM_OPS
    assert {"MoE", "QMoE"} == ops.MOE_OPS
    assert "GroupQueryAttention" in ops.FUSED_ATTENTION and "Gather" in ops.LOOKUP_OPS
    for name, slots in ops.BIAS_SLOTS.items():  # a bias slot is a parameter slot
        assert ops.op(name).params is ops.ANY or slots <= ops.op(name).params, name
    for name, q in ops.QUANTIZING.items():  # codes are parameters (or crossed), scales and zero points never
        spec = ops.op(name)
        for codes, (scale, zero) in q.codes.items():
            assert spec.kind == "pass" or spec.takes_parameter(codes), name
            assert {s for s in (scale, zero) if s is not None} <= spec.aux, name
            assert scale is None or not spec.takes_parameter(scale), name
        assert q.extra <= spec.aux
    assert ops.slot_role("GroupQueryAttention", 11) == "attn.sinks"
    assert ops.slot_role("MoE", 2) == "moe.experts.gate_up" and ops.slot_role("QMoE", 5) == "moe.experts.down"


def test_slots_follow_onnxruntimes_schemas():
    """The contrib ops' slots named as onnxruntime's own schemas name them (the installed version's)."""
    found = {s.name: s for s in schemas.get_all_operator_schema() if s.domain == "com.microsoft"}
    names = lambda op: [i.name for i in found[op].inputs]
    moe, qmoe, gqa = names("MoE"), names("QMoE"), names("GroupQueryAttention")
    assert [moe[s] for s in sorted(ops.op("MoE").bias)] == ["fc1_experts_bias", "fc2_experts_bias", "fc3_experts_bias"]
    assert [qmoe[c] for c in sorted(ops.op("QMoE").quant.codes)] == [
        "fc1_experts_weights", "fc2_experts_weights", "fc3_experts_weights"]
    assert {qmoe[s] for c, (s, _z) in ops.op("QMoE").quant.codes.items()} == {"fc1_scales", "fc2_scales", "fc3_scales"}
    assert gqa[11] == "head_sink" and gqa[14] == "q_norm_weight" and gqa[15] == "k_norm_weight"
    nbits = names("MatMulNBits")
    assert (nbits[1], nbits[2], nbits[3], nbits[5]) == ("B", "scales", "zero_points", "bias")
    gbq = names("GatherBlockQuantized")
    assert (gbq[0], gbq[2], gbq[3]) == ("data", "scales", "zero_points")
