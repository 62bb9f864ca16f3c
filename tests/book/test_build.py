"""The whole book builds from a clean _build with warnings as errors, and needs no network."""

import re
import subprocess
from pathlib import Path

import pytest
from bookutil import HTML, ROOT, build, record, small_book, toc_pages

MAX_PAGE_BYTES = 4_000_000  # 4 MB, decimal
REMOTE = re.compile(
    r"""<(?:script|img|link|iframe|source)\b[^>]*?\b(?:src|href)=["'](?:https?:)?//"""
)


def chapter_pages():
    return [HTML / f"{page}.html" for page in toc_pages()]


def test_build_succeeds_with_no_warnings(built_book):
    log = built_book.stdout + built_book.stderr
    assert built_book.returncode == 0, log[-5000:]
    assert "build succeeded" in log
    assert [line for line in log.splitlines() if "WARNING:" in line] == []


def test_every_page_in_the_toc_is_built(built_book):
    missing = [p for p in chapter_pages() if not p.exists()]
    assert not missing


def page_weight(page):
    """Bytes of a page's HTML plus the images it references from _images/."""
    html = page.read_text(encoding="utf-8")
    images = set(re.findall(r'src="(?:\.\./)*(_images/[^"]+)"', html))
    return page.stat().st_size + sum((HTML / img).stat().st_size for img in images)


def test_pages_within_size_budget(built_book):
    sizes = {p.stem: page_weight(p) for p in chapter_pages()}
    record("page bytes (html + own images)", sizes)
    too_big = {k: v for k, v in sizes.items() if v > MAX_PAGE_BYTES}
    assert not too_big


def test_no_page_loads_anything_from_another_host(built_book):
    offenders = {}
    for page in HTML.rglob("*.html"):
        hits = REMOTE.findall(page.read_text(encoding="utf-8"))
        if hits:
            offenders[str(page.relative_to(HTML))] = hits[:3]
    assert not offenders


def test_mathjax_and_slider_script_are_served_locally(built_book):
    assert (HTML / "_static/mathjax/tex-chtml.js").stat().st_size > 100_000
    assert list((HTML / "_static/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    for page in chapter_pages():
        html = page.read_text(encoding="utf-8")
        if 'class="math' in html:
            assert re.search(r'src="(\.\./)*_static/mathjax/tex-chtml\.js', html), page.name
        assert re.search(r'src="(\.\./)*_static/lib-sliders\.js', html), page.name
        # No ipywidgets manager or require.js: the static figures need neither.
        assert "require.min.js" not in html
        assert "html-manager" not in html
        # The theme's CSS draws its icons with web fonts; its 1.5 MB SVG script is left out.
        assert "fontawesome.js" not in html


def test_chapters_have_a_binder_button(built_book):
    for page in toc_pages()[1:]:
        if not (ROOT / f"{page}.md").read_text(encoding="utf-8").startswith("---\njupytext"):
            continue
        html = (HTML / f"{page}.html").read_text(encoding="utf-8")
        assert re.search(rf"https://mybinder\.org/v2/gh/[^\"]+\?urlpath=lab/tree/{page}\.md", html)


def test_no_converted_notebooks_are_left_in_the_tree(built_book):
    assert not list((ROOT / "book").glob("*.ipynb"))
    tracked = subprocess.run(["git", "ls-files", "book"], cwd=ROOT, capture_output=True,
                             text=True).stdout
    assert ".ipynb" not in tracked


def test_a_failing_cell_fails_the_build(tmp_path):
    book = small_book(tmp_path / "broken")
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    header = (ROOT / "book/preface.md").read_text(encoding="utf-8").split("---\n")[1]
    (book / "book/page.md").write_text(
        f"---\n{header}---\n# A page\n\n```{{code-cell}} ipython3\n"
        "raise RuntimeError('this cell fails on purpose')\n```\n",
        encoding="utf-8",
    )
    result = build(book)
    assert result.returncode != 0
    # myst-nb names the failing notebook and writes its traceback to a report.
    assert "page.err.log" in result.stdout + result.stderr
    reports = (book / "_build/html/reports").rglob("*.err.log")
    assert any("this cell fails on purpose" in r.read_text(encoding="utf-8") for r in reports)


@pytest.mark.parametrize("name", ["Makefile", "README.md", "requirements.txt", ".ci/run"])
def test_project_files_exist(name):
    assert (ROOT / name).is_file()


def test_readme_gives_the_two_commands_first():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_code = re.search(r"```(?:bash|sh)?\n(.*?)```", text, re.S).group(1)
    assert "make book" in first_code
    assert "make test" in first_code
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_requirements_are_pinned():
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [ln for ln in lines if ln and not ln.startswith("#") and ln != "-e ."]
    loose = [r for r in reqs if "==" not in r]
    assert not loose
    assert "jupyter-book==1.0.4.post1" in reqs
    assert Path(ROOT / "postBuild").is_file()


def test_the_korean_font_covers_every_hangul_character_of_the_book():
    from fontTools.ttLib import TTFont

    book_text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "book").glob("*.md"))
    hangul = {c for c in book_text if "\uac00" <= c <= "\ud7a3" or "\u3130" <= c <= "\u318f"}
    assert len(hangul) > 100
    for weight in ("Regular", "Bold"):
        font = TTFont(ROOT / f"book/_static/fonts/NotoSansKR-{weight}-book.woff")
        missing = sorted(c for c in hangul if ord(c) not in font.getBestCmap())
        assert not missing, (f"{weight}: {''.join(missing)} not in the font; "
                             "run scripts/korean_font.py (its docstring says how)")
