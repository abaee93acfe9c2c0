//! The forecast from history, its backtest and the hierarchy roll-up in and out as Arrow:
//! a deal history and owned deals from tables; windows, the fitted model, the backtest's
//! rows, scores and reps, and the roll-up's cells and spans out as record batches.

use crate::analytics::{id_texts, ints, texts};
use crate::forecast::{batch, category_name, dates, forecast_deals, required, span_columns};
use crate::read::each_bool;
use crate::table::{ChunkedColumn, Table};
use crate::{Error, Result, invalid};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    UInt32Array, UInt64Array,
};
use arrow_schema::DataType;
use chrono::NaiveDate;
use leadcore::Money;
use leadcore::forecast::{
    BacktestReport, HistoricalDeal, HistoryModelSummary, Outcome, OwnedDeal, PeriodKey,
    ReportingLine, RollupOutput, StageVisit, Totals, WindowForecast,
};
use std::collections::HashMap;
use std::sync::Arc;

const W: &str = "deals";

fn bools(c: &ChunkedColumn) -> Result<Vec<Option<bool>>> {
    let mut out = Vec::with_capacity(c.len());
    for chunk in &c.chunks {
        if *chunk.data_type() == DataType::Null {
            out.resize(out.len() + chunk.len(), None);
            continue;
        }
        let mut push = |v: Option<bool>| -> Result<()> {
            out.push(v);
            Ok(())
        };
        match each_bool(chunk.as_ref(), &mut push) {
            Some(r) => r?,
            None => {
                return Err(Error::Type(format!(
                    "{W} column `{}` is {}, expected booleans",
                    c.name, c.data_type
                )));
            }
        }
    }
    Ok(out)
}

fn same_length(lengths: &[usize], what: &str) -> Result<()> {
    match lengths.first() {
        Some(&n) if lengths.iter().any(|&l| l != n) => {
            Err(invalid(format!("{what} columns differ in length")))
        }
        _ => Ok(()),
    }
}

/// A deal history from a table with `opportunity_id` (text), `owner` (text, optional
/// column, nulls allowed), `amount` (integer minor units), `currency` (text), `created`
/// (dates, timestamps or `YYYY-MM-DD` text), `closed` (the same, null while open), `won`
/// (booleans, null while open) and optionally `value` (the won value in minor units; null
/// gives the amount for a won deal and 0 for a lost one) and `expected_close` (dates, null
/// where none was kept). A closed deal without `won`, or a
/// `won` without `closed`, is an error naming the row; other columns are ignored. Values
/// are checked by the core (a close before the creation, mixed currencies, ...).
///
/// ```
/// use arrow_array::{ArrayRef, BooleanArray, Int64Array, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let t = Table::new(vec![
///     col("opportunity_id", Arc::new(StringArray::from(vec!["A", "B"]))),
///     col("amount", Arc::new(Int64Array::from(vec![500, 300]))),
///     col("currency", Arc::new(StringArray::from(vec!["USD", "USD"]))),
///     col("created", Arc::new(StringArray::from(vec!["2026-01-02", "2026-01-05"]))),
///     col("closed", Arc::new(StringArray::from(vec![Some("2026-01-12"), None]))),
///     col("won", Arc::new(BooleanArray::from(vec![Some(true), None]))),
/// ]);
/// let deals = leadcore_arrow::historical_deals(&t).unwrap();
/// assert_eq!(deals[0].outcome.as_ref().unwrap().value, 500);
/// assert!(deals[1].outcome.is_none());
/// ```
pub fn historical_deals(table: &Table) -> Result<Vec<HistoricalDeal>> {
    let ids = id_texts(required(table, "opportunity_id")?, W)?;
    let owner = table.column("owner").map(|c| texts(c, W)).transpose()?;
    let amount = ints(required(table, "amount")?, W)?;
    let currency = texts(required(table, "currency")?, W)?;
    let created = dates(required(table, "created")?)?;
    let closed = dates(required(table, "closed")?)?;
    let won = bools(required(table, "won")?)?;
    let value = table.column("value").map(|c| ints(c, W)).transpose()?;
    let expected_close = table.column("expected_close").map(dates).transpose()?;
    let n = ids.len();
    let mut lengths = vec![
        n,
        amount.len(),
        currency.len(),
        created.len(),
        closed.len(),
        won.len(),
    ];
    lengths.extend(owner.as_ref().map(Vec::len));
    lengths.extend(value.as_ref().map(Vec::len));
    lengths.extend(expected_close.as_ref().map(Vec::len));
    same_length(&lengths, W)?;
    let mut deals = Vec::with_capacity(n);
    for (row, id) in ids.into_iter().enumerate() {
        let id = id.ok_or_else(|| invalid(format!("{W}, row {row}: no opportunity_id")))?;
        let missing = |col: &str| invalid(format!("{W}, row {row} (deal {id}): no {col}"));
        let amount = amount
            .get(row)
            .copied()
            .flatten()
            .ok_or_else(|| missing("amount"))?;
        let outcome = match (
            closed.get(row).copied().flatten(),
            won.get(row).copied().flatten(),
        ) {
            (None, None) => None,
            (Some(date), Some(won)) => {
                let given = value.as_ref().and_then(|v| v.get(row).copied().flatten());
                let value = given.unwrap_or(if won { amount } else { 0 });
                Some(Outcome { date, won, value })
            }
            (Some(_), None) => {
                return Err(invalid(format!(
                    "{W}, row {row} (deal {id}): closed without `won`"
                )));
            }
            (None, Some(_)) => {
                return Err(invalid(format!(
                    "{W}, row {row} (deal {id}): `won` without a `closed` date"
                )));
            }
        };
        deals.push(HistoricalDeal {
            owner: owner.as_ref().and_then(|o| o.get(row).cloned().flatten()),
            amount: Money::new(
                amount,
                currency
                    .get(row)
                    .cloned()
                    .flatten()
                    .ok_or_else(|| missing("currency"))?,
            ),
            created: created
                .get(row)
                .copied()
                .flatten()
                .ok_or_else(|| missing("created"))?,
            outcome,
            expected_close: expected_close
                .as_ref()
                .and_then(|x| x.get(row).copied().flatten()),
            stages: Vec::new(),
            id,
        });
    }
    Ok(deals)
}

