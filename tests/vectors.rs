//! Runs every shared vector under `tests/vectors/` through the Rust door and compares the
//! result with `expected.jsonl` byte for byte. `LEADCORE_BLESS=1` rewrites the expectations.

use leadcore::analytics::PipelineMetricsInput;
use leadcore::analytics::{ActivityMetricsInput, BottleneckInput, LeadMetricsInput};
use leadcore::forecast::{BacktestInput, ForecastInput, HistoryForecastInput, RollupInput};
use leadcore::predictive::logistic::LogisticInput;
use leadcore::predictive::odoo::{OdooScoreInput, odoo_score};
use leadcore::routing::{RouteBatchInput, RouteInput, RoutingState};
use leadcore::scoring::{
    PredictInput, ScoreApplyInput, ScoreCardInput, ScoreInput, ScoreState, ScoreTableInput,
};
use leadcore::sla::SlaInput;
use leadcore::wire::canonical_json;
use leadcore::{
    Error, Format, Lead, LifecycleState, Playbook, ReplayInput, StartInput, TransitionInput,
};
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};

fn ok(v: impl serde::Serialize) -> String {
    canonical_json(&json!({ "ok": v }))
}

fn err(e: &Error) -> String {
    canonical_json(&json!({ "error": e.report() }))
}

fn no_record() -> String {
    canonical_json(&json!({"error": {"code": "input.invalid", "message": "no record started"}}))
}

fn playbook_file(dir: &Path) -> (PathBuf, Format) {
    for (ext, f) in [
        ("yaml", Format::Yaml),
        ("json", Format::Json),
        ("toml", Format::Toml),
    ] {
        let p = dir.join(format!("playbook.{ext}"));
        if p.exists() {
            return (p, f);
        }
    }
    panic!("{}: no playbook.yaml/json/toml", dir.display());
}

fn score_state<'a>(
    pb: &Playbook,
    slot: &'a mut Option<ScoreState>,
    lead: &Lead,
) -> &'a mut ScoreState {
    slot.get_or_insert_with(|| pb.scoring().new_state(lead.id.clone()))
}

