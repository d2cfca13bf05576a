import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_models"
FIXTURES = SAMPLES / "fixtures"
SAMPLE = SAMPLES / "fortune-gpt"
CACHED = ["tiny-gpt2", "tiny-gpt2-zero-bias", "tiny-llama", "tiny-llama-tied"]
ALL = CACHED + ["tiny-gpt2-nocache"]


def reference(name: str) -> dict:
    with open(FIXTURES / name / "reference.json") as fh:
        return json.load(fh)


@pytest.fixture
def bare_copy(tmp_path):
    """A fixture's model.onnx alone in a folder: no config.json, no tokenizer."""

    def make(name: str) -> Path:
        dst = tmp_path / f"{name}-bare"
        dst.mkdir()
        shutil.copy(FIXTURES / name / "model.onnx", dst / "model.onnx")
        return dst / "model.onnx"

    return make
