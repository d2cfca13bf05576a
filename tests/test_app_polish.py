"""What a person sees: the rough edges a new user found, each held by a test (issue 17)."""

from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from inspector.app.axes import CountAxis, WholeAxis, sparse_ticks, zero_based  # noqa: E402
from inspector.app.qt_compat import QtCore, QtWidgets  # noqa: E402
from inspector.app.main_window import MainWindow  # noqa: E402
from inspector.errors import describe_error  # noqa: E402

from inspector.app.layers_view import COLUMNS  # noqa: E402

from .conftest import FIXTURES, SAMPLE, open_and_wait  # noqa: E402


def run_to_end(qtbot, gen, tokens=4):
    gen.panel.max_tokens.setValue(tokens)
    with qtbot.waitSignal(gen.session.run.finished, timeout=60000):
        gen.panel.run_btn.click()
    qtbot.waitUntil(lambda: not gen.session.run.running, timeout=10000)


def test_step_after_a_finished_run_says_it_starts_a_new_one(qtbot, window):
    open_and_wait(qtbot, window, SAMPLE)
    gen = window.generate
    assert gen.panel.step_btn.text() == "Step"
    run_to_end(qtbot, gen)
    assert gen.panel.step_btn.text() == "Step (new run)" and gen.panel.run_btn.text() == "Run (new run)"
    assert "starts again from the prompt" in gen.panel.step_btn.toolTip()
    gen.panel.step_btn.click()
    qtbot.waitUntil(lambda: len(gen.session.run.steps) == 1 and not gen.session.run.running, timeout=30000)
    assert gen.panel.step_btn.text() == "Step"  # a run in progress again


def test_a_new_model_clears_the_generate_view(qtbot, window):
    window.show_tab("generate")
    open_and_wait(qtbot, window, SAMPLE)
    gen = window.generate
    run_to_end(qtbot, gen)
    gen.redraw()
    assert gen.output.toPlainText() and gen.candidates.table.rowCount()
    with qtbot.waitSignal(window.counts_shown, timeout=60000):
        window.open_model(str(FIXTURES / "tiny-llama"))
    assert gen.session.run.steps == [] and gen.output.toPlainText() == "" and gen.candidates.table.rowCount() == 0
    assert gen.panel.status.text() == "" and gen.session.run.path.endswith("model.onnx") and "tiny-llama" in gen.session.run.path


def test_live_plots_have_sane_ranges_and_whole_token_ticks(qtbot, window):
    plots = window.generate.plots
    x_range = plots.lat_plot.viewRange()[0]
    assert x_range == pytest.approx([0, 16]) and plots.rss_plot.viewRange()[1][0] == 0  # empty: no −0.4…0.4
    one = {"x": np.array([1.0]), "latency_ms": np.array([12.345678901234]), "tokens_per_s": np.array([np.nan]),
           "rss_mb": np.array([512.0]), "gpu_mb": np.array([np.nan])}
    plots.draw(one)
    low, high = plots.rss_plot.viewRange()[1]
    assert low == 0 and high >= 512  # memory from zero: a flat line is flat
    assert plots.lat_plot.viewRange()[1][0] == 0
    plots.clear_run()
    assert plots.lat_plot.viewRange()[0] == pytest.approx([0, 16])  # no stale range after Reset
    axis = plots.rss_plot.getAxis("bottom")
    assert isinstance(axis, WholeAxis) and axis.labelText == "token"
    ticks = [v for _spacing, values in axis.tickValues(0.2, 3.7, 400) for v in values]
    assert ticks and all(float(v).is_integer() for v in ticks)
    assert zero_based([100.0, 100.05], floor=64) == (0.0, pytest.approx(115.0575))


def test_tab_leaves_the_prompt(window):
    assert window.generate.panel.prompt.tabChangesFocus()


