"""GPT Inspector: count, measure and run the parameters of an ONNX-exported GPT.

The packages here are pure (no Qt): `model` loads a file and takes the census, `stats`
summarises tensors, `engine` generates, `report` writes what was found.  `app` is the
only package that imports Qt.
"""

__version__ = "0.1.0"
