"""Switching parts off from the app (issue 25's views): the attention grid's and the model diagram's right-click
menus, the intact and switched-off runs side by side in Generate, what each head does in the Inside tab, the
report's heads section, and the screenshot flags."""

import html

import pytest

pytest.importorskip("pytestqt")

from inspector import ablation_text as say  # noqa: E402
from inspector import units  # noqa: E402
from inspector.app.main import parse_args  # noqa: E402
from inspector.app import shot_stages  # noqa: E402
from inspector.app.qt_compat import QtCore, QtGui, QtWidgets  # noqa: E402
from inspector.app.switch_off_menu import SwitchOffMenu  # noqa: E402
from inspector.engine import Generator  # noqa: E402
from inspector.engine.ablation_run import compare_ablation  # noqa: E402
from inspector.model.ablation import Ablation, Hooks, Part  # noqa: E402

from .conftest import FIXTURES, open_and_wait  # noqa: E402

TIMEOUT = 120000


def right_click(qtbot, widget, point: QtCore.QPointF):
    local = point.toPoint()
    QtWidgets.QApplication.sendEvent(widget, QtGui.QContextMenuEvent(QtGui.QContextMenuEvent.Mouse, local,
                                                                     widget.mapToGlobal(local)))


def entry(menu, text: str):
    found = [a for a in menu.entries() if a.text() == text]
    assert found, [a.text() for a in menu.entries()]
    return found[0]


def test_switching_off_from_the_grid_and_the_diagram_shows_what_changed(qtbot, window):
    """tiny-llama (llama-style, GQA): a head from the attention grid, the MLP from the diagram; Generate shows the
    two runs as the core's compare_ablation gives them, with the same settings."""
    open_and_wait(qtbot, window, FIXTURES / "tiny-llama")
    session = window.session
    ablation = session.run.ablation
    qtbot.waitUntil(lambda: ablation.hooks is not None, timeout=TIMEOUT)
    gen, inside = window.generate, window.inside
    gen.panel.prompt.setPlainText("Hello there")
    gen.panel.inside.setChecked(True)
    session.run.update_settings(max_tokens=6)
    with qtbot.waitSignal(session.run.finished, timeout=TIMEOUT):
        session.run.go(0)
    window.show_tab("inside")
    qtbot.waitUntil(lambda: inside.grid.attention is not None, timeout=TIMEOUT)
    assert not inside.ablation_bar.isVisible()  # nothing off: no bar

    menu = shot_stages.open_menu(window, "grid:1.2")  # a real right-click, as --menu makes it for a screenshot
    assert menu is inside.switch_menu and menu.isVisible()
    assert shot_stages.grab(window, menu).size() == window.grab().size()
    assert [a.text() for a in menu.entries()] == ["Switch off head 2 of block 1", "Switch off the attention of block 1"]
    assert all(a.isEnabled() for a in menu.entries())
    entry(menu, "Switch off head 2 of block 1").trigger()
    menu.close()
    assert ablation.parts == (Part(1, "head", 2),) and (1, 2) in inside.grid.off
    inside.grid.select(0, 3)  # the menu key: the selected head's menu
    QtWidgets.QApplication.sendEvent(inside.grid, QtGui.QContextMenuEvent(
        QtGui.QContextMenuEvent.Keyboard, QtCore.QPoint(0, 0), inside.grid.mapToGlobal(QtCore.QPoint(0, 0))))
    assert inside.switch_menu.entries()[0].text() == "Switch off head 3 of block 0"
    inside.switch_menu.close()

    inside.diagram.show_block(0)
    canvas = inside.diagram.canvas
    mlp = next(pl.rect for pl in canvas.placed if pl.key == "block.mlp.down")
    right_click(qtbot, canvas, mlp.center())
    menu = inside.switch_menu
    assert menu.entries()[-1].text() == "Switch everything back on (1 off)"
    with qtbot.waitSignal(ablation.comparison_changed, timeout=TIMEOUT,
                          check_params_cb=lambda c: c is not None):
        entry(menu, "Switch off the MLP of block 0").trigger()
        menu.close()
    assert ablation.parts == (Part(1, "head", 2), Part(0, "mlp")) and canvas.off == {"block.mlp"}
    assert inside.ablation_bar.isVisible() and "the MLP of block 0" in inside.ablation_bar.parts_label.text()

    # Generate: the switched-off pane in front, the texts and the steps as the core gives them
    comparison = ablation.comparison
    gen_ = Generator(str(FIXTURES / "tiny-llama"), validate=False)
    config = session.run.settings.config()
    expected = compare_ablation(gen_, "Hello there", config.__class__(**{**config.__dict__, "inside": False}),
                                Ablation((Part(1, "head", 2), Part(0, "mlp"))))
    assert comparison.intact.new_ids == expected.intact.new_ids and comparison.ablated.new_ids == expected.ablated.new_ids
    panel = gen.ablation_panel
    assert gen.middle.currentWidget() is panel and gen.middle.tabText(1) == "Switched Off (2)"
    assert panel.intact.toPlainText() == "Hello there" + expected.intact.text
    assert panel.off.toPlainText() == "Hello there" + expected.ablated.text
    assert panel.table.rowCount() == len(expected.changes)
    for row, change in enumerate(expected.changes):
        assert panel.table.item(row, 5).text() == f"{change.kl:.4f}"
        assert panel.table.item(row, 4).text() == f"{change.prob:.3f}"
    parted = expected.divergence
    summary = panel.summary.text()
    assert "switched off: head 2 of block 1, the MLP of block 0" in summary
    assert parted is not None  # (these parts change this run: the marks are tested)
    assert f"the runs part at step {parted + 1}" in summary and "underline" in panel.off.toHtml()
    assert panel.table.currentRow() == parted
    shift = expected.changes[parted].rose[0]
    assert f"rose: {units.token(expected.texts[shift.id])} {shift.intact:.2f}→{shift.ablated:.2f}" in \
        html.unescape(panel.detail.text())

    # switched on and off again in a row: one new comparison, the stale one never shown
    shown = []
    ablation.comparison_changed.connect(shown.append)
    ablation.switch(Part(0, "mlp"), off=False)
    ablation.switch(Part(0, "mlp"))
    qtbot.waitUntil(lambda: bool(shown) and ablation.comparing is None, timeout=TIMEOUT)
    qtbot.wait(300)
    assert len(shown) == 1 and shown[0].intact.new_ids == expected.intact.new_ids
    ablation.comparison_changed.disconnect(shown.append)

    # a part switched back on from the bar's link; then everything: the comparison goes
    inside.ablation_bar._link("0")
    assert ablation.parts == (Part(0, "mlp"),) and not inside.grid.off
    ablation.cancel_compare()
    inside.ablation_bar.clear_btn.click()
    assert ablation.parts == () and ablation.comparison is None and panel.table.rowCount() == 0
    assert not inside.ablation_bar.isVisible() and gen.middle.tabText(1) == "Switched Off"


