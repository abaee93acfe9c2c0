//! Forecasting in and out as Arrow: deals from a table; the weighted roll-up and the Monte
//! Carlo distribution out as record batches.

use crate::analytics::{id_texts, ints, texts};
use crate::read::{each_float, each_int, each_timestamp};
use crate::table::{ChunkedColumn, Table};
use crate::{Error, Result, invalid};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Date64Type};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::{DateTime, NaiveDate};
use leadcore::Money;
use leadcore::forecast::{
    Category, ForecastDeal, ForecastInput, Granularity, MonteCarloForecast, PeriodKey, RollupRow,
};
use std::sync::Arc;

const W: &str = "deals";

pub(crate) fn required<'a>(t: &'a Table, name: &str) -> Result<&'a ChunkedColumn> {
    t.column(name)
        .ok_or_else(|| invalid(format!("{W} need a `{name}` column")))
}

/// A date column: dates, timestamps (their UTC day) or `YYYY-MM-DD` text.
pub(crate) fn dates(c: &ChunkedColumn) -> Result<Vec<Option<NaiveDate>>> {
    let epoch = |days: i64| DateTime::from_timestamp(days.checked_mul(86_400)?, 0);
    let mut out: Vec<Option<NaiveDate>> = Vec::with_capacity(c.len());
    let bad = |row: usize| {
        invalid(format!(
            "{W} column `{}`, row {row}: date out of range",
            c.name
        ))
    };
    for chunk in &c.chunks {
        if *chunk.data_type() == DataType::Null {
            out.resize(out.len() + chunk.len(), None);
        } else if let Some(a) = chunk.as_primitive_opt::<Date32Type>() {
            for d in a.iter() {
                out.push(match d {
                    None => None,
                    Some(d) => Some(
                        epoch(i64::from(d))
                            .ok_or_else(|| bad(out.len()))?
                            .date_naive(),
                    ),
                });
            }
        } else if let Some(a) = chunk.as_primitive_opt::<Date64Type>() {
            for ms in a.iter() {
                out.push(match ms {
                    None => None,
                    Some(ms) => Some(
                        DateTime::from_timestamp(ms.div_euclid(1000), 0)
                            .ok_or_else(|| bad(out.len()))?
                            .date_naive(),
                    ),
                });
            }
        } else {
            let mut push = |x: Option<Option<i64>>| -> Result<()> {
                let row = out.len();
                out.push(match x {
                    None => None,
                    Some(s) => Some(
                        s.and_then(|s| DateTime::from_timestamp(s, 0))
                            .ok_or_else(|| bad(row))?
                            .date_naive(),
                    ),
                });
                Ok(())
            };
            if let Some(r) = each_timestamp(chunk.as_ref(), TimeUnit::Second, &mut push) {
                r?;
                continue;
            }
            let one = ChunkedColumn::new(c.name.clone(), chunk.clone());
            let text = texts(&one, W).map_err(|_| {
                Error::Type(format!(
                    "{W} column `{}` is {}, expected dates, timestamps or YYYY-MM-DD text",
                    c.name, c.data_type
                ))
            })?;
            for t in text {
                let row = out.len();
                out.push(match t {
                    None => None,
                    Some(t) => Some(NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
                        invalid(format!(
                            "{W} column `{}`, row {row}: `{t}` is not a YYYY-MM-DD date",
                            c.name
                        ))
                    })?),
                });
            }
        }
    }
    Ok(out)
}

/// A probability column: floats (integers 0 and 1 accepted).
fn probabilities(c: &ChunkedColumn) -> Result<Vec<Option<f64>>> {
    let mut out = Vec::with_capacity(c.len());
    for chunk in &c.chunks {
        if *chunk.data_type() == DataType::Null {
            out.resize(out.len() + chunk.len(), None);
            continue;
        }
        let mut push = |v: Option<f64>| -> Result<()> {
            out.push(v.filter(|x| !x.is_nan()));
            Ok(())
        };
        if let Some(r) = each_float(chunk.as_ref(), &mut push) {
            r?;
            continue;
        }
        let mut push = |v: Option<i64>| -> Result<()> {
            out.push(v.map(|i| i as f64));
            Ok(())
        };
        match each_int(chunk.as_ref(), &mut push, |u| {
            invalid(format!("{W} column `{}`: {u} is out of range", c.name))
        }) {
            Some(r) => r?,
            None => {
                return Err(Error::Type(format!(
                    "{W} column `{}` is {}, expected floats in [0, 1]",
                    c.name, c.data_type
                )));
            }
        }
    }
    Ok(out)
}

