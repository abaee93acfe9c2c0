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
