"""Collect the book's MyST chapters (book/*.md) as notebooks for nbval.

The chapters are stored as MyST markdown with no outputs. Each one is converted
to a notebook in memory with jupytext (nothing converted is written to the tree)
and handed to nbval, which runs every code cell in a fresh kernel started in
book/, as the book build does. With no stored outputs there is nothing to compare:
a chapter's claims are the `assert`s in its cells.
"""

import json
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import jupytext
import nbval.plugin
import pytest

BOOK = Path(__file__).parent / "book"
# chapter name -> {glue name: text/plain of the value}, as executed by nbval in this process
_glued = {}
# Under pytest-xdist (make test runs two workers) the chapters run in one process and the book
# build in another; each chapter's glued values are written to a directory shared by the run.
GLUE_WAIT_SECONDS = 1800


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


def pytest_configure(config):
    """Give the run one id, the same in every xdist worker (`config.book_run_id`)."""
    workerinput = getattr(config, "workerinput", None)
    config.book_run_id = workerinput["testrunuid"] if workerinput else uuid.uuid4().hex
    config.addinivalue_line("markers", "compare_executions: runs after every other test")


def glue_dir(config):
    return Path(tempfile.gettempdir()) / f"book-nbval-glue-{config.book_run_id}"


def _group(nodeid):
    """The xdist work unit of a test, from its node id: a chapter's cells stay together and in
    order (they share a kernel); the book build and the tests of the built pages share one
    build; any other test goes with its module."""
    if nodeid.startswith(("tests/book/test_build", "tests/book/test_browser")):
        return "book-build"
    return nodeid.split("::", 1)[0]


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` with the work units of `_group` (xdist's own loadgroup reads
    xdist_group marks through a node attribute that pytest 9 no longer uses)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ChapterScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return _group(nodeid)

    return ChapterScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Order the tests: the book build first (the longest single task), the comparison of
    the two executions last. Under xdist, work units are taken in this order."""
    def rank(item):
        if "compare_executions" in item.keywords:
            return 2
        return 0 if _group(item.nodeid) == "book-build" else 1
    items.sort(key=rank)        # stable: the collection order within each rank


def pytest_runtest_teardown(item, nextitem):
    if not isinstance(item.parent, MystNotebook):
        return
    chapter = item.parent.path.stem
    values = _glued.setdefault(chapter, {})
    if getattr(item, "test_outputs", None):
        values.update(glued_values(item.test_outputs))
    if nextitem is None or nextitem.parent is not item.parent:     # the chapter's last cell
        out = glue_dir(item.config)
        out.mkdir(exist_ok=True)
        tmp = out / f"{chapter}.json.tmp"
        tmp.write_text(json.dumps(values))
        tmp.replace(out / f"{chapter}.json")


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
def chapter_glue(request):
    """What each chapter glued when nbval executed it in this run (in any worker), and the
    reader of glued values. `values` waits until every chapter collected in this run is done."""
    session = request.session
    expected = sorted({i.parent.path.stem for i in session.items
                       if isinstance(i.parent, MystNotebook)})

    def values():
        folder, deadline = glue_dir(request.config), time.monotonic() + GLUE_WAIT_SECONDS
        while True:
            done = {p.stem.removesuffix(".json") for p in folder.glob("*.json")} \
                if folder.exists() else set()
            missing = [c for c in expected if c not in done]
            if not missing:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"nbval did not finish these chapters in time: {missing}")
            time.sleep(2)
        return {c: json.loads((folder / f"{c}.json").read_text()) for c in expected}

    return SimpleNamespace(expected=expected, values=values, read=glued_values)

