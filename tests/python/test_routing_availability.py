"""Availability through the Python door: reps off hours in their own zone and out of office
(from the playbook and recorded at run time) are passed over with the reason, and
route_many (the core's lean batch, no trace) gives the same assignments and state as
route_batch."""

from __future__ import annotations

from datetime import datetime, timezone

import leadcore

AVAIL = """
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
calendars:
  office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
routing:
  reps:
    - {id: NY, calendar: office}
    - {id: BER, calendar: office, time_zone: Europe/Berlin}
    - {id: AWAY}
  rules:
    - {name: everyone, assign: {round_robin: {}}}
"""

# 13:00 UTC: New York (08:00) has not opened, Berlin (14:00) works.
NOW = datetime(2026, 3, 4, 13, 0, tzinfo=timezone.utc)


def test_off_hours_and_out_of_office_are_reasons() -> None:
    pb = leadcore.Playbook.parse(AVAIL)
    state = pb.routing_state()
    state.set_out_of_office("AWAY", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z")
    d = pb.route(state, {"id": "L-1"}, NOW)
    assert d["assignee"] == {"rep": "BER"}
    passed = d["trace"][0]["strategies"][0]["passed_over"]
    assert passed == [
        {"rep": "NY", "why": "off_hours", "next_open": "2026-03-04T14:00:00Z"},
        {"rep": "AWAY", "why": "out_of_office", "until": "2026-03-09T00:00:00Z"},
    ]
    state.clear_out_of_office("AWAY")
    got = [pb.route(state, {"id": f"L-{i}"}, NOW)["assignee"]["rep"] for i in (2, 3)]
    assert got == ["BER", "AWAY"]  # smooth round robin: BER first on the tie, then AWAY


def test_route_many_equals_route_batch() -> None:
    pb = leadcore.Playbook.parse(AVAIL)
    leads = [{"id": f"L{i}"} for i in range(50)]
    a, b = pb.routing_state(), pb.routing_state()
    decisions = pb.route_batch(a, leads, NOW)
    df = pb.route_many(b, {"id": [l["id"] for l in leads]}, NOW)
    assert a == b
    assert list(df["assignee"]) == [d["assignee"]["rep"] for d in decisions]
    assert set(df["assignee"]) == {"BER", "AWAY"}
    assert df.index.name == "lead_id"
    assert list(df.columns) == [
        "assignee_kind",
        "assignee",
        "rule",
        "unassigned_code",
        "unassigned_reason",
    ]
