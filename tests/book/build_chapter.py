"""Build one chapter as a book of its own, for authors: `make test CHAPTER=momentum`.

The chapter is executed and rendered with the book's configuration, warnings as errors,
except the warnings that only say a link points to a chapter left out of this small book.
The output goes to _build/chapter/<name>/_build/html/book/<name>.html.
"""

import re
import shutil
import sys

from bookutil import BUILD, ROOT, build, small_book

# Links to the chapters this small book leaves out; anything else fails the build.
ABSENT = re.compile(r"unknown document|undefined label|failed to create a cross reference|"
                    r"term not in glossary|Could not find equation|Unknown (?:target|"
                    r"interpreted text)|label \S+ not found|undefined (?:term|equation)",
                    re.IGNORECASE)


def main(name):
    chapter = ROOT / "book" / f"{name}.md"
    if not chapter.is_file():
        sys.exit(f"CHAPTER must name a file in book/ without .md, got {name!r}")
    site = BUILD / "chapter" / name
    shutil.rmtree(site, ignore_errors=True)
    small_book(site)
    shutil.copy(ROOT / "book/bibliography.md", site / "book/bibliography.md")
    shutil.copy(chapter, site / "book" / chapter.name)
    (site / "_toc.yml").write_text(
        f"format: jb-book\nroot: book/{name}\nchapters:\n  - file: book/bibliography\n")
    result = build(site, "--keep-going")
    log = result.stdout + result.stderr
    warnings = [ln for ln in log.splitlines() if "WARNING:" in ln or "ERROR:" in ln]
    real = [ln for ln in warnings if not ABSENT.search(ln)]
    print("\n".join(warnings) or "no warnings")
    print(f"\n{len(warnings) - len(real)} warnings about chapters left out, {len(real)} others;"
          f" page: {site / '_build/html/book' / (name + '.html')}")
    sys.exit(1 if real else 0)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_chapter.py <chapter name, e.g. momentum>")
    main(sys.argv[1])
