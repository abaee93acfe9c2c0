"""Scoring one lead through Python: score cards and their breakdown, bad events, the
incremental state (record, apply, thresholds, prediction) and its data form."""

from __future__ import annotations

import copy
import json
import math
import pickle
import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import leadcore
from scoring_data import (
    DAY0,
    LEAD_A,
    LEAD_B,
    NOW,
    activities_a,
    activities_b,
    decay_playbook,
    minutes,
)

# A lead of the decaying playbook without fit points: `total` is half of `web`.
BARE = {"id": "L"}


def pricing(m: float, seconds: int = 45) -> dict[str, Any]:
    return {"kind": "web_visit", "at": minutes(m), "page": "/pricing", "seconds": seconds}


def test_worked_example(pb: leadcore.Playbook) -> None:
    a = pb.score(LEAD_A, activities_a(), NOW)
    b = pb.score(LEAD_B, activities_b(), NOW)
    assert pb.scoring_models == ["engagement", "fit", "lead"]
    assert a.score("engagement") == 76.0
    assert b.score("engagement") == 19.0
    assert (a.score("fit"), a.grade("fit")) == (50.0, "A")
    assert (b.score("fit"), b.grade("fit")) == (0.0, "D")
    assert a.scores == {"engagement": 76.0, "fit": 50.0, "lead": 126.0}
    assert a.grade("engagement") is None  # no grade bands
    assert (a.lead_id, a.at, a.hot, a.zombie) == ("A", NOW, False, None)
    assert a.at.tzinfo is not None
    assert repr(b) == (
        "ScoreCard(lead_id='B', at=2026-03-03T09:00:00Z, "
        "scores={'engagement': 19.0, 'fit': 0.0, 'lead': 19.0}, hot=False, zombie=False)"
    )


def test_card_as_data(pb: leadcore.Playbook) -> None:
    card = pb.score(LEAD_A, activities_a(), NOW)
    d = card.to_dict()
    assert json.loads(card.to_json()) == d
    assert d["models"] == card.models
    assert card.to_json() == json.dumps(d, sort_keys=True, separators=(",", ":"))  # integral floats here
    assert leadcore.ScoreCard.from_json(card.to_json()) == card
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(card, protocol=protocol)) == card
    assert card != pb.score(LEAD_A, activities_a(), NOW, explain=False)
    assert card != "a card"
    with pytest.raises(TypeError):
        hash(card)
    with pytest.raises(leadcore.InputError, match="unknown score model `nope`"):
        card.score("nope")
    with pytest.raises(leadcore.InputError):
        card.grade("nope")


def assert_breakdown_is_exact(card: leadcore.ScoreCard) -> None:
    """The score is the breakdown's exact sum rounded once (math.fsum); a rule's points are
    its events' points summed exactly, within a few ulp (each event's decayed points are
    shown as one f64)."""
    for m in card.models:
        entries = [rule["points"] for rule in m["rules"]]
        entries += [adj["points"] for adj in m.get("adjustments", [])]
        assert math.fsum(entries) == m["score"], m["model"]
        for rule in m["rules"]:
            if rule.get("contributions"):
                events = math.fsum(c["points"] for c in rule["contributions"])
                assert math.isclose(events, rule["points"], rel_tol=1e-14, abs_tol=1e-300)


def test_breakdown_sums_to_the_score_exactly(pb: leadcore.Playbook) -> None:
    card = pb.score(LEAD_A, activities_a(), NOW)
    assert_breakdown_is_exact(card)
    engagement = card.models[0]
    assert engagement["model"] == "engagement"
    by_rule = {r["rule"]: r for r in engagement["rules"]}
    assert by_rule["content_download"]["occurrences"] == 3
    assert [c["raw_points"] for c in by_rule["content_download"]["contributions"]] == [10.0] * 3
    # Decay, caps and combined models on the decaying playbook.
    dpb = decay_playbook()
    acts = [pricing(0), pricing(1), pricing(2), {"kind": "webinar_attended", "at": minutes(5)}]
    lead = {"id": "L", "firmographics": {"employees": 40, "region": "EMEA"}}
    for days in (0, 3, 10.5, 40):
        card = dpb.score(lead, acts, DAY0 + timedelta(days=days, minutes=10))
        assert_breakdown_is_exact(card)
    assert 25.0 < card.score("total") < 26.0  # 40 days on: the webinar expired, pricing decayed
    assert not pb.score(LEAD_A, activities_a(), NOW, explain=False).models[0]["rules"][1].get("contributions")


