"""The two pyproject.toml files (the repository root's, for `pip install .`, and the crate's,
for `pip install crates/leadcore-py`) describe the same package."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CRATE = ROOT / "crates" / "leadcore-py"


def load(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        data: dict[str, Any] = tomllib.load(f)
    return data


def test_root_and_crate_pyproject_agree() -> None:
    root, crate = load(ROOT / "pyproject.toml"), load(CRATE / "pyproject.toml")
    assert root["build-system"] == crate["build-system"]
    root_project, crate_project = dict(root["project"]), dict(crate["project"])
    assert (ROOT / root_project.pop("readme")).resolve() == (CRATE / crate_project.pop("readme")).resolve()
    assert root_project == crate_project
    root_maturin, crate_maturin = dict(root["tool"]["maturin"]), dict(crate["tool"]["maturin"])
    assert (ROOT / root_maturin.pop("manifest-path")).resolve() == CRATE / "Cargo.toml"
    assert (ROOT / root_maturin.pop("python-source")).resolve() == (CRATE / crate_maturin.pop("python-source")).resolve()
    assert root_maturin == crate_maturin


def test_extras() -> None:
    extras = load(CRATE / "pyproject.toml")["project"]["optional-dependencies"]
    assert set(extras) == {"pandas", "pyarrow", "polars", "plot", "all"}
    assert sorted(extras["all"]) == sorted({r for name in ("pandas", "pyarrow", "polars", "plot") for r in extras[name]})
    assert load(CRATE / "pyproject.toml")["project"]["dependencies"] == []