/// Attaches to `deals` their stage visits from a table of `opportunity_id` (text), `stage`
/// (text) and `entered` (dates, timestamps or `YYYY-MM-DD` text), one row per stage a deal
/// entered, in any order (sorted by `entered` per deal, ties in row order). A row naming no
/// deal, or missing a value, is an error naming the row; so is a deal id listed twice in
/// `deals`. The visits themselves are checked by the core (before the creation, after the
/// close, ...).
///
/// ```
/// use arrow_array::{ArrayRef, StringArray};
/// use leadcore::{forecast::HistoricalDeal, Money};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let mut deals = vec![HistoricalDeal { id: "A".into(), owner: None, amount: Money::new(5, "USD"),
///     created: "2026-01-02".parse().unwrap(), outcome: None, expected_close: None, stages: vec![] }];
/// let t = Table::new(vec![
///     col("opportunity_id", Arc::new(StringArray::from(vec!["A", "A"]))),
///     col("stage", Arc::new(StringArray::from(vec!["Demo", "Qualify"]))),
///     col("entered", Arc::new(StringArray::from(vec!["2026-01-09", "2026-01-02"]))),
/// ]);
/// leadcore_arrow::stage_visits(&mut deals, &t).unwrap();
/// assert_eq!(deals[0].stages[0].stage, "Qualify");
/// ```
pub fn stage_visits(deals: &mut [HistoricalDeal], table: &Table) -> Result<()> {
    const S: &str = "stage history";
    let need = |name: &str| {
        table
            .column(name)
            .ok_or_else(|| invalid(format!("{S} needs an `{name}` column")))
    };
    let ids = id_texts(need("opportunity_id")?, S)?;
    let stage = texts(need("stage")?, S)?;
    let entered = dates(need("entered")?)?;
    same_length(&[ids.len(), stage.len(), entered.len()], S)?;
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(deals.len());
    for (row, d) in deals.iter().enumerate() {
        if index.insert(d.id.as_str(), row).is_some() {
            return Err(invalid(format!(
                "{W}, row {row}: deal `{}` is listed twice",
                d.id
            )));
        }
    }
    let mut visits: Vec<(usize, NaiveDate, String)> = Vec::with_capacity(ids.len());
    for (row, ((id, stage), entered)) in ids.into_iter().zip(stage).zip(entered).enumerate() {
        let (Some(id), Some(stage), Some(entered)) = (id, stage, entered) else {
            return Err(invalid(format!(
                "{S}, row {row}: opportunity_id, stage and entered are all required"
            )));
        };
        let i = *index
            .get(id.as_str())
            .ok_or_else(|| invalid(format!("{S}, row {row}: no deal `{id}` in the deals")))?;
        visits.push((i, entered, stage));
    }
    visits.sort_by_key(|v| (v.0, v.1));
    for (i, entered, stage) in visits {
        if let Some(d) = deals.get_mut(i) {
            d.stages.push(StageVisit { stage, entered });
        }
    }
    Ok(())
}

