"""Showing a model in steps, and the cheap redraw paths that keep the GUI thread free."""

import time
from types import SimpleNamespace

import pytest

pytest.importorskip("pytestqt")

from inspector.app.qt_compat import QtCore  # noqa: E402
from inspector.app.main_window import MainWindow  # noqa: E402
from inspector.app.overview_view import Card  # noqa: E402
from inspector.app.token_output import TokenOutput  # noqa: E402
from inspector.app.staging import PAINT, Stager  # noqa: E402
from inspector.model import load_model, take_census  # noqa: E402
from inspector.stats import compute_statistics  # noqa: E402

from .conftest import FIXTURES, SAMPLE  # noqa: E402


def steps(log, name, n, mark=None):
    for i in range(n):
        log.append((name, i))
        yield mark


def test_stager_runs_every_step_in_order_and_paints_between_plots(qtbot):
    stager = Stager(budget_s=10.0)  # a budget that never runs out: only PAINT ends a turn
    log, turns = [], []
    orig = stager._turn
    stager._turn = lambda: (turns.append(len(log)), orig())
    stager._timer.timeout.disconnect()
    stager._timer.timeout.connect(stager._turn)
    with qtbot.waitSignal(stager.finished, timeout=5000):
        stager.start([steps(log, "cards", 3), steps(log, "plots", 2, PAINT), lambda: log.append(("last", 0))])
    assert log == [("cards", 0), ("cards", 1), ("cards", 2), ("plots", 0), ("plots", 1), ("last", 0)]
    # the first turn ran the cards and the first plot, then each plot got its own turn
    assert turns == [0, 4, 5]
    assert not stager.busy


def test_stager_spends_its_budget_then_yields_to_the_event_loop(qtbot):
    stager = Stager(budget_s=0.004, pause_ms=1)

    def slow(log):
        for i in range(10):
            time.sleep(0.003)
            log.append(i)
            yield

    log = []
    stager.start([slow(log)])
    assert 1 <= len(log) <= 3 and stager.busy  # the first turn stopped once its budget was spent
    qtbot.waitUntil(lambda: not stager.busy, timeout=5000)
    assert log == list(range(10))


def test_stager_start_replaces_the_queue_and_a_failing_step_is_reported(qtbot):
    stager = Stager(budget_s=0.0, pause_ms=1)  # one step per turn
    old, new = [], []
    stager.start([steps(old, "old", 50)])
    assert len(old) == 1

    def broken():
        raise ValueError("no such layer")
        yield  # noqa: unreachable - makes this a generator

    failures = []
    stager.failed.connect(failures.append)
    with qtbot.waitSignal(stager.finished, timeout=5000):
        stager.start([broken(), steps(new, "new", 3)])
    assert len(old) == 1  # the old queue never ran again
    assert new == [("new", 0), ("new", 1), ("new", 2)]
    assert failures and "no such layer" in failures[0] and "\n" not in failures[0]


def test_card_rows_shrink_without_leaving_old_text(qtbot):
    card = Card("Parameters")
    qtbot.addWidget(card)
    card.set_rows([("a", "1"), ("b", "2"), ("c", "3")], warn={2})
    assert card.text() == "a: 1\nb: 2\nc: 3"
    assert card.cells[2][1].styleSheet() == "color: #b00"
    card.set_rows([("<b>x</b>", "4")])
    assert card.text() == "<b>x</b>: 4"
    assert [k.text() for k, _ in card.cells[:3]] == ["<b>x</b>", "", ""]
    assert card.cells[0][0].textFormat() == QtCore.Qt.PlainText  # a name from a model stays text
    assert card.cells[2][1].styleSheet() == ""


def full_census(path):
    census = take_census(load_model(path))
    compute_statistics(census)
    return census


def test_a_new_model_arriving_mid_fill_replaces_the_old_one(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    first, second = full_census(FIXTURES / "tiny-llama"), full_census(FIXTURES / "tiny-gpt2")
    window.stager.budget_s = 0.0  # one step per turn, so the first model is still being shown
    window.session.model.show(first)
    assert window.stager.busy
    with qtbot.waitSignal(window.model_loaded, timeout=30000) as blocker:
        window.session.model.show(second)
    assert blocker.args[0] is second
    tree = window.layers.tree
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == \
        [layer.name for layer in second.layers]
    assert window.graph.filled and window.graph.rows is second.node_rows
    listing = window.graph.listing
    assert sum(listing.rowCount(listing.index(i, 0)) for i in range(listing.rowCount())) == len(second.node_rows)
    assert list(window.overview.bar_data["weights"]) == [layer.weights for layer in second.layers]
    assert window.session.run.path == str(second.model.path)
    window.close()


def test_output_grows_by_appending_and_reads_as_a_full_render(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.show_tab("generate")
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.open_model(str(SAMPLE))
    gen = window.generate
    gen.panel.prompt.setPlainText("A fool and")
    for n in range(1, 6):
        gen.panel.step_btn.click()
        qtbot.waitUntil(lambda: len(gen.session.run.steps) == n and not gen.session.run.running, timeout=30000)
        gen.redraw()
    appended = gen.output.toPlainText()
    gen.output.reset()  # force a full render of the same steps
    gen.draw(gen.session.run.snapshot())
    assert gen.output.toPlainText() == appended
    assert appended.startswith("A fool and") and len(appended) > len("A fool and")
    html = gen.output.toHtml()
    assert all(f"tok:{i}" in html for i in range(5))
    bars = [gen.candidates.table.cellWidget(r, 1) for r in range(gen.candidates.table.rowCount())]
    gen.output._clicked(QtCore.QUrl("tok:1"))  # a new highlight: re-rendered, the bars reused
    assert gen.output.toPlainText() == appended
    assert [gen.candidates.table.cellWidget(r, 1) for r in range(gen.candidates.table.rowCount())] == bars
    assert gen.candidates.table.cellWidget(0, 1).format() == f"{gen.session.run.steps[1].top[0][1]:.3f}"
    window.close()


def test_appended_tokens_keep_spaces_newlines_and_links(qtbot):
    output = TokenOutput()
    qtbot.addWidget(output)
    texts = ["\n", "    ", "return", "  x", " <b>", "\n\n", "&amp;"]
    steps = [SimpleNamespace(index=i, text=t, shown=t, forced=False) for i, t in enumerate(texts[:2])]
    output.render("def f():", steps, None)
    for i in range(2, len(texts)):
        steps.append(SimpleNamespace(index=i, text=texts[i], shown=texts[i], forced=False))
        output.render("def f():", steps, None)
    appended, links = output.toPlainText(), anchors(output.document())
    output.reset()
    output.render("def f():", steps, None)
    assert output.toPlainText() == appended
    assert appended.replace("\u2028", "\n") == "def f():" + "".join(t.replace("\n", "↵\n") for t in texts)
    assert links == anchors(output.document()) == [f"tok:{i}" for i in range(len(texts))]


def anchors(doc) -> list[str]:
    """The link targets in a document, in order, each once."""
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            href = it.fragment().charFormat().anchorHref()
            if href and (not out or out[-1] != href):
                out.append(href)
            it += 1
        block = block.next()
    return out
