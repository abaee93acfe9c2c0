"""LeadState as data: JSON, dict, pickle, copy, equality."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

import leadcore
from conftest import MARKETING, at


def test_json_round_trip(pb: leadcore.Playbook, sql: leadcore.LeadState) -> None:
    text = sql.to_json()
    back = leadcore.LeadState.from_json(text)
    assert back == sql
    assert back.to_json() == text
    assert json.loads(text) == sql.to_dict()
    d = sql.to_dict()
    assert d["schema_version"] == sql.schema_version == 1
    assert (d["pipeline"], d["record_id"], d["current"], d["highest"]) == ("lead", "L-1", "SQL Contacted", "SQL Contacted")
    assert d["entered_at"] == "2026-01-05T12:00:00Z"
    assert d["history"] == sql.history


def test_pickle_round_trip(sql: leadcore.LeadState) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(sql, protocol=protocol))
        assert back == sql
        assert back is not sql


def test_copies_are_independent(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    for c in (suspect.copy(), copy.copy(suspect), copy.deepcopy(suspect)):
        assert c == suspect
    snapshot = copy.copy(suspect)
    pb.transition(suspect, "MQL", actor=MARKETING, now=at(1), scores={"lead": 120})
    assert snapshot != suspect
    assert snapshot.current == "Suspect"


def test_equality_and_hash(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    assert suspect == pb.start("lead", "L-1", at(0))
    assert suspect != pb.start("lead", "L-2", at(0))
    assert suspect != "a string"
    with pytest.raises(TypeError):
        hash(suspect)  # mutable: unhashable


def test_repr(srl: leadcore.LeadState) -> None:
    assert repr(srl) == "LeadState(pipeline='lead', record_id='L-1', current='SRL', highest='SRL', transitions=2)"


def test_from_json_checks_version_and_consistency(sql: leadcore.LeadState) -> None:
    d = sql.to_dict()
    d["schema_version"] = 99
    with pytest.raises(leadcore.VersionError) as e:
        leadcore.LeadState.from_json(json.dumps(d))
    assert e.value.code == "state.unsupported_version"
    d = sql.to_dict()
    d["current"] = "Won"
    with pytest.raises(leadcore.InputError):
        leadcore.LeadState.from_json(json.dumps(d))
    with pytest.raises(leadcore.InputError):
        leadcore.LeadState.from_json("{")
    with pytest.raises(TypeError):
        leadcore.LeadState.from_json(sql.to_dict())  # type: ignore[arg-type]


def test_cannot_be_built_directly() -> None:
    with pytest.raises(TypeError):
        leadcore.LeadState()
