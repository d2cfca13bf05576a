"""A mixture of experts in the census: which blocks route, how many experts each holds, how many a token uses,
and how many parameters one token actually uses (the "active" count published MoE models quote).

Experts are found by their roles (roles.py: `moe.router`, `moe.experts.*`, `moe.shared.*`), stacked in one
tensor per projection (gpt-oss, onnxruntime-genai's `MoE` op: the first axis is the expert) or one module per
expert (optimum traces a loop over experts into one MatMul per expert).  How many experts there should be and
how many a token uses come from config.json (or the fused op's `k`); the graph says how many it holds, so an
export whose tracer never reached an expert is caught and named.

Active parameters = every parameter but the (experts − experts_per_token) routed experts a token does not use,
in each MoE block: embeddings, head, attention, the router and the shared experts count whole, as published
"active" figures count them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..messages import Message, sentence
from .architecture import model_configs
from .experts import EXPERTS_KEYS, config_int, expert_index
from .routing import Routing

if TYPE_CHECKING:
    from .census import Census
    from .param import ParamTensor

# what the census says about experts (messages.py: the catalogue's keys)
ACTIVE_LINE = sentence("{0} parameters, {1} used per token ({2}): {3} of {4} routed experts in each of {5} MoE blocks")
ACTIVE_WHAT = sentence("used per token: everything but the routed experts a token does not use (embeddings, head, "
                       "attention, routers and shared experts count whole, as published active counts do)")
LOST_EXPERTS = sentence("{0} holds {1} of the {2} experts {3} gives it: experts {4} are missing. The exporter never "
                        "reached them (a tracer follows only the experts its dummy input used), so this file is not "
                        "the trained model: tokens routed to them get no expert output")
ROUTING_RULES = {"gpt_oss": "topk_softmax", "deepseek_v3": "sigmoid_groups", "deepseek_v2": "softmax_topk"}


@dataclass
class MoELayer:
    block: int
    experts: int  # routed experts the graph holds
    expected: int | None  # routed experts the config says it has
    missing: list[int]  # indices of the routed experts the graph lacks
    stacked: bool  # every expert in one tensor per projection
    per_expert: int  # parameters of one routed expert
    routed: int  # parameters of every routed expert the graph holds
    shared: int  # parameters of the shared experts
    router: int  # parameters of the router


@dataclass
class MoE:
    layers: list[MoELayer]
    experts: int  # routed experts per MoE block
    experts_per_token: int | None
    shared_experts: int
    total: int  # every parameter of the model
    routing: Routing | None = None  # how the router's logits become the experts chosen
    warnings: list[dict] = field(default_factory=list)  # lost experts, each {"field", "layer", "missing", "text"}
    # (its text a Message: the JSON writes its English)

    @property
    def active_parameters(self) -> int | None:
        """Every parameter but the routed experts a token does not use (as many as the graph holds, less k)."""
        if self.experts_per_token is None:
            return None
        unused = sum(max(0, layer.experts - self.experts_per_token) * layer.per_expert for layer in self.layers)
        return self.total - unused

    @property
    def active_share(self) -> float | None:
        active = self.active_parameters
        return active / self.total if active is not None and self.total else None

    def as_dict(self) -> dict:
        return {"layers": [layer.block for layer in self.layers], "experts": self.experts,
                "experts_per_token": self.experts_per_token, "shared_experts": self.shared_experts,
                "active_parameters": self.active_parameters, "active_share": self.active_share,
                "per_layer": [asdict(layer) for layer in self.layers],
                "routing": asdict(self.routing) if self.routing else None, "warnings": self.warnings,
                "summary": (line := self.summary()), "what": ACTIVE_WHAT if line is not None else None}

    def summary(self) -> Message | None:
        """The census's one line about it ("N parameters, M used per token (P): …"); ACTIVE_WHAT says what it counts."""
        if self.active_parameters is None:
            return None
        from .. import units

        return ACTIVE_LINE(f"{self.total:,}", f"{self.active_parameters:,}", units.percent(self.active_share),
                           self.experts_per_token, self.experts, len(self.layers))