def test_an_entry_the_model_cannot_take_is_greyed_out_with_the_reason(qtbot, window):
    ablation = window.session.run.ablation
    assert ablation.why_not(Part(0, "attn")) == "no model is open"
    ablation.path = "model.onnx"  # as if a model were open, with Hooks that refuse the MLPs
    ablation.hooks = Hooks(2, 4, head=[True, True], attn=[True, True], mlp=[False, False],
                           why={"mlp": say.NO_DOWN_PROJECTION(0)})
    menu = SwitchOffMenu.for_box(ablation, 1, "block.mlp.up", 4)
    (action,) = menu.entries()
    assert action.text() == "Switch off the MLP of block 1" and not action.isEnabled()
    assert action.toolTip() == "no MLP down-projection was found in block 0"
    menu = SwitchOffMenu.for_box(ablation, 1, "block.attn.heads", 4)
    assert [a.text() for a in menu.entries()] == ["Switch off the attention of block 1"] + [
        f"Switch off head {h} of block 1" for h in range(4)]
    assert all(a.isEnabled() for a in menu.entries())
    assert SwitchOffMenu.for_box(ablation, 1, "block.norm.attn") is None  # a norm: no menu
    ablation.parts = (Part(1, "head", 3),)
    menu = SwitchOffMenu.for_head(ablation, 1, 3)
    assert menu.entries()[0].text() == "Switch head 3 of block 1 back on"


