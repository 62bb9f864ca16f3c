"""Collect the book's MyST chapters (book/*.md) as notebooks for nbval.

The chapters are stored as MyST markdown with no outputs. Each one is converted
to a notebook in memory with jupytext (nothing converted is written to the tree)
and handed to nbval, which runs every code cell in a fresh kernel started in
book/, as the book build does. With no stored outputs there is nothing to compare:
a chapter's claims are the `assert`s in its cells.
"""

from pathlib import Path
from unittest import mock

import jupytext
import nbval.plugin

BOOK = Path(__file__).parent / "book"


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
