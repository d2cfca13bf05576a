"""The generation engine: KV-cache decoding on onnxruntime, one measured step at a time."""

from .generator import Generator, GenerationConfig, Step
from .metrics import RunMetrics

__all__ = ["Generator", "GenerationConfig", "Step", "RunMetrics"]
