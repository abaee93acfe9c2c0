//! SLA status of 1,000,000 open leads at one `now`, on one core (target ≤ 0.2 s).
//!
//! `cargo bench -p leadcore --bench sla`
//!
//! Fixture (seeded, the same every run): one million open leads whose "sales follows up
//! within 4 business hours" clock started over the last 90 days (skewed to recent days, as
//! open leads are), on 09:00-17:00 Monday to Friday in America/New_York with US holidays;
//! 10% with finished pauses, 3% paused now, 2% not started yet, two escalation steps. First
//! a plain timed pass (cold: it builds the calendar index; then warm) prints the time and
//! the count per status, checking the batch against one-by-one `Sla::status` on a sample;
//! then criterion measures the warm batch.
#![allow(clippy::disallowed_methods)] // the bench's own stopwatch, not a clock in the core

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group};
use leadcore::Playbook;
use leadcore::columnar::NULL_TIME;
use leadcore::sla::{SlaClock, SlaClockTable, SlaState};
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1_000_000;

const PLAYBOOK: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
calendars:
  ny:
    time_zone: America/New_York
    hours: {mon-fri: ["09:00-17:00"]}
    holidays: [2026-01-01, 2026-01-19, 2026-02-16, 2026-05-25, 2026-06-19, 2026-07-03]
sla:
  policies:
    - name: follow_up
      calendar: ny
      target: 4h
      due_soon: 30m
      stop: {activity: {kinds: [call, email_sent]}}
      escalations:
        - {actions: [{kind: notify, params: {to: manager}}]}
        - {after: 4h, actions: [{kind: reassign}]}
"#;

#[path = "common/mod.rs"]
mod common;
use common::Rng;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 15, 0, 0).unwrap()
}

fn fixture() -> SlaClockTable {
    let mut rng = Rng(0x51A_2026);
    let now = now().timestamp();
    let mut t = SlaClockTable::default();
    for _ in 0..N {
        // Age: exponential with a 10-day mean, cut at 90 days.
        let age = ((-rng.unit().ln() * 10.0 * 86_400.0) as i64).min(90 * 86_400);
        let r = rng.unit();
        let started = if r < 0.02 { NULL_TIME } else { now - age };
        let (paused_seconds, paused_since) = if started == NULL_TIME {
            (0, NULL_TIME)
        } else if r < 0.05 {
            (0, now - age / 2)
        } else if r < 0.15 {
            ((rng.unit() * 7_200.0) as i64, NULL_TIME)
        } else {
            (0, NULL_TIME)
        };
        t.applies.push(true);
        t.started_at.push(started);
        t.stopped_at.push(NULL_TIME);
        t.paused_seconds.push(paused_seconds);
        t.paused_since.push(paused_since);
        t.breached_at.push(NULL_TIME);
    }
    t
}

fn time(c: &mut Criterion) {
    let pb = Playbook::from_yaml(PLAYBOOK).expect("the bench playbook is valid");
    let sla = pb.sla();
    let clocks = fixture();
    let now = now();
    for pass in ["cold (builds the calendar index)", "warm", "warm"] {
        let t0 = Instant::now();
        let out = sla
            .status_columns("follow_up", clocks.columns(), now)
            .unwrap();
        let secs = t0.elapsed().as_secs_f64();
        let counts = out.counts();
        println!(
            "sla status of {N} open leads, {pass}: {:.3} s ({:.0} ns/lead); {}",
            secs,
            secs * 1e9 / N as f64,
            SlaState::ALL
                .iter()
                .zip(counts)
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| format!("{} {n}", s.name()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // The batch is the one-by-one status, row for row (a sample).
        for i in (0..N).step_by(9_973) {
            let opt = |v: i64| (v != NULL_TIME).then(|| DateTime::from_timestamp(v, 0).unwrap());
            let clock = SlaClock {
                policy: "follow_up".into(),
                lead_id: format!("L-{i}"),
                applies: true,
                started_at: opt(clocks.started_at[i]),
                stopped_at: None,
                paused_seconds: clocks.paused_seconds[i],
                paused_since: opt(clocks.paused_since[i]),
                breached_at: None,
                attempts: 0,
            };
            let one = sla.status(&clock, now).unwrap();
            assert_eq!(out.state(i), Some(one.status));
            assert_eq!(out.elapsed_seconds[i], one.elapsed_seconds);
            assert_eq!(opt(out.deadline[i]), one.deadline);
            assert_eq!(opt(out.next_change[i]), one.next_change);
        }
    }
    let mut g = c.benchmark_group("sla");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("status_columns_1M_open_leads", |b| {
        b.iter(|| {
            black_box(
                sla.status_columns("follow_up", black_box(clocks.columns()), now)
                    .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, time);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
