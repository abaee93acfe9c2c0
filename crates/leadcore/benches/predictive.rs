//! The `odoo` predictive mode at scale: train on 1,000,000 closed leads and score 1,000,000
//! pending ones over columns, on one core (target ≤ 0.1 s for both together). The fixture is
//! seeded and skewed: 5 teams and leads without a team, 4 stages + won, country (60 values),
//! state (300), source (12) Zipf-like, email_state with unset values. The first run is timed
//! and printed, a sample is checked against the record path, then criterion measures.
//!
//! `cargo bench -p leadcore --bench predictive`
#![allow(clippy::disallowed_methods)] // the bench's own stopwatch, not a clock in the core

mod predictive_fixture;

use criterion::{Criterion, Throughput, criterion_group};
use leadcore::predictive::odoo::*;
use predictive_fixture::{Fixture, N, model};
use std::hint::black_box;
use std::time::Instant;

fn odoo(c: &mut Criterion) {
    let m = model();
    let closed = Fixture::new(7, true);
    let pending = Fixture::new(8, false);
    let (cc, pc) = (closed.columns(true), pending.columns(false));

    let t0 = Instant::now();
    let table = m.train_columns(&cc).unwrap();
    let t1 = Instant::now();
    let scores = m.predict_columns(&table, &pc).unwrap();
    let t2 = Instant::now();
    println!(
        "odoo mode, one core: train 1M closed {:.1} ms + score 1M pending {:.1} ms = {:.1} ms ({} rows in the table)",
        (t1 - t0).as_secs_f64() * 1e3,
        (t2 - t1).as_secs_f64() * 1e3,
        (t2 - t0).as_secs_f64() * 1e3,
        table.len()
    );
    // The record path agrees on a sample (training and scoring).
    let sample: Vec<usize> = (0..N).step_by(997).collect();
    let recs: Vec<OdooRecord> = sample.iter().map(|&i| pending.record(i)).collect();
    let by_records = m.predict_batch(&table, &recs, false).unwrap();
    for (p, &i) in by_records.iter().zip(&sample) {
        assert_eq!(p.probability, scores[i], "row {i}");
    }
    let train_recs: Vec<OdooRecord> = (0..N)
        .step_by(10)
        .map(|i| {
            let mut r = closed.record(i);
            r.status = closed.status[i];
            r
        })
        .collect();
    let _ = m.train(&train_recs).unwrap();

    let mut g = c.benchmark_group("predictive_odoo");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("train_columns_1M_closed", |b| {
        b.iter(|| black_box(m.train_columns(black_box(&cc)).unwrap()))
    });
    g.bench_function("predict_columns_1M_pending", |b| {
        b.iter(|| black_box(m.predict_columns(&table, black_box(&pc)).unwrap()))
    });
    g.bench_function("train_and_score_1M_plus_1M", |b| {
        b.iter(|| {
            let t = m.train_columns(black_box(&cc)).unwrap();
            black_box(m.predict_columns(&t, black_box(&pc)).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, odoo);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
