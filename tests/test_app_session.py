"""The session under the views: nothing a person did is lost when the window or a view is rebuilt, settings are
kept (or plainly refused), a run can branch from a candidate, the window comes back within the screen (issue 21)."""

import json

import pytest

pytest.importorskip("pytestqt")

from inspector.app.main_window import MainWindow, fit_rect  # noqa: E402
from inspector.app.qt_compat import QtCore, QtWidgets  # noqa: E402
from inspector.app.session import PAUSED  # noqa: E402
from inspector.engine.serialize import result_dict  # noqa: E402

from .conftest import FIXTURES, SAMPLE, open_and_wait  # noqa: E402


def run_steps(qtbot, gen, n):
    for _ in range(n):
        want = len(gen.session.run.steps) + 1
        gen.panel.step_btn.click()
        qtbot.waitUntil(lambda: len(gen.session.run.steps) == want and not gen.session.run.running, timeout=60000)
    gen.redraw()


def test_a_language_switch_keeps_the_run_the_inside_the_comparison_and_every_view(qtbot, qapp, settings):
    from inspector.app import i18n

    window = MainWindow(settings)  # replaced by the switch: closed by it, not by qtbot
    window.show()
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen, session = window.generate, window.session
    gen.panel.prompt.setPlainText("If you want")
    gen.panel.inside.setChecked(True)
    gen.panel.candidates_n.setValue(5)
    run_steps(qtbot, gen, 3)
    session.run.select(1)
    window.compare.tokens.setValue(2)
    with qtbot.waitSignal(session.comparison.finished, timeout=120000):
        window.compare_with(str(FIXTURES / "tiny-gpt2"))
    tensor = window.census.layer("block 1").tensors[2].name
    window.layers.select("block 1", tensor)
    window.layers.log_y.setChecked(True)
    window.show_tab("inside")
    inside = window.inside
    qtbot.waitUntil(lambda: inside.layer.count() == 2)
    inside.layer.setCurrentIndex(0)
    inside.head.setCurrentIndex(3)
    window.graph.search.setText("MatMul")
    steps, text = list(session.run.steps), gen.output.toPlainText()
    try:
        new = window.set_language("zh_CN")
        qtbot.waitUntil(lambda: not new.stager.busy, timeout=30000)  # every view filled, then shown as it was
        assert new.session is session and new.tabs.tabText(4) == "内部" and new.current_tab() == "inside"
        new.generate.redraw()  # (a hidden tab draws when shown)
        assert session.run.steps == steps and new.generate.output.toPlainText() == text  # the run, as it was
        assert new.generate.panel.prompt.toPlainText() == "If you want" and new.generate.panel.inside.isChecked()
        assert new.generate.panel.candidates_n.value() == 5
        new_inside = new.inside
        qtbot.waitUntil(lambda: new_inside.lens.rowCount() == 2)  # the inside data of the step on show
        assert new_inside.step.value() == 2 and new_inside.layer.currentData() == 0 and new_inside.head.currentData() == 2
        assert new.compare.pages.currentIndex() == 1 and new.compare.result is session.comparison.result
        assert new.compare.layers.rowCount() == len(session.comparison.result.weights.layers)  # the comparison
        assert new.layers.selected().name == tensor and new.layers.log_y.isChecked()  # the Layers selection
        assert new.graph.search.text() == "MatMul"
        run_steps(qtbot, new.generate, 1)  # the same run goes on in the new window
        assert len(session.run.steps) == 4 and session.run.steps[:3] == steps
        back = new.set_language("en")
        back.close()
    finally:
        i18n.install(qapp, "en")


