"""The public package: what it exports, and the examples in its docstring."""

from __future__ import annotations

import doctest

import leadcore


def test_exported_names() -> None:
    for name in leadcore.__all__:
        assert hasattr(leadcore, name), name
    assert leadcore.__version__ == leadcore.CORE_VERSION


def test_package_docstring_examples() -> None:
    result = doctest.testmod(leadcore, raise_on_error=False, verbose=False)
    assert result.attempted >= 8
    assert result.failed == 0


def test_typed_package_ships_its_stubs() -> None:
    from pathlib import Path

    pkg = Path(leadcore.__file__).parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "_leadcore.pyi").exists()
