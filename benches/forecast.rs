//! Monte Carlo forecast throughput (issue #11: 100,000 open opportunities × 10,000 trials on
//! 2 cores in ≤ 1 s).
//!
//! `cargo bench --bench forecast` prints one timed run on 1 and 2 threads, then the
//! criterion figures. `cargo bench --bench forecast -- --quick-only` prints the timed runs
//! alone.
//!
//! Fixture: 100,000 deals; amounts lognormal (median 20,000.00, σ = 1.2, in cents); six
//! stages from Prospecting (p = 0.05, most deals) to Commit (p = 0.9), a few closed won;
//! close dates spread over the four quarters of FY2026.

use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group};
use leadcore::Money;
use leadcore::forecast::{
    Category, CategoryMap, FiscalCalendar, ForecastDeal, Granularity, MonteCarlo, MonteCarloSpec,
};
use std::hint::black_box;
use std::time::Instant;

/// xorshift64*: deterministic, no RNG crate.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

/// (stage, probability, share of deals in ‰)
const STAGES: [(&str, f64, u64); 7] = [
    ("Prospecting", 0.05, 300),
    ("Qualification", 0.15, 250),
    ("Needs Analysis", 0.3, 180),
    ("Proposal", 0.5, 120),
    ("Negotiation", 0.75, 80),
    ("Commit", 0.9, 50),
    ("Won", 1.0, 20),
];

fn fixture(n: usize) -> Vec<ForecastDeal> {
    let mut rng = Rng(0x5EED_F0CA);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    (0..n)
        .map(|i| {
            let mut pick = rng.next_u64() % 1000;
            let &(stage, p, _) = STAGES
                .iter()
                .find(|s| {
                    let hit = pick < s.2;
                    pick = pick.saturating_sub(s.2);
                    hit
                })
                .unwrap_or(&STAGES[0]);
            // Box-Muller normal, then lognormal around 20,000.00 (in cents).
            let (u1, u2) = (rng.unit(), rng.unit());
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            let amount = (2_000_000.0 * (1.2 * z).exp()).round() as i64;
            let day = start + Days::new(rng.next_u64() % 365);
            ForecastDeal::new(format!("O{i}"), Money::new(amount, "USD"), day, stage, p)
        })
        .collect()
}

fn engine() -> MonteCarlo {
    let map = CategoryMap::new(Category::Pipeline)
        .stage("Proposal", Category::BestCase)
        .stage("Negotiation", Category::Commit)
        .stage("Commit", Category::Commit)
        .stage("Won", Category::Closed);
    MonteCarlo::new(
        FiscalCalendar::new(1).expect("calendar"),
        Granularity::Quarter,
        map,
    )
}

fn spec(trials: u32) -> MonteCarloSpec {
    MonteCarloSpec {
        trials,
        seed: 11,
        quotas: vec![],
    }
}

/// One timed run per thread count, printed.
fn timed() {
    let deals = fixture(100_000);
    let mc = engine();
    for threads in [1, 2] {
        let t = Instant::now();
        let f = mc
            .simulate(&deals, &spec(10_000), threads)
            .expect("simulate");
        let s = t.elapsed().as_secs_f64();
        let q1 = &f.periods[0];
        println!(
            "monte_carlo 100k deals x 10k trials, {threads} thread(s): {s:.3} s \
             ({:.2} ns/draw/thread; Q1 p10 {} p50 {} p90 {})",
            s * 1e9 * threads as f64 / 1e9,
            q1.p10,
            q1.p50,
            q1.p90
        );
    }
}

fn bench(c: &mut Criterion) {
    let deals = fixture(100_000);
    let mc = engine();
    let mut group = c.benchmark_group("forecast");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000 * 10_000));
    for threads in [1, 2] {
        group.bench_function(
            format!("monte_carlo_100k_deals_10k_trials_{threads}_threads"),
            |b| b.iter(|| black_box(mc.simulate(&deals, &spec(10_000), threads).expect("run"))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    timed();
    if std::env::args().any(|a| a == "--quick-only") {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