fn category(name: &str) -> Option<Category> {
    Category::ALL
        .into_iter()
        .find(|c| category_name(*c) == name)
}

pub(crate) fn category_name(c: Category) -> &'static str {
    match c {
        Category::Pipeline => "pipeline",
        Category::BestCase => "best_case",
        Category::Commit => "commit",
        Category::Closed => "closed",
        Category::Omitted => "omitted",
    }
}

pub(crate) fn granularity_name(g: Granularity) -> &'static str {
    match g {
        Granularity::Period => "period",
        Granularity::Quarter => "quarter",
        Granularity::Year => "year",
    }
}

/// A span's label: `FY2026`, `FY2026-Q3` or `FY2026-P07`.
pub(crate) fn label(p: PeriodKey) -> String {
    match p.granularity {
        Granularity::Year => format!("FY{}", p.year),
        Granularity::Quarter => format!("FY{}-Q{}", p.year, p.index),
        Granularity::Period => format!("FY{}-P{:02}", p.year, p.index),
    }
}

/// Deals from a table with `id` (text), `amount` (integer minor units), `currency` (text),
/// `close_date` (dates, timestamps or `YYYY-MM-DD` text), `stage` (text), `probability`
/// (floats in `[0, 1]`) and optionally `category_override` (`pipeline`, `best_case`,
/// `commit`, `closed`, `omitted`, or null). A missing value in a required column is an
/// error naming the row; other columns are ignored. Values are checked by the core.
///
/// ```
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let t = Table::new(vec![
///     col("id", Arc::new(StringArray::from(vec!["A"]))),
///     col("amount", Arc::new(Int64Array::from(vec![500]))),
///     col("currency", Arc::new(StringArray::from(vec!["USD"]))),
///     col("close_date", Arc::new(StringArray::from(vec!["2026-03-31"]))),
///     col("stage", Arc::new(StringArray::from(vec!["Proposal"]))),
///     col("probability", Arc::new(Float64Array::from(vec![0.4]))),
/// ]);
/// let deals = leadcore_arrow::forecast_deals(&t).unwrap();
/// assert_eq!(deals[0].weighted_minor().unwrap(), 200);
/// ```
pub fn forecast_deals(table: &Table) -> Result<Vec<ForecastDeal>> {
    let ids = id_texts(required(table, "id")?, W)?;
    let amount = ints(required(table, "amount")?, W)?;
    let currency = texts(required(table, "currency")?, W)?;
    let close = dates(required(table, "close_date")?)?;
    let stage = texts(required(table, "stage")?, W)?;
    let prob = probabilities(required(table, "probability")?)?;
    let over = table
        .column("category_override")
        .map(|c| texts(c, W))
        .transpose()?;
    let n = ids.len();
    if [
        amount.len(),
        currency.len(),
        close.len(),
        stage.len(),
        prob.len(),
    ]
    .iter()
    .any(|&l| l != n)
    {
        return Err(invalid(format!("{W} columns differ in length")));
    }
    let mut deals = Vec::with_capacity(n);
    let rows = ids
        .into_iter()
        .zip(amount)
        .zip(currency)
        .zip(close)
        .zip(stage)
        .zip(prob);
    for (row, (((((id, amount), currency), close), stage), prob)) in rows.enumerate() {
        let id = id.ok_or_else(|| invalid(format!("{W}, row {row}: no id")))?;
        let missing = |col: &str| invalid(format!("{W}, row {row} (deal {id}): no {col}"));
        let mut deal = ForecastDeal::new(
            id.clone(),
            Money::new(
                amount.ok_or_else(|| missing("amount"))?,
                currency.ok_or_else(|| missing("currency"))?,
            ),
            close.ok_or_else(|| missing("close_date"))?,
            stage.ok_or_else(|| missing("stage"))?,
            prob.ok_or_else(|| missing("probability"))?,
        );
        if let Some(Some(o)) = over.as_ref().and_then(|o| o.get(row)) {
            deal.category_override = Some(category(o).ok_or_else(|| {
                invalid(format!(
                    "{W} column `category_override`, row {row} (deal {id}): `{o}` is not \
                     pipeline, best_case, commit, closed or omitted"
                ))
            })?);
        }
        deal.validate()?;
        deals.push(deal);
    }
    Ok(deals)
}

/// A forecast from a table of open deals, as every door gives it: `input`'s settings (its
/// `deals` replaced by the table's, read as [`forecast_deals`] reads them) run on `threads`
/// threads, the weighted pipeline as [`weighted_batch`]'s table and, when `input` asks for a
/// simulation, the Monte Carlo as [`monte_carlo_batch`]'s.
///
/// ```
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
/// use leadcore::forecast::ForecastInput;
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let deals = Table::new(vec![
///     col("id", Arc::new(Int64Array::from(vec![1, 2]))),
///     col("amount", Arc::new(Int64Array::from(vec![1000, 400]))),
///     col("currency", Arc::new(StringArray::from(vec!["USD", "USD"]))),
///     col("close_date", Arc::new(StringArray::from(vec!["2026-02-01", "2026-03-31"]))),
///     col("stage", Arc::new(StringArray::from(vec!["Demo", "Demo"]))),
///     col("probability", Arc::new(Float64Array::from(vec![0.2, 0.9]))),
/// ]);
/// let input = ForecastInput::from_json(r#"{"calendar":{"start_month":1},"deals":[]}"#).unwrap();
/// let (weighted, mc) = leadcore_arrow::forecast_tables(input, &deals, 1).unwrap();
/// assert_eq!(weighted.num_rows(), 1); // one period, one currency, one category
/// assert!(mc.is_none());
/// ```
pub fn forecast_tables(
    mut input: ForecastInput,
    deals: &Table,
    threads: usize,
) -> Result<(RecordBatch, Option<RecordBatch>)> {
    input.deals = forecast_deals(deals)?;
    let out = input.run(threads)?;
    let weighted = weighted_batch(&out.weighted)?;
    let mc = out
        .monte_carlo
        .as_ref()
        .map(monte_carlo_batch)
        .transpose()?;
    Ok((weighted, mc))
}

pub(crate) fn batch(columns: Vec<(&str, DataType, ArrayRef)>, what: &str) -> Result<RecordBatch> {
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns
        .into_iter()
        .map(|(n, t, a)| (Field::new(n, t, true), a))
        .unzip();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| invalid(format!("cannot build the {what} batch: {e}")))
}

pub(crate) fn span_columns(spans: &[PeriodKey]) -> Vec<(&'static str, DataType, ArrayRef)> {
    vec![
        (
            "period",
            DataType::Utf8,
            Arc::new(StringArray::from_iter_values(
                spans.iter().map(|p| label(*p)),
            )),
        ),
        (
            "year",
            DataType::Int32,
            Arc::new(Int32Array::from_iter_values(spans.iter().map(|p| p.year))),
        ),
        (
            "granularity",
            DataType::Utf8,
            Arc::new(StringArray::from_iter_values(
                spans.iter().map(|p| granularity_name(p.granularity)),
            )),
        ),
        (
            "index",
            DataType::Int32,
            Arc::new(Int32Array::from_iter_values(
                spans.iter().map(|p| i32::from(p.index)),
            )),
        ),
    ]
}

/// The weighted roll-up as one record batch, a row per currency, span and category:
/// `period` (`FY2026-Q1`), `year`, `granularity`, `index`, `currency`, `category`, `count`,
/// `amount`, `weighted` (minor units).
pub fn weighted_batch(rows: &[RollupRow]) -> Result<RecordBatch> {
    let spans: Vec<PeriodKey> = rows.iter().map(|r| r.period).collect();
    let mut cols = span_columns(&spans);
    cols.push((
        "currency",
        DataType::Utf8,
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.currency.as_str()),
        )),
    ));
    cols.push((
        "category",
        DataType::Utf8,
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| category_name(r.category)),
        )),
    ));
    cols.push((
        "count",
        DataType::UInt64,
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|r| r.totals.count),
        )),
    ));
    cols.push((
        "amount",
        DataType::Int64,
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.totals.amount),
        )),
    ));
    cols.push((
        "weighted",
        DataType::Int64,
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.totals.weighted),
        )),
    ));
    batch(cols, "weighted pipeline")
}

