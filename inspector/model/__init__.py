"""Loading an ONNX export and taking the census of its parameters."""

from .loader import LoadedModel, load_model
from .census import Census, take_census

__all__ = ["LoadedModel", "load_model", "Census", "take_census"]
