"""`make lab` as a student meets it: JupyterLab opens a chapter's .md as a notebook (jupytext),
runs it, and the interactive figure is a live ipywidgets slider that changes the picture."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bookutil import ROOT

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
CHAPTER = "preface.md"  # the quickest chapter with an interactive figure
TOKEN = "book-test"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on book/, as `make lab` starts it, with its state kept in a tmp dir."""
    state = tmp_path_factory.mktemp("jupyter")
    # Never save: a saved notebook would be written back to the chapter's .md.
    settings = state / "settings/@jupyterlab/docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(state / "config"),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(state / "settings")}
    port = free_port()
    jupyter = Path(sys.executable).parent / "jupyter"
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", "--expose-app-in-browser", "--allow-root",
         "--LabApp.news_url=", str(ROOT / "book")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_chapter_runs_in_jupyterlab_with_a_live_slider(lab):
    from playwright.sync_api import sync_playwright

    source = (ROOT / "book" / CHAPTER).read_bytes()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors, offhost = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: r.url.startswith("http") and
                not r.url.startswith("http://127.0.0.1") and offhost.append(r.url))
        page.goto(f"{lab}/lab/tree/{CHAPTER}?token={TOKEN}")

        # The .md opens as a notebook (jupytext is its default viewer), not as text.
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-CodeCell", timeout=90_000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " return w && w.sessionContext && w.sessionContext.session"
            " && w.sessionContext.session.kernel; }",
            timeout=90_000,
        )
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

        # The interactive figure arrives as live ipywidgets, not as the static HTML version.
        image = page.locator(".jp-OutputArea .widget-image").first
        image.wait_for(state="visible", timeout=120_000)
        assert page.locator(".jp-OutputArea [data-lib-slider]").count() == 0
        readout = page.locator(".jp-OutputArea .widget-readout").first
        before_src, before_label = image.get_attribute("src"), readout.inner_text()

        # Moving the slider asks the kernel for another frame.
        page.locator(".jp-OutputArea .widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(s) => document.querySelector('.jp-OutputArea .widget-image')"
            ".getAttribute('src') !== s",
            arg=before_src, timeout=30_000,
        )
        assert readout.inner_text() != before_label
        assert page.locator(".jp-OutputArea [data-mime-type='application/vnd.jupyter.stderr']"
                            ).count() == 0
        browser.close()
    assert errors == []
    assert offhost == []
    assert (ROOT / "book" / CHAPTER).read_bytes() == source
