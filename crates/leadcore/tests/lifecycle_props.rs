//! Invariants of the lifecycle engine under random transition sequences.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::{
    Activity, ActivityKind, Actor, Facts, FieldSource, Lead, LifecycleState, Playbook,
    ReplayOptions, Role, TransitionRequest,
};
use proptest::prelude::*;

const ROLES: [Role; 5] = [
    Role::Marketing,
    Role::Sdr,
    Role::Ae,
    Role::Manager,
    Role::System,
];
const REASONS: [Option<&str>; 4] = [None, Some("spam"), Some("competitor"), Some("later")];
const KINDS: [ActivityKind; 4] = [
    ActivityKind::Call,
    ActivityKind::EmailReplied,
    ActivityKind::MeetingScheduled,
    ActivityKind::MeetingHeld,
];

/// `default` cases, or as many as `PROPTEST_CASES` asks for (a long run: `PROPTEST_CASES=20000
/// cargo test --test lifecycle_props`). `ProptestConfig::with_cases` alone ignores it.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(cases)
}

#[derive(Debug, Clone)]
struct Step {
    stage: usize,
    role: usize,
    reason: usize,
    score: f64,
    minutes: i64,
    activities: Vec<(usize, i64)>,
    bant: bool,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0usize..16,
        0usize..ROLES.len(),
        0usize..REASONS.len(),
        0.0f64..300.0,
        -120i64..10_000,
        prop::collection::vec((0usize..KINDS.len(), -5_000i64..5_000), 0..4),
        any::<bool>(),
    )
        .prop_map(
            |(stage, role, reason, score, minutes, activities, bant)| Step {
                stage,
                role,
                reason,
                score,
                minutes,
                activities,
                bant,
            },
        )
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
}

fn lead(bant: bool) -> Lead {
    let mut l = Lead::new("L-1");
    if bant {
        for (k, v) in [
            ("budget", serde_json::json!(100_000)),
            ("authority", serde_json::json!(true)),
            ("need", serde_json::json!("routing")),
            ("timeline", serde_json::json!("2026-06-30")),
        ] {
            l.custom
                .insert(k.into(), serde_json::from_value(v).unwrap());
        }
    }
    l
}

/// Runs the steps, checking the per-step invariants; returns the final state.
fn run(pb: &Playbook, pipeline: &str, steps: &[Step]) -> Result<LifecycleState, TestCaseError> {
    let p = pb.pipeline(pipeline).unwrap();
    let names: Vec<&str> = p.stages().iter().map(|s| s.name()).collect();
    let mut state = pb.start(pipeline, "L-1", t0()).unwrap();
    let mut now = t0();
    for s in steps {
        now += Duration::minutes(s.minutes);
        let target = names
            .get(s.stage % (names.len() + 1))
            .copied()
            .unwrap_or("Nowhere");
        let mut req = TransitionRequest::new(target, Actor::new("x", ROLES[s.role]), now);
        req.reason = REASONS[s.reason].map(str::to_owned);
        let acts: Vec<Activity> = s
            .activities
            .iter()
            .map(|&(k, m)| Activity::new(KINDS[k].clone(), now + Duration::minutes(m)))
            .collect();
        let lead = lead(s.bant);
        let facts = Facts::new()
            .record(&lead as &dyn FieldSource)
            .activities(&acts)
            .score("lead", s.score);
        let before = state.clone();
        let checked = pb.check(&state, &req, &facts);
        match pb.transition(&mut state, &req, &facts) {
            Ok(out) => {
                prop_assert!(checked.is_ok());
                prop_assert_eq!(out.to.as_str(), state.current());
                prop_assert_eq!(state.history().len(), before.history().len() + 1);
            }
            Err(e) => {
                prop_assert_eq!(checked.unwrap_err(), e.clone());
                prop_assert_eq!(&state, &before, "a refused transition changed the state");
            }
        }
        prop_assert!(
            names.contains(&state.current()),
            "undeclared stage {}",
            state.current()
        );
        let rank = |n: &str| p.stage(n).unwrap().rank();
        if let (Some(c), Some(h)) = (rank(state.current()), state.highest().and_then(rank)) {
            prop_assert!(c <= h, "current ranks above highest");
        }
    }
    Ok(state)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn random_sequences_keep_every_invariant(
        steps in prop::collection::vec(step(), 0..40),
        deal in any::<bool>(),
    ) {
        let pb = Playbook::default_playbook();
        let pipeline = if deal { "new_business" } else { "lead" };
        let state = run(&pb, pipeline, &steps)?;

        // Replaying history reproduces the state, checked strictly or trusted.
        let replayed = pb.replay(pipeline, "L-1", state.history()).unwrap();
        prop_assert_eq!(&replayed, &state);
        let trusted = ReplayOptions::new().trust_history(true);
        let replayed = pb.replay_with(pipeline, "L-1", state.history(), &trusted).unwrap();
        prop_assert_eq!(&replayed, &state);

        // The state round-trips through serde without loss.
        let json = serde_json::to_string(&state).unwrap();
        let back: LifecycleState = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &state);
        prop_assert_eq!(LifecycleState::from_json(&json).unwrap(), state.clone());

        // History times never go backwards.
        prop_assert!(state.history().windows(2).all(|w| w[0].at <= w[1].at));

        // Dwell covers exactly the time from start to `now`.
        let end = state.entered_at() + Duration::hours(1);
        let total: i64 = state.dwell(end).unwrap().iter().map(|d| d.seconds).sum();
        prop_assert_eq!(total, (end - t0()).num_seconds());
    }
}

