//! Invariants of the lifecycle engine under random transition sequences.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::{
    Activity, ActivityKind, Actor, Facts, FieldSource, Lead, LifecycleState, Playbook, Role,
    TransitionRequest,
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
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_sequences_keep_every_invariant(
        steps in prop::collection::vec(step(), 0..40),
        deal in any::<bool>(),
    ) {
        let pb = Playbook::default_playbook();
        let pipeline = if deal { "new_business" } else { "lead" };
        let state = run(&pb, pipeline, &steps)?;

        // Replaying history reproduces the state.
        let replayed = pb.replay(pipeline, "L-1", state.history()).unwrap();
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
        let total: i64 = state.dwell(end).iter().map(|d| d.seconds).sum();
        prop_assert_eq!(total, (end - t0()).num_seconds());
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
