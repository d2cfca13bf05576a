"""Write a ReportContent as JSON, CSV, Markdown or HTML (the formats' registry is formats.py; PDF goes through
Qt, in app/pdf_writer.py).

Every write goes to a temporary file beside the target and is renamed into place, so a
failed export leaves no half file; the model itself is never overwritten.  Names inside
a model are untrusted: HTML escapes them (Jinja autoescape) and Markdown escapes its
markup characters.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import jinja2
from markupsafe import Markup

from .. import json_output, palette, units
from ..errors import ReportError
from .content import ReportContent
from ..messages import Message, Sentence, render, sentence, translator

CSV_COLUMNS = ["layer", "index", "name", "stored_as", "role", "kind", "shape", "dtype", "scheme", "count", "counted",
               "tied_to", "bytes", "mean", "std", "min", "max", "absmax", "zero_fraction", "nan", "inf", "l2"]
LENS_MAX_SHADE = 0.55  # a certain lens cell is this dark, so its text stays readable
# What Markdown (CommonMark and GitHub's tables) would read as markup, and only that: a date's dashes and a name's
# brackets stay as they are.
MD_INLINE = re.compile(r"([\\`*\[\]<|~])")  # anywhere in a line (| ends a table's cell)
MD_EMPHASIS = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # an _ that could open or close emphasis (not c_attn's)
MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # &lt; would be read as <
MD_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s)|[=-]+\s*$)")  # a heading, a quote, a list
MD_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")  # an ordered list's "1." (its dot is escaped)
# why a report was not written (ReportError's one line; the system's own words in the brackets)
OVER_THE_MODEL = sentence("refusing to write the report over the model itself")
IS_A_FOLDER = sentence("is a folder, not a file")
NO_FOLDER = sentence("its folder does not exist")
CANNOT_WRITE = sentence("cannot write the report ({0})")
CANNOT_WRITE_PICTURES = sentence("cannot write the report's pictures ({0})")


def check_target(target: Path, model_path: str | Path, protected: list[Path] = ()) -> Path:
    target = Path(target).expanduser()
    resolved = target.resolve()
    model = Path(model_path).resolve()
    if resolved == model or resolved in {Path(p).resolve() for p in protected}:
        raise ReportError(OVER_THE_MODEL, str(target))
    if resolved.is_dir():
        raise ReportError(IS_A_FOLDER, str(target))
    if not resolved.parent.is_dir():
        raise ReportError(NO_FOLDER, str(target))
    return resolved


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed onto it when the block succeeds and removed when it fails."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, target)
    except BaseException as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise ReportError(CANNOT_WRITE(exc.strerror or str(exc)), str(target)) from None
        raise


def atomic_write(target: Path, write: Callable[[io.IOBase], None]) -> None:
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        write(fh)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------------------- templates
def _stat(layer: dict, kind: str, key: str):
    return (layer["stats"].get(kind) or {}).get(key)


class Verbatim(str):
    """Text a Markdown report shows as it is (a fenced block): the prompt and the output keep their lines."""


def verbatim(text) -> Verbatim:
    text = "" if text is None else str(text)
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return Verbatim(f"{fence}text\n{text}\n{fence}")


class MdText(str):
    """The report's own words in Markdown: shown as written; what `format` puts in them is escaped (names from the
    model are untrusted)."""

    def format(self, *args, **kwargs) -> "MdText":  # noqa: A003
        esc = lambda v: v if isinstance(v, (MdText, Verbatim)) else md_escape(v)  # noqa: E731
        return MdText(str.format(self, *map(esc, args), **{k: esc(v) for k, v in kwargs.items()}))


def elide(text, most: int) -> str:
    """Long names shortened in the middle, where they differ least: transformer.h.0.…attn.c_attn.weight."""
    text = str(text)
    if len(text) <= most:
        return text
    keep = most - 1
    return text[: keep // 2] + "…" + text[len(text) - (keep - keep // 2):]


def _filters(env: jinja2.Environment, lang: str, markdown: bool) -> None:
    env.filters.update(count=units.count, nbytes=units.nbytes, pct=units.percent, ratio=units.ratio,
                       num=lambda v: units.number(v), verbatim=verbatim, elide=elide)
    env.filters["tok"] = units.token
    env.globals["stat"] = _stat
    env.globals["shade"] = lambda p: palette.tint(palette.LENS_SHADE, LENS_MAX_SHADE * (p or 0))
    tr = translator(lang)
    # the report's words are trusted, what is formatted into them is not: Markup (HTML) and MdText escape it
    env.globals["_"] = (lambda text: MdText(tr(text))) if markdown else (lambda text: Markup.escape(tr(text)))
    env.globals["lang"] = lang
    from ..engine.generator import FINISH_REASONS  # the engine's one vocabulary of why a run ended

    env.globals["finish_reasons"] = FINISH_REASONS


def _env(autoescape: bool, lang: str, finalize=lambda value: value) -> jinja2.Environment:
    """`finalize` sees every value a template writes, after the core's Messages are rendered in `lang`."""
    def said(value):
        return finalize(render(value, lang) if isinstance(value, (Message, Sentence)) else value)

    env = jinja2.Environment(loader=jinja2.PackageLoader("inspector.report", "templates"), autoescape=autoescape,
                             finalize=said, undefined=jinja2.StrictUndefined, trim_blocks=False)
    _filters(env, lang, markdown=not autoescape)
    return env