def test_graph_search_counts_details_and_no_match(qtbot, window):
    open_and_wait(qtbot, window, SAMPLE)
    g = window.graph
    total = len(g.rows)
    assert g.count.text() == f"{total:,} nodes"
    g.search.setText("MatMul")
    shown = g.apply_filter()
    assert g.count.text() == f"{shown:,} of {total:,} nodes"
    first = g.listing.index(0, 1)
    layer, kept = g.listing.shown[0]
    assert g.listing.data(first) == f"{len(kept):,} of {g.listing.totals[layer]:,} node" + (
        "" if g.listing.totals[layer] == 1 else "s")
    g.tree.setCurrentIndex(g.listing.index(0, 0, g.listing.index(0, 0)))
    assert "MatMul" in g.detail.toPlainText()
    g.search.setText("no-such-node-anywhere")
    assert g.apply_filter() == 0 and not g.empty.isHidden() and "no-such-node-anywhere" in g.empty.text()
    assert g.listing.rowCount() == 0


def test_layers_tensor_selection_names_and_axes(qtbot, window):
    """At 1280×720 the visible columns fit without a sideways scroll bar unless the names are already at their floor
    (whatever the fonts: the numbers get their content's width, the names what is left); names elide at their start,
    so no two tensors of a block read alike."""
    from inspector.app.columns import PREFIX_ROLE, NameElide, elide_names

    window.resize(1280, 720)
    window.show_tab("layers")
    census = open_and_wait(qtbot, window, SAMPLE)
    lv = window.layers
    qtbot.waitUntil(lambda: lv.split.laid_out)
    tree, fm = lv.tree, lv.tree.fontMetrics()
    assert isinstance(tree.itemDelegateForColumn(0), NameElide)
    for name in ("mean", "std", "abs max", "zeros", "parameters"):
        col = COLUMNS.index(name)
        assert tree.columnWidth(col) > fm.horizontalAdvance(tree.topLevelItem(0).text(col))  # a number is never cut
    lv.select("block 0", census.layer("block 0").tensors[0].name)
    assert not lv.kind.isEnabled()  # a tensor is one kind: the choice would not apply
    lv.select("block 0")
    assert lv.kind.isEnabled()
    assert not lv.hist.getAxis("bottom").autoSIPrefix and lv.colour_bar is not None
    width = lv.split.sizes()
    lv.select("block 3")
    assert lv.split.sizes() == width  # the splitter stays where it was
    visible = sum(tree.columnWidth(c) for c in range(tree.columnCount()) if not tree.isColumnHidden(c))
    assert visible <= tree.viewport().width() or tree.columnWidth(0) <= lv.columns.floor()
    block = lv._rows["block 0"]
    prefix = block.child(0).data(0, PREFIX_ROLE)
    assert prefix == len("transformer.h.0.")  # what every tensor of the block shares goes first
    for room in (tree.columnWidth(0) - 2 * tree.indentation(), lv.columns.floor()):
        shown = elide_names([block.child(j).text(0) for j in range(block.childCount())], prefix, fm, room)
        assert len(set(shown)) == len(shown), shown  # two tensors never read alike, even at the narrowest
    lv.show_column("bytes", True)
    assert not tree.isColumnHidden(COLUMNS.index("bytes"))


def test_statistics_table_folds_to_the_pane(qtbot, window):
    """A narrow pane folds the statistics into more, narrower bands (the tree keeps the room for its columns); a
    wide one goes back to two bands; every statistic is there either way."""
    window.show_tab("layers")
    open_and_wait(qtbot, window, SAMPLE)
    lv = window.layers
    qtbot.waitUntil(lambda: lv.split.laid_out)
    lv.select("block 0")
    bands = lambda: lv.stats_label.text().count("<tr><th>")  # noqa: E731
    total = sum(lv.split.sizes())
    lv.split.setSizes([total - lv.right.minimumWidth(), lv.right.minimumWidth()])
    qtbot.waitUntil(lambda: bands() == 4)
    assert lv.right.minimumWidth() < lv._band_widths[5]
    lv.split.setSizes([total - lv._band_widths[5] - 20, lv._band_widths[5] + 20])
    qtbot.waitUntil(lambda: bands() == 2)
    for word in ("count", "std", "zeros", "L2"):
        assert word in lv.stats_label.text()


