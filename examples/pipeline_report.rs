//! Pipeline analytics on the Maven CRM opportunities (8,800 deals, Oct 2016 – Dec 2017;
//! `../shared/data/maven-crm-sales-opportunities`): the four V's per stage, win rate, cycle,
//! deal size and sales velocity, overall and per manager and office, through the mergeable
//! accumulator; then a few figures checked against a direct computation from the CSV.
//!
//! ```text
//! cargo run --release --example pipeline_report [DATA_DIR]
//! ```
//! `DATA_DIR` (or `LEADCORE_DATA`) defaults to `../shared/data`. The CSV reading lives here:
//! the core does no IO.
//!
//! How the data maps: stages Prospecting > Engaging > Won / Lost; a deal's history is its
//! `engage_date` (entering Engaging) and its `close_date` (entering Won or Lost); Prospecting
//! rows have no date, so they sit in Prospecting with no history; creation is the engage
//! date (the earliest one known), so the cycle is engage → close. Amounts are whole dollars,
//! kept in cents. Qualified pipeline starts at Engaging.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use leadcore::analytics::{
    DealHistory, GroupReport, GroupedMetrics, MetricsSpec, Period, PipelineMetrics, PipelineReport,
    PipelineStages, SliceKey, StageDef, StageEntry,
};
use leadcore::{Money, StageKind};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Rows of a CSV without quoted fields (Maven's files have none), CRLF or LF.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn date(s: &str) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?))
}

struct Row {
    stage: String,
    close_value: Option<i64>,
    engage: Option<DateTime<Utc>>,
    close: Option<DateTime<Utc>>,
}

fn load(dir: &std::path::Path) -> Result<(Vec<DealHistory>, Vec<Row>), String> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()))
    };
    let teams: BTreeMap<String, (String, String)> = rows(&read("sales_teams.csv")?)
        .into_iter()
        .skip(1)
        .filter_map(|r| match r.as_slice() {
            [agent, manager, office] => Some((agent.clone(), (manager.clone(), office.clone()))),
            _ => None,
        })
        .collect();
    let mut deals = Vec::new();
    let mut raw = Vec::new();
    for (n, r) in rows(&read("sales_pipeline.csv")?)
        .into_iter()
        .enumerate()
        .skip(1)
    {
        let [id, agent, product, _account, stage, engage, close, value] = r.as_slice() else {
            return Err(format!(
                "sales_pipeline.csv line {}: {} fields",
                n + 1,
                r.len()
            ));
        };
        let engage = date(engage);
        let close = date(close);
        let close_value = value
            .parse::<i64>()
            .ok()
            .map(|v| v.checked_mul(100).ok_or("amount overflows"))
            .transpose()?;
        let mut history = Vec::new();
        if let Some(at) = engage {
            history.push(StageEntry {
                at,
                stage: "Engaging".into(),
            });
        }
        if let Some(at) = close {
            history.push(StageEntry {
                at,
                stage: stage.clone(),
            });
        }
        let (manager, office) = teams.get(agent).cloned().unzip();
        deals.push(DealHistory {
            id: id.clone(),
            owner: Some(agent.clone()),
            manager,
            office,
            // The product spelling differs between the two files (`GTXPro`).
            pipeline: Some(if product == "GTXPro" {
                "GTX Pro".into()
            } else {
                product.clone()
            }),
            amount: close_value.map(|v| Money::new(v, "USD")),
            created_at: engage,
            stage: Some(stage.clone()),
            history,
            ..Default::default()
        });
        raw.push(Row {
            stage: stage.clone(),
            close_value,
            engage,
            close,
        });
    }
    Ok((deals, raw))
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{:.1}%", 100.0 * x))
}

fn days(s: Option<i64>) -> String {
    s.map_or("-".into(), |s| format!("{:.0}", s as f64 / 86_400.0))
}

fn dollars(m: Option<&Money>) -> String {
    m.map_or("-".into(), |m| format!("{:.0}", m.minor as f64 / 100.0))
}

