//! Where the doors' time goes on the realistic fixture of issue 12 (`benches/realistic.rs`),
//! without Python or C: the fixture as the Arrow arrays a producer hands over (`lead_id` and
//! the leads' `id` as int64, text columns dictionary-encoded, `seconds` int64 with nulls),
//! then each step a door takes, timed (best of `RUNS`): validating the imported arrays (as
//! every door does with foreign data), reading them as events
//! (`leadcore_arrow::Events::from_table`, per column too), building the leads from the `id`
//! column, finding each row's lead, scoring (`Scoring::score_columns` on the door's columns)
//! and the Arrow result; and, beside them, the core alone on its own columns. Last, the C
//! door's `leadcore_score_arrow_leads` path with the leads as an Arrow table too
//! (`Events::score_leads_table`), in alternation with the core. Checks the scores are the
//! core's.
//!
//! `LAYOUT` is how the dictionary columns come: `pyarrow` (int32 keys, a null's key -1, as
//! `pa.DictionaryArray.from_arrays(pa.array(codes, mask=...), ...)` keeps it: borrowed as
//! they are), `polars` (uint32 keys holding 0 under a null, as polars exports a
//! `Categorical`: copied) or `pandas` (int8/int16 keys, as pandas exports a `Categorical`:
//! widened).
//!
//! `cargo run --release --example realistic_arrow -- [EVENTS] [LEADS] [RUNS] [LAYOUT]`

#[path = "../benches/realistic.rs"]
mod realistic;

use arrow_array::types::{Int8Type, Int16Type, Int32Type, UInt32Type};
use arrow_array::{
    ArrayRef, DictionaryArray, Int8Array, Int16Array, Int32Array, Int64Array, StringArray,
    UInt32Array,
};
use arrow_buffer::NullBuffer;
use chrono::DateTime;
use leadcore::columnar::{ExtraColumns, NULL_CODE};
use leadcore::model::Catalog;
use leadcore_arrow::{ChunkedColumn, Events, Table};
use std::sync::Arc;
use std::time::Instant;

/// Codes as a dictionary array in the producer's layout.
fn dict(layout: &str, codes: &[u32], dictionary: &[String]) -> ArrayRef {
    let nulls = Some(NullBuffer::from(
        codes.iter().map(|&c| c != NULL_CODE).collect::<Vec<bool>>(),
    ));
    let values = Arc::new(StringArray::from_iter_values(dictionary));
    let raw = |under_null: i64| -> Vec<i64> {
        codes
            .iter()
            .map(|&c| {
                if c == NULL_CODE {
                    under_null
                } else {
                    i64::from(c)
                }
            })
            .collect()
    };
    match layout {
        "polars" => {
            let keys: Vec<u32> = raw(0).iter().map(|&c| c as u32).collect();
            let keys = UInt32Array::new(keys.into(), nulls);
            Arc::new(DictionaryArray::<UInt32Type>::try_new(keys, values).unwrap())
        }
        "pandas" if dictionary.len() <= 127 => {
            let keys: Vec<i8> = raw(-1).iter().map(|&c| c as i8).collect();
            let keys = Int8Array::new(keys.into(), nulls);
            Arc::new(DictionaryArray::<Int8Type>::try_new(keys, values).unwrap())
        }
        "pandas" => {
            let keys: Vec<i16> = raw(-1).iter().map(|&c| c as i16).collect();
            let keys = Int16Array::new(keys.into(), nulls);
            Arc::new(DictionaryArray::<Int16Type>::try_new(keys, values).unwrap())
        }
        _ => {
            let keys: Vec<i32> = raw(-1).iter().map(|&c| c as i32).collect();
            let keys = Int32Array::new(keys.into(), nulls);
            Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).unwrap())
        }
    }
}

/// The best time of `runs` calls, each result dropped outside the timing, and the last.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let got = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(got);
    }
    (best, out.unwrap())
}

