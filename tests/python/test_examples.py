"""The examples keep working: the Python main job and the real-data scoring example."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def run(script: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not (SHARED / "olist-marketing-funnel").exists(), reason="../shared/data not beside the repo")
def test_python_main_job_prints_the_funnel() -> None:
    out = run("funnel.py")
    assert re.search(r"^Won\s+840\s+840\s+840\b", out, re.M), out
    assert "19360 transitions applied, 4 refused" in out


@pytest.mark.skipif(not (SHARED / "x-education-lead-scoring").exists(), reason="../shared/data not beside the repo")
def test_scoring_example_ranks_real_leads() -> None:
    out = run("xeducation_scoring.py")
    auc = float(re.search(r"ROC AUC (\d\.\d+)", out).group(1))  # type: ignore[union-attr]
    assert auc > 0.8, out
    grades = dict(re.findall(r"^  ([A-D]):\s+\d+ leads,\s+([\d.]+)% converted", out, re.M))
    assert float(grades["A"]) > float(grades["B"]) > float(grades["C"]) > float(grades["D"]), out
