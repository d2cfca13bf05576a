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



def bundled_sample() -> Path | None:
    """The sample's float file (its folder also holds fp16 and quantized ones: File → Open Variant)."""
    p = Path(__file__).resolve().parents[2] / "sample_models" / "fortune-gpt" / "model.onnx"
    return p if p.is_file() else None


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="gpt-inspector", description="Open an ONNX GPT and inspect it.")
    ap.add_argument("model", nargs="?", help="a .onnx file or export folder (default: the bundled sample)")
    ap.add_argument("--variant", metavar="FILE", help="which model file of a folder (default: ask when it holds several)")
    ap.add_argument("--screenshot", metavar="PNG", help="load, render, save a picture of the window and exit")
    ap.add_argument("--tab", choices=TAB_KEYS, default=TAB_KEYS[0], help="the tab to show first")
    ap.add_argument("--steps", type=int, default=0, help="generate this many tokens before the screenshot")
    ap.add_argument("--prompt", help="prompt for the Generate tab")
    ap.add_argument("--inside", action="store_true", help="read the inside (attention, logit lens) while generating")
    ap.add_argument("--show-step", type=int, metavar="N", help="after generating, show step N (Generate, Inside)")
    ap.add_argument("--select", help="layer to select in the Layers tab, e.g. 'block 2'")
    ap.add_argument("--compare", metavar="MODEL", help="once loaded, compare the model with this one (Compare tab)")
    ap.add_argument("--compare-variants", action="store_true", help="once loaded, compare every file of its folder")
    ap.add_argument("--size", default="1440x900", help="window size for the screenshot, WxH")
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

    settings = None
    if args.screenshot:  # a picture shows the defaults, not whatever this user last left in the window
        scratch = tempfile.mkdtemp(prefix="inspector-shot-")
        settings = QtCore.QSettings(os.path.join(scratch, "settings.ini"), QtCore.QSettings.IniFormat)
        if args.language:
            settings.setValue(i18n.SETTING, args.language)
    else:
        settings = QtCore.QSettings("GPT Inspector", "GPT Inspector")
    i18n.install(app, args.language or settings.value(i18n.SETTING, "system"))
    window = MainWindow(settings)
    w, h = (int(v) for v in args.size.lower().split("x"))
    window.resize(w, h)
    window.tabs.setCurrentIndex(TAB_KEYS.index(args.tab))
    if args.prompt:
        window.generate.prompt.setPlainText(args.prompt)
    window.generate.inside.setChecked(args.inside)
    model = args.model
    if model is None and window.settings.value("reopen_last", False, type=bool):
        model = window.settings.value("last_model", "") or None
    if model is None and (sample := bundled_sample()):
        model = str(sample)
    if args.screenshot:
        return _screenshot(app, window, model, args)
    window.show()
    if model and args.variant:
        window.open_model(model, args.variant)
    elif model:
        window.open_path(model)
    code = app.exec()
    reaper().wait_all()  # work that could not be interrupted ends before the threads that hold it are freed
    return code


def _quiet_offscreen(mode, context, message: str) -> None:
    """The offscreen platform warns that it cannot propagate size hints: true, and of no interest here."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _screenshot(app, window, model, args) -> int:
    from .qt_compat import QtCore
    from .workers import reaper

    app.setProperty("inspector_headless", True)
    QtCore.qInstallMessageHandler(_quiet_offscreen)
    status = {"code": 0}

    def finish():
        window.generate.redraw()
        if args.show_step is not None and 0 <= args.show_step < len(window.generate.steps):
            window.generate.select_step(args.show_step)
        app.processEvents()
        window.grab().save(args.screenshot)
        window.close()
        app.quit()

    def loaded(_census):
        if args.select:
            window.layers.select(args.select)
        if args.compare or args.compare_variants:
            window.compare.finished.connect(lambda _r: QtCore.QTimer.singleShot(SETTLE_MS, finish))
            window.compare.error.connect(lambda m, _d: failed(m))
            if args.compare:
                window.compare_with(args.compare)
            else:
                window.compare_all_variants()
        elif args.steps:
            window.generate.max_tokens.setValue(args.steps)
            window.generate.run_finished.connect(lambda _r: QtCore.QTimer.singleShot(AFTER_RUN_MS, finish))
            window.generate.run()
        else:
            QtCore.QTimer.singleShot(SETTLE_MS, finish)

    def failed(message):
        print(f"error: {message}", file=sys.stderr)
        status["code"] = 2
        QtCore.QTimer.singleShot(0, finish)

    window.model_loaded.connect(loaded)
    window.load_failed.connect(failed)
    window.generate.error.connect(lambda m, _d: failed(m))
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