/// Runs one case; returns the result lines.
fn run_case(dir: &Path) -> String {
    let (path, format) = playbook_file(dir);
    let text = fs::read_to_string(&path).unwrap();
    let mut out = Vec::new();
    let pb = match Playbook::parse(&text, format) {
        Ok(pb) => {
            out.push(ok(true));
            pb
        }
        Err(e) => {
            out.push(err(&e));
            return out.join("\n") + "\n";
        }
    };
    let input = fs::read_to_string(dir.join("input.jsonl")).unwrap();
    let mut state: Option<LifecycleState> = None;
    let mut scores: Option<ScoreState> = None;
    let mut routing: Option<RoutingState> = None;
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let event: Value = serde_json::from_str(line).unwrap();
        let (kind, payload) = event.as_object().unwrap().iter().next().unwrap();
        let payload = payload.to_string();
        let result = match kind.as_str() {
            "start" => {
                let s = StartInput::from_json(&payload).unwrap();
                match pb.start(&s.pipeline, &s.record_id, s.now) {
                    Ok(st) => {
                        let line = ok(&st);
                        state = Some(st);
                        line
                    }
                    Err(e) => err(&e),
                }
            }
            "replay" => {
                let r = ReplayInput::from_json(&payload).unwrap();
                match pb.replay_with(&r.pipeline, &r.record_id, &r.history, &r.options()) {
                    Ok(st) => {
                        let line = ok(&st);
                        state = Some(st);
                        line
                    }
                    Err(e) => err(&e),
                }
            }
            "transition" => match state.as_mut() {
                None => no_record(),
                Some(st) => {
                    let input = TransitionInput::from_json(&payload).unwrap();
                    match pb.transition(st, &input.request, &input.facts()) {
                        Ok(outcome) => ok(outcome),
                        Err(e) => err(&e),
                    }
                }
            },
            "dwell" => match &state {
                None => no_record(),
                Some(st) => {
                    let now = serde_json::from_str::<Value>(&payload).unwrap()["now"]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap();
                    match st.dwell(now) {
                        Ok(d) => ok(d),
                        Err(e) => err(&e),
                    }
                }
            },
            "state" => match &state {
                None => no_record(),
                Some(st) => ok(st),
            },
            "funnel" => match &state {
                None => no_record(),
                Some(st) => {
                    let v: Value = serde_json::from_str(&payload).unwrap();
                    let now = v["now"].as_str().unwrap().parse().unwrap();
                    match pb.pipeline(v["pipeline"].as_str().unwrap()) {
                        Ok(p) => {
                            match leadcore::Funnel::compute(p, std::slice::from_ref(st), now) {
                                Ok(f) => ok(f),
                                Err(e) => err(&e),
                            }
                        }
                        Err(e) => err(&e),
                    }
                }
            },
            "score" => {
                let i = ScoreInput::from_json(&payload).unwrap();
                match pb.scoring().score(&i.lead, &i.activities, i.now, i.explain) {
                    Ok(card) => ok(card),
                    Err(e) => err(&e),
                }
            }
            "score_table" => {
                let i = ScoreTableInput::from_json(&payload).unwrap();
                match pb.scoring().score_table(&i.leads, &i.events, i.now) {
                    Ok(out) => ok(out),
                    Err(e) => err(&e),
                }
            }
            "score_apply" => {
                let i = ScoreApplyInput::from_json(&payload).unwrap();
                let st = score_state(&pb, &mut scores, &i.lead);
                match pb.scoring().apply(st, &i.lead, &i.activity, i.now) {
                    Ok(signals) => ok(signals),
                    Err(e) => err(&e),
                }
            }
            "score_card" => {
                let i = ScoreCardInput::from_json(&payload).unwrap();
                let st = score_state(&pb, &mut scores, &i.lead);
                match pb.scoring().card(st, &i.lead, i.now, i.explain) {
                    Ok(card) => ok(card),
                    Err(e) => err(&e),
                }
            }
            "predict" => {
                let i = PredictInput::from_json(&payload).unwrap();
                let st = score_state(&pb, &mut scores, &i.lead);
                let horizon = chrono::Duration::days(i.horizon_days);
                match pb.scoring().predict_crossing(
                    st,
                    &i.lead,
                    &i.model,
                    i.threshold,
                    i.now,
                    horizon,
                ) {
                    Ok(when) => ok(when),
                    Err(e) => err(&e),
                }
            }
            "route" => {
                let i = RouteInput::from_json(&payload).unwrap();
                let st = routing.get_or_insert_with(|| pb.routing().new_state());
                match pb.routing().assign(st, i.facts(), i.now) {
                    Ok(d) => ok(d),
                    Err(e) => err(&e),
                }
            }
            "route_batch" => {
                let i = RouteBatchInput::from_json(&payload).unwrap();
                let st = routing.get_or_insert_with(|| pb.routing().new_state());
                match pb.routing().assign_batch(st, &i.leads, i.now) {
                    Ok(d) => ok(d),
                    Err(e) => err(&e),
                }
            }
            "routing_state" => ok(routing.get_or_insert_with(|| pb.routing().new_state())),
            "sla_status" => {
                let i = SlaInput::from_json(&payload).unwrap();
                ok(pb.sla().statuses(i.facts(), i.now))
            }
            "odoo_score" => {
                match OdooScoreInput::from_json(&payload).and_then(|i| odoo_score(&i)) {
                    Ok(o) => ok(o),
                    Err(e) => err(&e),
                }
            }
            "logistic" => match LogisticInput::from_json(&payload).and_then(|i| i.run()) {
                Ok(explanations) => ok(explanations),
                Err(e) => err(&e),
            },
            "pipeline_metrics" => {
                let run = PipelineMetricsInput::from_json(&payload).and_then(|i| {
                    let pipeline = match (&i.stages, &i.pipeline) {
                        (None, Some(name)) => Some(pb.pipeline(name)?),
                        _ => None,
                    };
                    i.run(pipeline)
                });
                match run {
                    Ok(o) => ok(o),
                    Err(e) => err(&e),
                }
            }
            "bottlenecks" => {
                let run = BottleneckInput::from_json(&payload).and_then(|i| {
                    let pipeline = match (&i.stages, &i.pipeline) {
                        (None, Some(name)) => Some(pb.pipeline(name)?),
                        _ => None,
                    };
                    i.run(pipeline)
                });
                match run {
                    Ok(o) => ok(o),
                    Err(e) => err(&e),
                }
            }
            "lead_metrics" => match LeadMetricsInput::from_json(&payload).and_then(|i| i.run()) {
                Ok(o) => ok(o),
                Err(e) => err(&e),
            },
            "activity_metrics" => {
                match ActivityMetricsInput::from_json(&payload).and_then(|i| i.run()) {
                    Ok(o) => ok(o),
                    Err(e) => err(&e),
                }
            }
            "forecast" => match ForecastInput::from_json(&payload).and_then(|i| i.run(2)) {
                Ok(o) => ok(o),
                Err(e) => err(&e),
            },
            "forecast_history" => {
                match HistoryForecastInput::from_json(&payload).and_then(|i| i.run()) {
                    Ok(o) => ok(o),
                    Err(e) => err(&e),
                }
            }
            "forecast_backtest" => match BacktestInput::from_json(&payload).and_then(|i| i.run()) {
                Ok(o) => ok(o),
                Err(e) => err(&e),
            },
            "forecast_rollup" => match RollupInput::from_json(&payload).and_then(|i| i.run()) {
                Ok(o) => ok(o),
                Err(e) => err(&e),
            },
            other => panic!("unknown event `{other}` in {}", dir.display()),
        };
        out.push(result);
    }
    out.join("\n") + "\n"
}

#[test]
fn every_vector_matches_its_expected_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let bless = std::env::var_os("LEADCORE_BLESS").is_some();
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.jsonl").exists())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 5,
        "expected the shared vectors, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for dir in &cases {
        let got = run_case(dir);
        let expected_path = dir.join("expected.jsonl");
        if bless {
            fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let want = fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}:\n--- expected\n{want}--- got\n{got}",
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
