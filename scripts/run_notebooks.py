"""Executes notebooks top to bottom in a fresh kernel (the venv's Python), from their own
folder, and fails on the first cell that raises. The files are not rewritten.

Usage: python scripts/run_notebooks.py examples/*.ipynb
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbclient
import nbformat


def main(paths: list[str]) -> int:
    if not paths:
        print("run_notebooks: no notebooks given", file=sys.stderr)
        return 2
    for name in paths:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        client = nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as e:
            print(f"FAIL {path}:\n{e}", file=sys.stderr)
            return 1
        cells = sum(1 for c in nb.cells if c.cell_type == "code")
        print(f"ok   {path} ({cells} code cells, {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
