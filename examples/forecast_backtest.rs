//! The forecast backtest of issue #11 on the Maven CRM opportunities (8,800 deals, Oct 2016 –
//! Dec 2017; `../shared/data/maven-crm-sales-opportunities`): forecasts made as of the first
//! of each month from what was known then, against the won value that closed.
//!
//! ```text
//! cargo run --release --example forecast_backtest [DATA_DIR]
//! ```
//! `DATA_DIR` (or `LEADCORE_DATA`) defaults to `../shared/data`. The CSV reading lives here.
//!
//! How the data maps: a deal enters the pipeline on its `engage_date` (the 500 Prospecting
//! rows have no date and never enter); its expected amount is its product's list price
//! (`products.csv`; open deals have no `close_value`); Won and Lost rows close on
//! `close_date` with `close_value` won. Each deal's one dated stage visit is `Engaging` on
//! its `engage_date`, so the stage-to-win probability of `Engaging` is the overall win rate
//! and its time-to-close curve the pooled one: the figures are those of the model without
//! stages. The data keeps no expected close dates, so no slip is learned. Windows: 9 months from April 2017 and 7 rolling
//! quarters (3 months) from April 2017: the first closes are dated March 2017, so April is
//! the first month with any closed history to learn from.

use chrono::NaiveDate;
use leadcore::Money;
use leadcore::forecast::{
    BacktestReport, BacktestSpec, HistoricalDeal, Outcome, StageVisit, backtest,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn load(dir: &std::path::Path) -> Result<Vec<HistoricalDeal>, String> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()))
    };
    let prices: BTreeMap<String, i64> = rows(&read("products.csv")?)
        .into_iter()
        .skip(1)
        .filter_map(|r| Some((r.first()?.clone(), r.get(2)?.parse::<i64>().ok()? * 100)))
        .collect();
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let mut deals = Vec::new();
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
        let Some(created) = date(engage) else {
            continue; // Prospecting: never entered the pipeline
        };
        // The product spelling differs between the two files (`GTXPro`).
        let product = if product == "GTXPro" {
            "GTX Pro"
        } else {
            product
        };
        let price = *prices
            .get(product)
            .ok_or_else(|| format!("line {}: unknown product {product}", n + 1))?;
        let outcome = match (date(close), stage.as_str()) {
            (Some(date), "Won" | "Lost") => Some(Outcome {
                date,
                won: stage == "Won",
                value: value
                    .parse::<i64>()
                    .map_err(|e| format!("line {}: {e}", n + 1))?
                    * 100,
            }),
            _ => None,
        };
        deals.push(HistoricalDeal {
            id: id.clone(),
            owner: Some(agent.clone()),
            amount: Money::new(price, "USD"),
            created,
            outcome,
            expected_close: None,
            stages: vec![StageVisit {
                stage: "Engaging".into(),
                entered: created,
            }],
        });
    }
    Ok(deals)
}

fn m(x: f64) -> String {
    format!("{:.2}M", x / 100.0 / 1e6)
}

