//! Scoring under hostile input (issue 8): no panic, no silent wrong number, no accepted
//! forgery, no quadratic path; a failed call changes nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::scoring::ScoreState;
use leadcore::{Activity, ActivityKind, Lead, Playbook};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

const THRESHOLD: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  hotness: {events: 1, within_minutes: 60, kinds: [trial_signup]}
  models:
    - name: m
      rules:
        - {type: behaviour, name: trial, activity: trial_signup, points: 50}
      thresholds:
        - {name: hot, at: 40, on_up: [{kind: notify}]}
"#;

#[test]
fn a_fired_count_at_its_limit_is_an_error_and_the_state_is_unchanged() {
    let pb = Playbook::from_yaml(THRESHOLD).unwrap();
    let s = pb.scoring();
    let lead = Lead::new("L");
    let mut json: serde_json::Value = serde_json::from_str(&s.new_state("L").to_json()).unwrap();
    let t = t0();
    json["thresholds"][0]["fired"] = serde_json::json!(u32::MAX);
    json["checked_at"] = serde_json::json!(t - Duration::days(1));
    let mut state = ScoreState::from_json(&json.to_string()).unwrap();
    let before = state.clone();

    // apply: the event would cross the threshold; the count cannot grow.
    let err = s
        .apply(
            &mut state,
            &lead,
            &Activity::new(ActivityKind::TrialSignup, t),
            t,
        )
        .unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert!(err.to_string().contains("cannot grow"), "{err}");
    assert_eq!(state, before, "a failed apply must not record the event");

    // check_thresholds after a plain record: refused, and nothing else moves.
    s.record(&mut state, &Activity::new(ActivityKind::TrialSignup, t), t)
        .unwrap();
    let recorded = state.clone();
    assert!(s.check_thresholds(&mut state, &lead, t).is_err());
    assert_eq!(state, recorded);

    // One below the limit still counts up to it.
    let mut json: serde_json::Value = serde_json::from_str(&before.to_json()).unwrap();
    json["thresholds"][0]["fired"] = serde_json::json!(u32::MAX - 1);
    let mut state = ScoreState::from_json(&json.to_string()).unwrap();
    let signals = s
        .apply(
            &mut state,
            &lead,
            &Activity::new(ActivityKind::TrialSignup, t),
            t,
        )
        .unwrap();
    assert_eq!(signals.len(), 2); // the crossing and the lead turning hot
    assert_eq!(state.thresholds[0].fired, u32::MAX);
}

#[test]
fn failed_mutations_leave_the_state_unchanged() {
    let pb = Playbook::from_yaml(THRESHOLD).unwrap();
    let s = pb.scoring();
    let lead = Lead::new("L");
    let t = t0();
    let mut state = s.new_state("L");
    s.apply(
        &mut state,
        &lead,
        &Activity::new(ActivityKind::TrialSignup, t),
        t,
    )
    .unwrap();
    let before = state.clone();
    // An event after now beyond the tolerance.
    let late = Activity::new(ActivityKind::TrialSignup, t + Duration::days(1));
    assert!(s.record(&mut state, &late, t).is_err());
    assert!(s.apply(&mut state, &lead, &late, t).is_err());
    // Time going backwards.
    let early = Activity::new(ActivityKind::TrialSignup, t - Duration::days(2));
    assert!(
        s.apply(&mut state, &lead, &early, t - Duration::days(1))
            .is_err()
    );
    assert!(
        s.check_thresholds(&mut state, &lead, t - Duration::days(1))
            .is_err()
    );
    assert_eq!(state, before);
}

const HEAVY_COMBINE: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: base
      rules:
        - {type: fit, name: everyone, field: id, op: exists, points: 10000}
    - name: heavy
      combine: [{model: base, weight: 1000000000}]
      thresholds: [{name: t, at: 1}]
    - name: capped
      combine: [{model: base, weight: 1000000000}]
      cap: 1000
"#;

