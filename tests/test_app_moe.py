"""A mixture of experts in the app (issue 22's views): the Overview's total and used-per-token line with the lost
experts named, the experts per token in Generate and their load over the run, the experts of the step on show in
Inside, the diagram's MoE box; none of it for a dense model."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from inspector.app.qt_compat import QtCore  # noqa: E402
from inspector.model import load_model, take_census  # noqa: E402
from inspector.model.diagram import model_diagram  # noqa: E402
from inspector.model.moe import moe_of  # noqa: E402

from .conftest import FIXTURES  # noqa: E402

LOST = FIXTURES / "tiny-deepseek-v3-lost"
STEPS = 8


@pytest.fixture(scope="module")
def moe_window(qapp, tmp_path_factory):
    """The lost-experts DeepSeek-V3 fixture open, and a run of STEPS tokens that read the inside."""
    from inspector.app.main_window import MainWindow

    settings = QtCore.QSettings(str(tmp_path_factory.mktemp("moe") / "settings.ini"), QtCore.QSettings.IniFormat)
    w = MainWindow(settings)
    w.resize(1280, 720)
    w.show()
    wait(lambda: True)
    loaded = []
    w.model_loaded.connect(lambda *_: loaded.append(1))
    w.open_model(str(LOST))
    wait(lambda: loaded and not w.stager.busy)
    run = w.session.run
    run.update_settings(inside=True, max_tokens=STEPS, greedy=True)
    run.go(0)
    wait(lambda: run.result is not None and not run.running and len(run.steps) == STEPS)
    run.flush()
    yield w
    w.close()


def wait(condition, timeout_ms: int = 90000) -> None:
    timer = QtCore.QElapsedTimer()
    timer.start()
    while not condition():
        QtCore.QCoreApplication.processEvents(QtCore.QEventLoop.AllEvents, 50)
        if timer.elapsed() > timeout_ms:
            raise TimeoutError("the app did not get there in time")


def show(window, key: str) -> None:
    window.show_tab(key)
    wait(lambda: window.views[key].isVisible())
    QtCore.QCoreApplication.processEvents()


def test_the_overview_says_total_and_used_per_token_and_names_the_lost_experts(moe_window):
    show(moe_window, "overview")
    moe = moe_window.overview.moe
    assert moe.isVisible()
    census = moe_window.census
    m = moe_of(census)
    assert moe.line.text().startswith(f"{census.parameters:,} parameters, {m.active_parameters:,} used per token")
    assert "embeddings, head, attention, routers and shared experts count whole" in moe.what.text()
    warning = moe.warnings.text()
    assert moe.warnings.isVisible()
    for layer in m.layers:
        assert f"block {layer.block} holds {layer.experts} of the 8" in warning
        assert ", ".join(map(str, layer.missing)) in warning
    assert "not the trained model" in warning
    scale = moe_window.overview.scale_box.text()
    assert "DeepSeek-V3: 671B (37.6B active)" in scale and "gpt-oss-120b: 117B (5.71B active)" in scale


def test_generate_draws_each_tokens_experts_and_their_load(qtbot, moe_window):
    show(moe_window, "generate")
    gen, run = moe_window.generate, moe_window.session.run
    assert gen.routing.isVisible() and gen.load.isVisible()
    canvas = gen.routing.canvas
    steps = canvas.routing.steps
    assert len(steps) == STEPS and all(len(s.experts) == 2 for s in steps)  # two MoE blocks: 1 and 2
    assert canvas.routing.blocks == [1, 2]
    missing = {layer.block: set(layer.missing) for layer in moe_of(moe_window.census).layers}
    assert canvas.routing.missing == missing
    for i, s in enumerate(steps):
        tip = canvas.tooltip_at(canvas.column_rect(i).center().x())
        assert tip.startswith(f"step {i + 1}:")
        for block, pairs in zip((1, 2), s.experts):
            assert f"block {block}: " + ", ".join(f"expert {e} ({w:.3f})" for e, w in pairs) in tip
        lost = [e for block, pairs in zip((1, 2), s.experts) for e, _w in pairs if e in missing[block]]
        assert ("not in this file" in tip) == bool(lost)
    # the load: the core's count over the finished run, and the never-chosen experts named
    expected = run.result.expert_load()
    assert np.array_equal(gen.load.counts, expected) and expected.sum() == STEPS * 2 * 2
    answer = gen.load.answer.text()
    for row, block in enumerate((1, 2)):
        idle = [e for e in range(8) if expected[row, e] == 0 and e not in missing[block]]
        assert (f"block {block}: {', '.join(map(str, idle))}" in answer) == bool(idle)
    lost_cell = next(iter(missing[1]))
    gutter, cw, ch, top = gen.load.map._geometry()
    tip = gen.load.map.tooltip_at(QtCore.QPointF(gutter + (lost_cell + 0.5) * cw, top + 0.5 * ch))
    assert tip == f"block 1, expert {lost_cell}: not in this file (the export lost it)"
    # a click on a token's column shows that step
    qtbot.mouseClick(canvas, QtCore.Qt.LeftButton, pos=canvas.column_rect(2).center().toPoint())
    assert run.selected == 2
    run.select(None)


def test_inside_shows_the_experts_of_the_step_on_show(moe_window):
    run = moe_window.session.run
    show(moe_window, "inside")
    inside = moe_window.inside
    for index in (0, STEPS - 1):
        run.select(index)
        run.flush()
        QtCore.QCoreApplication.processEvents()
        assert inside.experts.isVisible()
        s = run.steps[index]
        assert inside.experts.rows == list(zip((1, 2), s.experts))
        text = inside.experts.label.text()
        for block, pairs in zip((1, 2), s.experts):
            assert f"block {block}" in text and all(f"&nbsp;{w:.2f}" in text for _e, w in pairs)
        lost = any(e in moe_window.generate.routing.canvas.routing.missing[b] for b, pairs in zip((1, 2), s.experts)
                   for e, _w in pairs)
        assert ("(not in this file)" in text) == lost
    run.select(None)


def test_the_window_keeps_its_size_with_the_moe_panes(moe_window):
    for w, h in ((1280, 720), (1024, 640)):
        moe_window.resize(w, h)
        for key in ("overview", "generate", "inside"):
            show(moe_window, key)
            assert (moe_window.width(), moe_window.height()) == (w, h)
            assert moe_window.grab().deviceIndependentSize().toSize() == QtCore.QSize(w, h)


@pytest.mark.parametrize("name", ["tiny-gpt-oss", "tiny-qwen3-moe", "tiny-deepseek-v3", "tiny-deepseek-v3-lost",
                                  "genai-gpt-oss"])
def test_the_diagram_draws_the_mixture_and_its_boxes_add_up(name):
    census = take_census(load_model(FIXTURES / name))
    moe = moe_of(census)
    for layer in moe.layers:
        d = model_diagram(census, layer.block)
        block = d.find("block")
        assert sum(b.parameters for b in block.children) == block.parameters
        mixture = d.find("block.mlp")
        assert str(mixture.label) == "mixture of experts"
        assert sum(b.parameters for b in mixture.children) == mixture.parameters
        assert d.find("block.mlp.router").parameters == layer.router
        assert d.find("block.mlp.experts").parameters == layer.routed
        shared = d.find("block.mlp.shared")
        assert (shared.parameters if shared else 0) == layer.shared
        detail = d.find("block.mlp.experts").detail
        assert (detail is not None and ", ".join(map(str, layer.missing)) in str(detail)) == bool(layer.missing)
        attention = d.find("block.attn")
        drawn = sum(b.parameters for b in attention.children)
        assert drawn == attention.parameters


def test_the_load_counts_only_new_steps_and_recounts_a_cut_run(moe_window):
    from dataclasses import replace

    from inspector.app.expert_load import ExpertLoad

    steps, run = list(moe_window.session.run.steps), moe_window.session.run
    load, blocks, missing = ExpertLoad(), [1, 2], {1: {1, 3, 6, 7}}
    load.show_run(steps[:3], blocks, 8, missing)
    assert load.counts.sum() == 3 * 2 * 2
    load.show_run(steps, blocks, 8, missing)  # grown: the same objects, five more
    assert np.array_equal(load.counts, run.result.expert_load())
    cut = steps[:4] + [replace(steps[4], experts=[[(0, 1.0), (1, 0.5)], [(0, 1.0), (1, 0.5)]])]
    load.show_run(cut, blocks, 8, missing)  # a branch: step 5 is another step now
    expected = np.zeros((2, 8), np.int64)
    for s in cut:
        for row, pairs in enumerate(s.experts):
            for e, _w in pairs:
                expected[row, e] += 1
    assert np.array_equal(load.counts, expected)
    assert load.answer.text().startswith("Never chosen in 5 steps") or "Every expert" in load.answer.text()


def test_a_dense_model_shows_none_of_it(moe_window):  # last: it opens another model in the module's window
    w = moe_window
    loaded = []
    w.model_loaded.connect(lambda *_: loaded.append(1))
    w.open_model(str(FIXTURES / "tiny-gpt2"))
    wait(lambda: loaded and not w.stager.busy)
    run = w.session.run
    run.update_settings(max_tokens=2)
    run.go(0)
    wait(lambda: run.result is not None and not run.running and len(run.steps) == 2)
    run.flush()
    for key, panes in (("overview", ("moe",)), ("generate", ("routing", "load")), ("inside", ("experts",))):
        show(w, key)
        for pane in panes:
            assert not getattr(w.views[key], pane).isVisibleTo(w), (key, pane)
