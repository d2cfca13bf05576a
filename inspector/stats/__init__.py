"""Statistics of parameter tensors, computed in bounded-memory chunks."""

from .moments import Moments, TensorStats
from .compute import compute_statistics
from .histogram import uniform_histogram

__all__ = ["Moments", "TensorStats", "compute_statistics", "uniform_histogram"]
