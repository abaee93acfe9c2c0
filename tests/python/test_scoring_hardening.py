"""Scoring under hostile input (issue 8): a failed call changes nothing, and long calls can
be interrupted."""

from __future__ import annotations

import json

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