def test_missing_attribute_is_null(pb: leadcore.Playbook) -> None:
    """A web visit without a page is no error: the page filter does not match a null."""
    visit = {"kind": "web_visit", "at": "2026-03-02T09:07:00Z"}
    assert pb.score(LEAD_B, [*activities_b(), visit], NOW) == pb.score(LEAD_B, activities_b(), NOW)


@pytest.mark.parametrize(
    ("activity", "reason"),
    [
        ({"kind": "email_opened", "at": "2026-04-01T09:00:00Z"}, "in_future"),
    ],
)
def test_bad_event_raises(pb: leadcore.Playbook, activity: dict[str, Any], reason: str) -> None:
    with pytest.raises(leadcore.BadEventError) as e:
        pb.score(LEAD_B, [*activities_b(), activity], NOW)
    assert e.value.reason == reason
    assert e.value.code == "score.bad_event"
    assert isinstance(e.value, leadcore.ScoringError)
    assert e.value.report["reason"] == reason


def test_incremental_equals_per_lead(pb: leadcore.Playbook) -> None:
    acts = activities_a()
    random.Random(7).shuffle(acts)
    state = pb.score_state("A")
    for a in acts:
        pb.record(state, a, NOW)
    assert pb.card(state, LEAD_A, NOW, explain=True) == pb.score(LEAD_A, activities_a(), NOW)
    assert pb.card(state, LEAD_A, NOW) == pb.score(LEAD_A, acts, NOW, explain=False)
    assert pb.card(state, LEAD_A, NOW).score("engagement") == 76.0


def test_thresholds_fire_up_then_down_with_decay() -> None:
    pb = decay_playbook()
    state = pb.score_state("L")
    signals: list[dict[str, Any]] = []
    for m, a in enumerate([pricing(0), pricing(1), pricing(2)]):
        signals += pb.apply(state, BARE, a, minutes(m))
    assert signals == []  # web 45 (just under after decay), total 22.5
    up = pb.apply(state, BARE, {"kind": "webinar_attended", "at": minutes(5)}, minutes(5))
    assert [(s["signal"], s["threshold"], s["direction"]) for s in up] == [("threshold", "hot", "up")]
    assert up[0]["score"] == 30.0 and up[0]["actions"] == [{"kind": "notify", "params": {"to": "owner"}}]
    assert up[0]["at"] == "2026-03-02T09:05:00Z"
    assert pb.check_thresholds(state, BARE, minutes(60)) == []  # hysteresis: still above 25
    later = DAY0 + timedelta(days=8)
    down = pb.check_thresholds(state, BARE, later)
    assert [(s["threshold"], s["direction"]) for s in down] == [("hot", "down")]
    assert down[0]["actions"] == [{"kind": "add_to_nurture"}]
    assert down[0]["score"] < 25
    assert state.checked_at == later
    with pytest.raises(leadcore.TimeOrderError):
        pb.check_thresholds(state, BARE, minutes(60))


def test_signals_as_canonical_json() -> None:
    pb = decay_playbook()
    state = pb.score_state("L")
    twin = pb.score_state("L")
    for m in range(3):
        pb.record(state, pricing(m), minutes(m))
        pb.record(twin, pricing(m), minutes(m))
    webinar = {"kind": "webinar_attended", "at": minutes(5)}
    text = pb.apply(state, BARE, webinar, minutes(5), json=True)
    assert isinstance(text, str)
    assert json.loads(text) == pb.apply(twin, BARE, webinar, minutes(5))
    assert text.startswith('[{"actions":[{"kind":"notify"')
    assert pb.check_thresholds(state, BARE, minutes(6), json=True) == "[]"


