"""The core speaks in keys: each sentence declared once, rendered from one catalogue in the reader's language, the
JSON in English, and nowhere is the core's English taken apart again."""

import ast
import io
import json
import subprocess
import sys

import pytest

from inspector import json_output, messages, progress_text
from inspector.errors import ModelError, describe_error
from inspector.messages import Message, joined, render, sentence
from inspector.model.diagram import model_diagram
from inspector.model.families import FAMILIES
from inspector.report import strings
from inspector.stats.precision import generation_note, precision_view

from .conftest import FIXTURES, ROOT, SAMPLE


def test_a_message_renders_in_each_language_and_its_names_stay_as_they_are():
    note = generation_note({"dominant": None, "tied_copy_schemes": [], "schemes": {"fp16": {}, "bf16": {}}})
    assert str(note) == ("This model is stored in bf16 and fp16: its weights keep fewer significant bits than fp32, "
                         "so its logits differ in the last digits and its greedy ids can differ where two candidates "
                         "are nearly tied.")
    assert render(note, "zh").startswith("这个模型以 bf16 和 fp16 存储")  # the nested "and" is Chinese too
    said = progress_text.STATISTICS("weights")  # a name that happens to be a word of the catalogue stays a name
    assert render(said, "zh") == "统计：weights" and f"{said:>22}" == "   statistics: weights"
    assert render(progress_text.STATISTICS(progress_text.CHECKSUM), "zh") == "统计：校验和"  # a sentence is said
    assert render(None, "zh") == "" and render("no parameters", "zh") == "没有参数"
    assert str(joined(["a", "b", "c"])) == "a and b and c" and joined([]) == ""


def test_only_declared_sentences_make_messages():
    with pytest.raises(ValueError, match="undeclared sentence"):
        Message("a sentence nobody declared {0}", ("x",))
    assert sentence("x + MLP") == "x + MLP" and "x + MLP" in messages.SENTENCES


def test_json_keeps_the_english():
    out = io.StringIO()
    json_output.dump({"note": progress_text.HISTOGRAM("block 0"), "why": progress_text.CHECKSUM}, out)
    assert json.loads(out.getvalue()) == {"note": "histogram of block 0", "why": "checksum"}


def test_errors_are_one_line_in_either_language(tmp_path):
    exc = ModelError(messages.Message("file is empty"), str(tmp_path / "m.onnx"))
    assert str(exc) == f"{tmp_path / 'm.onnx'}: file is empty"
    assert describe_error(exc, "zh")[0] == f"{tmp_path / 'm.onnx'}: 文件是空的"
    assert describe_error(RuntimeError("boom\nmore"), "zh")[0] == "出错了：boom"


def test_the_catalogue_covers_every_sentence_of_the_core():
    """Every sentence a module of the core declares and every word the reports' templates say has its Chinese; a
    sentence of the core that no module declares any more is not left in the catalogue either."""
    assert strings.missing() == {"zh": []}
    wanted = set(strings.all_strings())
    stale = [k for k in messages.catalog("zh") if k not in wanted]
    assert stale == []
    assert {w for f in FAMILIES for w in f.formula_where} <= set(messages.SENTENCES)


def test_each_translation_fills_the_same_places():
    import re

    places = lambda text: sorted(re.findall(r"\{\d*\}", text))  # noqa: E731
    assert [k for k, v in messages.catalog("zh").items() if places(k) != places(v)] == []


def test_the_strings_command_says_nothing_is_missing():
    r = subprocess.run([sys.executable, "-m", "inspector.report.strings"], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "zh: 0 missing", r.stdout + r.stderr


def test_the_diagram_and_the_storage_are_said_in_chinese():
    from inspector.model import load_model, take_census

    census = take_census(load_model(FIXTURES / "genai-phi3"))
    d = model_diagram(census, block=1)
    said = [render(t, "zh") for top in d.boxes for b in top.walk() for t in (b.label, b.note, b.detail) if t]
    assert "第 1 块（共 2 块）" in said and "一个融合的 GroupQueryAttention 节点" in said
    assert not [s for s in said if english_sentence(s)]
    view = precision_view(take_census(load_model(SAMPLE, variant="model_quantized.onnx")))
    for text in (view["summary"], view["note"]):
        assert not english_sentence(render(text, "zh")), render(text, "zh")


NAMES = ("GroupQueryAttention", "GELU (tanh)", "d_model", "int8 dynamic", "uint8 dynamic", "fp32", "logits",
         "gpt-oss")  # gpt-oss: a published model's name (the scale table)


def english_sentence(text: str) -> bool:
    """Two English words in a row (names of ops, schemes and tensors aside)."""
    import re

    for name in NAMES:
        text = text.replace(name, "")
    return re.search(r"[A-Za-z]{2,}[ ,;:'’-]+[A-Za-z]{2,}", text) is not None


# ------------------------------------------------------------------------------------------- nothing parsed back
RENDERERS = {"render", "core", "progress", "translated", "describe_error"}  # calls that give the core's words
SAID = {"note", "why", "summary", "where", "stored_as", "detail", "message", "inside_note"}  # fields that hold them
TAKING_APART = {"startswith", "endswith", "split", "rsplit", "partition", "rpartition", "removeprefix", "index", "find"}


def _said(node) -> bool:
    """Does this expression hold what the core said: a renderer's result, or a field of its sentences?"""
    if isinstance(node, ast.Call):
        f = node.func
        return (isinstance(f, ast.Name) and f.id in RENDERERS) or (isinstance(f, ast.Attribute) and f.attr in RENDERERS)
    if isinstance(node, ast.Name):
        return node.id in SAID
    if isinstance(node, ast.Attribute):
        return node.attr in SAID
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value in SAID
    return False


def test_no_module_takes_the_cores_sentences_apart():
    """No regex, startswith or split over what the core said (its notes, exclusions, the formula's meanings, a
    progress line): a view says a Message in its language, it does not read it back."""
    assert not hasattr(progress_text, "translated")
    found = []
    for path in sorted((ROOT / "inspector").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            f = node.func
            regex = isinstance(f.value, ast.Name) and f.value.id == "re" and len(node.args) > 1 and _said(node.args[1])
            if regex or (f.attr in TAKING_APART and _said(f.value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert found == []
