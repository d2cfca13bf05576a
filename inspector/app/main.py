"""Start the app: `gpt-inspector [MODEL]`, or `--screenshot out.png` to render once and exit."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from .languages import LANGUAGES
from .tabs import TAB_KEYS


SETTLE_MS = 300  # after the views are filled, before the picture: the plots' first paint
AFTER_RUN_MS = 200  # after the last token, before the picture: the 20 Hz redraw has run
COST_WAITS = 100  # SETTLE_MS each: the Cost tab's first plan (the bandwidth probe, once a machine) is on a worker
SHOT_SIZE = "1440x900"


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WxH (for example 1280x720)") from None
    if w < 1 or h < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: both sides must be at least 1 pixel")
    return w, h


def _spec(text: str) -> str:
    """--ablate's parts, checked before anything is loaded."""
    from ..model.ablation import AblationError, parse_spec

    try:
        parse_spec(text)
    except AblationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _menu(text: str) -> str:
    """--menu's place: 'grid:B.H' or 'heads:B.H' (a head), 'diagram:attn' (mlp, heads: a box of the block on show)."""
    place, _, what = text.partition(":")
    numbers = what.split(".")
    if not (place in ("grid", "heads") and len(numbers) == 2 and all(n.isdigit() for n in numbers)
            or place == "diagram" and what in ("attn", "mlp", "heads")):
        raise argparse.ArgumentTypeError(f"{text!r}: write grid:B.H, heads:B.H or diagram:attn|mlp|heads")
    return text


