"""Command-line options shared by `stats`, `generate` and `report`."""

from __future__ import annotations


def add_variant_option(p) -> None:
    p.add_argument("--variant", metavar="FILE",
                   help="which model file of a folder, e.g. model_fp16.onnx or onnx/model_q4.onnx (default: the best)")