#[test]
fn a_score_beyond_2_pow_43_is_a_typed_error_in_every_path_not_a_pinned_number() {
    let pb = Playbook::from_yaml(HEAVY_COMBINE).unwrap();
    let s = pb.scoring();
    let lead = Lead::new("L");
    let t = t0();
    // 1e9 x 10,000 = 1e13 points: beyond 2^43 (8.8e12); it used to read 8,796,093,022,208.
    let err = s.score(&lead, &[], t, true).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert!(err.to_string().contains("model `heavy`"), "{err}");
    let err = s
        .score_table(
            std::slice::from_ref(&lead),
            &leadcore::EventTable::default(),
            t,
        )
        .unwrap_err();
    assert!(err.to_string().contains("lead `L`"), "{err}");
    let mut state = s.new_state("L");
    assert!(s.card(&state, &lead, t, false).is_err());
    let before = state.clone();
    assert!(s.check_thresholds(&mut state, &lead, t).is_err());
    assert_eq!(state, before);
    assert!(
        s.predict_crossing(&state, &lead, "heavy", 1.0, t, Duration::days(1))
            .is_err()
    );

    // A cap keeps a model in range: exact, and the breakdown still sums to it.
    let capped = Playbook::from_yaml(&HEAVY_COMBINE.replace(
        "      thresholds: [{name: t, at: 1}]\n",
        "      cap: 5\n      thresholds: [{name: t, at: 1}]\n",
    ))
    .unwrap();
    let card = capped.scoring().score(&lead, &[], t, true).unwrap();
    assert_eq!(card.score("heavy"), Some(5.0));
    assert_eq!(card.score("capped"), Some(1000.0));
    let m = &card.models[2];
    let sum: f64 = m.adjustments.iter().map(|a| a.points).sum();
    assert_eq!(sum, 1000.0);
}

const RISE_AND_FALL: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: m
      rules:
        - {type: behaviour, name: fast, activity: trial_signup, points: 100, decay: {type: half_life, days: 1}}
        - {type: behaviour, name: slow, activity: email_unsubscribed, points: -90, decay: {type: half_life, days: 100}}
"#;

#[test]
fn predict_finds_a_crossing_of_a_score_that_falls_then_rises_over_any_horizon() {
    let pb = Playbook::from_yaml(RISE_AND_FALL).unwrap();
    let s = pb.scoring();
    let lead = Lead::new("L");
    let t = t0();
    let mut state = s.new_state("L");
    for kind in [ActivityKind::TrialSignup, ActivityKind::EmailUnsubscribed] {
        s.record(&mut state, &Activity::new(kind, t), t).unwrap();
    }
    // 10 now; falls to about -89 within a week, then rises slowly back towards 0.
    let score_at = |at| {
        s.card(&state, &lead, at, false)
            .unwrap()
            .score("m")
            .unwrap()
    };
    let predict = |threshold, days| {
        s.predict_crossing(&state, &lead, "m", threshold, t, Duration::days(days))
            .unwrap()
    };
    let short = predict(-50.0, 5).expect("a crossing within 5 days");
    assert_eq!(predict(-50.0, 3650), Some(short));
    assert!(score_at(short) < -50.0 && score_at(short - Duration::seconds(1)) >= -50.0);
    // Back up through -50 on the long, slow rise.
    let low = t + Duration::days(10);
    let back = s
        .predict_crossing(&state, &lead, "m", -50.0, low, Duration::days(3650))
        .unwrap()
        .expect("the rise crosses -50");
    assert!(score_at(back) >= -50.0 && score_at(back - Duration::seconds(1)) < -50.0);
    // A dip that never reaches the threshold is no crossing, over any horizon.
    assert_eq!(predict(-95.0, 3650), None);
    // From 10 a threshold of 5 is first crossed on the way down.
    let down = predict(5.0, 3650).unwrap();
    assert!(down < short);
}

const LONG_VISITS: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: m
      rules:
        - {type: behaviour, name: long, activity: web_visit, points: 10,
           filters: [{attr: seconds, op: gt, value: 30}]}
        - {type: behaviour, name: any_visit, activity: web_visit, points: 1}
"#;

/// A `seconds` column: `values`, set where `valid`.
fn seconds_column<'a>(values: &'a [i64], valid: &'a [bool]) -> leadcore::columnar::AttrColumn<'a> {
    use leadcore::columnar::{AttrColumn, AttrValues, Column};
    AttrColumn {
        name: "seconds",
        values: AttrValues::Int(Column {
            values,
            valid: Some(valid),
        }),
    }
}