def bundled_sample() -> Path | None:
    """The sample's float file (its folder also holds fp16 and quantized ones: File → Open Variant)."""
    p = Path(__file__).resolve().parents[2] / "sample_models" / "fortune-gpt" / "model.onnx"
    return p if p.is_file() else None


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="gpt-inspector", description="Open an ONNX GPT and inspect it.")
    ap.add_argument("model", nargs="?", help="a .onnx file or export folder (default: the bundled sample)")
    ap.add_argument("--variant", metavar="FILE", help="which model file of a folder (default: ask when it holds several)")
    ap.add_argument("--screenshot", metavar="PNG", help="load, render, save a picture of the window and exit")
    ap.add_argument("--tab", choices=TAB_KEYS, help="the tab to show first (default: the one shown last; a "
                    f"screenshot: {TAB_KEYS[0]})")
    ap.add_argument("--steps", type=int, default=0, help="generate this many tokens before the screenshot")
    ap.add_argument("--prompt", help="prompt for the Generate tab")
    ap.add_argument("--inside", action="store_true", help="read the inside (attention, logit lens) while generating")
    ap.add_argument("--show-step", type=int, metavar="N",
                    help="after generating, show step N (Generate, Inside; the first generated token is step 1)")
    ap.add_argument("--select", help="layer to select in the Layers tab, e.g. 'block 2'")
    ap.add_argument("--compare", metavar="MODEL", help="once loaded, compare the model with this one (Compare tab)")
    ap.add_argument("--compare-variants", action="store_true", help="once loaded, compare every file of its folder")
    ap.add_argument("--ablate", type=_spec, metavar="SPEC", help="once loaded, switch these parts off (B.H: head H of "
                    "block B, B.attn, B.mlp, comma-separated, counted from 0) and run the intact and the switched-off "
                    "model side by side (Generate)")
    ap.add_argument("--heads", action="store_true", help="once loaded, read what each head does (Inside)")
    ap.add_argument("--menu", type=_menu, metavar="WHERE", help="a screenshot with a switch-off menu open: grid:B.H "
                    "(the attention grid, with --inside --steps), heads:B.H (with --heads), diagram:attn|mlp|heads")
    ap.add_argument("--compare-weights", action="store_true",
                    help="with --compare, show the weights' tab of the comparison (default: what the models say)")
    ap.add_argument("--size", type=_size, metavar="WxH",
                    help=f"the window's size (default: as it was left; a screenshot: {SHOT_SIZE})")
    ap.add_argument("--language", choices=[lang.key for lang in LANGUAGES], help="the interface's language "
                    "(default: View → Language, else the system's)")
    return ap.parse_args(argv)


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.environ.get("QT_QPA_PLATFORM") and not _has_display():
        if not args.screenshot:
            print("error: no display found; run under a desktop session (or xvfb-run), "
                  "or use --screenshot PNG to render without one", file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from .qt_compat import QtCore, QtWidgets  # PySide6 first, then pyqtgraph
    from . import i18n

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("GPT Inspector")
    app.setOrganizationName("GPT Inspector")
    from .main_window import MainWindow
    from .workers import reaper

    if args.screenshot:  # a picture shows the defaults, not whatever this user last left in the window
        with tempfile.TemporaryDirectory(prefix="inspector-shot-") as scratch:
            settings = QtCore.QSettings(os.path.join(scratch, "settings.ini"), QtCore.QSettings.IniFormat)
            if args.language:
                settings.setValue(i18n.SETTING, args.language)
            i18n.install(app, args.language or "system")
            window = make_window(MainWindow, settings, args)
            code = _screenshot(app, window, _model(window, args), args)
            settings.sync()  # written now, while its folder exists: nothing is left to write (and re-create it) later
            return code
    settings = QtCore.QSettings("GPT Inspector", "GPT Inspector")
    i18n.install(app, args.language or settings.value(i18n.SETTING, "system"))
    window = make_window(MainWindow, settings, args)
    model = _model(window, args)
    window.show()
    if model and args.variant:
        window.open_model(model, args.variant)
    elif model:
        window.open_path(model)
    code = app.exec()
    reaper().wait_all()  # work that could not be interrupted ends before the threads that hold it are freed
    return code


def make_window(window_class, settings, args):
    """The window as it was left (its size and place restored, within the screen), unless --size (or a screenshot)
    asks for another size; the tab, prompt and inside setting the command line gives."""
    window = window_class(settings)
    size = args.size or (_size(SHOT_SIZE) if args.screenshot else None)
    if size is not None:
        window.keep_size = True
        window.resize(*size)
    if args.tab:
        window.show_tab(args.tab)
    changes = {}
    if args.prompt:
        changes["prompt"] = args.prompt
    if args.inside:
        changes["inside"] = True
    if changes:
        window.session.run.update_settings(**changes)
    return window


def _model(window, args):
    model = args.model
    if model is None and window.settings.value("reopen_last", False, type=bool):
        model = window.settings.value("last_model", "") or None
    if model is None and (sample := bundled_sample()):
        model = str(sample)
    return model


def _quiet_offscreen(mode, context, message: str) -> None:
    """The offscreen platform warns that it cannot propagate size hints: true, and of no interest here."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _stages(window, args, finish, failed) -> None:
    """A run (--steps), then parts switched off (--ablate), then the heads read (--heads), each once the one
    before has ended; then the picture."""
    from .qt_compat import QtCore
    from . import shot_stages

    session = window.session
    stages = []
    if args.steps:
        def run(done):
            session.run.update_settings(max_tokens=args.steps)
            session.run.finished.connect(lambda _r: QtCore.QTimer.singleShot(AFTER_RUN_MS, done))
            session.run.go(0)
        stages.append(run)
    if args.ablate:
        stages.append(lambda done: shot_stages.ablate(session, args.ablate, done, failed))
    if args.heads:
        stages.append(lambda done: shot_stages.read_heads(session, window, done, failed))
    if args.tab:
        stages.append(lambda done: (window.show_tab(args.tab), done()))

    def advance():
        if stages:
            stages.pop(0)(lambda: QtCore.QTimer.singleShot(0, advance))
        else:
            QtCore.QTimer.singleShot(SETTLE_MS, finish)

    advance()


def _screenshot(app, window, model, args) -> int:
    from .qt_compat import QtCore
    from .workers import reaper

    app.setProperty("inspector_headless", True)
    QtCore.qInstallMessageHandler(_quiet_offscreen)
    status = {"code": 0}
    session = window.session
    if not args.tab:
        window.show_tab("overview")

    def finish():
        cost_view = window.views.get("cost")
        waiting = session.cost.busy or (cost_view is not None and cost_view.words_pending)  # the words a turn later
        if waiting and status.setdefault("waits", 0) < COST_WAITS:  # the first plan: on a worker
            status["waits"] += 1
            QtCore.QTimer.singleShot(SETTLE_MS, finish)
            return
        from . import shot_stages

        session.run.flush()
        if args.show_step is not None and 1 <= args.show_step <= len(session.run.steps):
            session.run.select(args.show_step - 1)
        app.processEvents()
        menu = shot_stages.open_menu(window, args.menu) if args.menu else None
        shot_stages.grab(window, menu).save(args.screenshot)
        window.close()
        app.quit()

    def loaded(_census):
        if args.select:
            window.views["layers"].select(args.select)
        if args.compare or args.compare_variants:
            if args.compare_weights:
                window.views["compare"].restore_state({"pair_tab": 1})
            session.comparison.finished.connect(lambda _r: QtCore.QTimer.singleShot(SETTLE_MS, finish))
            session.comparison.failed.connect(lambda m, _d: failed(m))
            if args.compare:
                session.comparison.compare_with(args.compare)
            else:
                session.comparison.compare_variants()
            if args.tab:
                window.show_tab(args.tab)
        else:
            _stages(window, args, finish, failed)

    def failed(message):
        print(f"error: {message}", file=sys.stderr)
        status["code"] = 2
        QtCore.QTimer.singleShot(0, finish)

    window.model_loaded.connect(loaded)
    window.load_failed.connect(failed)
    session.run.failed.connect(lambda m, _d: failed(m))
    session.run.refused.connect(lambda verdict: failed(verdict.message))  # the memory guard: no run to wait for
    session.comparison.refused.connect(lambda verdict: failed(verdict.message))
    window.show()
    if model:
        window.open_model(model, args.variant)
    else:
        QtCore.QTimer.singleShot(SETTLE_MS, finish)
    app.exec()
    reaper().wait_all()
    return status["code"]


if __name__ == "__main__":
    sys.exit(main())
