"""The shared test vectors (tests/vectors/<case>/), run through the Python door's public API.

Each case's result lines must equal its expected.jsonl byte for byte; see
tests/vectors/README.md for the format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import leadcore
from conftest import VECTORS

CASES = sorted(p.parent for p in VECTORS.glob("*/input.jsonl"))
NO_RECORD = {"error": {"code": "input.invalid", "message": "no record started"}}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def playbook_file(case: Path) -> Path:
    files = sorted(case.glob("playbook.*"))
    assert len(files) == 1, f"{case.name}: expected exactly one playbook.*, found {files}"
    return files[0]


def run_case(case: Path) -> str:
    path = playbook_file(case)
    lines: list[Any] = []
    try:
        pb = leadcore.Playbook.parse(path.read_text(encoding="utf-8"), path.suffix[1:])
    except leadcore.LeadcoreError as e:
        return canonical({"error": e.report}) + "\n"
    lines.append({"ok": True})
    state: leadcore.LeadState | None = None
    for raw in (case / "input.jsonl").read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        event = json.loads(raw)
        assert len(event) == 1, f"{case.name}: an event has exactly one key: {raw}"
        ((kind, payload),) = event.items()
        try:
            if kind == "start":
                started = pb.start(payload["pipeline"], payload["record_id"], payload["now"])
                state = started
                lines.append({"ok": json.loads(started.to_json())})
            elif state is None:
                assert kind in ("transition", "dwell", "state"), f"{case.name}: unknown event {kind}"
                lines.append(NO_RECORD)
            elif kind == "transition":
                lines.append({"ok": pb.transition_input(state, payload)})
            elif kind == "dwell":
                lines.append({"ok": state.dwell(payload["now"])})
            elif kind == "state":
                lines.append({"ok": json.loads(state.to_json())})
            else:
                pytest.fail(f"{case.name}: unknown event {kind}")
        except leadcore.LeadcoreError as e:
            lines.append({"error": e.report})
    return "".join(canonical(line) + "\n" for line in lines)


def test_vectors_are_present() -> None:
    if not VECTORS.is_dir() or not CASES:
        pytest.skip("no shared vectors under tests/vectors yet")
    assert len(CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_vector(case: Path) -> None:
    expected = (case / "expected.jsonl").read_text(encoding="utf-8")
    got = run_case(case)
    assert got == expected
