//! Hostile but accepted inputs through the lifecycle's public calls (issue 8): no panic, no
//! silent wrong number, a typed error where the input cannot be honoured.

use chrono::{DateTime, TimeZone, Utc};
use leadcore::{Activity, ActivityKind, Actor, Facts, Playbook, Role, TransitionRequest};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
}

/// A two-stage lifecycle whose only move needs a call within `within_days`.
fn call_within(within_days: u64) -> String {
    format!(
        r#"{{"schema_version": 1, "lifecycle": {{"name": "lead", "initial": "New",
            "stages": [{{"name": "New"}}, {{"name": "Worked"}}],
            "transitions": [{{"from": "New", "to": "Worked", "guards": [
              {{"check": "activity", "name": "called", "kinds": ["call"], "within_days": {within_days}}},
              {{"check": "condition", "name": "called_too",
                "when": {{"activity": {{"kinds": ["call"], "within_days": {within_days}}}}}}}
            ]}}]}}}}"#
    )
}

// Issue 8, item 1: an activity guard's window once overflowed the date subtraction (a
// within_days of about 96 million, or `now` at chrono's earliest instant) and panicked.
#[test]
fn activity_windows_never_panic_through_transition() {
    // An unbounded window is a playbook error at its path, not a panic on first use.
    let err = Playbook::from_json(&call_within(96_000_000)).unwrap_err();
    assert_eq!(err.code(), "playbook.invalid");
    let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "lifecycle.transitions[0].guards[0].within_days",
            "lifecycle.transitions[0].guards[1].when.activity.within_days",
        ]
    );

    // The largest accepted window, and the smallest, at both ends of chrono's range.
    for days in [1, 36_500] {
        let pb = Playbook::from_json(&call_within(days)).unwrap();
        for now in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, t0()] {
            let mut s = pb.start("lead", "L-1", now).unwrap();
            let req = TransitionRequest::new("Worked", Actor::new("sam", Role::Sdr), now);
            // No call: refused by both guards, the state untouched.
            let err = pb.transition(&mut s, &req, &Facts::new()).unwrap_err();
            assert_eq!(err.code(), "lifecycle.guard_failed");
            assert_eq!(err.failed_guards().len(), 2);
            assert_eq!(s.current(), "New");
            // A call at `now` counts, whatever the window.
            let calls = [Activity::new(ActivityKind::Call, now)];
            let out = pb
                .transition(&mut s, &req, &Facts::new().activities(&calls))
                .unwrap();
            assert_eq!(out.to, "Worked", "within_days {days} at {now}");
        }
    }
}

// Issue 8, item 3: the funnel's per-stage dwell sum was an unchecked i64. Each dwell is at
// most chrono's range (about 1.65e13 s), so some 560,000 records spanning it overflowed the
// sum: a panic in debug, a negative mean dwell in release.
#[test]
fn funnel_mean_dwell_is_exact_at_extreme_times() {
    let pb = Playbook::default_playbook();
    let (start, now) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    let span = (now - start).num_seconds();
    let records = usize::try_from(i64::MAX / span).unwrap() + 1_000;
    let one = pb.start("lead", "L", start).unwrap();
    let states = vec![one; records];
    let f = leadcore::Funnel::compute(pb.lifecycle(), &states, now).unwrap();
    let suspect = &f.stages[0];
    assert_eq!(suspect.stage, "Suspect");
    assert_eq!(suspect.entered, records as u64);
    assert_eq!(suspect.mean_dwell_seconds, Some(span as f64));
}

// Issue 8, item 14: a state read from JSON was never checked against a playbook: a forged
// `highest` or a history with renamed stages or undeclared moves passed, and the funnel
// counted a win.
#[test]
fn a_forged_state_is_refused_on_first_use() {
    use leadcore::{Funnel, LifecycleState};
    let pb = Playbook::default_playbook();
    let t1 = t0() + chrono::Duration::hours(1);
    let mut real = pb.start("lead", "L-1", t0()).unwrap();
    let mia = Actor::new("mia", Role::Marketing);
    let to_mql = TransitionRequest::new("MQL", mia.clone(), t1);
    pb.transition(&mut real, &to_mql, &Facts::new().score("lead", 120.0))
        .unwrap();
    let json = real.to_json();
    let won_count = |f: &Funnel| f.stages.iter().find(|s| s.stage == "Won").unwrap().reached;

    // Read back unchanged, it works and counts as it did.
    let mut back = LifecycleState::from_json(&json).unwrap();
    let f = Funnel::compute(pb.lifecycle(), std::slice::from_ref(&back), t1).unwrap();
    assert_eq!((f.records, won_count(&f)), (1, 0));
    let to_srl = TransitionRequest::new("SRL", Actor::new("sam", Role::Sdr), t1);
    pb.transition(&mut back, &to_srl, &Facts::new()).unwrap();

    let forgeries = [
        // `highest` raised by hand.
        (
            json.replace(r#""highest":"MQL""#, r#""highest":"Won""#),
            "input.invalid",
        ),
        // Stages renamed throughout.
        (
            json.replace("MQL", "Qualified"),
            "lifecycle.invalid_history",
        ),
        // A move the playbook never allows, with a consistent current and highest.
        (json.replace("MQL", "Won"), "lifecycle.invalid_history"),
    ];
    for (text, code) in forgeries {
        let mut forged = LifecycleState::from_json(&text).unwrap();
        let before = forged.clone();
        assert_eq!(
            pb.lifecycle().verify(&forged).unwrap_err().code(),
            code,
            "{text}"
        );
        let err = Funnel::compute(pb.lifecycle(), std::slice::from_ref(&forged), t1).unwrap_err();
        assert_eq!(err.code(), code);
        assert!(err.to_string().contains("record `L-1`"), "{err}");
        let lost = TransitionRequest::new("Lost", mia.clone(), t1).with_reason("gone");
        assert_eq!(
            pb.check(&forged, &lost, &Facts::new()).unwrap_err().code(),
            code
        );
        let err = pb
            .transition(&mut forged, &lost, &Facts::new())
            .unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(forged, before, "a refused transition changed the state");
    }

    // A state of another playbook whose pipeline has the same name.
    let other = Playbook::from_json(
        r#"{"schema_version": 1, "lifecycle": {"name": "lead", "initial": "Suspect",
            "stages": [{"name": "Suspect"}, {"name": "Won", "kind": "won"}],
            "transitions": [{"from": "Suspect", "to": "Won"}]}}"#,
    )
    .unwrap();
    let mut foreign = other.start("lead", "L-2", t0()).unwrap();
    let win = TransitionRequest::new("Won", mia.clone(), t1);
    other.transition(&mut foreign, &win, &Facts::new()).unwrap();
    let err = Funnel::compute(pb.lifecycle(), &[foreign], t1).unwrap_err();
    assert_eq!(err.code(), "lifecycle.invalid_history");
    assert_eq!(err.history_entries()[0].code, "history.undeclared");
}
