"""The shared test vectors (tests/vectors/<case>/), run through the Python door's public API.

Each case's result lines must equal its expected.jsonl byte for byte; see
tests/vectors/README.md for the format.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import leadcore
from conftest import VECTORS

# Some vectors hold event rows that are not counted on purpose (each batch warns once).
pytestmark = pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")

CASES = sorted(p.parent for p in VECTORS.glob("*/input.jsonl"))
NO_RECORD = {"error": {"code": "input.invalid", "message": "no record started"}}
LIFECYCLE_EVENTS = {"start", "replay", "transition", "dwell", "state", "funnel"}
SCORING_EVENTS = {"score", "score_table", "score_apply", "score_card", "predict"}
ROUTING_EVENTS = {"route", "route_batch", "routing_state"}
SLA_EVENTS = {"sla_status"}
PREDICTIVE_EVENTS = {"odoo_score", "logistic"}
ANALYTICS_EVENTS = {
    "pipeline_metrics",
    "bottlenecks",
    "lead_metrics",
    "activity_metrics",
    "forecast",
    "forecast_history",
    "forecast_backtest",
    "forecast_rollup",
}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def ok_text(text: str) -> str:
    """An `ok` line around the door's own canonical JSON text (scores are floats: their text
    must be the door's, not Python's re-serialisation)."""
    return '{"ok":' + text + "}"


def rfc3339(when: datetime | None) -> str | None:
    return None if when is None else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def playbook_file(case: Path) -> Path:
    files = sorted(case.glob("playbook.*"))
    assert len(files) == 1, f"{case.name}: expected exactly one playbook.*, found {files}"
    return files[0]


def events(case: Path) -> list[tuple[str, Any]]:
    out = []
    for raw in (case / "input.jsonl").read_text(encoding="utf-8").splitlines():
        if raw.strip():
            event = json.loads(raw)
            assert isinstance(event, dict) and len(event) == 1, f"{case.name}: an event has one key: {raw}"
            out.append(next(iter(event.items())))
    return out


def load_playbook(case: Path) -> tuple[leadcore.Playbook | None, str]:
    """The playbook and the result line of loading it."""
    path = playbook_file(case)
    try:
        pb = leadcore.Playbook.parse(path.read_text(encoding="utf-8"), path.suffix[1:])
    except leadcore.LeadcoreError as e:
        return None, canonical({"error": e.report}) + "\n"
    return pb, canonical({"ok": True}) + "\n"


class Runner:
    """One case's records: a lifecycle state (from `start` or `replay`), a score state (created on
    first use for the lead of the scoring event) and a routing state (created from the playbook on
    first use)."""

    def __init__(self, pb: leadcore.Playbook) -> None:
        self.pb = pb
        self.state: leadcore.LeadState | None = None
        self.scores: leadcore.ScoreState | None = None
        self.routing: leadcore.RoutingState | None = None

    def score_state(self, lead: dict[str, Any]) -> leadcore.ScoreState:
        if self.scores is None:
            self.scores = self.pb.score_state(lead["id"])
        return self.scores

    def line(self, kind: str, payload: Any) -> str:
        """The result line of one event, without its newline."""
        try:
            return self.run(kind, payload)
        except leadcore.LeadcoreError as e:
            return canonical({"error": e.report})

    def run(self, kind: str, payload: Any) -> str:
        pb = self.pb
        if kind in SCORING_EVENTS:
            return self.run_scoring(kind, payload)
        if kind in ROUTING_EVENTS:
            return self.run_routing(kind, payload)
        if kind == "pipeline_metrics":
            return ok_text(leadcore.pipeline_report(canonical(payload), playbook=pb, json=True))
        if kind == "bottlenecks":
            return ok_text(leadcore.bottleneck_report(canonical(payload), playbook=pb, json=True))
        if kind == "lead_metrics":
            return ok_text(leadcore.lead_report(canonical(payload), json=True))
        if kind == "activity_metrics":
            return ok_text(leadcore.activity_report(canonical(payload), json=True))
        if kind == "forecast":
            return ok_text(leadcore.forecast_report(canonical(payload), threads=2, json=True))
        if kind == "forecast_history":
            return ok_text(leadcore.forecast_history_report(canonical(payload), json=True))
        if kind == "forecast_backtest":
            return ok_text(leadcore.backtest_report(canonical(payload), json=True))
        if kind == "forecast_rollup":
            return ok_text(leadcore.forecast_rollup_report(canonical(payload), json=True))
        if kind == "odoo_score":
            return ok_text(leadcore.odoo_score(canonical(payload), json=True))
        if kind == "logistic":
            model = leadcore.LogisticModel(payload["config"]).fit(payload["train"], payload["won"])
            return ok_text(model.explain(payload["score"], json=True))
        if kind == "sla_status":
            return ok_text(
                pb.sla_status(
                    payload["lead"],
                    payload["now"],
                    activities=payload.get("activities"),
                    stages=payload.get("stages"),
                    json=True,
                )
            )
        if kind == "start":
            self.state = pb.start(payload["pipeline"], payload["record_id"], payload["now"])
            return canonical({"ok": json.loads(self.state.to_json())})
        if kind == "replay":
            self.state = pb.replay(
                payload["pipeline"],
                payload["record_id"],
                payload["history"],
                trust_history=payload.get("trust_history", False),
            )
            return canonical({"ok": json.loads(self.state.to_json())})
        if self.state is None:
            return canonical(NO_RECORD)
        if kind == "transition":
            return canonical({"ok": pb.transition_input(self.state, payload)})
        if kind == "dwell":
            return canonical({"ok": self.state.dwell(payload["now"])})
        if kind == "state":
            return canonical({"ok": json.loads(self.state.to_json())})
        if kind == "funnel":
            # Floats inside: the door's canonical JSON text passes through.
            return '{"ok":' + pb.funnel(payload["pipeline"], [self.state], payload["now"], json=True) + "}"
        pytest.fail(f"this runner does not handle `{kind}` events")

    def run_routing(self, kind: str, p: Any) -> str:
        pb = self.pb
        if self.routing is None:
            self.routing = pb.routing_state()
        if kind == "route":
            return ok_text(pb.route(self.routing, p["lead"], p["now"], scores=p.get("scores"), json=True))
        if kind == "route_batch":
            return ok_text(pb.route_batch(self.routing, p["leads"], p["now"], json=True))
        # routing_state
        return ok_text(self.routing.to_json())

    def run_scoring(self, kind: str, p: Any) -> str:
        pb = self.pb
        explain = p.get("explain", False)
        if kind == "score":
            card = pb.score(p["lead"], p.get("activities", []), p["now"], explain=explain)
            return ok_text(card.to_json())
        if kind == "score_table":
            return ok_text(pb.score_columns(p["leads"], p["events"], p["now"]).to_json())
        state = self.score_state(p["lead"])
        if kind == "score_apply":
            return ok_text(pb.apply(state, p["lead"], p["activity"], p["now"], json=True))
        if kind == "score_card":
            return ok_text(pb.card(state, p["lead"], p["now"], explain=explain).to_json())
        # predict
        when = pb.predict_crossing(
            state, p["lead"], p["model"], p["threshold"], p["now"], p["horizon_days"]
        )
        return canonical({"ok": rfc3339(when)})


def run_case(case: Path) -> str:
    pb, first = load_playbook(case)
    if pb is None:
        return first
    runner = Runner(pb)
    return first + "".join(runner.line(kind, payload) + "\n" for kind, payload in events(case))


def test_vectors_are_present() -> None:
    assert VECTORS.is_dir(), f"no shared vectors at {VECTORS}"
    assert len(CASES) >= 5
    assert any(kind in SCORING_EVENTS for case in CASES for kind, _ in events(case))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_vector(case: Path) -> None:
    expected = (case / "expected.jsonl").read_text(encoding="utf-8")
    kinds = {kind for kind, _ in events(case)}
    unknown = kinds - LIFECYCLE_EVENTS - SCORING_EVENTS - ROUTING_EVENTS - SLA_EVENTS - PREDICTIVE_EVENTS - ANALYTICS_EVENTS
    assert not unknown, f"{case.name}: events the README does not define: {sorted(unknown)}"
    got = run_case(case)
    assert lines_of(got) == lines_of(expected)
    assert got == expected


def lines_of(text: str) -> list[str]:
    """Lines, for a readable diff when a case fails (the exact text is compared after)."""
    return text.splitlines()
