"""Paths and helpers shared by the build and browser tests."""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
REPORT = BUILD / "test-report.json"


def toc_pages():
    """Document names listed in _toc.yml, in book order (e.g. "book/random_search")."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part["chapters"]]
    pages += [c["file"] for c in toc.get("chapters", [])]
    return pages


def jupyter_book():
    exe = Path(sys.executable).parent / "jupyter-book"
    return str(exe) if exe.exists() else shutil.which("jupyter-book")


def small_book(folder):
    """A new book in `folder` with the book's configuration, static files, extensions,
    templates and references, and no pages yet: the caller writes _toc.yml and the pages."""
    folder = Path(folder)
    (folder / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    for sub in ("book/_static", "book/_ext", "book/_templates"):
        shutil.copytree(ROOT / sub, folder / sub)
    shutil.copy(ROOT / "book/references.bib", folder / "book/references.bib")
    return folder


def build(source, *extra):
    return subprocess.run(
        [jupyter_book(), "build", str(source), "-W", "--keep-going", *extra],
        cwd=source, capture_output=True, text=True, timeout=1800,
    )


def build_marker(config):
    """Written when this run's build is over, holding its return code, for other workers."""
    return Path(tempfile.gettempdir()) / f"book-built-{config.book_run_id}"


def record(section, data):
    """Add measurements to _build/test-report.json, printed at the end of the run."""
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report[section] = data
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1))
