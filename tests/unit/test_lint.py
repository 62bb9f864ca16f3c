"""ruff, configured in pyproject.toml, finds nothing in lib/, tests/, benchmarks/ and scripts/."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_check():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed in this environment"
    result = subprocess.run(
        [ruff, "check", "lib", "tests", "benchmarks", "scripts", "conftest.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
