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
use leadcore::Playbook;
use realistic::Realistic;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;

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
    let now = DateTime::from_timestamp(meta["now"].as_i64().unwrap(), 0).unwrap();

    let f = Realistic::read_columns(dir, &meta);
    let want = realistic::read_le(dir, "scores.f64", f64::from_le_bytes);
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