/// Owned deals from a table of forecast deals (the columns of [`crate::forecast_deals`])
/// with an `owner` column (text, no nulls).
///
/// ```
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let t = Table::new(vec![
///     col("id", Arc::new(StringArray::from(vec!["A"]))),
///     col("owner", Arc::new(StringArray::from(vec!["ana"]))),
///     col("amount", Arc::new(Int64Array::from(vec![500]))),
///     col("currency", Arc::new(StringArray::from(vec!["USD"]))),
///     col("close_date", Arc::new(StringArray::from(vec!["2026-03-31"]))),
///     col("stage", Arc::new(StringArray::from(vec!["Proposal"]))),
///     col("probability", Arc::new(Float64Array::from(vec![0.4]))),
/// ]);
/// assert_eq!(leadcore_arrow::owned_deals(&t).unwrap()[0].owner, "ana");
/// ```
pub fn owned_deals(table: &Table) -> Result<Vec<OwnedDeal>> {
    let owners = texts(required(table, "owner")?, W)?;
    let deals = forecast_deals(table)?;
    same_length(&[owners.len(), deals.len()], W)?;
    deals
        .into_iter()
        .zip(owners)
        .map(|(deal, owner)| match owner {
            Some(owner) => Ok(OwnedDeal::new(owner, deal)),
            None => Err(invalid(format!("{W}, deal {}: no owner", deal.id))),
        })
        .collect()
}

/// Reporting lines from a table with `node` (text) and `parent` (text, null for a root).
///
/// ```
/// use arrow_array::{ArrayRef, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let t = Table::new(vec![
///     ChunkedColumn::new("node", Arc::new(StringArray::from(vec!["vp", "ana"])) as ArrayRef),
///     ChunkedColumn::new("parent", Arc::new(StringArray::from(vec![None, Some("vp")])) as ArrayRef),
/// ]);
/// assert_eq!(leadcore_arrow::reporting_lines(&t).unwrap()[1].parent.as_deref(), Some("vp"));
/// ```
pub fn reporting_lines(table: &Table) -> Result<Vec<ReportingLine>> {
    const H: &str = "hierarchy";
    let need = |name: &str| {
        table
            .column(name)
            .ok_or_else(|| invalid(format!("{H} needs a `{name}` column")))
    };
    let nodes = texts(need("node")?, H)?;
    let parents = texts(need("parent")?, H)?;
    same_length(&[nodes.len(), parents.len()], H)?;
    nodes
        .into_iter()
        .zip(parents)
        .enumerate()
        .map(|(row, (node, parent))| {
            let node = node.ok_or_else(|| invalid(format!("{H}, row {row}: no node")))?;
            Ok(ReportingLine { node, parent })
        })
        .collect()
}

fn days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MAX)
}

fn date_col<T>(rows: &[T], f: impl Fn(&T) -> NaiveDate) -> ArrayRef {
    Arc::new(Date32Array::from_iter_values(
        rows.iter().map(|r| days(f(r))),
    ))
}

fn float_col<T>(rows: &[T], f: impl Fn(&T) -> f64) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(rows.iter().map(f)))
}

fn opt_float_col<T>(rows: &[T], f: impl Fn(&T) -> Option<f64>) -> ArrayRef {
    Arc::new(Float64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
}

fn int_col<T>(rows: &[T], f: impl Fn(&T) -> i64) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(rows.iter().map(f)))
}