#[test]
fn seconds_beyond_u32_are_bad_input_in_every_path() {
    use leadcore::columnar::{DictColumn, EventColumns};
    let pb = Playbook::from_yaml(LONG_VISITS).unwrap();
    let s = pb.scoring();
    let t = t0();
    let leads = [Lead::new("A")];
    let at = t.timestamp();
    let seconds: Vec<i64> = vec![60, 1 << 32, -1, 5];
    let valid = [true, true, true, false];
    let kinds = ["web_visit".to_owned()];
    let ids = ["A".to_owned()];
    let attrs = [seconds_column(&seconds, &valid)];
    let kind = DictColumn {
        codes: &[0; 4],
        dictionary: &kinds,
    };
    let events = EventColumns {
        lead: &[0; 4],
        kind,
        at: &[at; 4],
        attrs: &attrs,
    };
    // Batch: rows 1 (2^32) and 2 (-1) are bad values; row 3 has no seconds and counts.
    let batch = s.score_columns(&leads, &events, t).unwrap();
    let bad: Vec<_> = batch.row_errors.iter().map(|e| (e.row, e.reason)).collect();
    assert_eq!(
        bad,
        [
            (1, leadcore::RowErrorReason::BadValue),
            (2, leadcore::RowErrorReason::BadValue)
        ]
    );
    assert!(batch.row_errors[0].message.contains("seconds"));
    assert_eq!(batch.score(0, "m"), Some(12.0));
    // Explained: the same rows left out, the same score.
    let lead_ids = DictColumn {
        codes: &[0; 4],
        dictionary: &ids,
    };
    let cards = s
        .explain_columns_by_id(&leads, lead_ids, &events, t)
        .unwrap();
    assert_eq!(cards[0].score("m"), Some(12.0));
    // The JSON table path: a row error too, not a refused table.
    let table: leadcore::EventTable = serde_json::from_value(serde_json::json!({
        "lead_id": ["A", "A"], "kind": ["web_visit", "web_visit"], "at": [at, at],
        "seconds": [60, 4_294_967_296_i64]
    }))
    .unwrap();
    let out = s.score_table(&leads, &table, t).unwrap();
    assert_eq!(out.row_errors.len(), 1);
    assert_eq!(out.score(0, "m"), Some(11.0));
    // Per lead and incremental: the activity cannot be read at all.
    let activity = serde_json::json!({"kind": "web_visit", "at": t, "seconds": 4_294_967_296_i64});
    assert!(serde_json::from_value::<Activity>(activity).is_err());
    assert_eq!(
        leadcore::scoring::ScoreApplyInput::from_json(
            r#"{"lead":{"id":"A"},"activity":{"kind":"web_visit","at":"2026-03-02T09:00:00Z","seconds":4294967296},"now":"2026-03-02T09:00:00Z"}"#
        )
        .unwrap_err()
        .code(),
        "input.invalid"
    );
}