def test_hot_signal(pb: leadcore.Playbook) -> None:
    state = pb.score_state("B")
    first = pb.apply(state, LEAD_B, {"kind": "email_opened", "at": minutes(0)}, minutes(0))
    second = pb.apply(state, LEAD_B, {"kind": "email_clicked", "at": minutes(1)}, minutes(1))
    assert first == []
    assert second == [{"signal": "hot", "at": "2026-03-02T09:01:00Z"}]
    assert pb.card(state, LEAD_B, minutes(2)).hot


def test_predict_crossing_on_the_decaying_playbook() -> None:
    pb = decay_playbook()
    lead = {"id": "L", "firmographics": {"employees": 40, "region": "EMEA"}}
    state = pb.score_state("L")
    for m, a in enumerate([pricing(0), pricing(1), pricing(2)]):
        pb.apply(state, lead, a, minutes(m))
    pb.apply(state, lead, {"kind": "webinar_attended", "at": minutes(5)}, minutes(5))
    now = minutes(10)
    expiry = datetime(2026, 4, 1, 9, 5, tzinfo=timezone.utc)  # the webinar's 30 days are over
    assert pb.predict_crossing(state, lead, "total", 30, now, 60) == expiry
    assert pb.predict_crossing(state, lead, "web", 20, now, timedelta(days=60)) == expiry
    assert pb.predict_crossing(state, lead, "web", 20, now, 45.5) == expiry
    assert pb.predict_crossing(state, lead, "web", 20, now, timedelta(days=29)) is None
    assert pb.predict_crossing(state, lead, "web", 500, now, 60) is None
    when = pb.predict_crossing(state, lead, "web", 50, now, 60)
    assert when is not None and now < when < expiry and when.tzinfo is not None
    with pytest.raises(leadcore.InputError, match="unknown score model `nope`"):
        pb.predict_crossing(state, lead, "nope", 1, now, 60)
    with pytest.raises(leadcore.InputError):
        pb.predict_crossing(state, lead, "web", 20, now, -1)
    with pytest.raises(leadcore.InputError):
        pb.predict_crossing(state, lead, "web", float("nan"), now, 60)
    with pytest.raises(TypeError):
        pb.predict_crossing(state, lead, "web", 20, now, "60")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pb.predict_crossing(state, lead, "web", 20, now, True)


def test_state_unchanged_on_error() -> None:
    pb = decay_playbook()
    state = pb.score_state("L")
    pb.apply(state, BARE, pricing(0), minutes(0))
    before = state.copy()
    with pytest.raises(leadcore.BadEventError):
        pb.apply(state, BARE, {"kind": "email_clicked", "at": minutes(9000)}, minutes(2))
    with pytest.raises(leadcore.BadEventError):
        pb.record(state, {"kind": "email_clicked", "at": minutes(9000)}, minutes(2))
    with pytest.raises(leadcore.TimeOrderError):
        pb.apply(state, BARE, pricing(-10), minutes(-5))
    with pytest.raises(leadcore.InputError):
        pb.apply(state, BARE, {"kind": "email_opened"}, minutes(3))
    assert state == before


