"""The stubs are the documentation editors show: every public function, class and method of
`_leadcore.pyi` has a numpydoc docstring (a summary; `Parameters` naming every parameter;
`Returns` unless it returns None; `Examples` on module-level functions and classes), and every
`>>>` example in the file runs and prints exactly what it shows.

Tests are parametrised by item name (`odoo_score`, `LogisticModel.fit`; a later overload's
docstring is `name#2`), so `-k` selects some: `-k "LogisticModel or forecast"`.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import leadcore

STUB = Path(__file__).resolve().parents[2] / "crates" / "leadcore-py" / "python" / "leadcore" / "_leadcore.pyi"
TREE = ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))

# A numpydoc section header: its title, then a line of dashes as long.
SECTION = re.compile(r"^([A-Z][A-Za-z ]*)\n-+$", re.M)
# Modules an example may import that are optional: without them the example is skipped.
OPTIONAL = {"pyarrow", "pandas", "polars", "numpy"}
OPTIONFLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
# Dunders documented like ordinary methods (when they take parameters).
CONSTRUCTORS = {"__new__", "__init__"}

Def = ast.FunctionDef | ast.ClassDef


@dataclass(frozen=True)
class Item:
    """One public item of the stubs: `name` (`odoo_score`, `LogisticModel.fit`), its node, and
    whether it is a module-level function or class (those need `Examples`)."""

    name: str
    node: Def
    top_level: bool

    def __str__(self) -> str:  # the test id
        return self.name


def decorators(node: ast.FunctionDef) -> set[str]:
    """The names of a function's decorators (`overload`, `property`, `setter`, ...)."""
    names = set()
    for d in node.decorator_list:
        if isinstance(d, ast.Name):
            names.add(d.id)
        elif isinstance(d, ast.Attribute):
            names.add(d.attr)
    return names


def parameters(node: ast.FunctionDef) -> list[str]:
    """A function's parameter names, without `self` and `cls`."""
    a = node.args
    names = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
    names += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    return [n for n in names if n not in ("self", "cls")]


def returns_something(node: ast.FunctionDef) -> bool:
    r = node.returns
    return not (r is None or (isinstance(r, ast.Constant) and r.value is None) or node.name in CONSTRUCTORS)


def is_public(name: str) -> bool:
    return not name.startswith("_") or name in CONSTRUCTORS


def public_items() -> list[Item]:
    """Every public module-level function and class and every public method of a public class;
    of overloads, the first one."""
    items: list[Item] = []
    seen: set[str] = set()
    for node in TREE.body:
        if isinstance(node, ast.FunctionDef) and is_public(node.name) and node.name not in seen:
            seen.add(node.name)
            items.append(Item(node.name, node, top_level=True))
        elif isinstance(node, ast.ClassDef) and is_public(node.name):
            items.append(Item(node.name, node, top_level=True))
            methods: set[str] = set()
            for m in node.body:
                if not isinstance(m, ast.FunctionDef) or m.name in methods:
                    continue
                methods.add(m.name)
                if not is_public(m.name) or (m.name in CONSTRUCTORS and not parameters(m)):
                    continue
                items.append(Item(f"{node.name}.{m.name}", m, top_level=False))
    return items


def sections(doc: str) -> dict[str, str]:
    """A numpydoc docstring's sections by title, each with its body."""
    heads = list(SECTION.finditer(doc))
    return {
        h.group(1): doc[h.end() : heads[i + 1].start() if i + 1 < len(heads) else len(doc)]
        for i, h in enumerate(heads)
    }


def documented_parameters(body: str) -> set[str]:
    """The names a `Parameters` section documents: the unindented lines `name : type` or
    `name1, name2` (a `*` or `**` prefix ignored)."""
    names: set[str] = set()
    for line in body.splitlines():
        if line and not line[0].isspace():
            names.update(n.strip().lstrip("*") for n in line.split(" : ")[0].split(","))
    return names


ITEMS = public_items()


@pytest.mark.parametrize("item", ITEMS, ids=str)
def test_docstring_sections(item: Item) -> None:
    node = item.node
    doc = ast.get_docstring(node)
    assert doc, f"{item.name} (line {node.lineno}) has no docstring"
    summary = doc.split("\n\n")[0]
    assert summary.strip(), f"{item.name}: no one-line summary"
    if isinstance(node, ast.FunctionDef) and "property" in decorators(node):
        return  # a property: its one-line docstring is enough
    found = sections(doc)
    if isinstance(node, ast.FunctionDef):
        params = parameters(node)
        if params:
            assert "Parameters" in found, f"{item.name} takes {params}: no Parameters section"
            missing = set(params) - documented_parameters(found["Parameters"])
            assert not missing, f"{item.name}: Parameters does not name {sorted(missing)}"
        if returns_something(node):
            assert "Returns" in found, f"{item.name} returns a value: no Returns section"
    if item.top_level:
        assert "Examples" in found, f"{item.name}: no Examples section"
        assert ">>>" in found["Examples"], f"{item.name}: its Examples section has no example"


@dataclass(frozen=True)
class Docstring:
    """A docstring of the stubs that holds examples: the item's name (`name#2` for a later
    overload), its text and its line."""

    name: str
    text: str
    lineno: int

    def __str__(self) -> str:  # the test id
        return self.name


def docstrings_with_examples() -> list[Docstring]:
    out: list[Docstring] = []
    counts: dict[str, int] = {}

    def visit(node: ast.Module | Def, name: str) -> None:
        doc = ast.get_docstring(node, clean=True)
        if doc and ">>>" in doc:
            counts[name] = counts.get(name, 0) + 1
            shown = name if counts[name] == 1 else f"{name}#{counts[name]}"
            out.append(Docstring(shown, doc, node.body[0].lineno - 1))
        for child in node.body:
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                visit(child, f"{name}.{child.name}" if name != "<module>" else child.name)

    visit(TREE, "<module>")
    return out


def optional_imports(examples: list[doctest.Example]) -> set[str]:
    """The optional modules (pyarrow, pandas, ...) the examples import."""
    names: set[str] = set()
    for e in examples:
        for m in re.finditer(r"^\s*(?:import|from)\s+(\w+)", e.source, re.M):
            names.add(m.group(1))
    return names & OPTIONAL


@pytest.mark.parametrize("doc", docstrings_with_examples(), ids=str)
def test_docstring_examples_run(doc: Docstring) -> None:
    globs: dict[str, Any] = {
        "leadcore": leadcore,
        "datetime": datetime,
        "timezone": timezone,
        "timedelta": timedelta,
    }
    test = doctest.DocTestParser().get_doctest(doc.text, globs, doc.name, str(STUB), doc.lineno)
    for module in sorted(optional_imports(test.examples)):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS, verbose=False)
    result = runner.run(test, out=report.append, clear_globs=True)
    assert result.attempted > 0
    assert result.failed == 0, "".join(report)