def test_read_heads_fills_the_map_and_the_table_and_the_report(qtbot, window, tmp_path):
    """tiny-induction: its previous-token, first-token and induction heads are written into its weights."""
    open_and_wait(qtbot, window, FIXTURES / "tiny-induction")
    ablation, inside = window.session.run.ablation, window.inside
    window.show_tab("inside")
    panel = inside.heads_panel
    inside.pages.setCurrentWidget(panel)
    panel.length.setValue(20)
    with qtbot.waitSignal(ablation.heads_changed, timeout=TIMEOUT, check_params_cb=lambda r: r is not None):
        panel.read_btn.click()
        assert not panel.read_btn.isEnabled()  # one reading at a time
    reading = ablation.heads
    assert panel.read_btn.isEnabled() and not panel.progress.isVisible()
    assert [reading.head(0, 0).role, reading.head(0, 1).role, reading.head(1, 0).role] == [
        "previous-token", "first-token", "induction"]
    assert panel.table.rowCount() == reading.n_layer * reading.n_head == 8
    assert panel.table.item(0, 2).text() == "previous-token" and panel.table.item(4, 2).text() == "induction"
    assert "1 previous-token, 1 induction, 1 first-token and 5 other heads of 8" in panel.summary.text()
    # a cell clicked: its row selected, its scores on show
    map_ = panel.map
    qtbot.mouseClick(map_, QtCore.Qt.LeftButton, pos=map_.cell_rect(1, 0).center().toPoint())
    assert panel.table.item(panel.table.currentRow(), 0).data(QtCore.Qt.UserRole) == 4
    assert "block 1, head 0" in panel.detail.text() and "induction" in panel.detail.text()
    # right-click a cell: switch the head off from the map
    right_click(qtbot, map_, map_.cell_rect(0, 0).center())
    entry(panel.menu, "Switch off head 0 of block 0").trigger()
    panel.menu.close()
    assert ablation.parts == (Part(0, "head", 0),) and (0, 0) in map_.off
    ablation.clear()
    # a rebuilt Inside tab (View → Language rebuilds them all) shows the reading, on the page it was on
    new = window.rebuild_view("inside")
    qtbot.waitUntil(lambda: not window.stager.busy, timeout=30000)
    assert new is not inside and new.pages.currentWidget() is new.heads_panel
    assert new.heads_panel.table.rowCount() == 8 and new.heads_panel.map.reading is reading
    ablation.switch(Part(1, "attn"))  # the old views are gone: their listeners with them
    assert new.heads_panel.map.off == {(1, None)}
    ablation.clear()
    # the report offers the reading and writes its section
    dialog = window.export_report()
    assert dialog.include_heads.isChecked() and dialog.include_heads.isEnabled()
    out = tmp_path / "report.html"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT):
        dialog.start()
    written = out.read_text(encoding="utf-8")
    assert "<h2>What each head does</h2>" in written and "<td>induction</td>" in written


def test_a_model_without_roles_says_so_plainly(qtbot, settings):
    """The sample model has no head that reaches the threshold: the panel names its strongest score."""
    from inspector.app.heads_panel import HeadsPanel
    from inspector.app.session import RunSession
    from inspector.engine.heads import HeadScore, HeadsReading

    heads = [HeadScore(b, h, {"previous-token": 0.1 + 0.02 * (2 * b + h), "induction": 0.01, "first-token": 0.03},
                       0.0) for b in range(2) for h in range(2)]
    reading = HeadsReading([1, 2], 1, 0, None, 2, 2, 3.0, 3.1, heads)

    ablation = RunSession(settings).ablation  # the session's state, without a model
    ablation.heads = reading
    panel = HeadsPanel(ablation)
    qtbot.addWidget(panel)
    assert ("No head takes a role in this model: the strongest score is previous-token 0.160 (block 1, head 1), "
            "below 0.4.") in panel.summary.text()
    heads[0].scores["induction"] = 0.9
    panel.show_reading(reading)
    assert "No head takes a role" not in panel.summary.text()


def test_the_screenshot_flags_are_checked_before_anything_loads(capsys):
    args = parse_args(["--ablate", "0.1,1.attn", "--heads", "--menu", "diagram:mlp"])
    assert args.ablate == "0.1,1.attn" and args.heads and args.menu == "diagram:mlp"
    with pytest.raises(SystemExit):
        parse_args(["--ablate", "0.x"])
    assert "cannot read “0.x” as a part" in capsys.readouterr().err
    for bad in (["--menu", "grid:1"], ["--menu", "diagram:norm"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
