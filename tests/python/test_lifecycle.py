"""The lead lifecycle of the default playbook, driven through the Python door."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import leadcore
from conftest import AE, BANT_LEAD, MARKETING, SDR, T0, at


def test_default_playbook_loads(pb: leadcore.Playbook) -> None:
    assert pb.name == "default"
    assert pb.pipelines == ["lead", "new_business"]
    assert pb.stages("lead") == [
        "Suspect",
        "MQL",
        "SRL",
        "SQL Contacted",
        "SQL Scheduled",
        "Opportunity",
        "Won",
        "Lost",
        "Nurture",
        "Disqualified",
    ]
    assert pb.stages("new_business")[0] == "To contact"
    next_from_suspect = pb.next_stages("lead", "Suspect")
    assert "MQL" in next_from_suspect and "Won" not in next_from_suspect
    assert pb.next_stages("lead", "Won") == []  # terminal


def test_start(pb: leadcore.Playbook) -> None:
    s = pb.start("lead", "L-9", "2026-01-05T09:00:00Z")
    assert (s.pipeline, s.record_id, s.current, s.highest) == ("lead", "L-9", "Suspect", "Suspect")
    assert s.entered_at == T0
    assert s.entered_at.tzinfo is not None
    assert s.history == [{"at": "2026-01-05T09:00:00Z", "from": None, "to": "Suspect"}]
    with pytest.raises(leadcore.UnknownPipelineError) as e:
        pb.start("leads", "L-9", T0)
    assert e.value.pipeline == "leads"


def test_sdr_cannot_make_an_mql_whatever_the_score(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    before = suspect.to_json()
    with pytest.raises(leadcore.GuardFailedError) as e:
        pb.transition(suspect, "MQL", actor=SDR, now=at(1), scores={"lead": 250})
    err = e.value
    assert isinstance(err, leadcore.TransitionError)
    assert err.code == "lifecycle.guard_failed"
    assert [g["guard"] for g in err.failed_guards] == ["marketing_only"]
    assert err.failed_guards[0]["check"] == "actor_role"
    assert (err.from_stage, err.to_stage) == ("Suspect", "MQL")
    assert err.report["failed_guards"] == err.failed_guards
    assert "marketing_only" in str(err)
    assert suspect.to_json() == before
    assert suspect.current == "Suspect"


def test_marketing_makes_an_mql_and_notifies(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    out = pb.transition(suspect, "MQL", actor=MARKETING, now=at(1), scores={"lead": 120})
    assert out == {
        "record_id": "L-1",
        "from": "Suspect",
        "to": "MQL",
        "at": "2026-01-05T10:00:00Z",
        "back_move": False,
        "recycled": False,
        "actions": [{"trigger": "enter", "stage": "MQL", "kind": "notify", "params": {"to": "sdr_queue"}}],
    }
    assert suspect.current == "MQL"
    assert suspect.highest == "MQL"
    assert suspect.entered_at == at(1)
    assert suspect.history[-1] == {
        "at": "2026-01-05T10:00:00Z",
        "from": "Suspect",
        "to": "MQL",
        "actor": {"id": "mia", "role": "marketing"},
    }


def test_marketing_with_a_low_score_is_refused(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    with pytest.raises(leadcore.GuardFailedError) as e:
        pb.transition(suspect, "MQL", actor=MARKETING, now=at(1), scores={"lead": 99.5})
    assert [g["guard"] for g in e.value.failed_guards] == ["score_100"]
    with pytest.raises(leadcore.GuardFailedError) as e:
        pb.transition(suspect, "MQL", actor=SDR, now=at(1))
    assert [g["guard"] for g in e.value.failed_guards] == ["marketing_only", "score_100"]


def test_bant_guards_list_all_four_missing_fields(pb: leadcore.Playbook, srl: leadcore.LeadState) -> None:
    with pytest.raises(leadcore.GuardFailedError) as e:
        pb.transition(
            srl,
            "SQL Contacted",
            actor=SDR,
            now=at(3),
            lead={"id": "L-1"},
            activities=[{"kind": "call", "at": "2026-01-05T11:30:00Z"}],
        )
    assert [g["guard"] for g in e.value.failed_guards] == [
        "budget_known",
        "authority_known",
        "need_known",
        "timeline_known",
    ]
    assert all(g["check"] == "field_present" for g in e.value.failed_guards)
    assert srl.current == "SRL"


def test_bant_and_a_call_reach_sql(pb: leadcore.Playbook, srl: leadcore.LeadState) -> None:
    pb.check(srl, "SQL Contacted", actor=SDR, now=at(3), lead=BANT_LEAD, activities=[{"kind": "call", "at": at(2.5)}])
    assert srl.current == "SRL"  # check does not move
    with pytest.raises(leadcore.GuardFailedError) as e:
        # the call must have happened by `now`
        pb.check(srl, "SQL Contacted", actor=SDR, now=at(3), lead=BANT_LEAD, activities=[{"kind": "call", "at": at(4)}])
    assert [g["guard"] for g in e.value.failed_guards] == ["reached"]
    out = pb.transition(
        srl, "SQL Contacted", actor=SDR, now=at(3), lead=BANT_LEAD, activities=[{"kind": "call", "at": at(2.5)}]
    )
    assert out["to"] == "SQL Contacted" and out["actions"] == []
    assert srl.highest == "SQL Contacted"


def test_check_raises_what_transition_would(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    pb.check(suspect, "MQL", actor=MARKETING, now=at(1), scores={"lead": 100})
    with pytest.raises(leadcore.GuardFailedError):
        pb.check(suspect, "MQL", actor=SDR, now=at(1), scores={"lead": 100})
    with pytest.raises(leadcore.TransitionNotAllowedError) as e:
        pb.check(suspect, "Won", actor=AE, now=at(1))
    assert (e.value.from_stage, e.value.to_stage, e.value.why) == ("Suspect", "Won", "undeclared")
    assert suspect.current == "Suspect"


def test_lost_requires_a_reason(pb: leadcore.Playbook, sql: leadcore.LeadState) -> None:
    pb.transition(sql, "SQL Scheduled", actor=SDR, now=at(4), activities=[{"kind": "meeting_scheduled", "at": at(3.5)}])
    pb.transition(sql, "Opportunity", actor=AE, now=at(5), activities=[{"kind": "meeting_held", "at": at(4.5)}])
    with pytest.raises(leadcore.ReasonError) as e:
        pb.transition(sql, "Lost", actor=AE, now=at(6))
    assert e.value.code == "lifecycle.reason_required"
    assert e.value.stage == "Lost"
    assert sql.current == "Opportunity"
    out = pb.transition(sql, "Lost", actor=AE, now=at(6), reason="went dark")
    assert out["to"] == "Lost"
    assert sql.history[-1]["reason"] == "went dark"


def test_disqualified_accepts_only_listed_reasons(pb: leadcore.Playbook, mql: leadcore.LeadState) -> None:
    with pytest.raises(leadcore.ReasonError) as e:
        pb.transition(mql, "Disqualified", actor=SDR, now=at(2), reason="rude")
    assert e.value.code == "lifecycle.invalid_reason"
    assert "not_a_fit" in str(e.value)
    with pytest.raises(leadcore.ReasonError) as e:
        pb.transition(mql, "Disqualified", actor=SDR, now=at(2))
    assert e.value.code == "lifecycle.reason_required"
    assert mql.current == "MQL"
    pb.transition(mql, "Disqualified", actor=SDR, now=at(2), reason="spam")
    assert mql.current == "Disqualified"
    with pytest.raises(leadcore.TransitionNotAllowedError) as terminal:
        pb.transition(mql, "Nurture", actor=MARKETING, now=at(3), reason="later")
    assert terminal.value.why == "from_terminal"


def test_time_going_backwards_is_refused(pb: leadcore.Playbook, mql: leadcore.LeadState) -> None:
    before = mql.copy()
    with pytest.raises(leadcore.TimeOrderError) as e:
        pb.transition(mql, "SRL", actor=SDR, now=at(0.5))
    assert isinstance(e.value, leadcore.TransitionError)
    assert e.value.code == "lifecycle.time_went_backwards"
    assert mql == before


def test_same_stage_and_back_moves_are_refused(pb: leadcore.Playbook, srl: leadcore.LeadState) -> None:
    with pytest.raises(leadcore.TransitionNotAllowedError) as e:
        pb.transition(srl, "SRL", actor=SDR, now=at(3))
    assert e.value.why == "same_stage"
    with pytest.raises(leadcore.TransitionNotAllowedError) as e:
        pb.transition(srl, "MQL", actor=MARKETING, now=at(3))
    assert e.value.why == "back_move_forbidden"
    with pytest.raises(leadcore.UnknownStageError) as e2:
        pb.transition(srl, "Qualified", actor=SDR, now=at(3))
    assert (e2.value.pipeline, e2.value.stage) == ("lead", "Qualified")


def test_recycling_keeps_highest(pb: leadcore.Playbook, sql: leadcore.LeadState) -> None:
    out = pb.transition(sql, "Nurture", actor=MARKETING, now=at(10), reason="not ready")
    assert [(a["trigger"], a["kind"]) for a in out["actions"]] == [("enter", "add_to_sequence")]
    assert (sql.current, sql.highest) == ("Nurture", "SQL Contacted")
    out = pb.transition(sql, "MQL", actor=MARKETING, now=at(20))
    assert out["recycled"] is True
    assert [(a["trigger"], a["kind"]) for a in out["actions"]] == [
        ("exit", "remove_from_sequence"),
        ("enter", "notify"),
    ]
    assert (sql.current, sql.highest) == ("MQL", "SQL Contacted")


def test_dwell(pb: leadcore.Playbook, srl: leadcore.LeadState) -> None:
    assert srl.dwell(at(5)) == [
        {"stage": "Suspect", "seconds": 3600, "visits": 1},
        {"stage": "MQL", "seconds": 3600, "visits": 1},
        {"stage": "SRL", "seconds": 3 * 3600, "visits": 1},
    ]
    # any time zone, and RFC 3339 text, mean the same instant
    paris = at(5).astimezone(ZoneInfo("Europe/Paris"))
    assert srl.dwell(paris) == srl.dwell("2026-01-05T14:00:00Z") == srl.dwell("2026-01-05T15:00:00+01:00")


def test_replay_reproduces_the_state(pb: leadcore.Playbook, sql: leadcore.LeadState) -> None:
    pb.transition(sql, "Nurture", actor=MARKETING, now=at(10), reason="not ready")
    again = pb.replay("lead", "L-1", sql.history)
    assert again == sql
    assert again.to_json() == sql.to_json()
    assert pb.replay("lead", "L-1", sql.history, trust_history=True) == sql
    with pytest.raises(leadcore.InputError) as empty:
        pb.replay("lead", "L-1", [])
    assert type(empty.value) is leadcore.InputError
    broken = sql.history
    broken[2]["from"] = "Won"
    # A history that does not follow from itself is an invalid history (an InputError too).
    with pytest.raises(leadcore.InvalidHistoryError) as e:
        pb.replay("lead", "L-1", broken)
    assert isinstance(e.value, leadcore.InputError)
    assert [(x["index"], x["code"]) for x in e.value.entries] == [(2, "history.from_mismatch")]
    with pytest.raises(leadcore.InputError) as e2:
        pb.replay("lead", "L-1", [{"at": "2026-01-05T09:00:00Z", "to": "Suspect", "colour": "red"}])
    assert "colour" in str(e2.value)


def entry(hours: float, frm: str | None, to: str, actor: tuple[str, str] | None = None, reason: str | None = None) -> dict[str, object]:
    """One history entry at T0 + hours, as in `LeadState.history`."""
    e: dict[str, object] = {"at": at(hours), "from": frm, "to": to}
    if actor is not None:
        e["actor"] = {"id": actor[0], "role": actor[1]}
    if reason is not None:
        e["reason"] = reason
    return e


def test_replay_refuses_undeclared_moves_with_their_index(pb: leadcore.Playbook) -> None:
    history = [entry(0, None, "Suspect"), entry(1, "Suspect", "Won", AE), entry(2, "Won", "Suspect", AE)]
    for trust in (False, True):
        with pytest.raises(leadcore.InvalidHistoryError) as e:
            pb.replay("lead", "L-1", history, trust_history=trust)
        err = e.value
        assert err.code == "lifecycle.invalid_history"
        assert err.pipeline == "lead"
        assert [(x["index"], x["code"]) for x in err.entries] == [
            (1, "history.undeclared"),
            (2, "history.from_terminal"),
        ]
        assert err.report["entries"] == err.entries
        assert "Suspect -> Won" in err.entries[0]["message"]
        assert leadcore.ERROR_CLASSES["lifecycle.invalid_history"] is leadcore.InvalidHistoryError


def test_replay_reports_every_bad_entry_at_once(pb: leadcore.Playbook) -> None:
    history = [
        entry(0, None, "MQL"),  # not the initial stage
        entry(2, "MQL", "SRL", ("bo", "marketing")),  # sales_accepts refuses marketing
        entry(1, "SRL", "Lost", AE),  # back in time, undeclared
        entry(3, "Lost", "Nowhere", AE),  # unknown stage
        entry(4, "Nowhere", "Nurture", MARKETING),  # from an unknown stage: reported once, above
        entry(5, "Nurture", "Disqualified", ("sam", "sdr"), reason="bored"),  # reason not listed
    ]
    with pytest.raises(leadcore.InvalidHistoryError) as e:
        pb.replay("lead", "L-1", history)
    assert [(x["index"], x["code"]) for x in e.value.entries] == [
        (0, "history.not_initial"),
        (1, "history.guard_failed"),
        (2, "history.time_went_backwards"),
        (2, "history.undeclared"),
        (3, "history.unknown_stage"),
        (5, "history.invalid_reason"),
    ]
    assert "sales_accepts" in e.value.entries[1]["message"]
    # Trusted: only what a history can never get wrong is left.
    with pytest.raises(leadcore.InvalidHistoryError) as t:
        pb.replay("lead", "L-1", history, trust_history=True)
    assert [(x["index"], x["code"]) for x in t.value.entries] == [
        (2, "history.time_went_backwards"),
        (2, "history.undeclared"),
        (3, "history.unknown_stage"),
    ]


def test_trust_history_accepts_imported_guards_and_reasons(pb: leadcore.Playbook) -> None:
    imported = [
        entry(0, None, "MQL"),  # started in another system
        entry(1, "MQL", "SRL", ("crm", "system")),
        entry(2, "SRL", "Disqualified", ("crm", "system")),  # no reason recorded
    ]
    with pytest.raises(leadcore.InvalidHistoryError):
        pb.replay("lead", "L-7", imported)
    state = pb.replay("lead", "L-7", imported, trust_history=True)
    assert (state.current, state.highest) == ("Disqualified", "SRL")
    assert state.history[1]["actor"] == {"id": "crm", "role": "system"}
    with pytest.raises(TypeError):
        pb.replay("lead", "L-7", imported, True)  # type: ignore[misc]


def test_times_in_any_zone_are_converted_to_utc(pb: leadcore.Playbook) -> None:
    ny = datetime(2026, 1, 5, 4, 0, tzinfo=ZoneInfo("America/New_York"))  # 09:00 UTC
    s = pb.start("lead", "L-2", ny)
    assert s.entered_at == T0
    assert s.entered_at.utcoffset() == timedelta(0)
    offset = datetime(2026, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=1)))  # 09:00 UTC
    assert pb.start("lead", "L-2", offset) == s
    assert pb.start("lead", "L-2", "2026-01-05T10:00:00+01:00") == s


def test_naive_datetime_is_refused(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    naive = datetime(2026, 1, 5, 9, 0)
    with pytest.raises(leadcore.InputError, match="naive"):
        pb.start("lead", "L-3", naive)
    with pytest.raises(leadcore.InputError, match="naive"):
        pb.transition(suspect, "MQL", actor=MARKETING, now=naive, scores={"lead": 120})
    with pytest.raises(leadcore.InputError, match="naive"):
        suspect.dwell(naive)
    # also inside data: an activity time
    with pytest.raises(leadcore.InputError, match="naive"):
        pb.transition(suspect, "MQL", actor=MARKETING, now=at(1), activities=[{"kind": "call", "at": naive}])
    with pytest.raises(leadcore.InputError, match="RFC 3339"):
        pb.start("lead", "L-3", "yesterday")
    assert suspect.current == "Suspect"


def test_actor_forms(pb: leadcore.Playbook) -> None:
    for actor in (("mia", "marketing"), {"id": "mia", "role": "marketing"}):
        s = pb.start("lead", "L-4", T0)
        pb.transition(s, "MQL", actor=actor, now=at(1), scores={"lead": 120})
        assert s.history[-1]["actor"] == {"id": "mia", "role": "marketing"}
    s = pb.start("lead", "L-4", T0)
    with pytest.raises(leadcore.InputError, match="role"):
        pb.transition(s, "MQL", actor=("mia", "ceo"), now=at(1))
    with pytest.raises(leadcore.InputError):
        pb.transition(s, "MQL", actor=("mia",), now=at(1))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pb.transition(s, "MQL", actor="mia", now=at(1))  # type: ignore[arg-type]


def test_bad_shapes_are_input_errors_with_paths(pb: leadcore.Playbook, srl: leadcore.LeadState) -> None:
    with pytest.raises(leadcore.InputError) as e:
        pb.transition(srl, "SQL Contacted", actor=SDR, now=at(3), activities=[{"kind": "call"}])
    assert "activities" in str(e.value) and "`at`" in str(e.value)
    with pytest.raises(leadcore.InputError) as e:
        pb.transition(srl, "SQL Contacted", actor=SDR, now=at(3), lead={"id": "L-1", "bogus": 1})
    assert "bogus" in str(e.value)
    with pytest.raises(leadcore.InputError):
        pb.transition(srl, "SQL Contacted", actor=SDR, now=at(3), lead={"id": "L-1"}, opportunity={"id": "O-1"})
    with pytest.raises(leadcore.InputError):
        pb.transition(srl, "SQL Contacted", actor=SDR, now=at(3), scores={"lead": float("nan")})
    with pytest.raises(TypeError):
        pb.transition(srl, "SQL Contacted", actor=SDR, now=at(3), scores={1: 2.0})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        pb.transition(srl, "SQL Contacted", actor=SDR, now=at(3), lead={"id": object()})
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(leadcore.InputError):
        pb.transition(srl, "SQL Contacted", actor=SDR, now=at(3), activities=loop)  # type: ignore[arg-type]
    assert srl.current == "SRL"


def test_transition_input_wire_form(pb: leadcore.Playbook, suspect: leadcore.LeadState) -> None:
    wire = {
        "request": {"to": "MQL", "actor": {"id": "sam", "role": "sdr"}, "now": "2026-01-05T10:00:00Z"},
        "subject": {"lead": {"id": "L-1"}},
        "scores": {"lead": 250},
    }
    with pytest.raises(leadcore.GuardFailedError):
        pb.transition_input(suspect, wire)
    wire["request"]["actor"] = {"id": "mia", "role": "marketing"}  # type: ignore[index]
    import json

    out = pb.transition_input(suspect, json.dumps(wire))
    assert out["to"] == "MQL" and suspect.current == "MQL"
    with pytest.raises(leadcore.InputError, match="unknown field"):
        pb.transition_input(suspect, {"request": {"to": "SRL"}, "extra": 1})
    with pytest.raises(leadcore.InputError):
        pb.transition_input(suspect, "{not json")
    with pytest.raises(TypeError):
        pb.transition_input(suspect, 42)  # type: ignore[arg-type]


def test_deal_pipeline_with_an_opportunity(pb: leadcore.Playbook) -> None:
    deal = pb.start("new_business", "O-1", T0)
    assert deal.highest == "To contact"
    for i, stage in enumerate(["Contacted", "Follow-up", "Proposal creation", "Proposal sent"], start=1):
        pb.transition(deal, stage, actor=AE, now=at(i))
    opp = {"id": "O-1", "account_id": "A-1", "amount": {"minor": 0, "currency": "EUR"}}
    with pytest.raises(leadcore.GuardFailedError) as e:
        pb.transition(deal, "Deal won", actor=AE, now=at(9), opportunity=opp)
    assert [g["guard"] for g in e.value.failed_guards] == ["has_amount"]
    opp["amount"] = {"minor": 1_250_000, "currency": "EUR"}
    pb.transition(deal, "Deal won", actor=AE, now=at(9), opportunity=opp)
    assert deal.current == "Deal won"
    # back-moves are allowed in this pipeline
    other = pb.start("new_business", "O-2", T0)
    pb.transition(other, "Contacted", actor=AE, now=at(1))
    out = pb.transition(other, "To contact", actor=AE, now=at(2))
    assert out["back_move"] is True


def test_funnel(pb: leadcore.Playbook) -> None:
    states = []
    for i in range(300):
        s = pb.start("lead", f"L-{i}", T0)
        if i % 3 == 0:
            pb.transition(s, "MQL", actor=MARKETING, now=at(1), scores={"lead": 120})
        states.append(s)
    states.append(pb.start("new_business", "O-1", T0))  # another pipeline: skipped
    rows = pb.funnel("lead", states, at(3))
    assert [r["stage"] for r in rows] == pb.stages("lead")
    suspect, mql = rows[0], rows[1]
    assert (suspect["reached"], suspect["entered"], suspect["current"]) == (300, 300, 200)
    assert (mql["reached"], mql["current"]) == (100, 100)
    assert suspect["conversion_to_next"] == pytest.approx(1 / 3)
    assert mql["mean_dwell_seconds"] == 7200.0
    assert pb.funnel("lead", iter(states[:0]), at(3))[0]["reached"] == 0
    with pytest.raises(TypeError):
        pb.funnel("lead", [states[0], "nope"], at(3))  # type: ignore[list-item]
    with pytest.raises(leadcore.UnknownPipelineError):
        pb.funnel("deals", states, at(3))


def test_playbook_is_shared_across_threads(pb: leadcore.Playbook) -> None:
    def run(i: int) -> str:
        s = pb.start("lead", f"T-{i}", T0)
        for k in range(50):
            pb.transition(s, "MQL", actor=MARKETING, now=at(2 * k + 1), scores={"lead": 120})
            pb.transition(s, "Nurture", actor=MARKETING, now=at(2 * k + 2), reason="later")
        assert len(s.history) == 101
        assert pb.funnel("lead", [s], at(500))[1]["entered"] == 1
        return s.current

    with ThreadPoolExecutor(max_workers=4) as ex:
        assert list(ex.map(run, range(16))) == ["Nurture"] * 16