fn print_stages(r: &PipelineReport) {
    println!(
        "  {:<12} {:>8} {:>9} {:>14} {:>10} {:>8} {:>8} {:>10}",
        "stage",
        "entered",
        "in stage",
        "value in ($)",
        "dwell n",
        "med (d)",
        "p90 (d)",
        "conv.->next"
    );
    for s in &r.stages {
        println!(
            "  {:<12} {:>8} {:>9} {:>14} {:>10} {:>8} {:>8} {:>10}",
            s.stage,
            s.entered,
            s.in_stage,
            s.value_in_stage.get("USD").map_or(0, |v| v / 100),
            s.dwell.count,
            days(s.dwell.median_seconds),
            days(s.dwell.p90_seconds),
            pct(s.conversion_to_next),
        );
    }
}

fn summary_line(label: &str, r: &PipelineReport) {
    let velocity = r
        .sales_velocity
        .as_ref()
        .map_or("-".into(), |v| dollars(Some(&v.per_day)));
    println!(
        "{:<22} {:>5} {:>5} {:>5} {:>7} {:>9} {:>11} {:>6} {:>6} {:>6} {:>10}",
        label,
        r.opportunities,
        r.win_rate.won,
        r.win_rate.lost,
        pct(r.win_rate.rate),
        dollars(r.average_deal_size.as_ref()),
        r.won_value.get("USD").map_or(0, |v| v / 100),
        days(r.cycle.median_seconds),
        days(r.cycle.p90_seconds),
        r.open_qualified,
        velocity,
    );
}

fn header(by: &str) {
    println!(
        "{:<22} {:>5} {:>5} {:>5} {:>7} {:>9} {:>11} {:>6} {:>6} {:>6} {:>10}",
        by,
        "opps",
        "won",
        "lost",
        "win %",
        "avg deal",
        "won value",
        "cyc50",
        "cyc90",
        "open",
        "$/day"
    );
}

