//! Scoring throughput on one core.
//!
//! `cargo bench --bench scoring`
//!
//! - batch: 10M events over 100k leads, 20 rules (benches/fixtures/scoring_playbook.yaml),
//!   through `Scoring::score_columns`: events/s.
//! - incremental: `Scoring::record` of one event into a lead's score state: ns/event.

#[path = "fixture.rs"]
mod fixture;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadcore::{Activity, ActivityKind};
use std::hint::black_box;

fn batch(c: &mut Criterion) {
    let pb = fixture::playbook();
    let f = fixture::Fixture::generate(100_000, 10_000_000);
    let now = DateTime::<Utc>::from_timestamp(fixture::NOW, 0).unwrap();
    let attrs = f.attrs();
    let mut group = c.benchmark_group("scoring");
    group.sample_size(10);
    group.throughput(Throughput::Elements(f.lead.len() as u64));
    group.bench_function("batch_10M_events_100k_leads_20_rules", |b| {
        b.iter(|| {
            black_box(
                pb.scoring()
                    .score_columns(&f.leads, &f.columns(&attrs), now)
                    .unwrap(),
            )
        })
    });
    group.finish();
}

fn incremental(c: &mut Criterion) {
    let pb = fixture::playbook();
    let s = pb.scoring();
    let now = DateTime::<Utc>::from_timestamp(fixture::NOW, 0).unwrap();
    let mut visit = Activity::new(ActivityKind::WebVisit, now);
    visit.page = Some("/pricing".into());
    visit.seconds = Some(90);
    let events = [
        Activity::new(ActivityKind::EmailOpened, now),
        {
            let mut click = Activity::new(ActivityKind::EmailClicked, now);
            click.campaign = Some("spring".into());
            click
        },
        visit,
        Activity::new(ActivityKind::ContentDownloaded, now),
    ];
    // 1,000 events in time order into a lead that already has 200, with room to grow (as a
    // long-lived state has): the cost of `record` itself, per event.
    let mut warm = s.new_state("L");
    for i in 0..200 {
        let mut e = events[i % events.len()].clone();
        e.at = now - chrono::Duration::days(30) + chrono::Duration::minutes(i as i64);
        s.record(&mut warm, &e, now).unwrap();
    }
    let stream: Vec<Activity> = (0..1000)
        .map(|i| {
            let mut e = events[i % events.len()].clone();
            e.at = now - chrono::Duration::days(1) + chrono::Duration::seconds(i as i64);
            e
        })
        .collect();
    let mut group = c.benchmark_group("scoring");
    group.throughput(Throughput::Elements(stream.len() as u64));
    group.bench_function("incremental_record_per_event", |b| {
        b.iter_batched_ref(
            || {
                let mut st = warm.clone();
                st.rules
                    .iter_mut()
                    .for_each(|r| r.times.reserve(stream.len()));
                st.engagement.reserve(stream.len());
                st
            },
            |state| {
                for e in &stream {
                    s.record(state, e, now).unwrap();
                }
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, batch, incremental);
criterion_main!(benches);
