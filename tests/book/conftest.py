"""A clean book build shared by the build and browser tests, and a summary of what they measured."""

import json
import shutil

import pytest
from bookutil import BUILD, REPORT, ROOT, build

_state = {"built": False}


@pytest.fixture(scope="session")
def built_book():
    """Build the whole book from a clean _build, warnings as errors; return the process result."""
    shutil.rmtree(BUILD, ignore_errors=True)
    _state["built"] = True
    return build(ROOT)


def pytest_terminal_summary(terminalreporter):
    if not (_state["built"] and REPORT.exists()):
        return
    report = json.loads(REPORT.read_text())
    terminalreporter.section("book measurements")
    for section, data in report.items():
        terminalreporter.write_line(f"{section}: {json.dumps(data)}")
