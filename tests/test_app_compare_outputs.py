"""The Compare tab's issue-24 views: what the models say (llama.cpp's scoreboard, the drift chart, positions counted
from 1), the variants' recommendation for a budget with its marks and flags, and the report exported after them.

One real comparison (the sample against its int8 file, a short text) is made once for the module and handed to
each window as the session's worker would; the variants' table is hand-made (test_app_compare runs the real one)."""

import dataclasses
import io
import json

import pytest

pytest.importorskip("pytestqt")

from inspector.app.qt_compat import QtCore  # noqa: E402

from .conftest import SAMPLE, open_and_wait  # noqa: E402

B_FILE = SAMPLE / "model_quantized.onnx"


@pytest.fixture(scope="module")
def comparison():
    """The sample against its int8 file, 6 tokens of continuation and 48 of the bundled text; B's own choice
    made to differ at the 0-based index 2 (position 3 to a reader) so the numbering can be seen."""
    from inspector.compare.reading import TextChoice
    from inspector.compare.run import compare

    c = compare(SAMPLE / "model.onnx", B_FILE, "The meaning of life is", 6, provider="cpu", text=TextChoice(tokens=48))
    b_ids = list(c.tokens.ids)
    b_ids[2] = b_ids[2] + 1
    return dataclasses.replace(c, tokens=dataclasses.replace(c.tokens, b_ids=b_ids))


def shown(window, result):
    """`result` on show in the Compare tab, as the session shows a worker's answer."""
    from inspector.app.session import CompareTask

    c = window.session.comparison
    c.task = CompareTask("pair", str(SAMPLE / "model.onnx"), str(B_FILE))
    c.result = result
    c.started.emit(c.task)
    c.finished.emit(result)
    window.show_tab("compare")
    return window.compare


def variant_rows():
    """A folder's table as compare_variants makes it: a reference, a small close file, one no better than it, a
    larger file whose name says int4 but whose matrices are fp32 (flagged)."""
    from inspector.compare import advice, messages
    from inspector.compare.variants import VariantRow

    def row(file, dtype, nbytes, kl, top1, reference=False, first=None):
        return VariantRow(file, dtype, nbytes, 32 * nbytes / 1000, "stored", kl, kl * 2, top1, first, 100.0,
                          reference=reference, text={"ppl_ratio": 1 + kl}, drift_peak=None if reference else "block 1")

    rows = [row("model.onnx", "fp32", 1000, 0.0, 1.0, reference=True), row("model_quantized.onnx", "int8", 300, 0.001, 0.95, first=4),
            row("model_uint8.onnx", "uint8", 310, 0.002, 0.9, first=0), row("model_q4.onnx", "int4", 700, 0.03, 0.8)]
    rows[3].flag = messages.NAME_CONTRADICTS("model_q4.onnx", "int4", "fp32", "32", "70%", "model.onnx")
    advice.rank(rows)
    return rows


def test_the_scoreboard_and_the_drift_chart_of_a_pair(qtbot, window, comparison):
    view = shown(window, comparison)
    assert view.pages.currentIndex() == 1 and view.pair_tabs.currentIndex() == 0  # what the models say, first
    from inspector.compare.scoreboard import scoreboard

    rows = scoreboard(comparison.tokens, comparison.text)
    t = view.scores.table
    assert t.rowCount() == len(rows) and not t.isColumnHidden(2)  # the text was read: its column shows
    assert [t.item(r, 1).text() for r in range(t.rowCount())] == [r.continuation for r in rows]
    assert [t.item(r, 2).text() for r in range(t.rowCount())] == [r.text for r in rows]
    assert t.item(1, 0).text() == "mean KL(A‖B), nats"
    caption = view.scores.caption.text()
    assert "bundled sample" in caption and f"windows of {comparison.text.window}" in caption and "6 positions" in caption
    # the drift: one bar and one line point per place the stream was read, the largest step marked
    chart = view.drift_chart
    points = comparison.drift.series()
    assert len(chart.points) == len(points) > 2
    import pyqtgraph as pg

    items = chart.plot.getPlotItem().listDataItems()
    lines = [i for i in items if isinstance(i, pg.PlotDataItem)]
    assert len(lines) == 1 and list(lines[0].getData()[1]) == [p.rel_l2 for p in points]
    bars = {x: h for i in items if isinstance(i, pg.BarGraphItem) and i.opts["brush"] is not None
            for x, h in zip(i.opts["x"], i.opts["height"])}  # one bar per point, its kind's colour
    assert bars == {i: chart.bar_height(p) for i, p in enumerate(points)}
    top = chart.largest_step()
    assert top == max(range(len(points)), key=lambda i: chart.bar_height(points[i]))
    assert "largest step" in [i.textItem.toPlainText() for i in chart.plot.getPlotItem().items if hasattr(i, "textItem")]
    for kind in {p.kind for p in points}:
        from inspector.app.drift_chart import ADDS

        assert ADDS[kind] in chart.legend.text()
    # hovering a point names it, with its drift
    qtbot.waitUntil(lambda: chart.plot.width() > 100)
    vb = chart.plot.getPlotItem().vb
    last = len(points) - 1
    chart._mouse_moved((vb.mapViewToScene(QtCore.QPointF(last, points[last].rel_l2 / 2)),))
    assert chart.hovered == last and chart.plot.getPlotItem().toolTip() == chart.describe(last)
    assert f"block {points[last].block}" in chart.describe(last)


