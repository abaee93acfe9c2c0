//! Business-time arithmetic on one core: what an SLA engine pays per open lead.
//!
//! `cargo bench -p leadcore --bench calendar`
//!
//! Fixture (seeded, the same every run): 1,000,000 starts spread uniformly over two years
//! (2024-07-01 to 2026-07-01), each with a span drawn log-normally (median 4 h, from a minute
//! to six weeks), on 09:00-17:00 Monday to Friday in America/New_York with the US federal
//! holidays of 2024-2026. First a plain timed pass prints ns/call of the day-by-day walk
//! (the reference, `*_walk`) and of the index (the public methods; first pass, which builds
//! the index's chunks, and warm passes), asserting the same answers; then criterion measures
//! the warm index.
//!
//! - `between`: `business_seconds_between(start, start + span)` (elapsed business time).
//! - `add`: `add_business_seconds(start, span)` (a deadline).
#![allow(clippy::disallowed_methods)] // the bench's own stopwatch, not a clock in the core

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group};
use leadcore::time::{Calendar, CalendarSpec};
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1_000_000;

fn calendar() -> Calendar {
    let spec: CalendarSpec = serde_json::from_str(
        r#"{
        "time_zone": "America/New_York",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": [
            "2024-01-01", "2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19", "2024-07-04",
            "2024-09-02", "2024-10-14", "2024-11-11", "2024-11-28", "2024-12-25",
            "2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04",
            "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25",
            "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
            "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"
        ]
    }"#,
    )
    .expect("the bench calendar parses");
    Calendar::new(&spec).expect("the bench calendar is valid")
}

#[path = "common/mod.rs"]
mod common;
use common::Rng;

/// (start, span seconds) pairs.
fn fixture() -> Vec<(DateTime<Utc>, i64)> {
    let from = 1_719_792_000; // 2024-07-01T00:00:00Z
    let years2 = 730 * 86_400;
    let mut rng = Rng(0x5EED_CA1E_1DA2_2026);
    (0..N)
        .map(|_| {
            let start = from + (rng.next() % years2 as u64) as i64;
            // Box-Muller normal, then log-normal around 4 h (sigma 2: a minute to weeks).
            let z = (-2.0 * rng.unit().ln()).sqrt() * (std::f64::consts::TAU * rng.unit()).cos();
            let span = (14_400.0 * (2.0 * z).exp()).clamp(60.0, 42.0 * 86_400.0) as i64;
            (DateTime::from_timestamp(start, 0).expect("in range"), span)
        })
        .collect()
}

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let ns = t.elapsed().as_nanos() as f64 / N as f64;
    println!("calendar {label:<34} {ns:>8.1} ns/call");
    out
}

fn between_all(cal: &Calendar, fx: &[(DateTime<Utc>, i64)]) -> Vec<i64> {
    fx.iter()
        .map(|&(a, s)| cal.business_seconds_between(a, a + chrono::Duration::seconds(s)))
        .collect()
}

fn add_all(cal: &Calendar, fx: &[(DateTime<Utc>, i64)]) -> Vec<Option<DateTime<Utc>>> {
    fx.iter()
        .map(|&(a, s)| cal.add_business_seconds(a, s))
        .collect()
}

/// The plain timed comparison: walk against index, same answers.
fn report(fx: &[(DateTime<Utc>, i64)]) {
    let cal = calendar();
    let walk_between = timed("walk  business_seconds_between", || {
        fx.iter()
            .map(|&(a, s)| cal.business_seconds_between_walk(a, a + chrono::Duration::seconds(s)))
            .collect::<Vec<_>>()
    });
    let walk_add = timed("walk  add_business_seconds", || {
        fx.iter()
            .map(|&(a, s)| cal.add_business_seconds_walk(a, s))
            .collect::<Vec<_>>()
    });
    let cold = timed("index business_seconds_between (1st)", || {
        between_all(&cal, fx)
    });
    assert_eq!(cold, walk_between);
    for _ in 0..2 {
        let fast = timed("index business_seconds_between", || between_all(&cal, fx));
        assert_eq!(fast, walk_between);
        let fast = timed("index add_business_seconds", || add_all(&cal, fx));
        assert_eq!(fast, walk_add);
    }
    // The SLA engine's pass: elapsed and deadline per lead.
    let t = Instant::now();
    let mut sum = 0i64;
    for &(a, s) in fx {
        sum += cal.business_seconds_between(a, a + chrono::Duration::seconds(s));
        sum += black_box(cal.add_business_seconds(a, s)).map_or(0, |d| d.timestamp() & 1);
    }
    black_box(sum);
    println!(
        "calendar index elapsed + deadline for 1M leads: {:.3} s; index {} bytes",
        t.elapsed().as_secs_f64(),
        cal.index_bytes()
    );
}

fn benches(c: &mut Criterion) {
    let fx = fixture();
    report(&fx);
    let cal = calendar();
    let _ = between_all(&cal, &fx); // build the chunks
    let mut group = c.benchmark_group("calendar");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("index_business_seconds_between_1M", |b| {
        b.iter(|| black_box(between_all(&cal, &fx)))
    });
    group.bench_function("index_add_business_seconds_1M", |b| {
        b.iter(|| black_box(add_all(&cal, &fx)))
    });
    group.finish();
}

criterion_group!(calendar_benches, benches);

fn main() {
    calendar_benches();
    Criterion::default().configure_from_args().final_summary();
}
