"""The desktop app, driven through its real widgets offscreen."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from inspector.app.qt_compat import QtCore, QtGui  # noqa: E402
from inspector.app.layers_view import COLUMNS  # noqa: E402
from inspector.app.main_window import MainWindow  # noqa: E402
from inspector.engine.metrics import step_series  # noqa: E402

from .conftest import FIXTURES, SAMPLE, open_and_wait, reference  # noqa: E402


def test_open_fixture_shows_right_totals(qtbot, window):
    ref = reference("tiny-llama")
    census = open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    assert census.parameters == ref["parameters"]
    text = window.overview.totals_box.text()
    assert f"{ref['parameters']:,}" in text and f"{ref['weights']:,}" in text
    assert "family: Llama (llama), named by config.json" in window.overview.arch_box.text()
    assert "Llama 2 7B" in window.overview.scale_box.text()
    assert list(window.overview.bar_data["weights"]) == [layer.weights for layer in census.layers]
    top = [window.layers.tree.topLevelItem(i).text(0) for i in range(window.layers.tree.topLevelItemCount())]
    assert top == [layer.name for layer in census.layers]  # model order
    assert window.export_action.isEnabled()
    assert "tiny-llama" in window.windowTitle()
    assert window.recent_files()[0].endswith("tiny-llama")


def test_select_layer_and_tensor_give_histograms(qtbot, window):
    census = open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    view = window.layers
    view.select("block 1")
    edges, counts = view.plotted["weight"]
    assert counts.sum() == census.layer("block 1").weights and len(edges) == len(counts) + 1
    view.kind.setCurrentText("all")
    assert set(view.plotted) == {"weight", "bias"}
    assert view.plotted["bias"][1].sum() == census.layer("block 1").biases
    view.log_y.setChecked(True)
    assert "log10" in view.hist.getPlotItem().getAxis("left").labelText
    view.select("block 0", "transformer.h.0.mlp.c_fc.weight")
    assert view.plotted["weight"][1].sum() == 64 * 256
    assert "mean" in view.stats_label.text()
    # the comparison of all blocks: one row per block on shared edges
    labels, edges, matrix = view.compare_matrix()
    assert labels == ["block 0", "block 1"] and matrix.shape == (2, len(edges) - 1)
    idx = view.role.findText("mlp.up weights")
    assert idx >= 0
    view.role.setCurrentIndex(idx)
    labels, edges, matrix = view.compare_matrix()
    assert (matrix.sum(axis=1) == 64 * 256).all()


def test_tree_sorts_numerically(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    tree = window.layers.tree
    col = COLUMNS.index("parameters")
    tree.sortItems(col, QtCore.Qt.DescendingOrder)
    values = [tree.topLevelItem(i).data(col, QtCore.Qt.UserRole + 1) for i in range(tree.topLevelItemCount())]
    assert values == sorted(values, reverse=True)


def test_graph_view_search(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    view = window.graph
    qtbot.waitUntil(lambda: view.filled, timeout=10000)
    total = len(view.rows)
    view.search.setText("q_proj")
    shown = view.apply_filter()
    assert 0 < shown < total
    assert all("q_proj" in row.name for row in view.rows if row.matches("q_proj") and row.op == "MatMul")
    view.search.setText("onnx::MatMul_")  # a renamed weight: find the node that owns it
    assert view.apply_filter() >= 14
    view.search.setText("")
    assert view.apply_filter() == total


def test_step_three_tokens_and_see_candidates(qtbot, window):
    window.show_tab("generate")  # a hidden Generate tab draws when it is next shown
    open_and_wait(qtbot, window, SAMPLE)
    gen = window.generate
    gen.panel.prompt.setPlainText("The meaning of life is")
    gen.panel.candidates_n.setValue(6)
    for n in range(1, 4):
        gen.panel.step_btn.click()
        qtbot.waitUntil(lambda: len(gen.session.run.steps) == n and not gen.session.run.running, timeout=30000)
    gen.redraw()
    assert gen.candidates.table.rowCount() == 6
    chosen = gen.session.run.candidates_for(2)
    assert sum(c[3] for c in chosen) == 1 and chosen[0][2] == gen.session.run.steps[2].id  # greedy: the top one
    assert "tok:2" in gen.output.toHtml()
    gen.output._clicked(QtCore.QUrl("tok:0"))
    assert gen.session.run.selected == 0 and "step 1" in gen.candidates.title.text()
    data = step_series(gen.session.run.steps)
    assert len(data["x"]) == 3 and np.isfinite(data["latency_ms"]).all() and (data["rss_mb"] > 0).all()
    n_prompt = len(gen.session.run.prompt_ids)
    assert gen.session.run.steps[0].prefill and [s.kv_len for s in gen.session.run.steps] == [n_prompt, n_prompt + 1, n_prompt + 2]


def test_run_then_stop(qtbot, window):
    open_and_wait(qtbot, window, SAMPLE)
    gen = window.generate
    gen.panel.max_tokens.setValue(100000)
    gen.panel.stop_at_eos.setChecked(False)  # only Stop (or the context, 256 tokens away) can end this run
    gen.panel.greedy.setChecked(False)
    gen.panel.seed.setValue(1)
    gen.panel.run_btn.click()
    qtbot.waitUntil(lambda: len(gen.session.run.steps) >= 5, timeout=30000)
    assert gen.panel.stop_btn.isEnabled() and not gen.panel.run_btn.isEnabled()
    gen.panel.stop_btn.click()
    qtbot.waitUntil(lambda: not gen.session.run.running, timeout=30000)
    assert gen.session.run.result.finish == "stopped" and gen.session.run.steps[-1].finish == "stopped"
    assert len(gen.session.run.steps) < window.census.architecture.context_length - len(gen.session.run.result.prompt_ids)
    assert gen.panel.run_btn.isEnabled() and gen.panel.reset_btn.isEnabled()
    gen.panel.reset_btn.click()
    assert gen.session.run.steps == [] and gen.output.toPlainText() == ""


def test_pause_then_continue(qtbot, window):
    open_and_wait(qtbot, window, SAMPLE)
    gen = window.generate
    gen.panel.max_tokens.setValue(100000)
    gen.panel.stop_at_eos.setChecked(False)  # the run cannot end on its own before the pause
    gen.panel.greedy.setChecked(False)
    gen.panel.run_btn.click()
    qtbot.waitUntil(lambda: len(gen.session.run.steps) >= 3, timeout=30000)
    gen.panel.pause_btn.click()
    qtbot.waitUntil(lambda: not gen.session.run.running, timeout=30000)
    paused_at = len(gen.session.run.steps)
    assert gen.session.run.result.finish is None and "paused" in gen.panel.status.text()
    first_ids = [s.id for s in gen.session.run.steps]
    gen.panel.step_btn.click()
    qtbot.waitUntil(lambda: len(gen.session.run.steps) == paused_at + 1 and not gen.session.run.running, timeout=30000)
    assert not gen.session.run.steps[-1].prefill and [s.id for s in gen.session.run.steps[:paused_at]] == first_ids  # the same run, on
    assert gen.session.run.steps[-1].kv_len == gen.session.run.steps[-2].kv_len + 1


def test_bad_file_gives_dialog_and_keeps_previous_model(qtbot, window, tmp_path):
    census = open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"\x00garbage" * 100)
    with qtbot.waitSignal(window.load_failed, timeout=30000) as blocker:
        window.open_model(str(bad))
    assert "broken.onnx" in blocker.args[0] and "\n" not in blocker.args[0]
    qtbot.waitUntil(lambda: getattr(window, "error_box", None) is not None and window.error_box.isVisible())
    assert "broken.onnx" in window.error_box.text() and "Traceback" not in window.error_box.text()
    window.error_box.close()
    assert window.census is census and "tiny-gpt2" in window.windowTitle()
    assert window.recent_files()[0].endswith("tiny-gpt2")  # a failed open is not remembered


def test_opening_another_model_cancels_the_first(qtbot, window, monkeypatch):
    import threading
    import time

    from inspector import pipeline

    entered = threading.Event()
    real = pipeline.take_census

    def slow_census(model):  # the first load is still walking its graph when the second is asked for
        if "tiny-llama" in str(model.path):
            entered.set()
            time.sleep(0.5)
        return real(model)

    monkeypatch.setattr(pipeline, "take_census", slow_census)
    window.open_model(str(FIXTURES / "tiny-llama"))
    first = window.session.model._job.worker
    assert entered.wait(10)
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.open_model(str(FIXTURES / "tiny-gpt2"))
    qtbot.waitUntil(lambda: first.outcome is not None, timeout=10000)
    assert first.outcome == "cancelled"  # it stopped at its next check, before any statistics
    assert window.census.model.path.parent.name == "tiny-gpt2"


def test_drop_a_model_on_the_window(qtbot, window):
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(FIXTURES / "tiny-gpt2-zero-bias"))])
    event = QtGui.QDropEvent(QtCore.QPointF(10, 10), QtCore.Qt.CopyAction, mime, QtCore.Qt.LeftButton,
                             QtCore.Qt.NoModifier)
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.dropEvent(event)
    assert window.census.parameters == reference("tiny-gpt2-zero-bias")["parameters"]


def test_close_during_a_run(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.IniFormat)
    w = MainWindow(settings)
    w.show()
    with qtbot.waitSignal(w.model_loaded, timeout=60000):
        w.open_model(str(SAMPLE))
    gen = w.generate
    gen.panel.max_tokens.setValue(100000)
    gen.panel.greedy.setChecked(False)
    gen.panel.run_btn.click()
    qtbot.waitUntil(lambda: len(gen.session.run.steps) >= 3, timeout=30000)
    w.close()
    assert gen.session.run._job is None
    w.deleteLater()
    qtbot.wait(50)


def test_export_report_from_the_app(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen = window.generate
    gen.panel.max_tokens.setValue(4)
    gen.panel.run_btn.click()
    qtbot.waitUntil(lambda: gen.session.run.result is not None and gen.session.run.result.finish is not None, timeout=30000)
    dialog = window.export_report()
    assert dialog.include_run.isChecked()
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    dialog.path.setText(str(tmp_path / "app-report.json"))
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        dialog.export_btn.click()
    import json

    d = json.loads((tmp_path / "app-report.json").read_text())
    assert d["parameters"] == window.census.parameters and len(d["generation"]["new_ids"]) == 4


def test_a_folder_of_variants_asks_which_file_then_offers_the_others(qtbot, window):
    from inspector.app.variant_dialog import VariantDialog

    dialog = window.open_path(FIXTURES / "tjs-qwen2")
    assert isinstance(dialog, VariantDialog) and dialog.isVisible()
    rows = [[dialog.table.topLevelItem(i).text(c) for c in range(2)] for i in range(dialog.table.topLevelItemCount())]
    assert rows == [["onnx/model.onnx", "fp32"], ["onnx/model_fp16.onnx", "fp16"]]
    assert dialog.selected() == "onnx/model.onnx"  # the best one, preselected
    dialog.table.setCurrentItem(dialog.table.topLevelItem(1))
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        dialog.accept()
    assert window.census.model.path.name == "model_fp16.onnx"
    assert "onnx/model_fp16.onnx (1 of 2 files" in window.overview.arch_box.text()
    actions = window.variant_menu.actions()
    assert window.variant_menu.isEnabled() and [a.isChecked() for a in actions] == [False, True]
    assert "fp16" in actions[1].text()
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        actions[0].trigger()
    assert window.census.model.path.name == "model.onnx"
    assert window.open_path(FIXTURES / "tiny-gpt2") is None  # one file: no question
    qtbot.waitUntil(lambda: window.census.model.path.parent.name == "tiny-gpt2", timeout=60000)
    assert not window.variant_menu.isEnabled()


@pytest.mark.parametrize("name", ["genai-qwen2", "optimum1-gpt2"])
def test_genai_build_and_merged_decoder_open_and_generate(qtbot, window, name):
    ref = reference(name)
    census = open_and_wait(qtbot, window, FIXTURES / name)
    assert census.parameters == ref["parameters"]
    text = window.overview.arch_box.text()
    assert f"family: {census.architecture.family_entry.label} ({ref['architecture']['family']})" in text
    assert "✓ equals the count" in window.overview.scale_box.text()
    gen = window.generate
    gen.panel.prompt.setPlainText(ref["prompt"])
    gen.panel.max_tokens.setValue(8)
    gen.panel.run_btn.click()
    qtbot.waitUntil(lambda: gen.session.run.result is not None and gen.session.run.result.finish is not None, timeout=60000)
    new = gen.session.run.result.new_ids
    assert new and new == ref["greedy_ids"][:len(new)]


def test_a_model_without_parameters_fills_every_view(qtbot, window, tmp_path):
    from .test_layouts import zero_parameter_model

    census = open_and_wait(qtbot, window, zero_parameter_model(tmp_path / "zero"))
    assert census.parameters == 0
    assert "parameters: 0 (0)" in window.overview.totals_box.text()
    assert "None" not in window.overview.arch_box.text() + window.overview.scale_box.text()
    assert window.layers.tree.topLevelItemCount() == 0


def test_a_quantized_model_shows_its_scheme_everywhere(qtbot, window):
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.open_model(FIXTURES / "quant-llama", "onnx/model_q4.onnx")
    census = window.census
    assert census.parameters == reference("quant-llama")["parameters"]
    assert "stored as: int4, block 32, on 15 of 16 matrices" in window.overview.totals_box.text()
    assert "scales, zero points:" in window.overview.totals_box.text()
    tree, col = window.layers.tree, COLUMNS.index("stored as")
    block = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(0) == "block 0")
    assert {block.child(j).text(col) for j in range(block.childCount())} == {"int4, block 32", "fp32"}
    assert block.text(col) == "fp32 + int4, block 32" or block.text(col) == "int4, block 32 + fp32"
    gen = window.generate
    assert not gen.panel.note.isHidden() and "quantized (int4, block 32" in gen.panel.note.text()
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.open_model(FIXTURES / "quant-llama", "onnx/model.onnx")
    assert gen.panel.note.isHidden() and "fp32 throughout" in window.overview.totals_box.text()


def test_the_screenshot_command_renders_and_exits(tmp_path):
    """README's command without a display: load, generate a few tokens, write the picture at exactly the size asked,
    exit 0, and leave no settings folder in the temporary directory."""
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    from .conftest import ROOT

    out, scratch = tmp_path / "shot.png", tmp_path / "tmp"
    scratch.mkdir()
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), str(FIXTURES / "tiny-gpt2"),
                        "--tab", "generate", "--steps", "3", "--size", "1024x640"], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(scratch)})
    assert r.returncode == 0, r.stderr[-2000:]
    assert out.stat().st_size > 10_000 and "Traceback" not in r.stderr
    assert QImage(str(out)).size() == QtCore.QSize(1024, 640)
    assert list(scratch.glob("inspector-shot-*")) == []


def test_counts_come_first_and_statistics_stream_in(qtbot, window, monkeypatch):
    """The Overview has the exact count while no value has been read; rows fill layer by layer; then histograms."""
    import threading

    from inspector.app import workers

    release = threading.Event()
    real = workers.compute_statistics

    def held(census, *a, **kw):
        assert release.wait(30)
        return real(census, *a, **kw)

    monkeypatch.setattr(workers, "compute_statistics", held)
    ref = reference("tiny-llama")
    with qtbot.waitSignal(window.counts_shown, timeout=60000) as counted:
        window.open_model(str(FIXTURES / "tiny-llama"))
    census = counted.args[0]
    assert not census.statistics_done and census.parameters == ref["parameters"]
    assert f"{ref['parameters']:,}" in window.overview.totals_box.text()
    tree, mean = window.layers.tree, COLUMNS.index("mean")
    assert tree.topLevelItemCount() == len(census.layers) and tree.topLevelItem(1).text(mean) == "–"
    assert not window.export_action.isEnabled() and window.layers.plotted == {}
    updated = []
    real_update = window.layers.update_layer
    monkeypatch.setattr(window.layers, "update_layer", lambda layer: (updated.append(layer.name), real_update(layer)))
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        release.set()
    assert updated[: len(census.layers)] == [layer.name for layer in census.layers]  # as each layer finished
    assert tree.topLevelItem(1).text(mean) != "–" and window.export_action.isEnabled()
    assert window.layers.plotted  # the selection's histogram, on the shared edges
