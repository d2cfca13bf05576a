"""The Cost tab and the "does not fit" dialog (issue 23's app parts): the plan along the context against this machine,
the choices that change it, the last run beside its bound, and the memory guard before a run or a comparison makes a
session — a dialog that says what would fit, with "Run anyway" and "Cancel", and the app living on either way."""

import dataclasses
import threading

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from inspector import units  # noqa: E402
from inspector.app import i18n  # noqa: E402
from inspector.app.session import EMPTY, FINISHED  # noqa: E402
from inspector.app.session.cost import CURVE_POINTS, contexts_for  # noqa: E402
from inspector.plan import devices, planner  # noqa: E402
from inspector.plan import messages as say  # noqa: E402
from inspector.plan.shape import shape_of  # noqa: E402

from .conftest import FIXTURES, open_and_wait  # noqa: E402

MODEL = FIXTURES / "tiny-gpt2"


def planned(qtbot, window):
    window.show_tab("cost")  # the tab draws while it is shown
    cost = window.session.cost
    qtbot.waitUntil(lambda: cost.shape is not None and cost.curve is not None and not cost.drawing, timeout=60000)
    settled(qtbot, window)
    return cost


def settled(qtbot, window):
    """The worker's plans are in and drawn: the chart at once, the table and the summary a turn later."""
    cost, view = window.session.cost, window.views["cost"]
    qtbot.waitUntil(lambda: not cost.drawing and not view.words_pending)


def little_memory(monkeypatch, free: int = 1 << 20):
    """This machine as the guard sees it, with `free` bytes available (the real RAM otherwise)."""
    real = devices.this_cpu

    def this_cpu(probe: bool = True):
        return dataclasses.replace(real(probe=False), free_bytes=free)

    monkeypatch.setattr(devices, "this_cpu", this_cpu)


def test_the_cost_tab_plans_along_the_context_and_follows_its_choices(qtbot, window):
    census = open_and_wait(qtbot, window, MODEL)
    cost, view = planned(qtbot, window), window.views["cost"]
    shape = shape_of(census)
    assert cost.shape == shape and cost.max_context == shape.context_length
    curve = cost.curve
    assert curve["context"][0] == 1 and curve["context"][-1] == shape.context_length
    assert np.all(np.diff(curve["kv_cache_bytes"]) >= 0) and curve["kv_cache_bytes"][-1] > curve["kv_cache_bytes"][0]
    np.testing.assert_array_equal(curve["total_bytes"],
                                  curve["weights_bytes"] + curve["kv_cache_bytes"] + curve["runtime_bytes"])
    # the slider and the box: the plan at that context, said in the summary
    view.context_box.setValue(17)
    assert cost.context == 17 and view.chart.marker.value() == 17 and view.slider.value() == view._position_of(17)
    assert cost.drawing  # the plan at 17 is made on the worker: the GUI thread only draws it
    settled(qtbot, window)
    want = planner.make_plan(shape, 17, device=cost.target)
    for plan in (cost.point, cost.plan()):
        assert (plan.context, plan.total_bytes, plan.kv_cache_bytes) == (17, want.total_bytes, want.kv_cache_bytes)
    text = view.summary.text()
    assert "17 tokens of context" in text and units.nbytes(want.total_bytes) in text
    view.slider.setValue(view.slider.maximum())  # a drag is applied at the next tick
    qtbot.waitUntil(lambda: cost.context == shape.context_length)
    assert view.context_box.value() == shape.context_length
    # a batch of 4 keeps four caches; an fp16 cache is half an fp32 one
    kv_one = cost.curve["kv_cache_bytes"].copy()
    view.batch_box.setValue(4)
    settled(qtbot, window)  # the curve is drawn on a worker
    np.testing.assert_array_equal(cost.curve["kv_cache_bytes"], 4 * kv_one)
    view.batch_box.setValue(1)
    view.kv_box.setCurrentIndex(view.kv_box.findData("fp16"))
    view.kv_box.activated.emit(view.kv_box.currentIndex())
    settled(qtbot, window)
    assert cost.kv_dtype == "fp16" and shape.cache_dtype == "fp32"
    np.testing.assert_array_equal(cost.curve["kv_cache_bytes"], kv_one / 2)
    # the common GPUs, their verdicts in the interface's words
    assert view.table.rowCount() == len(devices.COMMON)
    verdicts = {view.table.item(r, 4).text() for r in range(view.table.rowCount())}
    assert verdicts <= {i18n.core(w) for w in (say.FITS, say.FITS_INT4, say.DOES_NOT_FIT)} and verdicts
    assert "bound" in view.summary.text() and "No run yet" in view.summary.text()