def _config_int(census: "Census", keys: tuple[str, ...]) -> tuple[int | None, str | None]:
    """A count the configs give, and which config gave it."""
    for source, cfg in model_configs(census.model):
        if (v := config_int(cfg, keys)) is not None:
            return v, source
    return None, None


def _fused_normalize(census: "Census") -> bool | None:
    """A fused MoE op's `normalize_routing_weights`, or None where experts are not fused."""
    from .ops import MOE_OPS

    for node in census.model.nodes:
        if node.op_type in MOE_OPS:
            return any(a.name == "normalize_routing_weights" and a.i for a in node.attribute)
    return None


def moe_of(census: "Census") -> MoE | None:
    """The census's mixture of experts, or None for a dense model."""
    by_block: dict[int, list] = defaultdict(list)
    for t in census.tensors:
        if t.role.startswith("moe.") and t.index is not None:
            by_block[t.index].append(t)
    blocks = sorted(b for b, ts in by_block.items() if any(t.role.startswith("moe.experts") for t in ts))
    if not blocks:
        return None
    expected, source = _config_int(census, EXPERTS_KEYS)
    arch = census.architecture
    k = arch.experts_per_token
    layers = [_layer(b, by_block[b], expected) for b in blocks]
    experts = expected or max(layer.experts for layer in layers)
    moe = MoE(layers, experts, k, arch.shared_experts or 0, census.parameters, _routing(census, k))
    for layer in layers:
        if layer.missing:
            name = f"block {layer.block}"  # the census's layer name (a name: never translated)
            moe.warnings.append({"field": "experts", "layer": name, "missing": layer.missing,
                                 "graph": layer.experts, "config": layer.expected, "source": source,
                                 "text": LOST_EXPERTS(name, layer.experts, layer.expected, source,
                                                      ", ".join(map(str, layer.missing)))})
    return moe


def _layer(block: int, tensors: list, expected: int | None) -> MoELayer:
    routed = [t for t in tensors if t.role.startswith("moe.experts")]
    stacked = all(expert_index(t) is None for t in routed)
    count = sum(t.parameters for t in routed)
    if stacked:
        n = max((t.shape[0] for t in routed if len(t.shape) >= 2), default=1)
        held, missing = n, [e for e in range(n, expected or n)]
        per_expert = count // max(n, 1)
    else:
        per: dict[int, int] = defaultdict(int)
        for t in routed:
            per[expert_index(t)] += t.parameters
        present = sorted(per)
        top = max(expected or 0, present[-1] + 1)
        missing = [e for e in range(top) if e not in per]
        held = len(present)
        per_expert = max(per.values())
    return MoELayer(block, held, expected, missing, stacked, per_expert, count,
                    sum(t.parameters for t in tensors if t.role.startswith("moe.shared")),
                    sum(t.parameters for t in tensors if t.role == "moe.router"))


def _routing(census: "Census", k: int | None) -> Routing | None:
    """How this model's routers choose: the family's rule, with the config's settings."""
    if not k:
        return None
    cfg = next((c for s, c in model_configs(census.model) if s == "config.json"), {})
    fused_norm = _fused_normalize(census)
    family = census.architecture.family
    if fused_norm is not None:  # onnxruntime's MoE op: softmax, top-k, renormalised when the op says so
        return Routing("softmax_topk", k, normalize=fused_norm)
    rule = ROUTING_RULES.get(family, "softmax_topk")
    normalize = bool(cfg.get("norm_topk_prob", rule == "topk_softmax"))
    if rule == "sigmoid_groups":
        return Routing(rule, k, normalize, groups=int(cfg.get("n_group") or 1),
                       topk_groups=int(cfg.get("topk_group") or 1),
                       scale=float(cfg.get("routed_scaling_factor") or 1.0))
    return Routing(rule, k, normalize)