/// The `seconds` check is made a chunk of rows at a time: a bad value deep in a long batch
/// is found on its row, and what a null slot holds is not looked at, on one thread and two.
#[test]
fn seconds_are_checked_on_every_row_of_a_long_batch_but_not_under_a_null() {
    use leadcore::columnar::{DictColumn, EventColumns};
    let pb = Playbook::from_yaml(LONG_VISITS).unwrap();
    let s = pb.scoring();
    let t = t0();
    let leads = [Lead::new("A"), Lead::new("B")];
    let n = 3_000_000;
    let mut seconds = vec![60_i64; n];
    let mut valid = vec![true; n];
    // A null whose slot holds a value no activity can: no error, the row counts for
    // `any_visit` only.
    seconds[20_000] = 1 << 40;
    valid[20_000] = false;
    // Bad values far into the batch, one in each of two pieces.
    seconds[1_500_001] = -5;
    seconds[2_999_999] = 1 << 32;
    let lead: Vec<u32> = (0..n as u32).map(|i| i % 2).collect();
    let kinds = ["web_visit".to_owned()];
    let attrs = [seconds_column(&seconds, &valid)];
    let at = vec![t.timestamp(); n];
    let codes = vec![0; n];
    let events = EventColumns {
        lead: &lead,
        kind: DictColumn {
            codes: &codes,
            dictionary: &kinds,
        },
        at: &at,
        attrs: &attrs,
    };
    for threads in [1, 2] {
        let batch = s
            .score_columns_parallel(&leads, &events, t, threads)
            .unwrap();
        let bad: Vec<_> = batch.row_errors.iter().map(|e| (e.row, e.reason)).collect();
        assert_eq!(
            bad,
            [
                (1_500_001, leadcore::RowErrorReason::BadValue),
                (2_999_999, leadcore::RowErrorReason::BadValue)
            ],
            "{threads} threads"
        );
        // Lead A: rows 0, 2, ...: 1,500,000 rows, the null one without `long`.
        assert_eq!(batch.score(0, "m"), Some(1_500_000.0 * 11.0 - 10.0));
        // Lead B: 1,500,000 rows less the two bad ones.
        assert_eq!(batch.score(1, "m"), Some(1_499_998.0 * 11.0));
    }
}

const OPENS_AND_TRIALS: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: m
      rules:
        - {type: behaviour, name: opens, activity: email_opened, points: 1}
        - {type: behaviour, name: trial, activity: trial_signup, points: 500, occurrence: once}
      thresholds:
        - {name: hot, at: 100, on_up: [{kind: notify}]}
"#;

fn edited(state: &ScoreState, edit: impl FnOnce(&mut serde_json::Value)) -> ScoreState {
    let mut json: serde_json::Value = serde_json::from_str(&state.to_json()).unwrap();
    edit(&mut json);
    ScoreState::from_json(&json.to_string()).unwrap()
}

#[test]
fn forged_or_foreign_score_states_are_refused() {
    let pb = Playbook::from_yaml(OPENS_AND_TRIALS).unwrap();
    let s = pb.scoring();
    let lead = Lead::new("L");
    let t = t0();
    let mut state = s.new_state("L");
    for i in 0..3 {
        let at = t + Duration::minutes(i);
        s.apply(
            &mut state,
            &lead,
            &Activity::new(ActivityKind::EmailOpened, at),
            at,
        )
        .unwrap();
    }
    s.check_state(&state).unwrap();
    let refused = |st: &ScoreState| {
        let err = s.check_state(st).unwrap_err();
        assert_eq!(err.code(), "input.invalid");
        let mut probe = st.clone();
        assert!(
            s.check_thresholds(&mut probe, &lead, t + Duration::hours(1))
                .is_err()
        );
        assert!(s.card(st, &lead, t, false).is_err());
    };

    // Another playbook whose rule names match: three opens would read as 500 points.
    let foreign = Playbook::from_yaml(&OPENS_AND_TRIALS.replace(
        "activity: email_opened, points: 1",
        "activity: email_opened, points: 500",
    ))
    .unwrap();
    assert!(foreign.scoring().check_state(&state).is_err());
    let swapped = Playbook::from_yaml(
        &OPENS_AND_TRIALS
            .replace("activity: email_opened", "activity: TMP")
            .replace("activity: trial_signup", "activity: email_opened")
            .replace("activity: TMP", "activity: trial_signup"),
    )
    .unwrap();
    assert!(swapped.scoring().check_state(&state).is_err());

    // Times moved into a rule that counts once.
    refused(&edited(&state, |j| {
        let opens = j["rules"][0]["times"].clone();
        j["rules"][1]["times"] = opens;
    }));
    // Entries swapped between rules.
    refused(&edited(&state, |j| {
        let rules = j["rules"].as_array_mut().unwrap();
        rules.swap(0, 1);
    }));
    // A threshold marked above to suppress it, without having fired.
    refused(&edited(&state, |j| {
        j["thresholds"][0]["above"] = serde_json::json!(true);
    }));
    // Flags on a state never checked.
    refused(&edited(&state, |j| {
        j["thresholds"][0]["fired"] = serde_json::json!(1);
        j.as_object_mut().unwrap().remove("checked_at");
    }));
}