const NOT_ALLOWED: [&str; 4] = [
    "history.undeclared",
    "history.back_move_forbidden",
    "history.from_terminal",
    "history.same_stage",
];

proptest! {
    #![proptest_config(config(128))]

    /// A real history with one entry redirected to a stage the pipeline does not allow from
    /// there is refused at that entry, trusted or not; one moved before the entry preceding
    /// it is refused as time going backwards.
    #[test]
    fn a_forged_entry_is_refused_at_its_index(
        steps in prop::collection::vec(step(), 1..40),
        deal in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        target in any::<prop::sample::Index>(),
    ) {
        let pb = Playbook::default_playbook();
        let pipeline = if deal { "new_business" } else { "lead" };
        let state = run(&pb, pipeline, &steps)?;
        let history = state.history();
        prop_assume!(history.len() > 1);
        let i = 1 + pick.index(history.len() - 1);
        let p = pb.pipeline(pipeline).unwrap();
        let from = history[i - 1].to.as_str();
        let allowed = p.next_stages(from).unwrap();
        let refused: Vec<&str> = p
            .stages()
            .iter()
            .map(|s| s.name())
            .filter(|n| !allowed.contains(n))
            .collect();
        let trusted = ReplayOptions::new().trust_history(true);

        let mut forged = history.to_vec();
        forged[i].to = refused[target.index(refused.len())].to_owned();
        for options in [ReplayOptions::new(), trusted] {
            let err = pb.replay_with(pipeline, "L-1", &forged, &options).unwrap_err();
            prop_assert_eq!(err.code(), "lifecycle.invalid_history");
            let at_i: Vec<&str> = err
                .history_entries()
                .iter()
                .filter(|e| e.index == i)
                .map(|e| e.code.as_str())
                .collect();
            prop_assert!(
                at_i.len() == 1 && NOT_ALLOWED.contains(&at_i[0]),
                "entry {}: {:?}", i, err.history_entries()
            );
            prop_assert!(err.history_entries().iter().all(|e| e.index == i || e.index == i + 1));
        }

        let mut early = history.to_vec();
        early[i].at = history[i - 1].at - Duration::seconds(1);
        let err = pb.replay_with(pipeline, "L-1", &early, &trusted).unwrap_err();
        prop_assert!(err
            .history_entries()
            .iter()
            .any(|e| e.index == i && e.code == "history.time_went_backwards"));
    }
}

#[test]
fn unsupported_state_version_is_a_typed_error() {
    let pb = Playbook::default_playbook();
    let s = pb.start("lead", "L-1", t0()).unwrap();
    let json = s
        .to_json()
        .replace("\"schema_version\":1", "\"schema_version\":99");
    let err = LifecycleState::from_json(&json).unwrap_err();
    assert_eq!(err.code(), "state.unsupported_version");
    assert!(serde_json::from_str::<LifecycleState>(&json).is_err());
}

#[test]
fn tampered_state_is_rejected() {
    let pb = Playbook::default_playbook();
    let s = pb.start("lead", "L-1", t0()).unwrap();
    let json = s
        .to_json()
        .replace("\"current\":\"Suspect\"", "\"current\":\"Won\"");
    assert_eq!(
        LifecycleState::from_json(&json).unwrap_err().code(),
        "input.invalid"
    );
}
