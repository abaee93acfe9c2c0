//! The `odoo` predictive mode at scale: train on 1,000,000 closed leads and score 1,000,000
//! pending ones over columns, on one core (target ≤ 0.1 s for both together). The fixture is
//! seeded and skewed: 5 teams and leads without a team, 4 stages + won, country (60 values),
//! state (300), source (12) Zipf-like, email_state with unset values. The first run is timed
//! and printed, a sample is checked against the record path, then criterion measures.
//!
//! `cargo bench -p leadcore --bench predictive`
#![allow(clippy::disallowed_methods)] // the bench's own stopwatch, not a clock in the core

use criterion::{Criterion, Throughput, criterion_group};
use leadcore::DictColumn;
use leadcore::predictive::odoo::*;
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1_000_000;
const NULL: u32 = u32::MAX;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A skewed pick in 0..n (power law: value k with weight ~ 1/(k+1)).
    fn skewed(&mut self, n: u32) -> u32 {
        let u = self.unit();
        (((n as f64 + 1.0).powf(u) - 1.0) as u32).min(n - 1)
    }
}

struct Fixture {
    teams: Vec<String>,
    stages: Vec<String>,
    countries: Vec<String>,
    states: Vec<String>,
    sources: Vec<String>,
    emails: Vec<String>,
    team: Vec<u32>,
    stage: Vec<u32>,
    status: Vec<OdooStatus>,
    country: Vec<u32>,
    state: Vec<u32>,
    source: Vec<u32>,
    email: Vec<u32>,
}

impl Fixture {
    fn new(seed: u64, closed: bool) -> Fixture {
        let mut r = Rng(seed);
        let names = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        let mut f = Fixture {
            teams: names("", 5),
            stages: ["1", "2", "3", "4", "70"].map(str::to_owned).to_vec(),
            countries: names("c", 60),
            states: names("s", 300),
            sources: names("src", 12),
            emails: ["correct", "incorrect"].map(str::to_owned).to_vec(),
            team: Vec::with_capacity(N),
            stage: Vec::with_capacity(N),
            status: Vec::with_capacity(N),
            country: Vec::with_capacity(N),
            state: Vec::with_capacity(N),
            source: Vec::with_capacity(N),
            email: Vec::with_capacity(N),
        };
        for _ in 0..N {
            let team = if r.unit() < 0.1 { NULL } else { r.skewed(5) };
            let country = r.skewed(60);
            let source = r.skewed(12);
            // conversion leans on source and country
            let p_won =
                0.15 + 0.25 * f64::from(source.is_multiple_of(3)) + 0.1 * f64::from(country < 3);
            let won = closed && r.unit() < p_won;
            let stage = if won { 4 } else { r.skewed(4) };
            f.team.push(team);
            f.stage.push(stage);
            f.status.push(match (closed, won) {
                (false, _) => OdooStatus::Open,
                (true, true) => OdooStatus::Won,
                (true, false) => OdooStatus::Lost,
            });
            f.country.push(if r.unit() < 0.05 { NULL } else { country });
            f.state
                .push(if r.unit() < 0.3 { NULL } else { r.skewed(300) });
            f.source.push(source);
            f.email.push(match r.next() % 4 {
                0 => NULL,
                1 => 1,
                _ => 0,
            });
        }
        f
    }

    fn columns(&self, training: bool) -> OdooColumns<'_> {
        let d = |codes, dictionary| DictColumn { codes, dictionary };
        OdooColumns {
            team: d(&self.team, &self.teams),
            stage: d(&self.stage, &self.stages),
            status: if training { &self.status } else { &[] },
            fields: vec![
                OdooColumn {
                    name: "country_id",
                    values: d(&self.country, &self.countries),
                },
                OdooColumn {
                    name: "state_id",
                    values: d(&self.state, &self.states),
                },
                OdooColumn {
                    name: "email_state",
                    values: d(&self.email, &self.emails),
                },
                OdooColumn {
                    name: "source_id",
                    values: d(&self.source, &self.sources),
                },
            ],
        }
    }

    fn record(&self, i: usize) -> OdooRecord {
        let get = |codes: &[u32], dict: &[String]| dict.get(codes[i] as usize).cloned();
        let mut r = OdooRecord::new(i.to_string());
        r.team = get(&self.team, &self.teams);
        r.stage = get(&self.stage, &self.stages);
        for (name, codes, dict) in [
            ("country_id", &self.country, &self.countries),
            ("state_id", &self.state, &self.states),
            ("email_state", &self.email, &self.emails),
            ("source_id", &self.source, &self.sources),
        ] {
            if let Some(v) = get(codes, dict) {
                r.values.insert(name.to_owned(), v);
            }
        }
        r
    }
}

fn model() -> OdooModel {
    let stages = vec![
        OdooStage::new("1", 1),
        OdooStage::new("2", 2),
        OdooStage::new("3", 3),
        OdooStage::new("4", 4),
        OdooStage::won("70", 70),
    ];
    OdooModel::new(OdooConfig::new(stages).with_fields([
        "country_id",
        "state_id",
        "email_state",
        "source_id",
    ]))
    .unwrap()
}

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
