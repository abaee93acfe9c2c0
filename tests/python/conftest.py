"""Shared fixtures of the Python door's tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import leadcore

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
SCHEMA = REPO / "schema" / "playbook.schema.json"

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

MARKETING = ("mia", "marketing")
SDR = {"id": "sam", "role": "sdr"}
AE = ("ada", "ae")

BANT_LEAD = {
    "id": "L-1",
    "custom": {"budget": 50000, "authority": True, "need": "pipeline hygiene", "timeline": "2026-03-01"},
}


def at(hours: float) -> datetime:
    """T0 plus some hours."""
    return T0 + timedelta(hours=hours)


@pytest.fixture(scope="session")
def pb() -> leadcore.Playbook:
    return leadcore.Playbook.default()


@pytest.fixture
def suspect(pb: leadcore.Playbook) -> leadcore.LeadState:
    """A lead started at T0, in Suspect."""
    return pb.start("lead", "L-1", T0)


@pytest.fixture
def mql(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> leadcore.LeadState:
    """The lead moved to MQL by marketing at T0 + 1 h."""
    pb.transition(suspect, "MQL", actor=MARKETING, now=at(1), scores={"lead": 120})
    return suspect


@pytest.fixture
def srl(pb: leadcore.Playbook, mql: leadcore.LeadState) -> leadcore.LeadState:
    """The lead accepted by sales (SRL) at T0 + 2 h."""
    pb.transition(mql, "SRL", actor=SDR, now=at(2))
    return mql


@pytest.fixture
def sql(pb: leadcore.Playbook, srl: leadcore.LeadState) -> leadcore.LeadState:
    """The lead in SQL Contacted at T0 + 3 h (reached by a call, BANT known)."""
    pb.transition(
        srl,
        "SQL Contacted",
        actor=SDR,
        now=at(3),
        lead=BANT_LEAD,
        activities=[{"kind": "call", "at": at(2.5)}],
    )
    return srl