def test_layer_without_biases_says_so(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    lv = window.layers
    lv.kind.setCurrentIndex(lv.kind.findData("biases"))
    lv.select("block 0")
    assert "has no biases" in lv.stats_label.text()
    assert window.overview.no_biases.scene() is not None  # the overview says "no biases", not an empty chart


def test_candidates_show_whitespace_and_keep_their_width(qtbot, window):
    table = window.generate.candidates
    step = SimpleNamespace(index=0, text=" ", prob=0.5, entropy=1.0)
    table.show_step(step, [(" ", 0.5, 1, True), ("a" * 200, 0.3, 2, False), ("\n", 0.2, 3, False)])
    assert table.table.item(0, 0).text() == "␣" and table.table.item(2, 0).text() == "↵"
    assert "chose ' '" in table.title.text()
    width = table.table.columnWidth(0)
    table.show_step(step, [("b" * 400, 1.0, 4, True)])
    assert table.table.columnWidth(0) == width


def test_overview_axes_and_formula_read_plainly(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    text = window.overview.scale_box.text()
    assert "(1|2)" not in text and "formula" in text
    assert CountAxis("left").tickStrings([6e7, 1.5e9], 1, 1) == ["60M", "1.5B"]
    assert [i for i, _ in sparse_ticks([str(i) for i in range(22)], 8)] == [0, 3, 6, 9, 12, 15, 18, 21]


def test_loading_names_the_file_and_cancel_says_so(qtbot, window):
    open_and_wait(qtbot, window, SAMPLE)
    window.open_model(str(FIXTURES / "tiny-llama"))
    assert "opening tiny-llama" in window.windowTitle()
    window.cancel_load()
    assert window.windowTitle().endswith("fortune-gpt/model.onnx")
    assert "was cancelled; still showing model.onnx" in window.statusBar().currentMessage()


def test_recent_lists_a_model_once(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2" / "model.onnx")
    recent = window.recent_files()
    assert len([p for p in recent if "tiny-gpt2" in p]) == 1 and recent[0].endswith("model.onnx")
    assert window._start_dir(folder=True).endswith("tiny-gpt2")  # Open Export Folder starts in the last folder


def test_help_has_a_guide_and_the_shortcuts(window):
    help_menu = window.menuBar().actions()[-1].menu()
    names = [a.text() for a in help_menu.actions() if a.text()]
    assert names == ["Quick &Guide", "&Keyboard Shortcuts", "&About GPT Inspector"]
    assert window.generate.panel.temperature.toolTip() and window.generate.panel.top_p.toolTip()


def test_settings_are_kept_between_sessions(qtbot, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.resize(1280, 720)
    qtbot.waitUntil(lambda: w.size() == QtCore.QSize(1280, 720))
    w.generate.panel.prompt.setPlainText("Once upon a time")
    w.generate.panel.greedy.setChecked(False)
    w.generate.panel.temperature.setValue(1.35)
    w.generate.panel.top_k.setValue(40)
    w.layers.show_column("bytes", True)
    w.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.show()
    assert again.generate.panel.prompt.toPlainText() == "Once upon a time"
    assert not again.generate.panel.greedy.isChecked() and again.generate.panel.temperature.value() == pytest.approx(1.35)
    assert again.generate.panel.top_k.value() == 40 and again.height() == 720  # (offscreen clamps the width)
    assert "bytes" not in again.layers.hidden_columns
    settings.setValue("generate/temperature", "not a number")  # a hand-edited file breaks nothing
    third = MainWindow(settings)
    qtbot.addWidget(third)
    assert third.generate.panel.temperature.value() == pytest.approx(1.35) or third.generate.panel.temperature.value() > 0


def test_error_messages_carry_no_python_class_names():
    message, details = describe_error(KeyError("weights"))
    assert "KeyError" not in message and "KeyError" in details
    message, _ = describe_error(ValueError())
    assert "ValueError" not in message


def test_memory_is_given_back_after_a_model_is_closed(qtbot, window):
    """A run's peak is measured from its start, and the old model's memory is released (glibc trims its heap)."""
    from inspector.engine.metrics import release_memory

    open_and_wait(qtbot, window, SAMPLE)
    run_to_end(qtbot, window.generate)
    m = window.session.run.result.metrics.summary()
    assert m["rss_at_start_mb"] and m["peak_rss_mb"] >= m["rss_at_start_mb"]
    release_memory()  # safe to call at any time, on any platform
    QtWidgets.QApplication.processEvents()
