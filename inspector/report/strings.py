"""Every string a report translation must cover: the templates' and charts' `_()` calls, and the core's
vocabulary that the app and the reports both show (report formats, why a run ended, the kinds of parameter).

`python -m inspector.report.strings` lists what each translation still lacks (exit status 1 if anything)."""

from __future__ import annotations

import re
import sys
from importlib import resources

from .. import progress_text
from ..plan import messages as plan_messages
from ..engine.generator import FINISH_REASONS
from ..model.families import FAMILIES
from ..stats import precision
from .formats import FORMATS
from .i18n import DEFAULT, LANGUAGES, catalog


def template_strings() -> list[str]:
    found: list[str] = []
    pkg = resources.files("inspector.report")
    sources = [pkg / "templates" / n for n in ("report.html.j2", "report.md.j2")] + [
        pkg / "charts.py", pkg / "content.py", resources.files("inspector.stats") / "precision.py"]
    for src in sources:
        for m in re.finditer(r'\b_\("((?:[^"\\]|\\.)*)"', src.read_text(encoding="utf-8")):
            s = m.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if s not in found:
                found.append(s)
    vocabulary = [f.label for f in FORMATS.values()] + list(FINISH_REASONS.values()) + ["weight", "bias"] + [
        precision.QUANTIZED_NOTE, precision.LOW_PRECISION_NOTE] + [f.formula_where for f in FAMILIES if f.formula_where] + [
        *progress_text.SENTENCES, *plan_messages.SENTENCES]
    return list(dict.fromkeys(found + vocabulary))


def missing() -> dict[str, list[str]]:
    return {lang: [s for s in template_strings() if s not in catalog(lang)] for lang in LANGUAGES if lang != DEFAULT}


if __name__ == "__main__":
    gaps = missing()
    for lang, strings in gaps.items():
        print(f"{lang}: {len(strings)} missing", *strings, sep="\n  ")
    sys.exit(1 if any(gaps.values()) else 0)