#[test]
fn a_rule_without_a_window_keeps_only_the_times_it_can_count() {
    let pb = Playbook::from_yaml(OPENS_AND_TRIALS).unwrap();
    let s = pb.scoring();
    let t = t0();
    let mut state = s.new_state("L");
    for i in (0..5).rev() {
        let a = Activity::new(ActivityKind::TrialSignup, t + Duration::minutes(i));
        s.record(&mut state, &a, t + Duration::hours(1)).unwrap();
    }
    assert_eq!(state.rules[1].times, [t.timestamp()]);
    let card = s
        .card(&state, &Lead::new("L"), t + Duration::hours(1), false)
        .unwrap();
    assert_eq!(card.score("m"), Some(500.0));
}

#[test]
#[allow(clippy::disallowed_methods)] // the test's own stopwatch, not a clock in the core
fn per_lead_scoring_of_events_in_any_order_is_n_log_n() {
    // 200k events newest-first: inserting each in place moved ~160 GB (minutes); sorting
    // once takes well under a second even in a debug build.
    let pb = Playbook::default_playbook();
    let s = pb.scoring();
    let now = t0();
    let kinds = [
        ActivityKind::EmailOpened,
        ActivityKind::EmailClicked,
        ActivityKind::ContentDownloaded,
    ];
    let oldest_first: Vec<Activity> = (0..200_000i64)
        .map(|i| {
            Activity::new(
                kinds[i as usize % 3].clone(),
                now - Duration::seconds(200_000 - i),
            )
        })
        .collect();
    let newest_first: Vec<Activity> = oldest_first.iter().rev().cloned().collect();
    let lead = Lead::new("L");
    let started = std::time::Instant::now();
    let backwards = s.score(&lead, &newest_first, now, false).unwrap();
    let took = started.elapsed();
    let forwards = s.score(&lead, &oldest_first, now, false).unwrap();
    assert_eq!(backwards, forwards);
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

#[test]
#[allow(clippy::disallowed_methods)] // the test's own stopwatch, not a clock in the core
fn explaining_a_batch_of_events_in_any_order_is_n_log_n() {
    // One lead, 200k events newest-first: recorded in row order, each insertion moved the
    // whole state (minutes); the batch explain now sorts the rows by lead and time first.
    let pb = Playbook::default_playbook();
    let s = pb.scoring();
    let now = t0();
    let rows = 200_000usize;
    let kinds = ["email_opened", "email_clicked", "content_downloaded"];
    // Row i: the kind and age of event i, oldest first; reversed rows, newest first.
    let table = |newest_first: bool| {
        let event = |r: usize| if newest_first { rows - 1 - r } else { r };
        leadcore::EventTable {
            lead_id: vec!["L".to_owned(); rows],
            kind: (0..rows).map(|r| kinds[event(r) % 3].to_owned()).collect(),
            at: (0..rows)
                .map(|r| now.timestamp() - (rows - event(r)) as i64)
                .collect(),
            ..leadcore::EventTable::default()
        }
    };
    let leads = [Lead::new("L")];
    let (backwards, forwards) = (
        table(true).encode().unwrap(),
        table(false).encode().unwrap(),
    );
    let started = std::time::Instant::now();
    let cards = s.explain_events(&leads, &backwards, now).unwrap();
    let took = started.elapsed();
    // (not assert_eq: the cards hold 200k contributions each)
    assert!(cards == s.explain_events(&leads, &forwards, now).unwrap());
    assert_eq!(cards[0].score("engagement"), Some(1_133_329.0));
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

const EXPIRING: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: opens
      rules:
        - {type: behaviour, name: opens, activity: email_opened, points: 1, decay: {type: expiry, days: 30}}
    - name: visits
      rules:
        - {type: behaviour, name: visits, activity: web_visit, points: 1, window_days: 30}
"#;

#[test]
#[allow(clippy::disallowed_methods)] // the test's own stopwatch, not a clock in the core
fn predict_with_expiry_or_windows_is_n_log_n() {
    // 20k events a minute apart per rule: each expiry or window exit is a jump, and each
    // jump used to re-score every event (20k events 5.1 s in release).
    let pb = Playbook::from_yaml(EXPIRING).unwrap();
    let s = pb.scoring();
    let lead = Lead::new("L");
    let now = t0();
    let n = 20_000i64;
    let at = |i: i64| now - Duration::minutes(n - i);
    let mut state = s.new_state("L");
    for i in 0..n {
        for kind in [ActivityKind::EmailOpened, ActivityKind::WebVisit] {
            s.record(&mut state, &Activity::new(kind, at(i)), now)
                .unwrap();
        }
    }
    let started = std::time::Instant::now();
    let horizon = Duration::days(3650);
    let opens = s
        .predict_crossing(&state, &lead, "opens", 10_000.0, now, horizon)
        .unwrap();
    let visits = s
        .predict_crossing(&state, &lead, "visits", 10_000.0, now, horizon)
        .unwrap();
    let none = s
        .predict_crossing(&state, &lead, "opens", 30_000.0, now, horizon)
        .unwrap();
    let took = started.elapsed();
    // Below 10,000 once event 10,000 (from 0) has expired / left the 30-day window.
    assert_eq!(opens, Some(at(10_000) + Duration::days(30)));
    assert_eq!(
        visits,
        Some(at(10_000) + Duration::days(30) + Duration::seconds(1))
    );
    assert_eq!(none, None);
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_batch_can_be_stopped_between_chunks() {
    use leadcore::scoring::STOP_CHECK_ROWS;
    let pb = Playbook::default_playbook();
    let s = pb.scoring();
    let now = t0();
    let rows = 3 * STOP_CHECK_ROWS + 5;
    let table = leadcore::EventTable {
        lead_id: (0..rows).map(|i| format!("L{}", i % 100)).collect(),
        kind: vec!["email_opened".into(); rows],
        at: vec![now.timestamp() - 60; rows],
        ..leadcore::EventTable::default()
    };
    let events = table.encode().unwrap();
    let leads: Vec<Lead> = (0..100).map(|i| Lead::new(format!("L{i}"))).collect();
    let mut seen = Vec::new();
    let full = s
        .score_events_until(&leads, &events, now, &mut |p| {
            seen.push(p);
            true
        })
        .unwrap()
        .unwrap();
    assert_eq!(full, s.score_events(&leads, &events, now).unwrap());
    // Every STOP_CHECK_ROWS rows of the one pass over the rows, then once per as many
    // leads; told how far it got: rows scanned, then leads finished.
    let passes = 1;
    let total = (passes * rows + 100) as u64;
    let told: Vec<(u64, u64)> = seen.iter().map(|p| (p.done, p.total)).collect();
    let want: Vec<(u64, u64)> = (0..4)
        .map(|c| ((c * STOP_CHECK_ROWS) as u64, total))
        .chain([(rows as u64, total)])
        .collect();
    assert_eq!(told, want);
    // The same on two threads: each thread's rows add up, `done` never goes back.
    let index: Vec<u32> = (0..rows).map(|i| (i % 100) as u32).collect();
    let kinds = ["email_opened".to_owned()];
    let codes = vec![0u32; rows];
    let at = vec![now.timestamp() - 60; rows];
    let columns = leadcore::columnar::EventColumns {
        lead: &index,
        kind: leadcore::columnar::DictColumn {
            codes: &codes,
            dictionary: &kinds,
        },
        at: &at,
        attrs: &[],
    };
    let mut two = Vec::new();
    let parallel = s
        .score_columns_parallel_until(&leads, &columns, now, 2, &mut |p| {
            two.push(p);
            true
        })
        .unwrap()
        .unwrap();
    assert_eq!(parallel, full);
    assert!(two.windows(2).all(|w| w[0].done <= w[1].done), "{two:?}");
    assert!(two.iter().all(|p| p.total == total && p.done < total));
    // Stopped at the second check: no result, no error.
    let mut calls = 0;
    let stopped = s
        .score_events_until(&leads, &events, now, &mut |_| {
            calls += 1;
            calls < 2
        })
        .unwrap();
    assert_eq!((stopped, calls), (None, 2));
    let cards = s
        .explain_events_until(&leads, &events, now, &mut |_| false)
        .unwrap();
    assert!(cards.is_none());
}