fn opt_int_col<T>(rows: &[T], f: impl Fn(&T) -> Option<i64>) -> ArrayRef {
    Arc::new(Int64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
}

fn text_col<'a, T>(rows: &'a [T], f: impl Fn(&'a T) -> Option<&'a str>) -> ArrayRef {
    Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
}

/// The forecast of each window as one record batch: `from`, `to` (dates), `currency`,
/// `expected`, `from_pipeline`, `from_new_deals`, `season`, `mean` (floats, minor units),
/// `p10`, `p50`, `p90` (minor units).
pub fn windows_batch(windows: &[WindowForecast], currency: Option<&str>) -> Result<RecordBatch> {
    let w = windows;
    batch(
        vec![
            ("from", DataType::Date32, date_col(w, |r| r.from)),
            ("to", DataType::Date32, date_col(w, |r| r.to)),
            ("currency", DataType::Utf8, text_col(w, |_| currency)),
            ("expected", DataType::Float64, float_col(w, |r| r.expected)),
            (
                "from_pipeline",
                DataType::Float64,
                float_col(w, |r| r.from_pipeline),
            ),
            (
                "from_new_deals",
                DataType::Float64,
                float_col(w, |r| r.from_new_deals),
            ),
            ("season", DataType::Float64, float_col(w, |r| r.season)),
            ("mean", DataType::Float64, float_col(w, |r| r.mean)),
            ("p10", DataType::Int64, int_col(w, |r| r.p10)),
            ("p50", DataType::Int64, int_col(w, |r| r.p50)),
            ("p90", DataType::Int64, int_col(w, |r| r.p90)),
        ],
        "windows",
    )
}

/// What a history model learned as a one-row record batch: `as_of` (date), `currency`,
/// `win_rate`, `realisation`, `creation_rate`, `season_1`, `season_2`, `season_3`,
/// `win_spread`, `creation_spread` (floats), `won`, `closed` (counts), then the close-date
/// slips: `slip_count`, `slips_used` (bool), `slip_mean_days`, `slip_p10`, `slip_p25`,
/// `slip_p50`, `slip_p75`, `slip_p90` (days; null when no closed deal had an expected close).
pub fn history_model_batch(m: &HistoryModelSummary) -> Result<RecordBatch> {
    let one = std::slice::from_ref(m);
    let season = |i: usize| float_col(one, move |m| m.season.get(i).copied().unwrap_or(1.0));
    let slips = m.slips.as_ref();
    let slip = |f: fn(&leadcore::forecast::SlipSummary) -> i64| -> ArrayRef {
        Arc::new(Int64Array::from(vec![slips.map(f)]))
    };
    batch(
        vec![
            ("as_of", DataType::Date32, date_col(one, |m| m.as_of)),
            (
                "currency",
                DataType::Utf8,
                text_col(one, |m| m.currency.as_deref()),
            ),
            (
                "win_rate",
                DataType::Float64,
                float_col(one, |m| m.win_rate),
            ),
            (
                "realisation",
                DataType::Float64,
                float_col(one, |m| m.realisation),
            ),
            (
                "creation_rate",
                DataType::Float64,
                float_col(one, |m| m.creation_rate),
            ),
            ("season_1", DataType::Float64, season(0)),
            ("season_2", DataType::Float64, season(1)),
            ("season_3", DataType::Float64, season(2)),
            (
                "win_spread",
                DataType::Float64,
                float_col(one, |m| m.spreads.win),
            ),
            (
                "creation_spread",
                DataType::Float64,
                float_col(one, |m| m.spreads.creation),
            ),
            (
                "won",
                DataType::UInt64,
                Arc::new(UInt64Array::from_iter_values([m.closed.won])),
            ),
            (
                "closed",
                DataType::UInt64,
                Arc::new(UInt64Array::from_iter_values([m.closed.total])),
            ),
            (
                "slip_count",
                DataType::UInt64,
                Arc::new(UInt64Array::from_iter_values(
                    [slips.map_or(0, |s| s.count)],
                )),
            ),
            (
                "slips_used",
                DataType::Boolean,
                Arc::new(BooleanArray::from(vec![slips.is_some_and(|s| s.used)])),
            ),
            (
                "slip_mean_days",
                DataType::Float64,
                Arc::new(Float64Array::from(vec![slips.map(|s| s.mean_days)])),
            ),
            ("slip_p10", DataType::Int64, slip(|s| s.p10)),
            ("slip_p25", DataType::Int64, slip(|s| s.p25)),
            ("slip_p50", DataType::Int64, slip(|s| s.p50)),
            ("slip_p75", DataType::Int64, slip(|s| s.p75)),
            ("slip_p90", DataType::Int64, slip(|s| s.p90)),
        ],
        "history model",
    )
}

/// What a history model learned per stage as a record batch, a row per stage (by name):
/// `stage` (text), `closed`, `won`, `open` (counts), `raw` (won ÷ closed, null without a
/// close), `probability` (shrunk toward the overall win rate), `own_timing` (bool: its own
/// time-to-close curve).
pub fn history_stages_batch(m: &HistoryModelSummary) -> Result<RecordBatch> {
    let st = &m.stages;
    let count = |f: fn(&leadcore::forecast::StageRate) -> u64| -> ArrayRef {
        Arc::new(UInt64Array::from_iter_values(st.iter().map(f)))
    };
    batch(
        vec![
            ("stage", DataType::Utf8, text_col(st, |s| Some(&s.stage))),
            ("closed", DataType::UInt64, count(|s| s.closed)),
            ("won", DataType::UInt64, count(|s| s.won)),
            ("open", DataType::UInt64, count(|s| s.open)),
            (
                "raw",
                DataType::Float64,
                Arc::new(Float64Array::from(
                    st.iter().map(|s| s.raw).collect::<Vec<_>>(),
                )),
            ),
            (
                "probability",
                DataType::Float64,
                float_col(st, |s| s.probability),
            ),
            (
                "own_timing",
                DataType::Boolean,
                Arc::new(BooleanArray::from(
                    st.iter().map(|s| s.own_timing).collect::<Vec<_>>(),
                )),
            ),
        ],
        "history stages",
    )
}

/// A backtest report as three record batches:
/// - rows: `method`, `as_of`, `to` (dates), `actual` (minor units), `point` (float), `p10`,
///   `p50`, `p90` (null for methods without an interval);
/// - scores: `method`, `windows`, `mape`, `pinball_10`, `pinball_50`, `pinball_90` (null
///   without intervals), `covered` (null without intervals);
/// - reps: `owner` (`""` for deals without one), `expected`, `actual`, `bias` (null when
///   nothing was won).
pub fn backtest_batches(r: &BacktestReport) -> Result<(RecordBatch, RecordBatch, RecordBatch)> {
    let rows = &r.rows;
    let rows = batch(
        vec![
            (
                "method",
                DataType::Utf8,
                text_col(rows, |r| Some(&r.method)),
            ),
            ("as_of", DataType::Date32, date_col(rows, |r| r.as_of)),
            ("to", DataType::Date32, date_col(rows, |r| r.to)),
            ("actual", DataType::Int64, int_col(rows, |r| r.actual)),
            ("point", DataType::Float64, float_col(rows, |r| r.point)),
            ("p10", DataType::Int64, opt_int_col(rows, |r| r.p10)),
            ("p50", DataType::Int64, opt_int_col(rows, |r| r.p50)),
            ("p90", DataType::Int64, opt_int_col(rows, |r| r.p90)),
        ],
        "backtest rows",
    )?;
    let s = &r.scores;
    let pin = |i: usize| opt_float_col(s, move |m| m.pinball.and_then(|p| p.get(i).copied()));
    let scores = batch(
        vec![
            ("method", DataType::Utf8, text_col(s, |m| Some(&m.method))),
            (
                "windows",
                DataType::UInt32,
                Arc::new(UInt32Array::from_iter_values(s.iter().map(|m| m.windows))),
            ),
            ("mape", DataType::Float64, opt_float_col(s, |m| m.mape)),
            ("pinball_10", DataType::Float64, pin(0)),
            ("pinball_50", DataType::Float64, pin(1)),
            ("pinball_90", DataType::Float64, pin(2)),
            (
                "covered",
                DataType::UInt32,
                Arc::new(UInt32Array::from(
                    s.iter().map(|m| m.covered).collect::<Vec<_>>(),
                )),
            ),
        ],
        "backtest scores",
    )?;
    let p = &r.reps;
    let reps = batch(
        vec![
            ("owner", DataType::Utf8, text_col(p, |r| Some(&r.owner))),
            ("expected", DataType::Float64, float_col(p, |r| r.expected)),
            ("actual", DataType::Int64, int_col(p, |r| r.actual)),
            ("bias", DataType::Float64, opt_float_col(p, |r| r.bias)),
        ],
        "backtest reps",
    )?;
    Ok((rows, scores, reps))
}

fn totals_cols<T>(
    prefix: &'static str,
    rows: &[T],
    f: impl Fn(&T) -> Totals + Copy,
) -> Vec<(String, DataType, ArrayRef)> {
    vec![
        (
            format!("{prefix}_count"),
            DataType::UInt64,
            Arc::new(UInt64Array::from_iter_values(
                rows.iter().map(|r| f(r).count),
            )) as ArrayRef,
        ),
        (
            format!("{prefix}_amount"),
            DataType::Int64,
            int_col(rows, move |r| f(r).amount),
        ),
        (
            format!("{prefix}_weighted"),
            DataType::Int64,
            int_col(rows, move |r| f(r).weighted),
        ),
    ]
}

fn named(cols: Vec<(&'static str, DataType, ArrayRef)>) -> Vec<(String, DataType, ArrayRef)> {
    cols.into_iter()
        .map(|(n, t, a)| (n.to_owned(), t, a))
        .collect()
}

fn owned_batch(cols: Vec<(String, DataType, ArrayRef)>, what: &str) -> Result<RecordBatch> {
    batch(
        cols.iter()
            .map(|(n, t, a)| (n.as_str(), t.clone(), a.clone()))
            .collect(),
        what,
    )
}

fn node_cols<T>(
    rows: &[T],
    node: impl Fn(&T) -> &str,
    parent: impl Fn(&T) -> Option<&str>,
    depth: impl Fn(&T) -> usize,
    period: impl Fn(&T) -> PeriodKey,
    currency: impl Fn(&T) -> &str,
) -> Vec<(String, DataType, ArrayRef)> {
    let spans: Vec<PeriodKey> = rows.iter().map(period).collect();
    let mut cols = named(vec![
        ("node", DataType::Utf8, text_col(rows, |r| Some(node(r)))),
        ("parent", DataType::Utf8, text_col(rows, parent)),
        (
            "depth",
            DataType::UInt32,
            Arc::new(UInt32Array::from_iter_values(
                rows.iter()
                    .map(|r| u32::try_from(depth(r)).unwrap_or(u32::MAX)),
            )),
        ),
    ]);
    cols.extend(named(span_columns(&spans)));
    cols.push((
        "currency".to_owned(),
        DataType::Utf8,
        text_col(rows, |r| Some(currency(r))),
    ));
    cols
}

/// A hierarchy roll-up as two record batches:
/// - cells, a row per node, currency, span and category: `node`, `parent` (null for a
///   root), `depth`, `period` (`FY2026-Q1`), `year`, `granularity`, `index`, `currency`,
///   `category`, `own_count`, `own_amount`, `own_weighted`, `total_count`, `total_amount`,
///   `total_weighted`;
/// - spans, a row per node, span and currency: `node`, `parent`, `depth`, `period`, `year`,
///   `granularity`, `index`, `currency`, `{closed,commit,best_case,pipeline}_{count,amount,
///   weighted}` (the cumulative views of the node's total), `quota`, `attainment`,
///   `coverage` (null without a quota).
pub fn rollup_batches(out: &RollupOutput) -> Result<(RecordBatch, RecordBatch)> {
    let c = &out.cells;
    let mut cols = node_cols(
        c,
        |r| &r.node,
        |r| r.parent.as_deref(),
        |r| r.depth,
        |r| r.period,
        |r| &r.currency,
    );
    cols.push((
        "category".to_owned(),
        DataType::Utf8,
        text_col(c, |r| Some(category_name(r.category))),
    ));
    cols.extend(totals_cols("own", c, |r| r.own));
    cols.extend(totals_cols("total", c, |r| r.total));
    let cells = owned_batch(cols, "rollup cells")?;
    let s = &out.spans;
    let mut cols = node_cols(
        s,
        |r| &r.node,
        |r| r.parent.as_deref(),
        |r| r.depth,
        |r| r.period,
        |r| &r.currency,
    );
    cols.extend(totals_cols("closed", s, |r| r.cumulative.closed));
    cols.extend(totals_cols("commit", s, |r| r.cumulative.commit));
    cols.extend(totals_cols("best_case", s, |r| r.cumulative.best_case));
    cols.extend(totals_cols("pipeline", s, |r| r.cumulative.pipeline));
    cols.extend(named(vec![
        ("quota", DataType::Int64, opt_int_col(s, |r| r.quota)),
        (
            "attainment",
            DataType::Float64,
            opt_float_col(s, |r| r.attainment),
        ),
        (
            "coverage",
            DataType::Float64,
            opt_float_col(s, |r| r.coverage),
        ),
    ]));
    let spans = owned_batch(cols, "rollup spans")?;
    Ok((cells, spans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::BooleanArray;
    use arrow_array::cast::AsArray;
    use leadcore::forecast::{BacktestInput, HistoryForecastInput, RollupInput};

    fn history() -> Table {
        history_with(Arc::new(BooleanArray::from(
            (0..40).map(|i| i % 2 == 0).collect::<Vec<_>>(),
        )))
    }

    fn history_with(won: ArrayRef) -> Table {
        let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
        let n = 40usize;
        let ids: Vec<String> = (0..n).map(|i| format!("O{i}")).collect();
        let created: Vec<String> = (0..n)
            .map(|i| format!("2026-01-{:02}", 1 + i % 20))
            .collect();
        let closed: Vec<String> = (0..n)
            .map(|i| format!("2026-01-{:02}", 11 + i % 20))
            .collect();
        Table::new(vec![
            col("opportunity_id", Arc::new(StringArray::from(ids))),
            col("owner", Arc::new(StringArray::from(vec![Some("ana"); n]))),
            col("amount", Arc::new(Int64Array::from(vec![100; n]))),
            col("currency", Arc::new(StringArray::from(vec!["USD"; n]))),
            col("created", Arc::new(StringArray::from(created))),
            col("closed", Arc::new(StringArray::from(closed))),
            col("won", won),
        ])
    }

    #[test]
    fn history_in_windows_out() {
        let deals = historical_deals(&history()).unwrap();
        assert_eq!(deals.len(), 40);
        assert_eq!(deals[1].outcome.as_ref().unwrap().value, 0);
        let input = HistoryForecastInput {
            deals,
            as_of: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            windows: vec![leadcore::forecast::Window {
                from: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                to: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            }],
            model: Default::default(),
            calendar: leadcore::forecast::FiscalCalendar::new(1).unwrap(),
            trials: 10,
            seed: 1,
        };
        let out = input.run().unwrap();
        let w = windows_batch(&out.windows, out.model.currency.as_deref()).unwrap();
        assert_eq!(w.num_rows(), 1);
        assert_eq!(w.column(2).as_string::<i32>().value(0), "USD");
        let m = history_model_batch(&out.model).unwrap();
        assert_eq!(m.num_rows(), 1);
        let bt = BacktestInput {
            deals: input.deals.clone(),
            spec: serde_json::from_str(
                r#"{"first":"2026-01-15","count":2,"window_months":1,"trials":10}"#,
            )
            .unwrap(),
        };
        let (rows, scores, reps) = backtest_batches(&bt.run().unwrap()).unwrap();
        assert_eq!(
            (rows.num_rows(), scores.num_rows(), reps.num_rows()),
            (8, 4, 1)
        );
        assert!(scores.column_by_name("covered").unwrap().is_null(0));
    }

    #[test]
    fn bad_history_rows() {
        let t = history_with(Arc::new(BooleanArray::from(vec![None; 40])));
        let e = historical_deals(&t).unwrap_err();
        assert!(
            e.message()
                .contains("row 0 (deal O0): closed without `won`"),
            "{e}"
        );
    }

    #[test]
    fn rollup_out() {
        let out = RollupInput::from_json(
            r#"{"hierarchy":[{"node":"vp"},{"node":"ana","parent":"vp"}],"calendar":{"start_month":1},
              "deals":[{"owner":"ana","deal":{"id":"A","amount":{"minor":100,"currency":"USD"},"close_date":"2026-02-01","stage":"S","probability":0.5}}]}"#,
        )
        .unwrap()
        .run()
        .unwrap();
        let (cells, spans) = rollup_batches(&out).unwrap();
        assert_eq!((cells.num_rows(), spans.num_rows()), (2, 2));
        assert!(spans.column_by_name("quota").unwrap().is_null(0));
        let parent = cells.column_by_name("parent").unwrap();
        assert!(!parent.is_null(0) && parent.is_null(1)); // ana under vp, then the root
    }
}