def test_state_as_data() -> None:
    pb = decay_playbook()
    state = pb.score_state("L")
    pb.apply(state, BARE, pricing(0), minutes(0))
    text = state.to_json()
    assert json.loads(text) == state.to_dict()
    back = leadcore.ScoreState.from_json(text)
    assert back == state and back.to_json() == text
    assert (back.lead_id, back.schema_version, back.checked_at) == ("L", 1, minutes(0))
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(state, protocol=protocol)) == state
    for c in (state.copy(), copy.copy(state), copy.deepcopy(state)):
        assert c == state and c is not state
    snapshot = state.copy()
    pb.record(state, pricing(1), minutes(1))
    assert snapshot != state
    assert state != "a state"
    with pytest.raises(TypeError):
        hash(state)
    assert repr(state) == "ScoreState(lead_id='L', counted=2, checked_at=2026-03-02T09:00:00Z)"
    d = state.to_dict()
    d["schema_version"] = 99
    with pytest.raises(leadcore.VersionError):
        leadcore.ScoreState.from_json(json.dumps(d))
    with pytest.raises(leadcore.InputError):
        leadcore.ScoreState.from_json("{")
    with pytest.raises(leadcore.InputError):
        leadcore.ScoreState.from_json('{"schema_version": 1}')
    d = state.to_dict()
    d["rules"][0]["times"].reverse()  # tampered: times out of order
    with pytest.raises(leadcore.InputError, match="ascending"):
        leadcore.ScoreState.from_json(json.dumps(d))
    d = state.to_dict()
    d["rules"][0]["rule"] = "renamed"  # made for other rules
    d["layout"] += 1
    with pytest.raises(leadcore.InputError, match="another playbook"):
        pb.record(leadcore.ScoreState.from_json(json.dumps(d)), pricing(2), minutes(2))


def test_state_of_another_playbook(pb: leadcore.Playbook) -> None:
    state = decay_playbook().score_state("L")
    with pytest.raises(leadcore.InputError, match="another playbook"):
        pb.record(state, {"kind": "email_opened", "at": minutes(0)}, minutes(0))


def test_naive_datetimes_are_refused(pb: leadcore.Playbook) -> None:
    naive = datetime(2026, 3, 3, 9, 0)
    with pytest.raises(leadcore.InputError, match="naive datetime"):
        pb.score(LEAD_B, activities_b(), naive)
    with pytest.raises(leadcore.InputError, match="naive datetime"):
        pb.score(LEAD_B, [{"kind": "email_opened", "at": naive}], NOW)
    state = pb.score_state("B")
    with pytest.raises(leadcore.InputError, match="naive datetime"):
        pb.record(state, {"kind": "email_opened", "at": minutes(0)}, naive)
    with pytest.raises(leadcore.InputError, match="naive datetime"):
        pb.predict_crossing(state, LEAD_B, "lead", 1, naive, 1)


def test_wrong_types(pb: leadcore.Playbook) -> None:
    state = pb.score_state("B")
    bad: list[Callable[[], object]] = [
        lambda: pb.score("B", [], NOW),  # type: ignore[arg-type]
        lambda: pb.score(LEAD_B, {"kind": "email_opened"}, NOW),  # type: ignore[arg-type]
        lambda: pb.score(LEAD_B, [], 1772528400),  # type: ignore[arg-type]
        lambda: pb.record(pb.start("lead", "L", NOW), {"kind": "email_opened", "at": NOW}, NOW),  # type: ignore[arg-type]
        lambda: pb.record(state, [("kind", "email_opened")], NOW),  # type: ignore[arg-type]
        lambda: pb.card(state, None, NOW),  # type: ignore[arg-type]
        lambda: pb.apply(state, LEAD_B, {"kind": "email_opened", "at": NOW}, NOW, json="yes"),  # type: ignore[call-overload]
        lambda: pb.score_state(7),  # type: ignore[arg-type]
    ]
    for i, call in enumerate(bad):
        with pytest.raises(TypeError):
            call()
            pytest.fail(f"call {i} did not raise")
    with pytest.raises(leadcore.InputError, match="activities"):
        pb.score(LEAD_B, [{"kind": "email_opened", "at": "yesterday"}], NOW)
    with pytest.raises(leadcore.InputError, match="lead"):
        pb.score({"name": "no id"}, [], NOW)
    with pytest.raises(TypeError):
        leadcore.ScoreState()
    with pytest.raises(TypeError):
        leadcore.ScoreCard()
