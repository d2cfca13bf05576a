"""Subsets of open fonts for the scripts a system may lack, bundled so the app, its screenshots and its reports
render Chinese, Japanese, Korean, Arabic, Hebrew and emoji anywhere (the system's own fonts come first).

    apt-get install fonts-noto-cjk fonts-noto-core fonts-symbola fortunes-zh && pip install fonttools
    python assets/build_fonts.py

The CJK subset holds every character of the Chinese sample's text (Debian's fortunes-zh) and of the Chinese
interface, the 3755 most common Chinese characters (GB 2312 level 1), kana, and the 2350 common Hangul syllables
(KS X 1001); the Arabic and Hebrew subsets their blocks; the emoji subset Symbola's emoji blocks (monochrome).
"""

from __future__ import annotations

import glob
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "inspector" / "assets" / "fonts"
CJK_TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CJK_FACE = "Noto Sans CJK SC"
ARABIC = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"
HEBREW = "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf"
SYMBOLA = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"
FORTUNES_ZH = ["/usr/share/games/fortunes/chinese", "/usr/share/games/fortunes/tang300",
               "/usr/share/games/fortunes/song100"]


def _encodable(codec: str, lo: int, hi: int) -> set[str]:
    """The characters a legacy double-byte codec encodes with lead bytes lo..hi (its common level)."""
    chars = set()
    for lead in range(lo, hi + 1):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes([lead, trail]).decode(codec))
            except UnicodeDecodeError:
                pass
    return chars


def cjk_text() -> str:
    chars = set()
    for f in FORTUNES_ZH:
        chars |= set(Path(f).read_text(encoding="utf-8", errors="ignore"))
    for ts in glob.glob(str(ROOT / "inspector" / "app" / "translations" / "*.ts")):
        chars |= set(re.sub(r"<[^>]+>", "", Path(ts).read_text(encoding="utf-8")))
    for tpl in glob.glob(str(ROOT / "inspector" / "report" / "i18n" / "*.json")):
        chars |= set(Path(tpl).read_text(encoding="utf-8"))
    chars |= _encodable("gb2312", 0xB0, 0xD7)  # GB 2312 level 1: the 3755 most common hanzi
    chars |= _encodable("euc-kr", 0xB0, 0xC8)  # KS X 1001: the 2350 common Hangul syllables
    chars |= {chr(c) for c in range(0x3000, 0x3100)}  # CJK punctuation, hiragana, katakana
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)}  # full-width forms
    chars |= {chr(c) for c in range(0x2000, 0x2070)} | {"⟨", "⟩", "↵", "⇥", "␣", "▸", "·", "…"}
    return "".join(sorted(c for c in chars if c.isprintable() or c == " "))


def run_subset(font: TTFont, text: str | None, unicodes: list[int] | None, out: Path) -> None:
    options = subset.Options()
    options.layout_features = ["*"]  # shaping for Arabic and Hebrew
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(text=text or "", unicodes=unicodes or [])
    sub.subset(font)
    font.save(out)
    print(f"{out.name}: {out.stat().st_size / 1e6:.2f} MB")


def main() -> None:
    missing = [p for p in (CJK_TTC, ARABIC, HEBREW, SYMBOLA, *FORTUNES_ZH) if not Path(p).exists()]
    if missing:
        sys.exit("missing: " + ", ".join(missing) + " (see this script's docstring for the packages)")
    OUT.mkdir(parents=True, exist_ok=True)
    face = next(f for f in TTCollection(CJK_TTC).fonts
                if any(CJK_FACE == n.toUnicode() for n in f["name"].names if n.nameID == 1))
    run_subset(face, cjk_text(), None, OUT / "NotoSansCJKsc-subset.otf")
    run_subset(TTFont(ARABIC), None, [*range(0x0600, 0x0700), *range(0x0750, 0x0780), *range(0xFB50, 0xFE00),
                                      *range(0xFE70, 0xFF00)], OUT / "NotoSansArabic-subset.ttf")
    run_subset(TTFont(HEBREW), None, [*range(0x0590, 0x0600), *range(0xFB1D, 0xFB50)], OUT / "NotoSansHebrew-subset.ttf")
    run_subset(TTFont(SYMBOLA), None, [*range(0x1F300, 0x1FB00), *range(0x2600, 0x27C0), *range(0x2B00, 0x2C00)],
               OUT / "Symbola-emoji-subset.ttf")


if __name__ == "__main__":
    main()