def render_html(content: ReportContent, image_src: Callable[[str], str] | None = None, pdf: bool = False) -> str:
    """The HTML report; images inline as data URIs unless `image_src` maps names elsewhere (the PDF).
    `pdf`: laid out for pages (sections with long tables start a page, the widest columns drop or shorten)."""
    src = image_src or (lambda name: "data:image/png;base64," + base64.b64encode(content.images[name]).decode())
    return _env(True, content.language).get_template("report.html.j2").render(
        d=content.data, g=content.data.get("generation"), img=src, images=content.images,
        width=lambda name, most: min(most, png_width(content.images[name])),
        histograms=content.histogram_images, lens=content.lens, attention=content.attention_images, pdf=pdf,
        report=content)


def png_width(png: bytes) -> int:
    """A PNG's width in pixels, from its header: a small picture is shown at its size, not stretched."""
    return int.from_bytes(png[16:20], "big")


def md_escape(value) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = MD_EMPHASIS.sub(r"\\_", MD_INLINE.sub(r"\\\1", text))
    text = MD_LINE_START.sub(r"\1\\\2", MD_ENTITY.sub("&amp;", text))
    return MD_ORDERED.sub(r"\1\\\2", text)


def render_markdown(content: ReportContent, image_dir: str) -> str:
    def finalize(value):
        return md_escape(value) if isinstance(value, str) and not isinstance(value, (Verbatim, MdText)) else value

    return _env(False, content.language, finalize).get_template("report.md.j2").render(
        d=content.data, g=content.data.get("generation"), img=lambda name: f"{image_dir}/{name}",
        images=content.images, histograms=content.histogram_images, lens=content.lens,
        attention=content.attention_images, report=content)


# ---------------------------------------------------------------------------- formats
def csv_rows(data: dict):
    for layer in data["layers"]:
        for t in layer["tensors"]:
            row = {k: t.get(k) for k in CSV_COLUMNS}
            row.update(layer=layer["name"], index=layer["index"], shape="x".join(map(str, t["shape"])))
            yield row


def write_csv(content: ReportContent, target: Path) -> None:
    def write(fh):
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for row in csv_rows(content.data):
            w.writerow(row)

    atomic_write(target, write)


def write_json(content: ReportContent, target: Path) -> None:
    atomic_write(target, lambda fh: json_output.dump(content.data, fh, indent=1))


def write_html(content: ReportContent, target: Path) -> None:
    html = render_html(content)
    atomic_write(target, lambda fh: fh.write(html))


def write_markdown(content: ReportContent, target: Path) -> None:
    """report.md plus its pictures in report_files/ beside it (replaced as a whole)."""
    folder = target.with_name(target.stem + "_files")
    text = render_markdown(content, folder.name)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=target.parent))
    try:
        for name, png in content.images.items():
            (tmp_dir / name).write_bytes(png)
        os.chmod(tmp_dir, 0o777 & ~_umask())
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp_dir, folder)
    except BaseException as exc:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ReportError(CANNOT_WRITE_PICTURES(exc.strerror or str(exc)), str(folder)) from None
        raise
    atomic_write(target, lambda fh: fh.write(text))
