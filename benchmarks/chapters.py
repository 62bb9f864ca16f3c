"""Execution time of every chapter, and drawing time of every interactive figure, against budgets.

Each chapter is converted from MyST in memory and executed in a fresh kernel, as nbval and the
book build do. The reference in the same run is an empty notebook (kernel start-up alone), and
the budgets: 60 s per chapter, 3 s of precomputation per interactive figure.

    .venv/bin/python benchmarks/chapters.py [book/gradients.md ...]
"""

import json
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_BUDGET = 60.0
FIGURE_BUDGET = 3.0
REPORT_CELL = "import json, lib.widgets as w; print(json.dumps(w.precompute_log))"


def run(nb):
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "book")}}).execute()
    return time.perf_counter() - start


def main(paths):
    empty = nbformat.v4.new_notebook()
    empty.cells.append(nbformat.v4.new_code_cell("pass"))
    baseline = run(empty)
    print(f"{'kernel start-up (reference)':40s} {baseline:6.1f} s")
    worst = 0.0
    for path in paths:
        nb = jupytext.read(path)
        nb.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
        seconds = run(nb)
        figures = json.loads(nb.cells[-1].outputs[0]["text"])
        worst = max(worst, seconds / CHAPTER_BUDGET)
        print(f"{Path(path).stem:40s} {seconds:6.1f} s  ({seconds / CHAPTER_BUDGET:.0%} of "
              f"{CHAPTER_BUDGET:.0f} s; {seconds - baseline:.1f} s beyond start-up)")
        for alt, frames, secs in figures:
            print(f"    figure {alt[:40]!r:44s} {frames:3d} frames {secs:5.2f} s "
                  f"({secs / FIGURE_BUDGET:.0%} of {FIGURE_BUDGET:.0f} s)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    chapters = sys.argv[1:] or sorted(
        str(p) for p in (ROOT / "book").glob("*.md")
        if p.read_text(encoding="utf-8").startswith("---\njupytext")
    )
    sys.exit(main(chapters))
