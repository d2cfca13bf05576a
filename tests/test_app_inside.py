"""The Inside tab, driven through its real widgets: the step's attention grid and shaded context, the lens
table, the model drawn as blocks, and the wiring to Generate and Layers."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from inspector.app.qt_compat import QtCore  # noqa: E402
from inspector.engine.inside import FUSED_NOTE  # noqa: E402

from .conftest import FIXTURES, SAMPLE, open_and_wait  # noqa: E402


def step(qtbot, gen, n):
    for k in range(n):
        want = len(gen.steps) + 1
        gen.step_btn.click()
        qtbot.waitUntil(lambda: len(gen.steps) == want and not gen.running, timeout=60000)
    gen.redraw()


def test_inside_panel_shows_the_selected_steps_attention_and_lens(qtbot, window):
    open_and_wait(qtbot, window, SAMPLE)
    gen, inside = window.generate, window.inside
    gen.prompt.setPlainText("The meaning of life is")
    gen.inside.setChecked(True)
    step(qtbot, gen, 3)
    window.tabs.setCurrentWidget(inside)
    gen.select_step(1)
    qtbot.waitUntil(lambda: inside.index == 1 and inside.grid.attention is not None, timeout=5000)
    s = gen.steps[1]
    n_layer, n_head = 4, 4
    assert inside.grid._shape == (n_layer, n_head, len(gen.prompt_ids) + 1)
    assert not inside.hint_box.isVisible() and not inside.note.isVisible()
    # the lens: a row per block, the candidates as columns, the chosen token marked where it first appears
    assert inside.lens.rowCount() == n_layer and inside.lens.columnCount() == gen.candidates_n.value()
    b, r = inside.lens.first
    assert s.lens[b][r][0] == s.id and all(s.id not in [i for i, _p in s.lens[x]] for x in range(b))
    assert inside.lens.item(b, r).text().startswith("▸")
    # the context: one chip per position, shaded by the last block's mean over heads
    assert inside.context.labels == [gen.token_text(i) for i in gen.context_ids(1)]
    np.testing.assert_allclose(inside.context.weights, s.attention[-1].mean(axis=0), rtol=1e-6)
    # a click on a strip shades by that block and head
    cell = inside.grid._cell(2, 3).center()
    qtbot.mouseClick(inside.grid, QtCore.Qt.LeftButton, pos=cell.toPoint())
    assert inside.layer.currentData() == 2 and inside.head.currentData() == 3
    np.testing.assert_allclose(inside.context.weights, s.attention[2][3], rtol=1e-6)
    assert inside.diagram.block.value() == 2 and "block.attn" in inside.diagram.canvas.highlight
    # stepping here moves Generate's selection too
    inside.next_btn.click()
    assert gen.selected_step == 2 and inside.index == 2
    assert inside.step.value() == 2 and inside.title.text().count(gen.steps[2].text.strip() or "'")


def test_the_hint_until_the_inside_is_read_and_its_button(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen, inside = window.generate, window.inside
    step(qtbot, gen, 1)
    window.tabs.setCurrentWidget(inside)
    qtbot.waitUntil(lambda: inside.index == 0, timeout=5000)
    assert inside.hint_box.isVisible() and inside.lens.rowCount() == 0
    inside.hint_btn.click()
    assert gen.inside.isChecked() and window.tabs.currentWidget() is gen
    step(qtbot, gen, 1)  # from this step on the worker reads the inside
    window.tabs.setCurrentWidget(inside)
    qtbot.waitUntil(lambda: inside.index == 1 and inside.lens.rowCount() == 2, timeout=5000)
    assert not inside.hint_box.isVisible()
    gen.reset_btn.click()
    assert inside.index is None and inside.lens.rowCount() == 0


def test_a_fused_attention_model_says_why_and_shows_the_lens(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "genai-llama")
    gen, inside = window.generate, window.inside
    gen.inside.setChecked(True)
    window.tabs.setCurrentWidget(inside)
    step(qtbot, gen, 2)
    qtbot.waitUntil(lambda: inside.index == 1 and inside.lens.rowCount() == 2, timeout=5000)
    assert inside.note.isVisible() and inside.note.text() == FUSED_NOTE.format("GroupQueryAttention")
    assert inside.grid.attention is None and inside.layer.count() == 0


def test_clicking_a_box_of_the_drawing_selects_its_layer(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    inside, layers = window.inside, window.layers
    window.tabs.setCurrentWidget(inside)
    canvas = inside.diagram.canvas
    inside.diagram.show_block(1)
    assert canvas.diagram.block == 1
    box = next(p for p in canvas.placed if p.key == "block.attn.k")
    qtbot.mouseClick(canvas, QtCore.Qt.LeftButton, pos=box.rect.center().toPoint())
    assert window.tabs.currentWidget() is layers
    item = layers.tree.currentItem()
    assert item.parent().text(0) == "block 1" and layers.selected().role == "attn.k"
    window.tabs.setCurrentWidget(inside)
    canvas.click_box("final_norm")
    assert layers.selected().role == "norm.final"


def test_the_report_from_the_app_draws_the_selected_steps_attention(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, FIXTURES / "tiny-gpt2")
    gen = window.generate
    gen.inside.setChecked(True)
    gen.max_tokens.setValue(4)
    gen.run_btn.click()
    qtbot.waitUntil(lambda: gen.result is not None and gen.result.finish is not None, timeout=30000)
    gen.select_step(2)
    dialog = window.export_report()
    assert "step 2" in dialog.include_run.text()
    dialog.format.setCurrentIndex(dialog.format.findData("md"))
    dialog.path.setText(str(tmp_path / "r.md"))
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        dialog.export_btn.click()
    assert "## Inside the run" in (tmp_path / "r.md").read_text()
    assert sorted(p.name for p in (tmp_path / "r_files").glob("attention_*")) == ["attention_0003.png"]  # step 3
