"""Scoring under hostile input (issue 8): a failed call changes nothing, and long calls can
be interrupted."""

from __future__ import annotations

import json
from typing import Any

import pytest

import leadcore
from conftest import T0

THRESHOLD = """
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: m
      rules:
        - {type: behaviour, name: trial, activity: trial_signup, points: 50}
      thresholds:
        - {name: hot, at: 40, on_up: [{kind: notify}]}
"""


def test_apply_that_cannot_count_a_crossing_raises_and_leaves_the_state_unchanged() -> None:
    pb = leadcore.Playbook.parse(THRESHOLD, "yaml")
    stored = json.loads(pb.score_state("L").to_json())
    stored["thresholds"][0]["fired"] = 2**32 - 1
    stored["checked_at"] = "2026-01-01T00:00:00Z"
    state = leadcore.ScoreState.from_json(json.dumps(stored))
    before = state.to_json()
    with pytest.raises(leadcore.InputError):
        pb.apply(state, {"id": "L"}, {"kind": "trial_signup", "at": T0}, T0)
    assert state.to_json() == before


def _big_batch(rows: int) -> tuple[list[dict[str, str]], Any]:
    import numpy as np
    import pyarrow as pa

    leads = [{"id": f"L{i}"} for i in range(1000)]
    # Dictionary-encoded, so reading the columns is quick and scoring is most of the time.
    lead_id = pa.DictionaryArray.from_arrays(
        pa.array(np.arange(rows) % 1000, type=pa.int32()), pa.array([f"L{i}" for i in range(1000)])
    )
    kinds = pa.DictionaryArray.from_arrays(
        pa.array(np.arange(rows) % 3, type=pa.int32()),
        pa.array(["email_opened", "email_clicked", "web_visit"]),
    )
    at = pa.array(np.full(rows, int(T0.timestamp()) - 60, dtype=np.int64))
    return leads, pa.table({"lead_id": lead_id, "kind": kinds, "at": at})


def test_ctrl_c_stops_a_long_batch_between_chunks() -> None:
    import _thread
    import signal
    import threading
    import time

    # Many rules on one kind: scoring, where the signal checks are, is most of the time
    # (reading the columns, before scoring starts, is not interruptible).
    rules = "".join(
        f"        - {{type: behaviour, name: r{i}, activity: email_opened, points: 1}}\n"
        for i in range(300)
    )
    pb = leadcore.Playbook.parse(
        "schema_version: 1\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\n"
        f"scoring:\n  models:\n    - name: m\n      rules:\n{rules}",
        "yaml",
    )
    leads, events = _big_batch(300_000)
    started = time.perf_counter()
    full = pb.score_columns(leads, events, T0)
    full_time = time.perf_counter() - started
    assert len(full) == 1000

    # Python's own Ctrl-C handler, whatever the process inherited: a shell's background
    # job starts with SIGINT ignored, and `interrupt_main` then does nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.01, _thread.interrupt_main)
    started = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            pb.score_columns(leads, events, T0)
            time.sleep(5)  # only reached if the batch ignored the signal
    finally:
        signal.signal(signal.SIGINT, previous)
    stopped_after = time.perf_counter() - started
    timer.join()
    # Stopped at the next check (about a millisecond of work), not at the end.
    assert stopped_after < 0.5 * full_time, (stopped_after, full_time)
    print(f"full batch {full_time:.3f} s, interrupted after {stopped_after:.3f} s")
    # The inputs are untouched: the same batch scores the same.
    assert pb.score_columns(leads, events, T0) == full
