"""Collect the book's MyST chapters (book/*.md) as notebooks for nbval.

The chapters are stored as MyST markdown with no outputs. Each one is converted
to a notebook in memory with jupytext (nothing converted is written to the tree)
and handed to nbval, which runs every code cell in a fresh kernel started in
book/, as the book build does. With no stored outputs there is nothing to compare:
a chapter's claims are the `assert`s in its cells.
"""

from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import jupytext
import nbval.plugin
import pytest

BOOK = Path(__file__).parent / "book"
# chapter name -> {glue name: text/plain of the value}, as executed by nbval in this run
_glued = {}


class MystNotebook(nbval.plugin.IPyNbFile):
    """An nbval notebook read from a MyST markdown file."""

    def collect(self):
        nb = jupytext.read(self.path)
        with mock.patch.object(nbval.plugin.nbformat, "read", return_value=nb):
            yield from super().collect()


def _is_chapter(path):
    if path.suffix != ".md" or path.parent != BOOK:
        return False
    with path.open(encoding="utf-8") as f:
        head = f.read(400)
    return head.startswith("---") and "jupytext:" in head


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and _is_chapter(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None


def glued_values(outputs):
    """(name, text/plain) of every myst-nb `glue` output among a cell's outputs."""
    for out in outputs:
        meta = out.get("metadata", {}).get("scrapbook")
        if meta:
            yield meta["name"], out["data"].get(meta.get("mime_prefix", "") + "text/plain")


def pytest_runtest_teardown(item):
    if isinstance(item.parent, MystNotebook) and getattr(item, "test_outputs", None):
        _glued.setdefault(item.parent.path.stem, {}).update(glued_values(item.test_outputs))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Fail a chapter's cell that glues a numpy scalar.

    The book build formats a glued number from its text/plain form ({glue:text}`x:.3f`),
    and numpy 2 prints its scalars as np.float64(0.01), which the build cannot parse and
    the prose would show as it is.
    """
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or not report.passed or not isinstance(item.parent, MystNotebook):
        return
    reprs = {k: v for k, v in glued_values(getattr(item, "test_outputs", None) or [])
             if v and v.startswith("np.")}
    if reprs:
        report.outcome = "failed"
        report.longrepr = f"glue a Python number (float(x), int(x)), not a numpy scalar: {reprs}"


@pytest.fixture(scope="session")
def chapter_glue():
    """What each chapter glued when nbval executed it earlier in this run, and the reader."""
    return SimpleNamespace(values=_glued, read=glued_values)
