"""Make the book's Korean web font: Noto Sans CJK KR, cut to the Hangul the book uses.

Readers without a CJK font (headless Chromium, many Linux desktops) would see every Korean
term as empty boxes. The pages load this font only for Hangul (the @font-face rules in
book/_static/korean-font.css carry a unicode-range), so Latin text keeps the theme's font.

    apt-get download fonts-noto-cjk      # Debian's package; nothing is installed
    .venv/bin/python scripts/korean_font.py fonts-noto-cjk_*.deb

writes book/_static/fonts/NotoSansKR-{Regular,Bold}-book.woff. Run it again when
tests/book/test_build.py reports Hangul that the font lacks.
The fonts are under the SIL Open Font License 1.1 (book/_static/fonts/LICENSE-noto-cjk.txt,
Debian's copyright file of the package, which carries the license).
"""

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "book/_static/fonts"
KR = "Noto Sans CJK KR"


def is_hangul(c):
    return "\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f"


def hangul_in_book():
    """Every Hangul character of the chapters, the glossary and the configuration."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "book").glob("*.md")))
    text += (ROOT / "_config.yml").read_text(encoding="utf-8")
    return sorted({c for c in text if is_hangul(c)})


def extract(deb, workdir):
    """The Regular and Bold collections from the Debian package, without installing it."""
    subprocess.run(["dpkg-deb", "-x", str(deb), str(workdir)], check=True)
    found = {p.name: p for p in Path(workdir).rglob("NotoSansCJK-*.ttc")}
    return found["NotoSansCJK-Regular.ttc"], found["NotoSansCJK-Bold.ttc"]


def cut(ttc, chars):
    font = next(f for f in TTCollection(str(ttc)).fonts if f["name"].getDebugName(1) == KR)
    options = subset.Options()
    options.flavor = "woff"          # zlib: no brotli needed, and every browser reads it
    options.hinting = False          # screens at book sizes do not need it; it halves the file
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def main(deb):
    chars = hangul_in_book()
    with tempfile.TemporaryDirectory() as tmp:
        regular, bold = extract(deb, tmp)
        for weight, ttc in (("Regular", regular), ("Bold", bold)):
            data = cut(ttc, chars)
            (FONTS / f"NotoSansKR-{weight}-book.woff").write_bytes(data)
            print(f"NotoSansKR-{weight}-book.woff: {len(chars)} characters, {len(data)} bytes")
        for lic in Path(tmp).rglob("copyright"):
            (FONTS / "LICENSE-noto-cjk.txt").write_text(lic.read_text(encoding="utf-8"),
                                                        encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].endswith(".deb"):
        sys.exit("usage: korean_font.py fonts-noto-cjk_<version>_all.deb")
    main(sys.argv[1])
