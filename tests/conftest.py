import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":  # a screen the size of a common desktop (Qt's default: 800×800)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).resolve().parent / 'offscreen.json'}"

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_models"
FIXTURES = SAMPLES / "fixtures"
SAMPLE = SAMPLES / "fortune-gpt"
CACHED = ["tiny-gpt2", "tiny-gpt2-zero-bias", "tiny-llama", "tiny-llama-tied"]
ALL = CACHED + ["tiny-gpt2-nocache"]
# one fixture per family, each as the hubs ship it (sample_models/build.py): folder -> config's model_type
FAMILIES = {"tiny-gpt2": "gpt2", "tiny-gpt-neox": "gpt_neox", "tiny-opt": "opt", "tiny-llama": "llama",
            "tiny-mistral": "mistral", "tjs-qwen2": "qwen2", "tiny-phi3": "phi3", "tiny-gemma": "gemma",
            # every other dense decoder optimum exports (issue 22)
            "tiny-arcee": "arcee", "tiny-bloom": "bloom", "tiny-codegen": "codegen", "tiny-cohere": "cohere",
            "tiny-gemma2": "gemma2", "tiny-gemma3": "gemma3_text", "tiny-glm": "glm", "tiny-gpt-bigcode": "gpt_bigcode",
            "tiny-gpt-neo": "gpt_neo", "tiny-gptj": "gptj", "tiny-granite": "granite", "tiny-helium": "helium",
            "tiny-mpt": "mpt", "tiny-nemotron": "nemotron", "tiny-olmo": "olmo", "tiny-olmo2": "olmo2",
            "tiny-phi": "phi", "tiny-qwen3": "qwen3", "tiny-smollm3": "smollm3", "tiny-stablelm": "stablelm",
            "tiny-llama3": "llama", "tiny-falcon": "falcon", "tiny-falcon-new": "falcon"}
GENAI = ["genai-llama", "genai-qwen2", "genai-phi3"]  # onnxruntime-genai model builder, fp32 CPU
LEGACY = "optimum1-gpt2"  # decoder_model.onnx, decoder_with_past_model.onnx, decoder_model_merged.onnx
LAYOUTS = list(FAMILIES) + GENAI + [LEGACY]


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


def greedy_config(ref: dict, n: int = 20):
    """The engine settings that reproduce a reference's greedy ids (newer fixtures run on past end-of-text)."""
    from inspector.engine import GenerationConfig

    return GenerationConfig(max_new_tokens=n, stop_at_eos=not ref.get("greedy_through_eos", False))


# ---------------------------------------------------------------------------- the app (pytest-qt)
@pytest.fixture
def settings(tmp_path):
    """A settings file of the test's own: no test sees what the user (or another test) left."""
    from inspector.app.qt_compat import QtCore

    return QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    from inspector.app.main_window import MainWindow

    import shiboken6

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    if shiboken6.isValid(w):  # a language switch replaces the window
        w.close()


def open_and_wait(qtbot, window, path, variant: str | None = None):
    """Open `path` in `window` and wait until every view holds it; returns the census."""
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.open_model(str(path), variant)
    return window.census
