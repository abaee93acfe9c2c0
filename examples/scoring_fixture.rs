//! Writes the batch-scoring benchmark fixture (10M events, 100k leads, 20 rules) to a folder
//! as raw little-endian arrays, scores it with leadcore on one core and on two threads (best of 5
//! each, the same bits asserted), and writes the scores and the time beside it, for
//! `benches/scoring_pandas.py` to compare against.
//!
//! `cargo run --release --example scoring_fixture -- [DIR] [EVENTS] [LEADS]`

#[path = "../benches/fixture.rs"]
mod fixture;

use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn write<T: Copy>(dir: &Path, name: &str, data: &[T], bytes: impl Fn(T) -> Vec<u8>) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    for &v in data {
        f.write_all(&bytes(v)).unwrap();
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/scoring-fixture".into()),
    );
    let events: usize = args.next().map_or(10_000_000, |s| s.parse().unwrap());
    let leads: usize = args.next().map_or(100_000, |s| s.parse().unwrap());
    std::fs::create_dir_all(&dir).unwrap();

    let pb = fixture::playbook();
    let f = fixture::Fixture::generate(leads, events);
    let now = DateTime::<Utc>::from_timestamp(fixture::NOW, 0).unwrap();
    let attrs = f.attrs();

    // One thread and two in alternation, best of 5 each; the two give the same bits.
    let (mut best, mut best_two) = (f64::INFINITY, f64::INFINITY);
    let mut out = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = pb
            .scoring()
            .score_columns(&f.leads, &f.columns(&attrs), now)
            .unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let two = pb
            .scoring()
            .score_columns_parallel(&f.leads, &f.columns(&attrs), now, 2)
            .unwrap();
        best_two = best_two.min(t.elapsed().as_secs_f64());
        assert_eq!(r, two, "two threads give other bits");
        out = Some(r);
    }
    let out = out.unwrap();

    write(&dir, "lead.u32", &f.lead, |v| v.to_le_bytes().to_vec());
    write(&dir, "kind.u32", &f.kind, |v| v.to_le_bytes().to_vec());
    write(&dir, "at.i64", &f.at, |v| v.to_le_bytes().to_vec());
    write(&dir, "page.u32", &f.page, |v| v.to_le_bytes().to_vec());
    write(&dir, "seconds.i64", &f.seconds, |v| {
        v.to_le_bytes().to_vec()
    });
    write(&dir, "campaign.u32", &f.campaign, |v| {
        v.to_le_bytes().to_vec()
    });
    write(&dir, "scores.f64", &out.scores, |v| {
        v.to_le_bytes().to_vec()
    });
    let firmo = |get: &dyn Fn(&leadcore::Lead) -> serde_json::Value| -> Vec<serde_json::Value> {
        f.leads.iter().map(get).collect()
    };
    let meta = serde_json::json!({
        "now": fixture::NOW,
        "events": events,
        "leads": leads,
        "kinds": f.kinds,
        "pages": f.pages,
        "campaigns": f.campaigns,
        "models": out.models,
        "row_errors": out.row_errors.len(),
        "leadcore_best_seconds": best,
        "leadcore_two_threads_best_seconds": best_two,
        "employees": firmo(&|l| l.firmographics.employees.into()),
        "users": firmo(&|l| l.firmographics.users.into()),
        "region": firmo(&|l| l.firmographics.region.clone().into()),
        "title": firmo(&|l| l.firmographics.title.clone().into()),
    });
    std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
    println!(
        "leadcore: {events} events, {leads} leads scored in {:.3} s (best of 5, one core): {:.1} M events/s; {} row errors; fixture in {}",
        best,
        events as f64 / best / 1e6,
        out.row_errors.len(),
        dir.display()
    );
    println!(
        "two threads: {best_two:.3} s ({:.1} M events/s, {:.2}x one thread), the same bits",
        events as f64 / best_two / 1e6,
        best / best_two
    );
}