/// The best times of `a` and `b` run in alternation, `runs` rounds.
fn alternated<A, B>(runs: usize, mut a: impl FnMut() -> A, mut b: impl FnMut() -> B) -> (f64, f64) {
    let (mut ta, mut tb) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..runs {
        ta = ta.min(best(1, &mut a).0);
        tb = tb.min(best(1, &mut b).0);
    }
    (ta, tb)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args
        .next()
        .map_or(realistic::EVENTS, |s| s.parse().unwrap());
    let leads: usize = args.next().map_or(realistic::LEADS, |s| s.parse().unwrap());
    let runs: usize = args.next().map_or(5, |s| s.parse().unwrap());
    let layout = args.next().unwrap_or_else(|| "pyarrow".into());
    assert!(
        ["pyarrow", "polars", "pandas"].contains(&layout.as_str()),
        "LAYOUT is pyarrow, polars or pandas"
    );
    let pb = realistic::playbook();
    let f = realistic::Realistic::generate(events, leads);
    let now = DateTime::from_timestamp(realistic::NOW, 0).unwrap();
    let s = pb.scoring();

    let seconds: Int64Array = f
        .seconds
        .iter()
        .zip(&f.seconds_valid)
        .map(|(&v, &ok)| ok.then_some(v))
        .collect();
    let col = |name: &str, a: ArrayRef| ChunkedColumn::new(name, a);
    let lead_ids = Int64Array::from_iter_values(f.lead.iter().map(|&l| i64::from(l)));
    let table = Table::new(vec![
        col("lead_id", Arc::new(lead_ids)),
        col("kind", dict(&layout, &f.kind, &f.kinds)),
        col("at", Arc::new(Int64Array::from(f.at.clone()))),
        col("page", dict(&layout, &f.page, &f.pages)),
        col("seconds", Arc::new(seconds)),
        col("campaign", dict(&layout, &f.campaign, &f.campaigns)),
        col("form_id", dict(&layout, &f.form, &f.forms)),
        col("content_id", dict(&layout, &f.content, &f.contents)),
    ]);
    let lead_table = Table::new(vec![col(
        "id",
        Arc::new(Int64Array::from(f.lead_ids.clone())),
    )]);
    let build_leads =
        || leadcore_arrow::leads(&lead_table, &Catalog::default(), ExtraColumns::Error).unwrap();

    let attrs = f.attrs();
    let cols = f.columns(&attrs);
    let (core, want) = best(runs, || s.score_columns(&f.leads, &cols, now).unwrap());

    let ms = |t: f64| t * 1e3;
    println!("{events} events, {leads} leads, {layout} layout, best of {runs}:");
    println!(
        "  core score_columns on its own columns  {:8.1} ms",
        ms(core)
    );
    let mut validate = 0.0;
    let mut per_column = Vec::new();
    for c in &table.columns {
        let (v, ()) = best(runs, || {
            c.chunks
                .iter()
                .for_each(|a| leadcore_arrow::validate(a).unwrap())
        });
        validate += v;
        per_column.push(format!("{} {:.1}", c.name, ms(v)));
    }
    println!(
        "  validating the imported arrays         {:8.1} ms ({})",
        ms(validate),
        per_column.join(", ")
    );
    let (read, ev) = best(runs, || Events::from_table(&table).unwrap());
    let base = Table::new(table.columns[..3].to_vec());
    let (first, _) = best(runs, || Events::from_table(&base).unwrap());
    let mut per_column = vec![format!("lead_id, kind, at {:.1}", ms(first))];
    for c in &table.columns[3..] {
        let mut columns = table.columns[..3].to_vec();
        columns.push(c.clone());
        let t = Table::new(columns);
        let (with, _) = best(runs, || Events::from_table(&t).unwrap());
        per_column.push(format!("{} {:.1}", c.name, ms(with - first)));
    }
    println!(
        "  Events::from_table                     {:8.1} ms ({})",
        ms(read),
        per_column.join(", ")
    );
    let (build, door_leads) = best(runs, build_leads);
    println!(
        "  leads from the int64 `id` column       {:8.1} ms",
        ms(build)
    );
    let (index_t, index) = best(runs, || ev.lead_index(&door_leads).unwrap());
    println!(
        "  lead_index (int64 ids)                 {:8.1} ms",
        ms(index_t)
    );
    let (score, got) = best(runs, || {
        ev.score_indexed(s, &door_leads, &index, now, 1, &mut |_| true)
            .unwrap()
            .unwrap()
    });
    assert_eq!(got, want, "the door's scores differ from the core's");
    println!(
        "  score_indexed (the core, door columns) {:8.1} ms",
        ms(score)
    );
    let ids = leadcore_arrow::int_lead_ids(&lead_table).unwrap().unwrap();
    let (out, _) = best(runs, || {
        leadcore_arrow::scores_batch_with_ids(&got, ids.clone(), s).unwrap()
    });
    println!(
        "  scores as Arrow                        {:8.1} ms",
        ms(out)
    );
    let (whole, _) = best(runs, || {
        table
            .columns
            .iter()
            .flat_map(|c| &c.chunks)
            .for_each(|a| leadcore_arrow::validate(a).unwrap());
        let ev = Events::from_table(&table).unwrap();
        let leads = build_leads();
        let index = ev.lead_index(&leads).unwrap();
        let got = ev
            .score_indexed(s, &leads, &index, now, 1, &mut |_| true)
            .unwrap()
            .unwrap();
        leadcore_arrow::scores_batch_with_ids(&got, ids.clone(), s).unwrap()
    });
    println!(
        "  all of it in one go                    {:8.1} ms: {:.0}% of the core's rate",
        ms(whole),
        100.0 * core / whole
    );

    // The doors' path with no lead record and no index column (int64 ids, leads with no
    // field but their id) and dictionary keys checked where the batch reads them,
    // alternating with the core so both see the same machine.
    let keys: Vec<Option<i64>> = f.lead_ids.iter().map(|&k| Some(k)).collect();
    let fast = || {
        table
            .columns
            .iter()
            .flat_map(|c| &c.chunks)
            .for_each(|a| leadcore_arrow::validate_deferring_keys(a).unwrap());
        let ev = Events::for_scoring(&table).unwrap();
        let lookup = leadcore_arrow::LeadKeys::new(&keys).unwrap().unwrap();
        let rows = lookup.rows(ev.int64_keys().unwrap()).unwrap();
        let id = |i: usize| f.lead_ids[i].to_string();
        let bare = leadcore::columnar::BatchLeads::Bare {
            count: keys.len(),
            id: &id,
        };
        let got = ev
            .score_rows(s, bare, rows, now, 1, &mut |_| true)
            .unwrap()
            .unwrap();
        assert_eq!(got, want, "the keyed path's scores differ from the core's");
        leadcore_arrow::scores_batch_with_ids(&got, ids.clone(), s).unwrap()
    };
    // Its phases, each on its own (best of `runs`).
    let (t_validate, ()) = best(runs, || {
        table
            .columns
            .iter()
            .flat_map(|c| &c.chunks)
            .for_each(|a| leadcore_arrow::validate_deferring_keys(a).unwrap())
    });
    let (t_read, ev) = best(runs, || Events::for_scoring(&table).unwrap());
    let lookup = leadcore_arrow::LeadKeys::new(&keys).unwrap().unwrap();
    let id = |i: usize| f.lead_ids[i].to_string();
    let keyed = || {
        let bare = leadcore::columnar::BatchLeads::Bare {
            count: keys.len(),
            id: &id,
        };
        let rows = lookup.rows(ev.int64_keys().unwrap()).unwrap();
        ev.score_rows(s, bare, rows, now, 1, &mut |_| true)
            .unwrap()
            .unwrap()
    };
    let indexed = || {
        ev.score_rows(
            s,
            leadcore::columnar::BatchLeads::Records(&f.leads),
            leadcore::columnar::LeadRows::Index(&f.lead),
            now,
            1,
            &mut |_| true,
        )
        .unwrap()
        .unwrap()
    };
    // `PROFILE=keyed|indexed|core N`: only that path, N times (for `perf` and callgrind).
    if let Ok(what) = std::env::var("PROFILE") {
        let n: usize = std::env::var("PROFILE_RUNS").map_or(20, |s| s.parse().unwrap());
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let t = Instant::now();
                match what.as_str() {
                    "keyed" => drop(keyed()),
                    "indexed" => drop(indexed()),
                    _ => drop(s.score_columns(&f.leads, &cols, now).unwrap()),
                }
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        if let (Some(min), Some(median)) = (times.first(), times.get(n / 2)) {
            println!("{what}: min {min:.1} ms, median {median:.1} ms over {n} runs");
        }
        return;
    }
    let (mut a, mut b, mut c) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    for _ in 0..runs {
        a = a.min(best(1, keyed).0);
        b = b.min(best(1, indexed).0);
        c = c.min(best(1, || s.score_columns(&f.leads, &cols, now).unwrap()).0);
    }
    println!(
        "  in alternation: score_rows keyed, bare {:.1} ms; score_rows indexed, records {:.1} ms; score_columns {:.1} ms",
        ms(a),
        ms(b),
        ms(c)
    );
    let (t_score, _) = best(runs, keyed);
    let (t_indexed, _) = best(runs, indexed);
    println!(
        "  keyed path: validating {:.1} ms, Events::for_scoring {:.1} ms, score_rows {:.1} ms (with lead records and indices: {:.1} ms)",
        ms(t_validate),
        ms(t_read),
        ms(t_score),
        ms(t_indexed)
    );
    let core = || s.score_columns(&f.leads, &cols, now).unwrap();
    let (core_t, fast_t) = alternated(runs, core, fast);
    println!(
        "  keyed rows, bare leads, in one go      {:8.1} ms against the core's {:.1} ms in alternation: {:.0}% of the core's rate",
        ms(fast_t),
        ms(core_t),
        100.0 * core_t / fast_t
    );

    // What `leadcore_score_arrow_leads` does past the C boundary, the leads an Arrow table
    // too (an int64 `lead_id` column): validation of both, the events read, the one
    // leadcore-arrow call that scores for a leads table, the Arrow result; in alternation
    // with the core.
    let leads_arrow = Table::new(vec![col(
        "lead_id",
        Arc::new(Int64Array::from(f.lead_ids.clone())),
    )]);
    let door = || {
        table
            .columns
            .iter()
            .flat_map(|c| &c.chunks)
            .for_each(|a| leadcore_arrow::validate_deferring_keys(a).unwrap());
        let mut leads = leads_arrow.clone();
        leads
            .columns
            .iter()
            .flat_map(|c| &c.chunks)
            .for_each(|a| leadcore_arrow::validate(a).unwrap());
        leads.rename_id_column("lead_id", "id").unwrap();
        let ev = Events::for_scoring(&table).unwrap();
        let (got, ids) = ev
            .score_leads_table(
                s,
                pb.catalog(),
                &leads,
                ExtraColumns::Error,
                now,
                1,
                &mut |_| true,
            )
            .unwrap()
            .unwrap();
        assert_eq!(
            got, want,
            "the leads-table path's scores differ from the core's"
        );
        leadcore_arrow::scores_batch_with_ids(&got, ids, s).unwrap()
    };
    let (core_t, door_t) = alternated(runs, core, door);
    println!(
        "  leads as an Arrow table, in one go     {:8.1} ms against the core's {:.1} ms in alternation: {:.0}% of the core's rate",
        ms(door_t),
        ms(core_t),
        100.0 * core_t / door_t
    );
}
