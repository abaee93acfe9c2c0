//! Writes the `odoo` predictive-scoring benchmark fixture (the bench's 1,000,000 closed and
//! 1,000,000 pending leads) to a folder as raw little-endian arrays, trains and scores it with
//! leadcore's columnar path on one core (best of 5), and writes the probabilities, the
//! frequency table and the times beside it, for `benches/odoo_pandas.py` to compare against.
//!
//! `cargo run --release --example odoo_fixture -- [DIR]`
//!
//! Files: `{closed,pending}_{team,stage,country_id,state_id,email_state,source_id}.u32`
//! (dictionary codes, `u32::MAX` unset), `closed_status.u8` (1 won, 2 lost),
//! `probability.f64` (percent, NaN for `None`), `table.json` (the frequency table) and
//! `meta.json` (dictionaries, stages, fields, times).
#![allow(clippy::disallowed_methods)] // the example's own stopwatch, not a clock in the core

#[path = "../crates/leadcore/benches/predictive_fixture/mod.rs"]
mod fixture;

use fixture::{FIELDS, Fixture, N, model};
use leadcore::predictive::odoo::OdooStatus;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn write<T: Copy>(dir: &Path, name: &str, data: &[T], bytes: impl Fn(T) -> Vec<u8>) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    for &v in data {
        f.write_all(&bytes(v)).unwrap();
    }
    f.flush().unwrap();
}

fn write_u32(dir: &Path, name: &str, data: &[u32]) {
    write(dir, name, data, |v| v.to_le_bytes().to_vec());
}

/// Each field's (name, codes, dictionary).
fn field_columns(f: &Fixture) -> [(&str, &[u32], &[String]); 4] {
    [
        (FIELDS[0], &f.country, &f.countries),
        (FIELDS[1], &f.state, &f.states),
        (FIELDS[2], &f.email, &f.emails),
        (FIELDS[3], &f.source, &f.sources),
    ]
}

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/odoo-fixture".into()),
    );
    std::fs::create_dir_all(&dir).unwrap();

    let m = model();
    let closed = Fixture::new(7, true);
    let pending = Fixture::new(8, false);
    let (cc, pc) = (closed.columns(true), pending.columns(false));

    // Best of 5 of train + score together, and of each phase.
    let (mut best, mut best_train, mut best_score) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let mut out = None;
    for _ in 0..5 {
        let t0 = Instant::now();
        let table = m.train_columns(&cc).unwrap();
        let t1 = Instant::now();
        let p = m.predict_columns(&table, &pc).unwrap();
        let t2 = Instant::now();
        best = best.min((t2 - t0).as_secs_f64());
        best_train = best_train.min((t1 - t0).as_secs_f64());
        best_score = best_score.min((t2 - t1).as_secs_f64());
        out = Some((table, p));
    }
    let (table, probability) = out.unwrap();

    for (prefix, f) in [("closed", &closed), ("pending", &pending)] {
        write_u32(&dir, &format!("{prefix}_team.u32"), &f.team);
        write_u32(&dir, &format!("{prefix}_stage.u32"), &f.stage);
        for (name, codes, _) in field_columns(f) {
            write_u32(&dir, &format!("{prefix}_{name}.u32"), codes);
        }
    }
    write(&dir, "closed_status.u8", &closed.status, |s| {
        vec![match s {
            OdooStatus::Open => 0_u8,
            OdooStatus::Won => 1,
            OdooStatus::Lost => 2,
        }]
    });
    write(&dir, "probability.f64", &probability, |p| {
        p.unwrap_or(f64::NAN).to_le_bytes().to_vec()
    });
    std::fs::write(
        dir.join("table.json"),
        serde_json::to_string(&table).unwrap(),
    )
    .unwrap();

    let stages: Vec<serde_json::Value> = m
        .config()
        .stages
        .iter()
        .map(|s| serde_json::json!({"id": s.id, "sequence": s.sequence, "won": s.won}))
        .collect();
    let dictionaries: serde_json::Map<String, serde_json::Value> = field_columns(&closed)
        .iter()
        .map(|(name, _, dict)| ((*name).to_owned(), serde_json::json!(dict)))
        .collect();
    let unscored = probability.iter().filter(|p| p.is_none()).count();
    let meta = serde_json::json!({
        "rows": N,
        "teams": closed.teams,
        "stages_dictionary": closed.stages,
        "stages": stages,
        "fields": FIELDS,
        "keep_unset": m.config().keep_unset,
        "dictionaries": dictionaries,
        "table_rows": table.len(),
        "unscored": unscored,
        "leadcore_best_seconds": best,
        "leadcore_train_best_seconds": best_train,
        "leadcore_score_best_seconds": best_score,
    });
    std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
    println!(
        "leadcore odoo mode, one core, best of 5: train 1M closed {:.1} ms + score 1M pending {:.1} ms; together {:.1} ms ({} table rows, {unscored} unscored); fixture in {}",
        best_train * 1e3,
        best_score * 1e3,
        best * 1e3,
        table.len(),
        dir.display()
    );
}