/// A Monte Carlo forecast as one record batch, a row per span: `period`, `year`,
/// `granularity`, `index`, `currency`, `closed`, `expected`, `mean`, `p10`, `p50`, `p90`
/// (minor units), `quota` and `p_reach_quota` (null without a quota).
pub fn monte_carlo_batch(f: &MonteCarloForecast) -> Result<RecordBatch> {
    let p = &f.periods;
    let spans: Vec<PeriodKey> = p.iter().map(|r| r.period).collect();
    let mut cols = span_columns(&spans);
    let int = |g: fn(&leadcore::forecast::PeriodForecast) -> i64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(p.iter().map(g)))
    };
    let float = |g: fn(&leadcore::forecast::PeriodForecast) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(p.iter().map(g)))
    };
    cols.push((
        "currency",
        DataType::Utf8,
        Arc::new(StringArray::from(vec![f.currency.clone(); p.len()])),
    ));
    cols.push(("closed", DataType::Int64, int(|r| r.closed)));
    cols.push(("expected", DataType::Float64, float(|r| r.expected)));
    cols.push(("mean", DataType::Float64, float(|r| r.mean)));
    cols.push(("p10", DataType::Int64, int(|r| r.p10)));
    cols.push(("p50", DataType::Int64, int(|r| r.p50)));
    cols.push(("p90", DataType::Int64, int(|r| r.p90)));
    cols.push((
        "quota",
        DataType::Int64,
        Arc::new(Int64Array::from(
            p.iter().map(|r| r.quota).collect::<Vec<_>>(),
        )),
    ));
    cols.push((
        "p_reach_quota",
        DataType::Float64,
        Arc::new(Float64Array::from(
            p.iter().map(|r| r.p_reach_quota).collect::<Vec<_>>(),
        )),
    ));
    batch(cols, "Monte Carlo")
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadcore::forecast::ForecastInput;

    #[test]
    fn batches_from_a_run() {
        let out = ForecastInput::from_json(
            r#"{"calendar":{"start_month":1},"deals":[
              {"id":"A","amount":{"minor":100,"currency":"USD"},"close_date":"2026-02-01","stage":"Open","probability":0.5}],
              "monte_carlo":{"trials":10,"seed":1}}"#,
        )
        .unwrap()
        .run(1)
        .unwrap();
        let w = weighted_batch(&out.weighted).unwrap();
        assert_eq!(w.num_rows(), 1);
        assert_eq!(w.column(0).as_string::<i32>().value(0), "FY2026-Q1");
        let m = monte_carlo_batch(out.monte_carlo.as_ref().unwrap()).unwrap();
        assert_eq!(m.num_rows(), 1);
        assert!(m.column_by_name("quota").unwrap().is_null(0));
    }

    #[test]
    fn deals_from_dates_and_timestamps() {
        use arrow_array::{Date32Array, TimestampMicrosecondArray};
        let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
        let base = |close: ArrayRef| {
            Table::new(vec![
                col("id", Arc::new(StringArray::from(vec!["A"]))),
                col("amount", Arc::new(Int64Array::from(vec![5]))),
                col("currency", Arc::new(StringArray::from(vec!["USD"]))),
                col("close_date", close),
                col("stage", Arc::new(StringArray::from(vec!["S"]))),
                col("probability", Arc::new(Int64Array::from(vec![1]))),
            ])
        };
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let d = forecast_deals(&base(Arc::new(Date32Array::from(vec![20_514])))).unwrap();
        assert_eq!(d[0].close_date, day);
        let us = 20_514i64 * 86_400 * 1_000_000 + 3_600_000_000;
        let d = forecast_deals(&base(Arc::new(TimestampMicrosecondArray::from(vec![us])))).unwrap();
        assert_eq!((d[0].close_date, d[0].probability), (day, 1.0));
        let e = forecast_deals(&base(Arc::new(StringArray::from(vec!["2026/03/02"])))).unwrap_err();
        assert!(e.message().contains("row 0"), "{e}");
    }
}
