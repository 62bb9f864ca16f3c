"""A clean book build shared by the build and browser tests, and a summary of what they measured."""

import json
import shutil
import time

import pytest
from bookutil import BUILD, REPORT, ROOT, build, build_marker

_state = {"built": False}


@pytest.fixture(scope="session")
def built_book(request):
    """Build the whole book from a clean _build, warnings as errors; return the process result."""
    shutil.rmtree(BUILD, ignore_errors=True)
    _state["built"] = True
    marker = build_marker(request.config)
    try:
        result = build(ROOT)
        marker.write_text(str(result.returncode))
    except BaseException:
        marker.write_text("-1")
        raise
    return result


def pytest_sessionstart(session):
    _state["start"] = time.time()


def pytest_terminal_summary(terminalreporter):
    # Under xdist the build ran in a worker: print the report if this run wrote it.
    if not (REPORT.exists() and REPORT.stat().st_mtime >= _state.get("start", 0)):
        return
    report = json.loads(REPORT.read_text())
    terminalreporter.section("book measurements")
    for section, data in report.items():
        terminalreporter.write_line(f"{section}: {json.dumps(data)}")
