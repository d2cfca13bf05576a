"""The Compare tab, driven through the window: a pair, every variant of a folder, cancel, a new model."""

import pytest

pytest.importorskip("pytestqt")

from inspector.app.qt_compat import QtCore, QtGui  # noqa: E402

from .conftest import FIXTURES, SAMPLE, open_and_wait  # noqa: E402

QL = FIXTURES / "quant-llama"


def test_compare_with_another_file_fills_the_tab(qtbot, window):
    open_and_wait(qtbot, window, QL)
    view = window.compare
    assert window.compare_action.isEnabled() and window.compare_variants_action.isEnabled()
    view.tokens.setValue(8)
    with qtbot.waitSignal(window.session.comparison.finished, timeout=120000):
        window.compare_with(str(QL / "onnx" / "model_q4.onnx"))
    assert window.tabs.currentWidget() is view and view.pages.currentIndex() == 1
    c = view.result
    assert view.layers.rowCount() == len(c.weights.layers) and view.layers.item(0, 0).text() == c.weights.layers[0].name
    assert view.tensors.rowCount() == len(c.weights.layers[0].tensors)
    t = view.selected_tensor()
    assert t is not None and len(view.diff_plot.getPlotItem().listDataItems()) == 1
    assert len(view.value_plot.getPlotItem().listDataItems()) == 2  # A and B overlaid
    assert len(c.tokens.ids) == 8 and "top-1 agreement" in view.tokens_label.text()
    from inspector import units

    shown = "".join(units.token(c.tokens.texts[i], quoted=False) for i in c.tokens.ids)
    assert view.text.toPlainText().startswith(shown)
    view.layers.selectRow(1)
    assert view.tensors.rowCount() == len(c.weights.layers[1].tensors)
    # Compare again with another prompt: the same pair, a new continuation
    view.prompt.setText("Love is")
    with qtbot.waitSignal(window.session.comparison.finished, timeout=120000):
        view.again_btn.click()
    assert view.result is not c and view.result.b.name == c.b.name


def test_every_variant_in_one_table_and_cancel(qtbot, window):
    open_and_wait(qtbot, window, SAMPLE)
    view = window.compare
    view.tokens.setValue(4)
    with qtbot.waitSignal(window.session.comparison.finished, timeout=120000):
        window.compare_all_variants()
    assert view.pages.currentIndex() == 2 and view.variants.rowCount() == 3
    assert view.variants.item(0, 0).text() == "model.onnx (reference)"
    view.variants.sortItems(2)  # bits per parameter, as numbers
    assert [view.variants.item(r, 2).text() for r in range(3)] == sorted(
        (view.variants.item(r, 2).text() for r in range(3)), key=float)
    window.compare_all_variants()
    assert view.busy and view.cancel_btn.isVisibleTo(view)
    view.cancel_btn.click()
    assert not view.busy and not view.cancel_btn.isVisibleTo(view)


def test_a_new_model_clears_the_comparison(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    assert not window.compare_variants_action.isEnabled()  # one file in its folder
    with qtbot.waitSignal(window.session.comparison.finished, timeout=120000):
        window.compare_with(str(FIXTURES / "tiny-gpt2" / "model.onnx"))
    open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    assert window.compare.result is None and window.compare.pages.currentIndex() == 0


def test_a_failed_comparison_is_a_message(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with qtbot.waitSignal(window.session.comparison.failed, timeout=60000) as sig:
        window.compare_with(str(bad))
    assert "bad.onnx" in sig.args[0] and "\n" not in sig.args[0]


def test_dropping_a_model_with_shift_compares_with_it(qtbot, window):
    open_and_wait(qtbot, window, QL)
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(QL / "onnx" / "model_bnb4.onnx"))])
    event = QtGui.QDropEvent(QtCore.QPointF(10, 10), QtCore.Qt.CopyAction, mime, QtCore.Qt.LeftButton,
                             QtCore.Qt.ShiftModifier)
    with qtbot.waitSignal(window.session.comparison.finished, timeout=120000):
        window.dropEvent(event)
    assert window.compare.result.b.name.endswith("model_bnb4.onnx")
    assert window.census.model.path.name == "model.onnx"  # A stays open


def test_the_report_from_the_app_carries_the_comparison(qtbot, window, tmp_path):
    import json

    open_and_wait(qtbot, window, SAMPLE)
    window.compare.tokens.setValue(4)
    with qtbot.waitSignal(window.session.comparison.finished, timeout=120000):
        window.compare_all_variants()
    qtbot.waitUntil(lambda: window.export_action.isEnabled(), timeout=60000)
    dialog = window.export_report()
    assert dialog.include_compare.isChecked()
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    dialog.path.setText(str(tmp_path / "r.json"))
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        dialog.export_btn.click()
    d = json.loads((tmp_path / "r.json").read_text())
    assert [v["file"] for v in d["variants"]][0] == "model.onnx" and d["comparison"] is None
