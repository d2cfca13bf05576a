"""The interface in Chinese, reports in either language, and every script drawn with a real glyph."""

import json
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from inspector.app import i18n  # noqa: E402
from inspector.app.qt_compat import QtCore  # noqa: E402
from inspector.app.main_window import MainWindow  # noqa: E402
from inspector.report import strings  # noqa: E402

from .conftest import FIXTURES, ROOT, SAMPLE, SAMPLES, open_and_wait  # noqa: E402
from .test_text import SCRIPTS  # noqa: E402

TS = ROOT / "inspector" / "app" / "translations" / "inspector_zh_CN.ts"


@pytest.fixture
def chinese(qapp):
    i18n.install(qapp, "zh_CN")
    yield
    i18n.install(qapp, "en")


def test_the_chinese_translation_is_complete_and_compiled():
    messages = list(ET.parse(TS).getroot().iter("message"))
    assert len(messages) > 250
    unfinished = [m.find("source").text for m in messages if m.find("translation").get("type") == "unfinished"
                  or not (m.find("translation").text or "").strip()]
    assert unfinished == []
    assert TS.with_suffix(".qm").is_file()


def test_the_compiled_translation_is_the_ts_files(tmp_path):
    """The committed .qm is what pyside6-lrelease makes of the committed .ts (nobody edited one and not the other)."""
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    if lrelease is None:
        pytest.skip("pyside6-lrelease is not installed beside this Python")
    out = tmp_path / "fresh.qm"
    subprocess.run([lrelease, str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == TS.with_suffix(".qm").read_bytes()


def test_lupdate_finds_no_string_the_translation_lacks(tmp_path):
    """Every string the sources mark for translation is already in the .ts file (nothing was added untranslated)."""
    lupdate = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent))
    if lupdate is None:
        pytest.skip("pyside6-lupdate is not installed beside this Python")
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in (ROOT / "inspector" / "app").glob("*.py"))
    out = subprocess.run([lupdate, *sources, "-ts", str(copy), "-no-obsolete"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    fresh = [m for m in ET.parse(copy).getroot().iter("message") if m.find("translation").get("type") == "unfinished"]
    assert [m.find("source").text for m in fresh] == []


def test_the_report_translation_covers_every_string():
    assert strings.missing() == {"zh": []}
    table = json.loads((ROOT / "inspector" / "report" / "i18n" / "zh.json").read_text(encoding="utf-8"))
    assert all(v.strip() for v in table.values())


def test_the_window_in_chinese(qtbot, chinese, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == ["概览", "层", "计算图", "生成", "内部", "比较", "成本"]
    assert w.menuBar().actions()[0].text() == "文件(&F)"
    assert w.generate.panel.step_btn.text() == "单步" and w.generate.panel.greedy.text() == "贪心"
    assert w.layers.tree.headerItem().text(0) == "层 / 张量"
    open_and_wait(qtbot, w, SAMPLE)
    assert "参数" in w.overview.totals_box.text() and "1,088,256" in w.overview.totals_box.text()  # grouped digits
    w.close()


def test_view_language_switches_and_keeps_the_model(qtbot, qapp, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    open_and_wait(qtbot, w, SAMPLE)
    w.tabs.setCurrentIndex(3)
    w.generate.panel.prompt.setPlainText("人生")
    keys = [a.data() for a in w.language_menu.actions()]
    assert keys == [key for key, *_ in i18n.LANGUAGES]
    try:
        new = w.set_language("zh_CN")
        qtbot.addWidget(new)
        assert new is not w and settings.value(i18n.SETTING) == "zh_CN"
        qtbot.waitUntil(lambda: new.census is not None and new.census.model.path == SAMPLE / "model.onnx",
                        timeout=60000)
        assert new.tabs.currentIndex() == 3 and new.tabs.tabText(3) == "生成"
        assert new.generate.panel.prompt.toPlainText() == "人生"
        back = new.set_language("en")
        qtbot.addWidget(back)
        assert back.tabs.tabText(3) == "Generate"
        back.close()
    finally:
        i18n.install(qapp, "en")


def test_system_language_is_followed(qapp, monkeypatch):
    monkeypatch.setattr(QtCore.QLocale, "system", staticmethod(lambda: QtCore.QLocale("zh_CN")))
    assert i18n.resolve("system") == "zh_CN" and i18n.resolve(None) == "zh_CN"
    monkeypatch.setattr(QtCore.QLocale, "system", staticmethod(lambda: QtCore.QLocale("fr_FR")))
    assert i18n.resolve("system") == "en"
    assert i18n.resolve("zh_CN") == "zh_CN"


@pytest.mark.parametrize("fmt", ["html", "md", "pdf"])
def test_report_in_chinese_from_the_command_line(tmp_path, fmt):
    out = tmp_path / f"r.{fmt}"
    r = subprocess.run([sys.executable, "-m", "inspector", "report", str(SAMPLES / "fortune-zh-gpt"), "-o", str(out),
                        "--prompt", "人生", "--max-new-tokens", "8", "--lang", "zh"], capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    if fmt == "pdf":
        data = out.read_bytes()
        assert data.startswith(b"%PDF") and b"NotoSansCJK" in data  # the bundled CJK font is embedded
    else:
        text = out.read_text(encoding="utf-8")
        assert "GPT Inspector 报告" in text and "人生" in text and "权重" in text
        assert "Parameters" not in text and "Generation" not in text


def test_every_script_has_a_glyph_in_the_charts():
    """matplotlib finds every character of every script's prompt in the bundled fallback fonts."""
    from inspector.report import charts

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for text in SCRIPTS.values():
            png = charts.layer_histogram(text, {"weight": ([0.0, 1.0, 2.0], [1, 2])})
            assert png.startswith(b"\x89PNG")
    assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]


def test_every_script_has_a_glyph_in_the_app(qapp):
    """Qt lays every script's prompt out in real glyphs (no .notdef box) in the app's font and the PDF's, through the
    platform's fallback with the bundled subsets registered; and the fallback does not make lines taller."""
    from inspector.app.fonts import install_fonts
    from inspector.app.qt_compat import QtGui

    height = QtGui.QFontMetrics(qapp.font()).height()
    families = install_fonts()
    assert {"Noto Sans CJK SC", "Noto Sans Arabic", "Noto Sans Hebrew", "Symbola"} <= set(families)
    assert QtGui.QFontMetrics(qapp.font()).height() == height
    for font in (qapp.font(), QtGui.QFont("DejaVu Sans", 8)):
        for text in SCRIPTS.values():
            layout = QtGui.QTextLayout(text, font)
            layout.beginLayout()
            layout.createLine()
            layout.endLayout()
            glyphs = [g for run in layout.glyphRuns() for g in run.glyphIndexes()]
            assert glyphs and 0 not in glyphs, (text, [r.rawFont().familyName() for r in layout.glyphRuns()])


def test_the_bundled_cjk_font_covers_both_translations(qapp):
    """A machine without a CJK font still draws every character of the Chinese interface and reports."""
    from inspector.app.fonts import install_fonts
    from inspector.app.qt_compat import QtGui

    install_fonts()
    metrics = QtGui.QFontMetrics(QtGui.QFont("Noto Sans CJK SC"))
    text = TS.read_text(encoding="utf-8") + (ROOT / "inspector" / "report" / "i18n" / "zh.json").read_text("utf-8")
    missing = {c for c in text if ord(c) >= 0x2E80 and not metrics.inFontUcs4(ord(c))}
    assert missing == set()


def test_the_app_streams_chinese_on_the_chinese_sample(qtbot, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    open_and_wait(qtbot, w, SAMPLES / "fortune-zh-gpt")
    gen = w.generate
    gen.panel.prompt.setPlainText("人生")
    gen.panel.max_tokens.setValue(24)
    with qtbot.waitSignal(gen.session.run.finished, timeout=60000):
        gen.panel.run_btn.click()
    gen.redraw()
    text = gen.output.toPlainText()
    assert text.startswith("人生") and sum("\u4e00" <= c <= "\u9fff" for c in text) >= 5
    assert "\ufffd" not in text and all(gen.candidates.table.item(r, 0).text() for r in range(gen.candidates.table.rowCount()))
    w.close()


def test_right_to_left_and_byte_tokens_in_the_app(qtbot, settings):
    """An Arabic prompt on the English sample: the text keeps its logical order (Qt lays it out right to left), the
    prompt's byte tokens read as bytes in the candidates' place, nothing shows as a replacement character."""
    w = MainWindow(settings)
    qtbot.addWidget(w)
    open_and_wait(qtbot, w, SAMPLE)
    gen = w.generate
    gen.panel.prompt.setPlainText(SCRIPTS["ar"])
    gen.panel.max_tokens.setValue(6)
    with qtbot.waitSignal(gen.session.run.finished, timeout=60000):
        gen.panel.run_btn.click()
    gen.redraw()
    assert gen.output.toPlainText().startswith(SCRIPTS["ar"])
    shown = [gen.candidates.table.item(r, 0).text() for r in range(gen.candidates.table.rowCount())]
    assert all(shown) and not any("\ufffd" in s for s in shown)
    w.close()


def test_a_report_renders_every_script(tmp_path, qapp):
    """Prompt and output in every script, through the PDF: the fallback fonts are embedded for each."""
    from inspector.engine import GenerationConfig, Generator
    from inspector.model import load_model, take_census
    from inspector.report.content import build_report
    from inspector.report.formats import export
    from inspector.stats import compute_statistics

    census = take_census(load_model(SAMPLE))
    compute_statistics(census)
    run = Generator(SAMPLE, provider="cpu").generate(" ".join(SCRIPTS.values()), GenerationConfig(max_new_tokens=4))
    for lang in ("en", "zh"):
        data = export(build_report(census, run, lang=lang), tmp_path / f"r-{lang}.pdf").read_bytes()
        for font in (b"NotoSansCJK", b"Symbola"):  # (Arabic and Hebrew may come from the system's DejaVu Sans)
            assert font in data, (lang, font)
        html = export(build_report(census, run, lang=lang), tmp_path / f"r-{lang}.html").read_text(encoding="utf-8")
        assert all(text in html for text in SCRIPTS.values())


def test_the_cores_sentences_in_chinese(qtbot, chinese, settings):
    """What the core composes — how the model is stored, why a quantized model's ids may differ, the formula's
    letters, the progress line — in the Chinese window and report; the JSON keeps the English."""
    from inspector.messages import render
    from inspector.progress_text import STATISTICS

    assert render(STATISTICS("block 3"), "zh") == "统计：block 3" and str(STATISTICS("block 3")) == "statistics: block 3"
    assert i18n.progress(STATISTICS("block 3")) == "统计：block 3"
    w = MainWindow(settings)
    qtbot.addWidget(w)
    open_and_wait(qtbot, w, SAMPLE, "model_quantized.onnx")
    rows = dict(w.overview.totals_box.rows)
    assert "矩阵" in rows["存储格式"] and "比特" in rows["存储格式"]
    assert "这个模型经过量化" in w.generate.panel.note.text()
    assert "上下文长度" in w.overview.scale_box.text()
    w.close()


def test_the_chinese_window_says_the_cores_sentences_in_chinese(qtbot, chinese, window):
    """The model drawn as blocks (its labels, notes and tooltips), the Inside note of a fused attention op and the
    formula's letters: no English sentence left in the Chinese window (names of ops and tensors aside)."""
    from inspector.app.qt_compat import QtGui

    from .test_messages import english_sentence

    open_and_wait(qtbot, window, FIXTURES / "genai-llama")
    gen, inside = window.generate, window.inside
    gen.panel.inside.setChecked(True)
    window.tabs.setCurrentWidget(inside)
    run = window.session.run
    for want in (1, 2):
        gen.panel.step_btn.click()
        qtbot.waitUntil(lambda: len(run.steps) == want and not run.running, timeout=60000)
    gen.redraw()
    qtbot.waitUntil(lambda: inside.index == 1 and inside.note.isVisible(), timeout=5000)
    assert "GroupQueryAttention" in inside.note.text() and not english_sentence(inside.note.text())
    canvas = inside.diagram.canvas
    tips = []
    for placed in canvas.placed:
        at = placed.rect.topLeft() + QtCore.QPointF(8, 6)  # its title: a frame's own, not a child's
        canvas.mouseMoveEvent(QtGui.QMouseEvent(QtCore.QEvent.MouseMove, at, at, QtCore.Qt.NoButton,
                                                QtCore.Qt.NoButton, QtCore.Qt.NoModifier))
        tips.append(canvas.toolTip())
    assert len(tips) > 15 and any("第 0 块（共 2 块）" in t for t in tips) and any("注意力" in t for t in tips)
    assert [t for t in tips if english_sentence(t)] == []
    assert inside.diagram.block.text() == "第 0 块"
    where = [v for k, v in window.overview.scale_box.rows if k in ("其中", "")][1:]
    assert where and not [v for v in where if english_sentence(v)]


@pytest.mark.parametrize("mode", ["AcceptOpen", "AcceptSave"])
def test_qts_own_file_dialog_is_chinese(qtbot, chinese, mode):
    """Qt's catalogue for zh_CN lacks the file dialog's "&Look in:" and "Files of &type:"; ours fills them."""
    import re

    from inspector.app.qt_compat import QtWidgets

    dialog = QtWidgets.QFileDialog(None, "", str(ROOT))
    dialog.setOption(QtWidgets.QFileDialog.DontUseNativeDialog, True)
    dialog.setAcceptMode(getattr(QtWidgets.QFileDialog, mode))
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [w.text() for w in dialog.findChildren(QtWidgets.QLabel) + dialog.findChildren(QtWidgets.QPushButton)]
    texts += [w.toolTip() for w in dialog.findChildren(QtWidgets.QToolButton)]
    assert {"查找范围(&L)：", "文件类型(&T)："} <= set(texts)
    assert [t for t in texts if re.search(r"[A-Za-z]{2,}", t)] == []
