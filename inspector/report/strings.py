"""Every string a translation must cover: the core's sentences (declared with messages.sentence() in the modules
that say them) and the report templates' and charts' own words (their `_()` calls).

`python -m inspector.report.strings` lists what each translation still lacks (exit status 1 if anything)."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from importlib import resources

from .. import messages
from ..messages import DEFAULT, LANGUAGES, catalog

REPORT_SOURCES = ("templates/report.html.j2", "templates/report.md.j2", "charts.py", "content.py")
OUTSIDE_THE_CORE = ("inspector.app", "inspector.__main__")  # the app's own words are Qt's (.ts files)


def core_sentences() -> list[str]:
    """Every sentence the core declares: each module of the core is loaded, so each declares its own."""
    import inspector

    for info in pkgutil.walk_packages(inspector.__path__, "inspector."):
        if not info.name.startswith(OUTSIDE_THE_CORE):
            importlib.import_module(info.name)
    return list(messages.SENTENCES)


def template_strings() -> list[str]:
    """The reports' own words: what the templates and the charts pass to `_()` as a literal (either quotes)."""
    found: list[str] = []
    pkg = resources.files("inspector.report")
    for name in REPORT_SOURCES:
        src = pkg.joinpath(*name.split("/")).read_text(encoding="utf-8")
        for m in re.finditer(r'\b_\((?:"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\')', src):
            s = (m.group(1) if m.group(1) is not None else m.group(2))
            s = s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if s not in found:
                found.append(s)
    return found


def all_strings() -> list[str]:
    return list(dict.fromkeys(template_strings() + core_sentences()))


def missing() -> dict[str, list[str]]:
    wanted = all_strings()
    return {lang: [s for s in wanted if s not in catalog(lang)] for lang in LANGUAGES if lang != DEFAULT}


if __name__ == "__main__":
    gaps = missing()
    for lang, strings in gaps.items():
        print(f"{lang}: {len(strings)} missing", *strings, sep="\n  ")
    sys.exit(1 if any(gaps.values()) else 0)