def test_the_last_run_sits_beside_its_bound(qtbot, window):
    open_and_wait(qtbot, window, MODEL)
    cost, view, run = planned(qtbot, window), window.views["cost"], window.session.run
    run.update_settings(max_tokens=6, prompt="If you want")
    window.show_tab("generate")  # the run ends while the Cost tab is hidden: it draws it when shown
    with qtbot.waitSignal(run.finished, timeout=60000) as blocker:
        run.go(0)
    result = blocker.args[0]
    assert "No run yet" in view.summary.text()
    window.show_tab("cost")
    qtbot.waitUntil(lambda: cost.measured is not None and cost.measured.plan is not None)  # the worker plans it
    settled(qtbot, window)
    m = cost.measured
    assert m.tokens_per_s == result.metrics.tokens_per_s and m.peak_rss == result.metrics.peak_rss
    assert m.context == len(result.prompt_ids) + len(result.new_ids)
    want = planner.make_plan(cost.shape, m.context, prompt=len(result.prompt_ids), device=cost.cpu, compare=False)
    assert m.plan.tokens_per_s_bound == pytest.approx(want.tokens_per_s_bound)
    text = view.summary.text()
    assert f"Last run ({m.context:,} tokens of context" in text and units.nbytes(m.peak_rss) in text
    another = FIXTURES / "tiny-llama"
    open_and_wait(qtbot, window, another)  # another model: its plan, and no run of it yet
    planned(qtbot, window)
    assert cost.measured is None and "No run yet" in view.summary.text()


def test_a_mixture_of_experts_keeps_every_expert_and_reads_the_chosen(qtbot, window):
    open_and_wait(qtbot, window, FIXTURES / "tiny-qwen3-moe")
    cost, view = planned(qtbot, window), window.views["cost"]
    shape = cost.shape
    assert shape.experts > shape.experts_per_token > 0
    plan = cost.plan()
    assert plan.weights_bytes == shape.weights_bytes and plan.bytes_per_token < plan.weights_bytes
    text = view.summary.text()
    assert f"all {shape.experts} experts are resident" in text and units.nbytes(plan.bytes_per_token) in text


def test_a_run_that_does_not_fit_gets_a_dialog_and_runs_anyway(qtbot, window, monkeypatch):
    open_and_wait(qtbot, window, MODEL)
    run = window.session.run
    run.update_settings(max_tokens=4)
    little_memory(monkeypatch)
    with qtbot.waitSignal(run.refused, timeout=60000) as blocker:
        run.go(0)
    verdict = blocker.args[0]
    assert not verdict.fits and verdict.available_bytes == 1 << 20 and verdict.needed_bytes > verdict.available_bytes
    dialog = window.fit_watch.dialog
    assert dialog is not None and dialog.isVisible()
    assert not run.running and run.state == EMPTY and run._job is None  # no session was made
    said = dialog.headline.text() + dialog.alternatives.text()
    assert units.nbytes(verdict.needed_bytes) in said and units.nbytes(verdict.available_bytes) in said
    assert verdict.alternatives and all(i18n.core(a) in said for a in verdict.alternatives)
    dialog.cancel_button.click()  # nothing runs, and the app is as it was
    assert not dialog.isVisible() and run.state == EMPTY and not run.running
    with qtbot.waitSignal(run.refused, timeout=60000):  # asked again, checked again
        run.go(0)
    dialog = window.fit_watch.dialog
    with qtbot.waitSignal(run.finished, timeout=60000) as blocker:
        dialog.run_button.click()
    assert run.state == FINISHED and len(blocker.args[0].new_ids) == 4 and run.forced