def test_positions_are_counted_from_one(qtbot, window, comparison):
    view = shown(window, comparison)
    assert comparison.tokens.first_divergence == 2
    assert "first differs at position 3" in view.tokens_label.text()
    bars = [i for i in view.kl_plot.getPlotItem().items if i.__class__.__name__ == "BarGraphItem"]
    assert list(bars[0].opts["x"]) == list(range(1, 7))
    # the command line says it the same way; the JSON keeps its index
    from inspector.compare.cli import print_comparison

    out = io.StringIO()
    print_comparison(comparison, out)
    assert "first differs at position 3" in out.getvalue()
    assert comparison.as_dict()["tokens"]["first_divergence"] == 2


def test_the_chosen_tab_stays_for_the_next_comparison_and_a_rebuild(qtbot, window, comparison):
    view = shown(window, comparison)
    view.pair_tabs.setCurrentIndex(1)
    view = shown(window, comparison)
    assert view.pair_tabs.currentIndex() == 1
    new = window.rebuild_view("compare")
    assert new.pair_tabs.currentIndex() == 1 and new.scores.table.rowCount() > 0
    weights_only = dataclasses.replace(comparison, tokens=None, drift=None, text=None)
    new.pair_tabs.setCurrentIndex(0)
    shown(window, weights_only)
    assert new.pair_tabs.currentIndex() == 1  # nothing was read: the weights are what there is
    assert new.scores.table.rowCount() == 0 and "Compare again" in new.scores.caption.text()
    assert new.drift_chart.points == [] and "Compare again" in new.drift_chart.caption.text()


def test_the_variants_recommendation_follows_the_budget(qtbot, window):
    rows = variant_rows()
    c = window.session.comparison
    from inspector.app.session import CompareTask

    c.variants, c.variants_task = rows, CompareTask("variants", str(SAMPLE))
    c.back_to_variants()
    view = window.compare
    table = view.variants
    assert view.pages.currentIndex() == 2
    files = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert files == ["model.onnx (reference)", "model_quantized.onnx", "model_uint8.onnx", "model_q4.onnx"]  # by rank
    line = view.advice.text()
    assert line.startswith("Take model_quantized.onnx") and "Avoid model_q4.onnx" in line
    assert table.item(1, 0).font().bold() and not table.item(2, 0).font().bold()
    assert "no better than model_quantized.onnx" in table.item(2, 0).toolTip()
    assert not table.item(3, 0).icon().isNull() and table.item(1, 0).icon().isNull()  # the flagged file
    assert "named int4, but its block matrices are stored as fp32" in table.item(3, 0).toolTip()
    assert "model_q4.onnx" in line and "hover" in line
    differs = column("differs at")
    assert [table.item(r, differs).text() for r in range(3)] == ["–", "5", "1"]  # counted from 1
    assert table.item(1, column("drift peak")).text() == "block 1"
    # a budget below every file but the reference's size: re-advised at once, no run
    view.advice.field.setText("250 B")
    assert not c.busy and view.advice.text().startswith("No file fits 250 B")
    view.advice.field.setText("305 B")
    assert view.advice.text().startswith("Take model_quantized.onnx for 305 B")
    assert c.budget == "305 B" and c.budget_bytes() == 305
    view.advice.field.setText("lots")
    assert "cannot read 'lots' as a size" in view.advice.text() and c.budget_bytes() is None
    view.advice.field.setText("0.31 kB")
    new = window.rebuild_view("compare")  # the budget is the session's: a rebuilt view shows it
    assert new.advice.field.text() == "0.31 kB" and new.advice.text().startswith("Take model_quantized.onnx for 310 B")


def column(name: str) -> int:
    from inspector.app.variants_page import COLUMNS

    return COLUMNS.index(name)


def test_the_report_carries_the_drift_the_scoreboard_and_the_budget(qtbot, window, comparison, tmp_path):
    open_and_wait(qtbot, window, SAMPLE)

    def export(name: str, fmt: str):
        qtbot.waitUntil(lambda: window.export_action.isEnabled(), timeout=60000)
        dialog = window.export_report()
        assert dialog.include_compare.isChecked()
        dialog.format.setCurrentIndex(dialog.format.findData(fmt))
        dialog.path.setText(str(tmp_path / name))
        with qtbot.waitSignal(dialog.exported, timeout=120000):
            dialog.export_btn.click()
        dialog.close()
        return (tmp_path / name).read_text(encoding="utf-8")

    shown(window, comparison)
    page = export("pair.html", "html")
    assert "Where B&#39;s residual stream leaves A&#39;s" in page or "Where B's residual stream leaves A's" in page
    assert 'alt="drift per block"' in page and "The figures llama.cpp reports" in page
    assert "first differs at position 3" in page
    for row in ("perplexity ratio B / A", "KL, 99.9th percentile"):
        assert row in page
    rows = variant_rows()
    c = window.session.comparison
    c.result = c.variants = rows
    window.compare.advice.field.setText("305 B")
    d = json.loads(export("variants.json", "json"))
    assert d["recommendation"]["budget"] == 305 and d["recommendation"]["take"] == "model_quantized.onnx"
    assert d["recommendation"]["text"].startswith("Take model_quantized.onnx for 305 B")


def test_every_string_of_the_new_views_has_its_chinese():
    import xml.etree.ElementTree as ET

    from inspector.app.i18n import HERE

    root = ET.parse(HERE / "inspector_zh_CN.ts").getroot()
    for context in ("DriftChart", "ScoreboardTable", "VariantsAdvice"):
        messages = root.findall(f"./context[name='{context}']/message")
        assert messages, context
        for m in messages:
            tr = m.find("translation")
            assert tr.get("type") is None and tr.text, (context, m.find("source").text)
