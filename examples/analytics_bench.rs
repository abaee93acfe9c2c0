//! Pipeline metrics over a realistic stage history of 10 M rows on one core (issue #11:
//! target ≥ 50 M rows/s), through the columnar path; writes the fixture and leadcore's
//! report for `benches/analytics_pandas.py`, which computes the same figures the pandas
//! way (groupby, merge), asserts they are equal and prints the ratio.
//!
//! ```text
//! cargo run --release --example analytics_bench -- [DIR] [DEALS]
//! ```
//! (default `target/analytics-fixture`, 3,000,000 deals ≈ 10 M rows).
//!
//! The fixture (seeded): deals created over two years in time order; eight stages
//! (Prospecting > Qualification > Discovery > Demo > Proposal > Negotiation > Won / Lost);
//! at each open stage a deal moves on (55-80%), skips one stage (5%), is lost (60% of the
//! rest) or stalls there; dwell lognormal with stage medians of 3 to 14 days; amounts
//! lognormal (median $5,000) in cents, 30% upsell or cross-sell; rows exported in time
//! order (as an event log is), so deals interleave. Period: the last 365 days, snapshot at
//! its end, qualified from Discovery.

use chrono::{Duration, TimeZone, Utc};
use leadcore::StageKind;
use leadcore::analytics::{
    DealColumns, MetricsSpec, Period, PipelineMetrics, PipelineStages, StageDef, StageEntryColumns,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const STAGES: [&str; 8] = [
    "Prospecting",
    "Qualification",
    "Discovery",
    "Demo",
    "Proposal",
    "Negotiation",
    "Won",
    "Lost",
];
const PASS: [f64; 6] = [0.55, 0.6, 0.7, 0.65, 0.7, 0.8];
const MEDIAN_DAYS: [f64; 6] = [3.0, 5.0, 10.0, 7.0, 14.0, 10.0];

/// splitmix64: a small seeded generator (the core has its own; examples need no crate).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

fn write<T: Copy, const N: usize>(
    dir: &Path,
    name: &str,
    data: &[T],
    bytes: impl Fn(T) -> [u8; N],
) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).expect("create"));
    for &v in data {
        f.write_all(&bytes(v)).expect("write");
    }
    f.flush().expect("flush");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/analytics-fixture".into()),
    );
    let n: usize = args.next().map_or(3_000_000, |s| s.parse().expect("deals"));
    std::fs::create_dir_all(&dir).expect("dir");
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let end = start + Duration::days(730);
    let us = |t: chrono::DateTime<Utc>| t.timestamp_micros();
    let (t0, t1) = (us(start), us(end));
    let day = 86_400_000_000i64;

    let mut rng = Rng(11);
    let mut deals = DealColumns {
        currencies: vec!["USD".into()],
        ..Default::default()
    };
    let mut rows: Vec<(i64, u32, u32)> = Vec::new();
    for d in 0..n {
        let created = t0 + ((t1 - t0) as f64 * d as f64 / n as f64) as i64;
        deals
            .amount
            .push(Some((500_000.0 * (1.2 * rng.normal()).exp()).round() as i64));
        deals.currency.push(0);
        deals.expansion.push(rng.uniform() < 0.3);
        deals.created.push(Some(created));
        let mut at = created;
        let mut s = 0usize;
        rows.push((at, d as u32, 0));
        loop {
            let dwell = (MEDIAN_DAYS[s] * (0.9 * rng.normal()).exp() * day as f64) as i64;
            at += dwell.max(1);
            let u = rng.uniform();
            let next = if u < PASS[s] {
                if rng.uniform() < 0.05 && s + 2 <= 5 {
                    s + 2
                } else {
                    s + 1
                }
            } else if rng.uniform() < 0.6 {
                7 // lost
            } else {
                break; // stalls in s
            };
            let next = if s == 5 && next >= 6 && u < PASS[s] {
                6
            } else {
                next
            };
            rows.push((at, d as u32, next as u32));
            if next >= 6 {
                break;
            }
            s = next;
        }
    }
    // Time order, as an export of the history table would be.
    rows.sort_unstable();
    let entries = StageEntryColumns {
        at: rows.iter().map(|r| r.0).collect(),
        deal: rows.iter().map(|r| r.1).collect(),
        stage: rows.iter().map(|r| r.2).collect(),
    };
    drop(rows);
    let stages = PipelineStages::new(
        "fixture",
        STAGES
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let kind = match i {
                    6 => StageKind::Won,
                    7 => StageKind::Lost,
                    _ => StageKind::Open,
                };
                StageDef::new(*s, kind)
            })
            .collect(),
    )
    .expect("stages");
    let period = Period {
        from: end - Duration::days(365),
        to: end,
    };
    let spec =
        std::sync::Arc::new(MetricsSpec::new(stages, period, Some("Discovery")).expect("spec"));
    let rows = entries.deal.len();
    println!(
        "fixture: {n} deals, {rows} stage-history rows (time order), period {} .. {}",
        period.from.date_naive(),
        period.to.date_naive()
    );

    let mut best = f64::INFINITY;
    let mut report = None;
    let runs: usize = std::env::var("RUNS").map_or(5, |s| s.parse().expect("RUNS"));
    for _ in 0..runs {
        let t = Instant::now();
        let mut m = PipelineMetrics::new(spec.clone());
        m.add_columns(&deals, &entries).expect("add");
        let r = m.finish().expect("finish");
        best = best.min(t.elapsed().as_secs_f64());
        report = Some(r);
    }
    let report = report.expect("ran");
    println!(
        "leadcore columnar, one core: {best:.3} s = {:.1} M rows/s (target 50)",
        rows as f64 / best / 1e6
    );
    write(&dir, "deal_amount.i64", &deals.amount, |v| {
        v.unwrap_or(0).to_le_bytes()
    });
    write(&dir, "deal_expansion.u8", &deals.expansion, |v| {
        [u8::from(v)]
    });
    write(&dir, "deal_created.i64", &deals.created, |v| {
        v.unwrap_or(0).to_le_bytes()
    });
    write(&dir, "entry_deal.u32", &entries.deal, |v| v.to_le_bytes());
    write(&dir, "entry_stage.u32", &entries.stage, |v| v.to_le_bytes());
    write(&dir, "entry_at.i64", &entries.at, |v| v.to_le_bytes());
    let meta = serde_json::json!({
        "deals": n,
        "rows": rows,
        "stages": STAGES,
        "open": 6,
        "won": 6,
        "lost": 7,
        "qualified_from": 2,
        "from_us": us(period.from),
        "to_us": us(period.to),
        "leadcore_seconds": best,
        "report": report,
    });
    std::fs::write(dir.join("meta.json"), meta.to_string()).expect("meta");
    println!("wrote {}", dir.display());
}