def test_a_comparison_that_does_not_fit_gets_the_dialog_too(qtbot, window, monkeypatch):
    open_and_wait(qtbot, window, MODEL)
    comparison = window.session.comparison
    comparison.set_prompt("If you want", 2)
    little_memory(monkeypatch)
    with qtbot.waitSignal(comparison.refused, timeout=60000) as blocker:
        window.compare_with(str(MODEL))
    verdict = blocker.args[0]
    assert len(verdict.plans) == 2 and not verdict.fits and not comparison.busy
    dialog = window.fit_watch.dialog
    assert "These 2 models held at once" in dialog.headline.text()
    with qtbot.waitSignal(comparison.finished, timeout=120000):
        dialog.run_button.click()
    assert comparison.result is not None


def test_a_gpu_nvml_finds_is_offered_and_planned_on(qtbot, window, monkeypatch):
    """No GPU is lent here: NVML's answer is stood in for, the rest is the app's own."""
    gpu = devices.Device("NVIDIA GeForce RTX 4090", "cuda", 24 * devices.GIB, 1008.0, 20 * devices.GIB)
    monkeypatch.setattr(devices, "local_gpus", lambda: [gpu])
    open_and_wait(qtbot, window, MODEL)
    cost, view = planned(qtbot, window), window.views["cost"]
    assert not view.device_box.isHidden() and view.device_box.count() == 2
    view.device_box.setCurrentIndex(1)
    view.device_box.activated.emit(1)
    settled(qtbot, window)
    plan = cost.plan()
    assert cost.target is gpu and plan.provider == "cuda" and plan.device_bytes > 0
    assert plan.tokens_per_s_bound == pytest.approx(1008e9 / plan.bytes_per_token)
    assert f"on {gpu.name}, {units.nbytes(gpu.free_bytes)} free" in view.summary.text()
    # a tiny model's stack is far below 24 GB: the GPU's memory is named above the chart, not drawn in it
    above = view.chart.above.textItem.toPlainText()
    assert f"GPU memory {units.nbytes(gpu.memory_bytes)}" in above and not view.chart._named


def test_the_gui_thread_only_draws_what_the_worker_planned(qtbot, window, monkeypatch):
    """Issue 23: a choice changed while a giant's statistics stream must not make the GUI thread plan (a curve is
    hundreds of plans); the context, the batch, the KV cache and the last run are all planned on the worker."""
    open_and_wait(qtbot, window, MODEL)
    cost, view, run = planned(qtbot, window), window.views["cost"], window.session.run
    on_gui = []
    for name in ("make_plan", "by_context"):
        real = getattr(planner, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            if threading.current_thread() is threading.main_thread():
                on_gui.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(planner, name, spy)
    view.batch_box.setValue(3)
    view.kv_box.setCurrentIndex(view.kv_box.findData("int8"))
    view.kv_box.activated.emit(view.kv_box.currentIndex())
    view.context_box.setValue(33)
    settled(qtbot, window)
    point = cost.point
    assert (point.context, point.batch, point.kv_dtype) == (33, 3, "int8") and cost.curve_current
    assert "33 tokens of context, batch 3" in view.summary.text()
    run.update_settings(max_tokens=3, prompt="If you want")
    with qtbot.waitSignal(run.finished, timeout=60000):
        run.go(0)
    qtbot.waitUntil(lambda: cost.measured is not None and cost.measured.plan is not None)
    assert on_gui == []


def test_the_curve_is_drawn_at_each_context_once_in_order():
    for top in (1, 2, 7, 239, 240, 241, 1000, 131072):
        want = np.unique(np.linspace(1, top, min(CURVE_POINTS, top)).round().astype(int))
        np.testing.assert_array_equal(contexts_for(top), want)
