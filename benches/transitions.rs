//! Transition throughput of the lifecycle engine on one core.
//!
//! `cargo bench --bench transitions`
//!
//! Each iteration starts a lead and walks it through the default playbook's whole lead path
//! (Suspect → MQL → SRL → SQL Contacted → SQL Scheduled → Opportunity → Won: 6 transitions,
//! 12 guards: roles, score, BANT fields, activities), plus one refused attempt, so the figure
//! covers guard evaluation, history and emitted actions as a host would see them.

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadcore::{
    Activity, ActivityKind, Actor, Facts, FieldValue, Lead, Playbook, Role, TransitionRequest,
};
use std::hint::black_box;

fn walk(c: &mut Criterion) {
    let pb = Playbook::default_playbook();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let mut lead = Lead::new("L-1");
    lead.custom
        .insert("budget".into(), FieldValue::Int(1_000_000));
    lead.custom
        .insert("authority".into(), FieldValue::Bool(true));
    lead.custom
        .insert("need".into(), FieldValue::Text("routing".into()));
    lead.custom.insert(
        "timeline".into(),
        FieldValue::Date(t0.date_naive() + chrono::Days::new(60)),
    );
    let activities = [
        Activity::new(ActivityKind::Call, t0 + Duration::hours(3)),
        Activity::new(ActivityKind::MeetingScheduled, t0 + Duration::hours(4)),
        Activity::new(ActivityKind::MeetingHeld, t0 + Duration::hours(5)),
    ];
    let facts = Facts::new()
        .record(&lead)
        .activities(&activities)
        .score("lead", 130.0);
    let (mia, sam, ava) = (
        Actor::new("mia", Role::Marketing),
        Actor::new("sam", Role::Sdr),
        Actor::new("ava", Role::Ae),
    );
    let steps = [
        TransitionRequest::new("MQL", sam.clone(), t0 + Duration::hours(1)), // refused
        TransitionRequest::new("MQL", mia, t0 + Duration::hours(1)),
        TransitionRequest::new("SRL", sam.clone(), t0 + Duration::hours(2)),
        TransitionRequest::new("SQL Contacted", sam.clone(), t0 + Duration::hours(3)),
        TransitionRequest::new("SQL Scheduled", sam.clone(), t0 + Duration::hours(4)),
        TransitionRequest::new("Opportunity", sam, t0 + Duration::hours(6)),
        TransitionRequest::new("Won", ava, t0 + Duration::days(20)),
    ];
    let mut group = c.benchmark_group("lifecycle");
    group.throughput(Throughput::Elements(steps.len() as u64));
    group.bench_function("lead_path_7_transitions", |b| {
        b.iter(|| {
            let mut state = pb.start("lead", "L-1", t0).unwrap();
            let mut ok = 0;
            for req in &steps {
                ok += usize::from(pb.transition(&mut state, req, &facts).is_ok());
            }
            assert_eq!(ok, steps.len() - 1);
            black_box(state)
        })
    });
    group.finish();
}

criterion_group!(benches, walk);
criterion_main!(benches);