fn print(title: &str, r: &BacktestReport) {
    println!("\n{title}");
    println!(
        "  {:<10} {:>8} {:>9} {:>9} {:>9} {:>22}  {:>7}",
        "as of", "actual", "fixed 40%", "win rate", "plain MC", "historical P10|P50|P90", "error"
    );
    let mut by_date: BTreeMap<NaiveDate, Vec<&leadcore::forecast::BacktestRow>> = BTreeMap::new();
    for row in &r.rows {
        by_date.entry(row.as_of).or_default().push(row);
    }
    for (as_of, rs) in &by_date {
        let get = |name: &str| rs.iter().find(|x| x.method == name);
        let (Some(f), Some(w), Some(p), Some(h)) = (
            get("fixed_40"),
            get("win_rate"),
            get("plain_monte_carlo"),
            get("historical"),
        ) else {
            continue;
        };
        let band = |x: &leadcore::forecast::BacktestRow| {
            format!(
                "{}|{}|{}",
                m(x.p10.unwrap_or(0) as f64),
                m(x.p50.unwrap_or(0) as f64),
                m(x.p90.unwrap_or(0) as f64)
            )
        };
        let inside =
            h.p10.is_some_and(|lo| lo <= h.actual) && h.p90.is_some_and(|hi| h.actual <= hi);
        println!(
            "  {as_of} {:>8} {:>9} {:>9} {:>9} {:>22}  {:>+6.1}% {}",
            m(h.actual as f64),
            m(f.point),
            m(w.point),
            m(p.point),
            band(h),
            100.0 * (h.point - h.actual as f64) / h.actual as f64,
            if inside { "in" } else { "OUT" }
        );
    }
    println!(
        "  {:<18} {:>7} {:>26} {:>9}",
        "method", "MAPE", "pinball/actual .1 .5 .9", "P10-P90"
    );
    for s in &r.scores {
        let pin = s.pinball.map_or("-".to_owned(), |p| {
            format!("{:.3} {:.3} {:.3}", p[0], p[1], p[2])
        });
        let cov = s
            .covered
            .map_or("-".to_owned(), |c| format!("{c} of {}", s.windows));
        let mape = s
            .mape
            .map_or("-".to_owned(), |m| format!("{:.1}%", 100.0 * m));
        println!("  {:<18} {:>7} {:>26} {:>9}", s.method, mape, pin, cov);
    }
}

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("LEADCORE_DATA").ok())
        .map_or_else(|| PathBuf::from("../shared/data"), PathBuf::from)
        .join("maven-crm-sales-opportunities");
    let deals = match load(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("forecast_backtest: {e}");
            return ExitCode::FAILURE;
        }
    };
    let first = NaiveDate::from_ymd_opt(2017, 4, 1).expect("valid date");
    let spec = |count, window_months| BacktestSpec {
        first,
        count,
        step_months: 1,
        window_months,
        trials: 2000,
        seed: 2017,
        fixed_probability: 0.4,
        model: Default::default(),
        calendar: leadcore::forecast::FiscalCalendar::new(1).expect("valid month"),
    };
    let start = Instant::now();
    let months = backtest(&deals, &spec(9, 1));
    let quarters = backtest(&deals, &spec(7, 3));
    let took = start.elapsed();
    let (months, quarters) = match (months, quarters) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("forecast_backtest: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "Maven backtest: {} deals in the pipeline; 16 windows × 4 methods, 2,000 trials each, in {:.2} s",
        deals.len(),
        took.as_secs_f64()
    );
    print("Months (as of the 1st, the month ahead)", &months);
    print(
        "Rolling quarters (as of the 1st, the 3 months ahead)",
        &quarters,
    );
    println!("\nPer rep, rolling quarters (historical model: Σ expected ÷ Σ won − 1)");
    let mut reps = quarters.reps.clone();
    reps.sort_by(|a, b| b.bias.unwrap_or(0.0).total_cmp(&a.bias.unwrap_or(0.0)));
    for r in reps.iter().take(3).chain(reps.iter().rev().take(3).rev()) {
        let label = match r.bias {
            Some(b) if b > 0.1 => "happy ears",
            Some(b) if b < -0.1 => "sandbagging",
            _ => "",
        };
        println!(
            "  {:<20} expected {:>8} won {:>8}  {:>+6.1}% {label}",
            r.owner,
            m(r.expected),
            m(r.actual as f64),
            100.0 * r.bias.unwrap_or(0.0)
        );
    }
    let score =
        |r: &BacktestReport, method: &str| r.scores.iter().find(|s| s.method == method).cloned();
    let (Some(hq), Some(hm), Some(fq), Some(pq)) = (
        score(&quarters, "historical"),
        score(&months, "historical"),
        score(&quarters, "fixed_40"),
        score(&quarters, "plain_monte_carlo"),
    ) else {
        return ExitCode::FAILURE;
    };
    // No scored window is no figure: a target it cannot show is not met.
    let mape = |s: &leadcore::forecast::MethodScore| s.mape.unwrap_or(f64::INFINITY);
    let (hq_mape, fq_mape, hm_mape) = (mape(&hq), mape(&fq), mape(&hm));
    println!("\nTargets (issue #11):");
    let check = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "  rolling quarters MAPE {:.1}% (≤ 12%; fixed 40% gives {:.1}%): {}",
        100.0 * hq_mape,
        100.0 * fq_mape,
        check(hq_mape <= 0.12)
    );
    println!(
        "  monthly MAPE {:.1}% (≤ 25%): {}",
        100.0 * hm_mape,
        check(hm_mape <= 0.25)
    );
    let (cq, cm) = (hq.covered.unwrap_or(0), hm.covered.unwrap_or(0));
    println!(
        "  P10-P90 covers {cq} of 7 quarters (≥ 5) and {cm} of 9 months (≥ 6): {}; plain Monte Carlo: {} of 7",
        check(cq >= 5 && cm >= 6),
        pq.covered.unwrap_or(0)
    );
    // The test command runs this example: a target lost is a failure.
    if hq_mape <= 0.12 && hm_mape <= 0.25 && cq >= 5 && cm >= 6 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