def test_a_view_rebuilt_alone_shows_what_it_showed(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    window.layers.select("block 1", "transformer.h.1.mlp.c_fc.weight")
    old = window.layers
    new = window.rebuild_view("layers")
    assert new is not old and window.layers is new and window.tabs.widget(1) is new
    qtbot.waitUntil(lambda: not window.stager.busy, timeout=30000)
    assert new.selected().name == "transformer.h.1.mlp.c_fc.weight" and new.plotted


def test_a_splitter_never_laid_out_is_not_saved(qtbot, settings):
    """Launch, quit without opening Generate, launch, Ctrl+4: the settings panel is whole (it came back ~65 px
    wide when a splitter that was never laid out was saved)."""
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(lambda: first.overview.split.laid_out)
    assert not first.generate.split.laid_out
    first.close()
    assert settings.contains("overview/splitter") and not settings.contains("generate/splitter")
    settings.setValue("generate/splitter", _crushed_state(qtbot))  # an older file's crushed state is not applied
    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    second.show_tab("generate")
    qtbot.waitUntil(lambda: second.generate.split.laid_out)
    assert second.generate.split.sizes()[0] >= second.generate.panel.minimumSizeHint().width() > 100
    second.close()


def _crushed_state(qtbot) -> QtCore.QByteArray:
    split = QtWidgets.QSplitter()
    for _ in range(3):
        split.addWidget(QtWidgets.QWidget())
    split.setSizes([12, 1200, 300])
    return split.saveState()


def test_a_paused_run_continues_with_the_settings_changed_meanwhile(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen, run = window.generate, window.session.run
    gen.panel.stop_at_eos.setChecked(False)
    gen.panel.max_tokens.setValue(50)
    run_steps(qtbot, gen, 3)
    assert run.state == PAUSED and gen.panel.max_tokens.minimum() == 4  # a limit it has passed is not offered
    assert not gen.panel.provider.isEnabled() and gen.panel.prompt.isReadOnly()
    gen.panel.max_tokens.setValue(6)
    gen.panel.candidates_n.setValue(3)
    gen.panel.greedy.setChecked(False)
    gen.panel.temperature.setValue(1.5)
    with qtbot.waitSignal(run.finished, timeout=60000):
        gen.panel.run_btn.click()
    result = run.result
    assert len(result.new_ids) == 6 and result.finish == "length"  # the new limit, not 50
    assert [len(s.top) for s in result.steps] == [8, 8, 8, 3, 3, 3]  # the new number of candidates from step 4
    assert len(result.changes) == 1 and result.changes[0][0] == 3
    changed = result.changes[0][1]
    assert not changed.sampling.greedy and changed.sampling.temperature == pytest.approx(1.5)
    d = result_dict(result)
    assert d["settings"]["greedy"] and d["settings_changes"][0]["step"] == 3
    assert not d["settings_changes"][0]["greedy"] and d["settings_changes"][0]["max_new_tokens"] == 6
    assert "settings changed from step 4" in gen.panel.status.text()


def test_a_candidate_continues_the_run_from_its_step(qtbot, window):
    window.show_tab("generate")
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen, run = window.generate, window.session.run
    gen.panel.stop_at_eos.setChecked(False)
    gen.panel.max_tokens.setValue(6)
    with qtbot.waitSignal(run.finished, timeout=60000):
        gen.panel.run_btn.click()
    before = [s.id for s in run.steps]
    run.select(2)
    table = gen.candidates
    assert table.step_index == 2 and not table.branch_btn.isEnabled()  # nothing picked yet
    table.table.selectRow(1)
    other = table.table.item(1, 0).data(QtCore.Qt.UserRole + 1)
    assert other != before[2] and table.branch_btn.isEnabled()
    with qtbot.waitSignal(run.finished, timeout=60000):
        table.branch_btn.click()
    steps = run.steps
    assert [s.id for s in steps[:2]] == before[:2] and steps[2].id == other and steps[2].forced
    assert steps[2].sampled_id == before[2] and len(steps) == 6 and not any(s.forced for s in steps[3:])
    gen.redraw()
    assert "tok:2" in gen.output.toHtml() and gen.output.toPlainText().count(gen.session.run.token_text(other).strip())
    d = result_dict(run.result)
    assert [s["forced"] for s in d["steps"]] == [False, False, True, False, False, False]
    assert d["steps"][2]["sampled_id"] == before[2] and d["new_ids"][2] == other
    assert "your choice" in table.title.text() or run.selected != 2


def test_double_clicking_a_variant_opens_its_comparison_and_back(qtbot, window):
    from inspector.app.session import CompareTask
    from inspector.compare.variants import VariantRow

    open_and_wait(qtbot, window, SAMPLE)
    view, c = window.compare, window.session.comparison
    view.tokens.setValue(2)
    # the table as compare_variants makes it (test_app_compare runs that): what matters here is its rows' use
    rows = [VariantRow(file=f, dtype=d, bytes=1, bits_per_parameter=b, stored_as="", kl_mean=0.0, kl_p99=0.0,
                       top1_agreement=1.0, first_divergence=None, tokens_per_s=1.0, reference=f == "model.onnx")
            for f, d, b in (("model.onnx", "fp32", 32), ("model_quantized.onnx", "int8", 8.15))]
    c.variants, c.variants_task = rows, CompareTask("variants", str(SAMPLE))
    c.back_to_variants()
    assert view.pages.currentIndex() == 2 and window.current_tab() == "compare"
    shown = {view.variants.item(r, 0).text(): r for r in range(view.variants.rowCount())}
    view.variants.cellDoubleClicked.emit(shown[view.variants.item(0, 0).text()], 0)  # the reference: nothing to do
    assert not c.busy
    with qtbot.waitSignal(c.finished, timeout=120000):
        view.variants.cellDoubleClicked.emit(shown["model_quantized.onnx"], 0)
    assert view.pages.currentIndex() == 1 and c.result.b.name.endswith("model_quantized.onnx")
    assert c.result.a.name.endswith("model.onnx") and view.back_btn.isVisibleTo(view)
    c.back_to_variants()
    assert view.pages.currentIndex() == 2 and view.variants.rowCount() == 2 and not view.back_btn.isVisibleTo(view)


def test_the_window_comes_back_within_the_screen(qtbot, settings):
    screen = QtWidgets.QApplication.primaryScreen().availableGeometry()
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    first.setGeometry(screen.right() - 300, screen.bottom() - 200, 1280, 720)  # mostly off the screen
    first.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.wait(400)  # the fit after the window manager's frame
    assert screen.contains(again.frameGeometry()) and again.size() == QtCore.QSize(1280, 720)
    again.close()
    # a size saved on a larger screen comes back at most the screen's size, never below the window's minimum
    big = fit_rect(QtCore.QRect(-50, -50, 4000, 3000), screen, QtCore.QSize(1000, 600))
    assert screen.contains(big) and big.size() == screen.size()
    assert fit_rect(QtCore.QRect(0, 0, 500, 300), QtCore.QRect(0, 0, 800, 600), QtCore.QSize(1000, 600)).width() == 1000


def test_main_keeps_the_restored_size_unless_one_is_asked(qtbot, settings):
    from inspector.app.main import make_window, parse_args

    settings.setValue("window/tab", "graph")
    w = make_window(MainWindow, settings, parse_args([]))
    qtbot.addWidget(w)
    w.resize(1100, 650)
    w.close()
    again = make_window(MainWindow, settings, parse_args([]))
    qtbot.addWidget(again)
    assert again.size() == QtCore.QSize(1100, 650) and again.current_tab() == "graph"
    sized = make_window(MainWindow, settings, parse_args(["--size", "1024x640", "--tab", "inside"]))
    qtbot.addWidget(sized)
    assert sized.size() == QtCore.QSize(1024, 640) and sized.keep_size and sized.current_tab() == "inside"


def test_every_tab_fits_and_renders_at_both_sizes(qtbot, window):
    """The window's minimum is at most 1024×640 with a model, a run that read the inside and a comparison on show,
    and every tab renders at exactly the size asked."""
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    window.generate.panel.inside.setChecked(True)
    run_steps(qtbot, window.generate, 2)
    with qtbot.waitSignal(window.session.comparison.finished, timeout=120000):
        window.compare_with(str(FIXTURES / "tiny-gpt2"))
    window.keep_size = True
    for w, h in ((1280, 720), (1024, 640)):
        window.resize(w, h)
        for key in window.views:
            window.show_tab(key)
            qtbot.wait(20)
            hint = window.minimumSizeHint()
            assert hint.width() <= 1024 and hint.height() <= 640, (key, hint)
            assert window.grab().size() == QtCore.QSize(w, h), key
        window.show_tab("layers")
        for page, plot in ((1, window.layers.compare), (0, window.layers.hist)):
            window.layers.right.setCurrentIndex(page)
            qtbot.wait(20)  # the heat map's title, colour bar and axes all inside the pane, none cut off
            assert plot.getPlotItem().geometry().width() <= plot.viewport().width() + 1


def test_every_setting_is_kept(qtbot, settings, tmp_path):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    open_and_wait(qtbot, w, FIXTURES / "tiny-gpt2")
    w.generate.panel.inside.setChecked(True)
    w.generate.panel.top_p.setValue(0.8)
    w.compare.prompt.setText("Love is")
    w.compare.tokens.setValue(7)
    dialog = w.export_report()
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    dialog.path.setText(str(tmp_path / "kept.json"))
    dialog.export_btn.click()
    dialog.cancel()  # the choices are kept once Export is pressed, written or not
    w.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert again.generate.panel.inside.isChecked() and again.generate.panel.top_p.value() == pytest.approx(0.8)
    assert again.compare.prompt.text() == "Love is" and again.compare.tokens.value() == 7
    open_and_wait(qtbot, again, FIXTURES / "tiny-gpt2")
    dialog = again.export_report()
    assert dialog.format.currentData() == "json" and dialog.path.text().startswith(str(tmp_path))
    assert dialog.path.text().endswith(".json")
    dialog.reject()


def test_the_menus_say_what_they_do(window, monkeypatch):
    from inspector.app import dialogs

    file_menu = window.menuBar().actions()[0].menu()
    keys = [a.text().split("&")[1][0].lower() for a in file_menu.actions() if "&" in a.text()]
    assert len(keys) == len(set(keys)), keys  # one mnemonic each (Open Variant and Compare All Variants shared V)
    monkeypatch.setattr(QtCore.QLocale, "system", staticmethod(lambda: QtCore.QLocale.c()))
    assert window._system_language() == "System default"
    monkeypatch.setattr(QtCore.QLocale, "system", staticmethod(lambda: QtCore.QLocale("de_DE")))
    assert window._system_language() == "System (Deutsch)"
    shown = {}
    monkeypatch.setattr(QtWidgets.QMessageBox, "about", lambda _p, _t, text: shown.setdefault("text", text))
    dialogs.about(window)
    for topic in ("census", "histograms", "graph", "generation", "branches", "attention", "logit lens", "compar",
                  "reports"):
        assert topic in shown["text"], topic


def test_the_chip_strip_follows_the_step_on_show(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen = window.generate
    gen.panel.prompt.setPlainText(" ".join(["the quick brown fox jumps over the lazy dog"] * 5))
    gen.panel.inside.setChecked(True)
    run_steps(qtbot, gen, 1)
    window.resize(1024, 640)
    window.show_tab("inside")
    inside = window.inside
    qtbot.waitUntil(lambda: inside.context.last_rect() is not None)
    inside.right.setSizes([110, 300, 150])  # a context pane too short for all the chips
    run_steps(qtbot, gen, 1)  # the next step on show: the strip follows it
    bar = inside.context_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() > 0)  # scrolled down to the choosing position
    viewport = inside.context_scroll.viewport()
    last = inside.context.last_rect()
    corner = inside.context.mapTo(viewport, last.bottomRight().toPoint())
    assert viewport.rect().contains(corner)


def test_a_status_line_shortens_with_an_ellipsis_not_inside_a_word(qtbot):
    from inspector.app.elided_label import ElidedLabel

    label = ElidedLabel()
    qtbot.addWidget(label)
    label.resize(120, 20)
    text = "fortune-zh-gpt/model.onnx: 统计：block 3 的权重和偏置，正在读取计算图 " * 3
    label.set_full_text(text)
    assert label.full_text() == text and label.text().endswith("…") and label.toolTip() == text
    assert text.startswith(label.text()[:-1])


def test_report_steps_are_numbered_as_people_read_them(qtbot, window):
    """The step on show is step N+1 everywhere a person reads it: Generate's candidates, the Inside tab, the
    report dialog."""
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen = window.generate
    gen.panel.inside.setChecked(True)
    run_steps(qtbot, gen, 3)
    window.session.run.select(0)
    gen.redraw()
    window.show_tab("inside")
    qtbot.waitUntil(lambda: window.inside.step.value() == 1)
    assert "step 1:" in gen.candidates.title.text()
    dialog = window.export_report()
    assert "step 1" in dialog.include_run.text()
    dialog.reject()
    assert json.dumps(result_dict(window.session.run.result))  # the JSON keeps its plain list order