fn grouped(spec: &MetricsSpec, deals: &[DealHistory], key: SliceKey) -> Vec<GroupReport> {
    let mut g = GroupedMetrics::new(spec.clone(), vec![key]);
    for d in deals {
        if let Err(e) = g.add(d) {
            eprintln!("refused {}: {e}", d.id);
        }
    }
    g.finish().unwrap_or_default()
}

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("LEADCORE_DATA").ok())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
        .join("maven-crm-sales-opportunities");
    let (deals, raw) = match load(&dir) {
        Ok(x) => x,
        Err(e) => {
            println!("Maven data not found ({e}): nothing to report");
            return ExitCode::SUCCESS;
        }
    };
    let stages = PipelineStages::new(
        "maven",
        vec![
            StageDef::new("Prospecting", StageKind::Open),
            StageDef::new("Engaging", StageKind::Open),
            StageDef::new("Won", StageKind::Won),
            StageDef::new("Lost", StageKind::Lost),
        ],
    )
    .expect("stages");
    let period = Period {
        from: Utc.with_ymd_and_hms(2016, 10, 1, 0, 0, 0).unwrap(),
        to: Utc.with_ymd_and_hms(2018, 1, 1, 0, 0, 0).unwrap(),
    };
    let spec = MetricsSpec::new(stages, period, Some("Engaging")).expect("spec");

    let started = Instant::now();
    let mut one = PipelineMetrics::new(spec.clone());
    let mut refused = 0;
    for d in &deals {
        if let Err(e) = one.add(d) {
            refused += 1;
            eprintln!("refused {}: {e}", d.id);
        }
    }
    let report = match one.finish() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();
    // The same in four partitions, merged.
    let mut merged = PipelineMetrics::new(spec.clone());
    for chunk in deals.chunks(deals.len().div_ceil(4).max(1)) {
        let mut part = PipelineMetrics::new(spec.clone());
        for d in chunk {
            let _ = part.add(d);
        }
        merged.merge(part).expect("same spec");
    }

    println!(
        "Maven CRM opportunities: {} deals, period {} .. {} (snapshot at its end), {} refused, {:.1} ms",
        deals.len(),
        period.from.date_naive(),
        period.to.date_naive(),
        refused,
        elapsed.as_secs_f64() * 1e3
    );
    println!("\nThe four V's per stage (dwell: completed stays; conversion: of those entering)");
    print_stages(&report);
    println!();
    header("");
    summary_line("all", &report);
    let w = &report.win_rate;
    println!(
        "  win rate new business {} ({} / {}), expansion {}",
        pct(w.new_business.rate),
        w.new_business.won,
        w.new_business.won + w.new_business.lost,
        pct(w.expansion.rate)
    );
    if let Some(v) = &report.sales_velocity {
        println!(
            "  sales velocity = {} open × {:.3} win rate × ${:.2} avg deal ÷ {:.1} d mean cycle = ${:.0} a day",
            v.opportunities,
            v.win_rate,
            v.average_deal_size.minor as f64 / 100.0,
            v.cycle_days,
            v.per_day.minor as f64 / 100.0
        );
        for s in &v.stages {
            println!(
                "    {:<12} conversion {:>7}  mean dwell {} d",
                s.stage,
                pct(s.conversion),
                s.mean_dwell_days.map_or("-".into(), |d| format!("{d:.1}"))
            );
        }
    }
    for (key, label) in [(SliceKey::Manager, "manager"), (SliceKey::Office, "office")] {
        println!();
        header(label);
        for g in grouped(&spec, &deals, key) {
            let name = g
                .key
                .get(label)
                .cloned()
                .flatten()
                .unwrap_or("(none)".into());
            summary_line(&name, &g.report);
        }
    }

    // Checks against a direct computation from the rows.
    let count = |s: &str| raw.iter().filter(|r| r.stage == s).count() as u64;
    let won_value: i64 = raw
        .iter()
        .filter(|r| r.stage == "Won")
        .filter_map(|r| r.close_value)
        .sum();
    let mut cycles: Vec<i64> = raw
        .iter()
        .filter(|r| r.stage == "Won")
        .filter_map(|r| Some((r.close? - r.engage?).num_days()))
        .collect();
    cycles.sort_unstable();
    let median_cycle = cycles.get(cycles.len().div_ceil(2).max(1) - 1).copied();
    let stage_in = |name: &str| {
        report
            .stages
            .iter()
            .find(|s| s.stage == name)
            .map_or(0, |s| s.in_stage)
    };
    let checks = [
        ("won", report.win_rate.won, count("Won")),
        ("lost", report.win_rate.lost, count("Lost")),
        ("in Engaging", stage_in("Engaging"), count("Engaging")),
        (
            "in Prospecting",
            stage_in("Prospecting"),
            count("Prospecting"),
        ),
        (
            "won value ($)",
            report.won_value.get("USD").map_or(0, |v| *v as u64 / 100),
            (won_value / 100) as u64,
        ),
        (
            "median cycle (d)",
            report
                .cycle
                .median_seconds
                .map_or(0, |s| (s / 86_400) as u64),
            median_cycle.unwrap_or(0) as u64,
        ),
        ("documented: won", count("Won"), 4_238),
        ("documented: lost", count("Lost"), 2_473),
        (
            "documented: won value ($)",
            (won_value / 100) as u64,
            10_005_534,
        ),
    ];
    let mut ok = true;
    println!("\nchecks against a direct computation");
    for (what, got, want) in checks {
        let pass = got == want;
        ok &= pass;
        println!(
            "  {:<28} {:>12} {:>12}  {}",
            what,
            got,
            want,
            if pass { "ok" } else { "MISMATCH" }
        );
    }
    let same = merged.finish().ok().as_ref() == Some(&report);
    ok &= same;
    println!(
        "  4 partitions merged = one pass: {}",
        if same { "ok" } else { "MISMATCH" }
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
