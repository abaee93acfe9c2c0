//! Generates the realistic batch-scoring fixture of issue 12 (10 M events over 100 k lead ids,
//! 20 behaviour rules: `benches/realistic.rs`), prints its shape, scores it with leadcore's
//! `score_columns` on one core (best of 5), and writes it to a folder as raw little-endian
//! arrays with `meta.json` (dictionaries, `now`, the playbook and its rules, the shape, the
//! times), leadcore's scores (`scores.f64`) and each rule's raw points per lead
//! (`rule_points.f64`, rule-major, before caps: each rule scored alone), for
//! `benches/scoring_realistic.py` to compare against.
//!
//! `cargo run --release --example realistic_fixture -- [DIR] [EVENTS] [LEADS]`
//! (default `target/realistic-fixture`, 10000000, 100000).

#[path = "../benches/realistic.rs"]
mod realistic;

use chrono::DateTime;
use leadcore::Playbook;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;

/// The playbook with one model holding rule `r` alone, without its group and `max_points`,
/// and without the model's cap and floor: its score is the rule's raw points.
fn rule_alone(spec: &Value, r: usize) -> Playbook {
    let mut spec = spec.clone();
    let model = &mut spec["scoring"]["models"][0];
    let mut rule = model["rules"][r].clone();
    let rule_obj = rule.as_object_mut().unwrap();
    rule_obj.remove("group");
    rule_obj.remove("max_points");
    let model_obj = model.as_object_mut().unwrap();
    for key in ["cap", "floor", "groups"] {
        model_obj.remove(key);
    }
    model_obj.insert("rules".into(), json!([rule]));
    Playbook::from_json(&spec.to_string()).unwrap()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/realistic-fixture".into()),
    );
    let events: usize = args
        .next()
        .map_or(realistic::EVENTS, |s| s.parse().unwrap());
    let leads: usize = args.next().map_or(realistic::LEADS, |s| s.parse().unwrap());
    std::fs::create_dir_all(&dir).unwrap();

    let pb = realistic::playbook();
    let t = Instant::now();
    let f = realistic::Realistic::generate(events, leads);
    let generated = t.elapsed().as_secs_f64();
    let shape = f.shape();
    println!(
        "fixture: {} events, {} lead ids, generated in {generated:.2} s\n  active leads {} ({:.1}%), top 1% of leads hold {:.1}% of events, median events per active lead {}, max {}, distinct pages {}",
        shape.events,
        shape.leads,
        shape.active_leads,
        100.0 * shape.active_leads as f64 / shape.leads as f64,
        100.0 * shape.top1_share,
        shape.median_active,
        shape.max_per_lead,
        shape.distinct_pages,
    );
    let shares: Vec<String> = realistic::KINDS
        .iter()
        .zip(&shape.kind_shares)
        .map(|(k, s)| format!("{k} {:.1}%", 100.0 * s))
        .collect();
    println!("  kinds: {}", shares.join(", "));

    let now = DateTime::from_timestamp(realistic::NOW, 0).unwrap();
    let attrs = f.attrs();
    let columns = f.columns(&attrs);
    let mut runs = Vec::new();
    let mut out = None;
    for run in 1..=5 {
        let t = Instant::now();
        let r = pb.scoring().score_columns(&f.leads, &columns, now).unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "  leadcore score_columns run {run}: {s:.3} s, {:.1} M events/s",
            events as f64 / s / 1e6
        );
        runs.push(s);
        out = Some(r);
    }
    let out = out.unwrap();
    let best = runs.iter().copied().fold(f64::INFINITY, f64::min);
    // The same on two threads, the same bits.
    let mut runs2 = Vec::new();
    for run in 1..=5 {
        let t = Instant::now();
        let r = pb
            .scoring()
            .score_columns_parallel(&f.leads, &columns, now, 2)
            .unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "  leadcore score_columns_parallel (2 threads) run {run}: {s:.3} s, {:.1} M events/s",
            events as f64 / s / 1e6
        );
        assert_eq!(r.scores, out.scores, "two threads, the same scores");
        runs2.push(s);
    }
    let best2 = runs2.iter().copied().fold(f64::INFINITY, f64::min);

    // Each rule's raw points, scoring it alone.
    let spec: Value = serde_json::from_str(&pb.to_json()).unwrap();
    let rules = spec["scoring"]["models"][0]["rules"]
        .as_array()
        .unwrap()
        .clone();
    let t = Instant::now();
    let mut rule_points = Vec::with_capacity(rules.len() * leads);
    for r in 0..rules.len() {
        let alone = rule_alone(&spec, r);
        let s = alone
            .scoring()
            .score_columns(&f.leads, &columns, now)
            .unwrap();
        assert_eq!(s.scores.len(), leads);
        rule_points.extend_from_slice(&s.scores);
    }
    let breakdown = t.elapsed().as_secs_f64();

    f.write_columns(&dir);
    realistic::write_le(&dir, "scores.f64", &out.scores, f64::to_le_bytes);
    realistic::write_le(&dir, "rule_points.f64", &rule_points, f64::to_le_bytes);
    let meta = json!({
        "fixture": "realistic",
        "now": realistic::NOW,
        "days": realistic::DAYS,
        "events": events,
        "leads": leads,
        "null_code": leadcore::columnar::NULL_CODE,
        "kinds": f.kinds,
        "pages": f.pages,
        "campaigns": f.campaigns,
        "form_ids": f.forms,
        "content_ids": f.contents,
        "models": out.models,
        "playbook": spec,
        "rules": rules,
        "row_errors": out.row_errors.len(),
        "leadcore_runs_seconds": runs,
        "leadcore_best_seconds": best,
        "leadcore_two_threads_runs_seconds": runs2,
        "leadcore_two_threads_best_seconds": best2,
        "shape": {
            "active_leads": shape.active_leads,
            "top1_share": shape.top1_share,
            "median_active": shape.median_active,
            "max_per_lead": shape.max_per_lead,
            "distinct_pages": shape.distinct_pages,
            "kind_shares": realistic::KINDS.iter().zip(&shape.kind_shares)
                .map(|(k, s)| (k.to_string(), json!(s))).collect::<serde_json::Map<_, _>>(),
        },
    });
    std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
    println!(
        "leadcore: {events} events, {leads} leads scored in {best:.3} s (best of 5, one core): {:.1} M events/s; {} row errors; per-rule points in {breakdown:.1} s; fixture in {}",
        events as f64 / best / 1e6,
        out.row_errors.len(),
        dir.display()
    );
}
