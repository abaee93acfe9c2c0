"""Instruction budgets: the hot paths' instruction counts under `valgrind --tool=callgrind`,
checked against the counts recorded in `benches/instruction_budget.json`.

Wall-clock times on a shared machine swing by a quarter from run to run; instruction counts
of a release build on a fixed, seeded fixture do not (the same build gives the same count to
the instruction). A change that makes the batch scorer or the pipeline metrics execute more
than `tolerance` more instructions fails here, in CI, before anyone has to notice it in a
noisy benchmark. (It does not see a change in cache misses or latency: that is still the
benchmarks' job.)

    python benches/instruction_budget.py            # build, measure, compare
    python benches/instruction_budget.py --bless    # record the current counts

Counts depend on the compiler: when `rustc --version` differs from the one the budget was
recorded with, the check says so and passes without comparing (re-bless on the new
toolchain).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = ROOT / "benches" / "instruction_budget.json"


def rustc_version() -> str:
    return subprocess.run(
        ["rustc", "--version"], check=True, capture_output=True, text=True
    ).stdout.strip()


def measure(check: dict, target: Path, scratch: Path) -> int:
    """The instructions executed inside `check["functions"]` (callgrind's toggles)."""
    exe = target / "release" / "examples" / check["example"]
    out = scratch / f"{check['example']}.callgrind"
    args = [a.replace("{scratch}", str(scratch)) for a in check["args"]]
    toggles = [f"--toggle-collect={f}" for f in check["functions"]]
    env = dict(os.environ, **check.get("env", {}))
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *toggles, str(exe), *args],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    m = re.search(r"^summary:\s+(\d+)", out.read_text(), re.MULTILINE)
    if not m:
        raise SystemExit(f"instruction budget: no summary in {out}")
    count = int(m.group(1))
    if count == 0:
        raise SystemExit(
            f"instruction budget: {check['name']}: no instruction counted inside "
            f"{check['functions']} (renamed?)"
        )
    return count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bless", action="store_true", help="record the current counts")
    args = ap.parse_args()

    if shutil.which("valgrind") is None:
        raise SystemExit("instruction budget: valgrind is not installed")
    budget = json.loads(BUDGET.read_text())
    rustc = rustc_version()
    if not args.bless and budget["rustc"] != rustc:
        print(
            f"instruction budget: recorded with {budget['rustc']!r}, this is {rustc!r}: "
            "not compared (re-bless with --bless on this toolchain)"
        )
        return 0

    examples = sorted({c["example"] for c in budget["checks"]})
    build = ["cargo", "build", "--quiet", "--release"]
    for e in examples:
        build += ["--example", e]
    subprocess.run(build, check=True, cwd=ROOT)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))

    tolerance = budget["tolerance"]
    failed = []
    with tempfile.TemporaryDirectory(prefix="leadcore-budget-") as tmp:
        for check in budget["checks"]:
            count = measure(check, target, Path(tmp))
            recorded = check["instructions"]
            change = count / recorded - 1
            line = (
                f"{check['name']}: {count:,} instructions "
                f"(budget {recorded:,}, {change:+.2%})"
            )
            if args.bless:
                check["instructions"] = count
                print(f"{line}: recorded")
            elif change > tolerance:
                failed.append(check["name"])
                print(f"{line}: OVER the budget by more than {tolerance:.0%}")
            elif change < -tolerance:
                print(f"{line}: below the budget (bless to keep the gain)")
            else:
                print(f"{line}: ok")
    if args.bless:
        budget["rustc"] = rustc
        BUDGET.write_text(json.dumps(budget, indent=2) + "\n")
        return 0
    if failed:
        print(
            "instruction budget: more instructions in "
            + ", ".join(failed)
            + ". Profile (`valgrind --tool=callgrind` on the same command, then "
            "`callgrind_annotate`); if the cost is wanted, re-bless with --bless and say why "
            "in the commit."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
