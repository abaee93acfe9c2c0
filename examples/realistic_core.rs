//! The Rust core on a written realistic fixture (the folder `realistic_fixture` writes),
//! timed: what `benches/scoring_realistic.py` and `benches/scoring_c_arrow.py` alternate
//! with, round by round, so that a door's share of the core's rate and a peer's ratio to it
//! come from one run on one state of the machine, not from the time `meta.json` kept from
//! the fixture's making (minutes or days before, on a machine whose speed swings).
//!
//! `cargo run --release --example realistic_core -- DIR [RUNS] [THREADS]` (default 1 run,
//! 1 thread): one warm-up batch, then `RUNS` timed batches of `score_columns` (or
//! `score_columns_parallel` on `THREADS` threads), each checked to give `scores.f64`'s
//! scores bit for bit; prints `{"seconds": [...], "threads": THREADS}` as one line of JSON.

#[path = "../benches/realistic.rs"]
mod realistic;

use chrono::DateTime;
use leadcore::{Lead, Playbook};
use realistic::Realistic;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;

/// A little-endian array file of the fixture, as values of `N` bytes.
fn read<T, const N: usize>(dir: &Path, name: &str, from: impl Fn([u8; N]) -> T) -> Vec<T> {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    bytes
        .chunks_exact(N)
        .map(|c| from(c.try_into().unwrap()))
        .collect()
}

fn strings(meta: &Value, key: &str) -> Vec<String> {
    meta[key]
        .as_array()
        .unwrap_or_else(|| panic!("meta.json has no `{key}`"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: realistic_core DIR [RUNS] [THREADS]");
    let runs: usize = args.next().map_or(1, |s| s.parse().unwrap());
    let threads: usize = args.next().map_or(1, |s| s.parse().unwrap());
    let dir = Path::new(&dir);
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap();
    let pb = Playbook::from_json(&meta["playbook"].to_string()).unwrap();
    let n = meta["leads"].as_u64().unwrap() as usize;
    let now = DateTime::from_timestamp(meta["now"].as_i64().unwrap(), 0).unwrap();

    let u32s = |name| read(dir, name, u32::from_le_bytes);
    let i64s = |name| read(dir, name, i64::from_le_bytes);
    let f = Realistic {
        lead_ids: (0..n as i64).collect(),
        leads: (0..n).map(|i| Lead::new(i.to_string())).collect(),
        lead: u32s("lead.u32"),
        kind: u32s("kind.u32"),
        at: i64s("at.i64"),
        page: u32s("page.u32"),
        seconds: i64s("seconds.i64"),
        seconds_valid: read(dir, "seconds_valid.u8", |[b]: [u8; 1]| b != 0),
        campaign: u32s("campaign.u32"),
        form: u32s("form_id.u32"),
        content: u32s("content_id.u32"),
        kinds: strings(&meta, "kinds"),
        pages: strings(&meta, "pages"),
        campaigns: strings(&meta, "campaigns"),
        forms: strings(&meta, "form_ids"),
        contents: strings(&meta, "content_ids"),
    };
    let want = read(dir, "scores.f64", f64::from_le_bytes);
    let attrs = f.attrs();
    let events = f.columns(&attrs);
    let scoring = pb.scoring();
    let score = || {
        scoring
            .score_columns_parallel(&f.leads, &events, now, threads)
            .unwrap()
    };
    let warm = score();
    assert!(
        warm.scores == want,
        "the core's scores differ from scores.f64"
    );
    let seconds: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let got = score();
            let s = t.elapsed().as_secs_f64();
            assert!(
                got.scores == want,
                "the core's scores differ from scores.f64"
            );
            s
        })
        .collect();
    println!("{}", json!({ "seconds": seconds, "threads": threads }));
}
