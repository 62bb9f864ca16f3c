"""nbval and the book build execute every chapter separately: seeded, they glue the same values.

Under pytest-xdist the two executions run in different workers at the same time; this test is
ordered last and waits for both (see the root conftest.py).
"""

import time
from pathlib import Path

import pytest
from bookutil import BUILD, build_marker, record

BUILD_WAIT_SECONDS = 1800
pytestmark = pytest.mark.compare_executions


def wait_for_build(config):
    marker, deadline = build_marker(config), time.monotonic() + BUILD_WAIT_SECONDS
    while not marker.exists():
        if time.monotonic() > deadline:
            pytest.fail("the book build did not finish in time")
        time.sleep(2)
    return int(marker.read_text())


def test_two_executions_glue_the_same_values(request, chapter_glue):
    """Wall-clock measurements, glued under names starting with "wallclock_", may differ."""
    items = request.session.items
    if not chapter_glue.expected:
        pytest.skip("no chapter is executed by nbval in this run")
    if not any(Path(str(i.path)).name == "test_build.py" for i in items):
        pytest.skip("the book is not built in this run")
    if wait_for_build(request.config) != 0:
        pytest.fail("the book build failed: nothing to compare")
    values = chapter_glue.values()
    from jupyter_cache import get_cache

    cache = get_cache(BUILD / ".jupyter_cache")
    built = {}
    for entry in cache.list_cache_records():
        nb = cache.get_cache_bundle(entry.pk).nb
        outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
        built[Path(entry.uri).stem] = dict(chapter_glue.read(outputs))
    compared = 0
    for chapter, glued in values.items():
        assert chapter in built, f"{chapter} was executed by nbval but not by the build"
        for name, text in glued.items():
            if not name.startswith("wallclock_"):
                assert built[chapter].get(name) == text, f"{chapter}: {name} differs between runs"
                compared += 1
    record("glued values compared across two executions", compared)
    assert compared > 100
