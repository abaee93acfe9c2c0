//! Pipeline analytics in and out as Arrow: opportunities (and their stage entries) from
//! tables, grouped pipeline metrics out as one record batch of a row per group and stage.

use crate::ids::{IntIds, KeyIndex};
use crate::read::{each_float, each_int, each_timestamp, encode_strings};
use crate::table::{ChunkedColumn, Table};
use crate::{Error, Result, invalid};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Date64Type};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::{DateTime, Utc};
use leadcore::analytics::{
    DealColumns, DealGroups, DealHistory, GroupReport, GroupedMetrics, MetricsSpec, PipelineStages,
    SliceKey, StageEntry, StageEntryColumns,
};
use leadcore::columnar::{DictBuilder, NULL_CODE};
use leadcore::{DealType, Money, StageKind};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) fn texts(c: &ChunkedColumn, what: &str) -> Result<Vec<Option<String>>> {
    let mut b = DictBuilder::default();
    if !encode_strings(c, &mut b) {
        return Err(Error::Type(format!(
            "{what} column `{}` is {}, expected text",
            c.name, c.data_type
        )));
    }
    Ok(b.codes
        .iter()
        .map(|&k| b.dictionary.get(k as usize).cloned())
        .collect())
}

/// Ids as text: text, or integers of any width as their decimal text.
pub(crate) fn id_texts(c: &ChunkedColumn, what: &str) -> Result<Vec<Option<String>>> {
    match KeyIndex::keys(c) {
        Some((keys, texts)) => Ok(keys
            .iter()
            .zip(texts)
            .map(|(k, t)| k.is_some().then_some(t))
            .collect()),
        None => texts(c, what),
    }
}

pub(crate) fn ints(c: &ChunkedColumn, what: &str) -> Result<Vec<Option<i64>>> {
    let mut out = Vec::with_capacity(c.len());
    for chunk in &c.chunks {
        if *chunk.data_type() == DataType::Null {
            out.resize(out.len() + chunk.len(), None);
            continue;
        }
        let mut push = |v: Option<i64>| -> Result<()> {
            out.push(v);
            Ok(())
        };
        if let Some(r) = each_int(chunk.as_ref(), &mut push, |u| {
            invalid(format!("{what} column `{}`: {u} is out of range", c.name))
        }) {
            r?;
            continue;
        }
        // Floats holding whole numbers (pandas turns an integer column with a missing value
        // into floats); NaN is missing.
        let mut whole = |v: Option<f64>| -> Result<()> {
            match v {
                None => out.push(None),
                Some(x) if x.is_nan() => out.push(None),
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => out.push(Some(x as i64)),
                Some(x) => {
                    return Err(invalid(format!(
                        "{what} column `{}`, row {}: {x} is not a whole number of minor units",
                        c.name,
                        out.len()
                    )));
                }
            }
            Ok(())
        };
        match each_float(chunk.as_ref(), &mut whole) {
            Some(r) => r?,
            None => {
                return Err(Error::Type(format!(
                    "{what} column `{}` is {}, expected integers (minor units)",
                    c.name, c.data_type
                )));
            }
        }
    }
    Ok(out)
}

/// A time column: timestamps of any unit (UTC), dates, integers (Unix seconds), or RFC 3339
/// text (to the second).
pub(crate) fn times(c: &ChunkedColumn, what: &str) -> Result<Vec<Option<DateTime<Utc>>>> {
    let mut out = Vec::with_capacity(c.len());
    let bad = |row: usize| {
        invalid(format!(
            "{what} column `{}`, row {row}: time out of range",
            c.name
        ))
    };
    let rfc3339 = |row: usize, text: &str| -> Result<i64> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp())
            .map_err(|e| {
                invalid(format!(
                    "{what} column `{}`, row {row}: `{text}` is not an RFC 3339 time ({e})",
                    c.name
                ))
            })
    };
    for chunk in &c.chunks {
        let texts: Option<Vec<Option<&str>>> = if let Some(a) = chunk.as_string_opt::<i32>() {
            Some(a.iter().collect())
        } else if let Some(a) = chunk.as_string_opt::<i64>() {
            Some(a.iter().collect())
        } else {
            chunk.as_string_view_opt().map(|a| a.iter().collect())
        };
        let secs: Vec<Option<i64>> = if let Some(texts) = texts {
            let start = out.len();
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| t.map(|t| rfc3339(start + i, t)).transpose())
                .collect::<Result<_>>()?
        } else if *chunk.data_type() == DataType::Null {
            vec![None; chunk.len()]
        } else if let Some(a) = chunk.as_primitive_opt::<Date32Type>() {
            a.iter().map(|d| d.map(|d| i64::from(d) * 86_400)).collect()
        } else if let Some(a) = chunk.as_primitive_opt::<Date64Type>() {
            a.iter().map(|d| d.map(|d| d.div_euclid(1000))).collect()
        } else {
            let mut v = Vec::with_capacity(chunk.len());
            let mut push = |x: Option<Option<i64>>| -> Result<()> {
                match x {
                    None => v.push(None),
                    Some(Some(s)) => v.push(Some(s)),
                    Some(None) => return Err(bad(out.len() + v.len())),
                }
                Ok(())
            };
            if let Some(r) = each_timestamp(chunk.as_ref(), TimeUnit::Second, &mut push) {
                r?;
            } else {
                let mut push = |x: Option<i64>| -> Result<()> {
                    v.push(x);
                    Ok(())
                };
                match each_int(chunk.as_ref(), &mut push, |u| {
                    invalid(format!("{what} column `{}`: {u} is out of range", c.name))
                }) {
                    Some(r) => r?,
                    None => {
                        return Err(Error::Type(format!(
                            "{what} column `{}` is {}, expected timestamps, dates, Unix seconds or RFC 3339 text",
                            c.name, c.data_type
                        )));
                    }
                }
            }
            v
        };
        for s in secs {
            out.push(match s {
                None => None,
                Some(s) => Some(DateTime::from_timestamp(s, 0).ok_or_else(|| bad(out.len()))?),
            });
        }
    }
    Ok(out)
}

fn deal_type(name: &str) -> Option<DealType> {
    [DealType::NewBusiness, DealType::Upsell, DealType::CrossSell]
        .into_iter()
        .find(|t| t.name() == name)
}

fn stage_kind(k: StageKind) -> &'static str {
    match k {
        StageKind::Open => "open",
        StageKind::Won => "won",
        StageKind::Lost => "lost",
        StageKind::Nurture => "nurture",
        StageKind::Disqualified => "disqualified",
    }
}

fn id_column<'a>(t: &'a Table, what: &str) -> Result<&'a ChunkedColumn> {
    t.column("opportunity_id")
        .or_else(|| t.column("id"))
        .ok_or_else(|| invalid(format!("{what} need an `opportunity_id` (or `id`) column")))
}

/// Opportunities from a table with `opportunity_id` (or `id`), and optionally the slice
/// keys `owner`, `team`, `manager`, `office`, `source`, `pipeline` (text), `kind`
/// (`new_business`, `upsell`, `cross_sell`; null: new business), `amount` (integer minor
/// units) with `currency` (text; required where an amount is), `created_at` (timestamps,
/// dates or Unix seconds) and `stage` (the current stage); plus their stage entries from a
/// table with `opportunity_id`, `at` and `stage`, sorted by time within each opportunity
/// (ties keep row order). A stage row naming no opportunity of the first table, or without
/// a time or a stage, is an error naming the row. Other columns are ignored.
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let opps = Table::new(vec![
///     col("opportunity_id", Arc::new(StringArray::from(vec!["A", "B"]))),
///     col("amount", Arc::new(Int64Array::from(vec![Some(500), None]))),
///     col("currency", Arc::new(StringArray::from(vec![Some("USD"), None]))),
/// ]);
/// let hist = Table::new(vec![
///     col("opportunity_id", Arc::new(StringArray::from(vec!["A", "A"]))),
///     col("at", Arc::new(Int64Array::from(vec![200, 100]))),
///     col("stage", Arc::new(StringArray::from(vec!["Won", "Open"]))),
/// ]);
/// let deals = leadcore_arrow::deal_histories(&opps, Some(&hist)).unwrap();
/// assert_eq!(deals[0].history[0].stage, "Open");
/// assert_eq!(deals[1].amount, None);
/// ```
pub fn deal_histories(opportunities: &Table, history: Option<&Table>) -> Result<Vec<DealHistory>> {
    const W: &str = "opportunities";
    let ids = id_texts(id_column(opportunities, W)?, W)?;
    let n = ids.len();
    let text_col = |name: &str| -> Result<Option<Vec<Option<String>>>> {
        opportunities.column(name).map(|c| texts(c, W)).transpose()
    };
    let mut deals: Vec<DealHistory> = Vec::with_capacity(n);
    let mut index: HashMap<String, usize> = HashMap::with_capacity(n);
    for (row, id) in ids.into_iter().enumerate() {
        let id = id.ok_or_else(|| invalid(format!("{W}, row {row}: no opportunity_id")))?;
        if index.insert(id.clone(), row).is_some() {
            return Err(invalid(format!(
                "{W}, row {row}: opportunity `{id}` is listed twice"
            )));
        }
        deals.push(DealHistory {
            id,
            ..Default::default()
        });
    }
    for key in SliceKey::ALL {
        let Some(values) = text_col(key.name())? else {
            continue;
        };
        for (row, (d, v)) in deals.iter_mut().zip(values).enumerate() {
            match key {
                SliceKey::Owner => d.owner = v,
                SliceKey::Team => d.team = v,
                SliceKey::Manager => d.manager = v,
                SliceKey::Office => d.office = v,
                SliceKey::Source => d.source = v,
                SliceKey::Pipeline => d.pipeline = v,
                SliceKey::Kind => {
                    if let Some(k) = v {
                        d.kind = deal_type(&k).ok_or_else(|| {
                                invalid(format!(
                                    "{W} column `kind`, row {row}: `{k}` is not new_business, upsell or cross_sell"
                                ))
                            })?;
                    }
                }
            }
        }
    }
    if let Some(stage) = text_col("stage")? {
        for (d, s) in deals.iter_mut().zip(stage) {
            d.stage = s;
        }
    }
    if let Some(c) = opportunities.column("created_at") {
        for (d, t) in deals.iter_mut().zip(times(c, W)?) {
            d.created_at = t;
        }
    }
    if let Some(c) = opportunities.column("amount") {
        let currency = text_col("currency")?;
        for (row, (d, a)) in deals.iter_mut().zip(ints(c, W)?).enumerate() {
            if let Some(minor) = a {
                let cur = currency
                    .as_ref()
                    .and_then(|c| c.get(row).cloned().flatten())
                    .ok_or_else(|| {
                        invalid(format!("{W}, row {row}: an amount needs a `currency`"))
                    })?;
                d.amount = Some(Money::new(minor, cur));
            }
        }
    }
    if let Some(h) = history {
        const H: &str = "stage history";
        let ids = id_texts(id_column(h, H)?, H)?;
        let at = times(
            h.column("at")
                .ok_or_else(|| invalid("stage history needs an `at` column"))?,
            H,
        )?;
        let stage = texts(
            h.column("stage")
                .ok_or_else(|| invalid("stage history needs a `stage` column"))?,
            H,
        )?;
        if at.len() != ids.len() || stage.len() != ids.len() {
            return Err(invalid("stage history columns differ in length"));
        }
        for (row, ((id, at), stage)) in ids.into_iter().zip(at).zip(stage).enumerate() {
            let (Some(id), Some(at), Some(stage)) = (id, at, stage) else {
                return Err(invalid(format!(
                    "{H}, row {row}: opportunity_id, at and stage are all required"
                )));
            };
            let i = *index.get(&id).ok_or_else(|| {
                invalid(format!(
                    "{H}, row {row}: no opportunity `{id}` in the opportunities"
                ))
            })?;
            if let Some(d) = deals.get_mut(i) {
                d.history.push(StageEntry { at, stage });
            }
        }
        for d in &mut deals {
            d.history.sort_by_key(|e| e.at);
        }
    }
    Ok(deals)
}

/// Opportunities and their stage entries as columns for
/// [`GroupedMetrics::add_columns`](leadcore::analytics::GroupedMetrics::add_columns): the
/// tables and their errors of [`deal_histories`], read without an object per row. Stage
/// names resolve against `stages` (an unknown one is `lifecycle.unknown_stage`), each
/// opportunity's entries are sorted by time (ties keep row order), and the groups are those
/// of the keys `by` (a missing `kind` is new business).
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array, StringArray};
/// use leadcore::analytics::{PipelineStages, StageDef};
/// use leadcore::StageKind;
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let opps = Table::new(vec![col("opportunity_id", Arc::new(StringArray::from(vec!["A", "B"])))]);
/// let hist = Table::new(vec![
///     col("opportunity_id", Arc::new(StringArray::from(vec!["A", "A"]))),
///     col("at", Arc::new(Int64Array::from(vec![200, 100]))),
///     col("stage", Arc::new(StringArray::from(vec!["Won", "Open"]))),
/// ]);
/// let stages = PipelineStages::new("p", vec![StageDef::new("Open", StageKind::Open), StageDef::new("Won", StageKind::Won)]).unwrap();
/// let (deals, _, entries) = leadcore_arrow::deal_columns(&opps, Some(&hist), &stages, &[]).unwrap();
/// assert_eq!(deals.ids, ["A", "B"]);
/// assert_eq!((entries.deal, entries.stage, entries.at), (vec![0, 0], vec![0, 1], vec![100_000_000, 200_000_000]));
/// ```
pub fn deal_columns(
    opportunities: &Table,
    history: Option<&Table>,
    stages: &PipelineStages,
    by: &[SliceKey],
) -> Result<(DealColumns, DealGroups, StageEntryColumns)> {
    const W: &str = "opportunities";
    let mut ids = DictBuilder::default();
    let idc = id_column(opportunities, W)?;
    // Integer ids (any width) are found as integers, text ids through a dictionary.
    let int_ids = match KeyIndex::keys(idc) {
        Some((keys, texts)) => {
            if let Some(row) = keys.iter().position(Option::is_none) {
                return Err(invalid(format!("{W}, row {row}: no opportunity_id")));
            }
            let index = KeyIndex::new(&keys).map_err(|row| {
                let id = texts.get(row).map_or("", String::as_str);
                invalid(format!(
                    "{W}, row {row}: opportunity `{id}` is listed twice"
                ))
            })?;
            ids.dictionary = texts;
            Some(index)
        }
        None => {
            if !encode_strings(idc, &mut ids) {
                return Err(Error::Type(format!(
                    "{W} column `{}` is {}, expected text or integers",
                    idc.name, idc.data_type
                )));
            }
            None
        }
    };
    let n = if int_ids.is_some() {
        ids.dictionary.len()
    } else {
        ids.codes.len()
    };
    let mut next = 0u32;
    for (row, &c) in ids.codes.iter().enumerate() {
        if c == NULL_CODE {
            return Err(invalid(format!("{W}, row {row}: no opportunity_id")));
        }
        if c == next {
            next += 1;
        } else {
            let id = ids.dictionary.get(c as usize).map_or("", String::as_str);
            return Err(invalid(format!(
                "{W}, row {row}: opportunity `{id}` is listed twice"
            )));
        }
    }
    let dict = |name: &str| -> Result<Option<DictBuilder>> {
        let Some(c) = opportunities.column(name) else {
            return Ok(None);
        };
        let mut b = DictBuilder::default();
        if !encode_strings(c, &mut b) {
            return Err(Error::Type(format!(
                "{W} column `{}` is {}, expected text",
                c.name, c.data_type
            )));
        }
        Ok(Some(b))
    };
    // the slice keys, read (and checked) in the order of the row path
    let mut keys: Vec<(SliceKey, Option<DictBuilder>)> = Vec::new();
    let mut expansion = Vec::new();
    for key in SliceKey::ALL {
        let values = dict(key.name())?;
        if key == SliceKey::Kind
            && let Some(b) = &values
        {
            let kinds: Vec<Option<DealType>> = b.dictionary.iter().map(|k| deal_type(k)).collect();
            expansion.reserve(n);
            for (row, &c) in b.codes.iter().enumerate() {
                let kind = match c {
                    NULL_CODE => DealType::NewBusiness,
                    c => kinds.get(c as usize).copied().flatten().ok_or_else(|| {
                        let k = b.dictionary.get(c as usize).map_or("", String::as_str);
                        invalid(format!(
                            "{W} column `kind`, row {row}: `{k}` is not new_business, upsell or cross_sell"
                        ))
                    })?,
                };
                expansion.push(kind != DealType::NewBusiness);
            }
        }
        if by.contains(&key) {
            keys.push((key, values));
        }
    }
    let current = dict("stage")?;
    let created: Vec<Option<i64>> = match opportunities.column("created_at") {
        Some(c) => times(c, W)?
            .into_iter()
            .map(|t| t.map(|t| t.timestamp_micros()))
            .collect(),
        None => Vec::new(),
    };
    let (mut amount, mut currency) = (Vec::new(), Vec::new());
    let mut currencies = DictBuilder::default();
    if let Some(c) = opportunities.column("amount") {
        let cur = dict("currency")?;
        amount = ints(c, W)?;
        currency.reserve(amount.len());
        for (row, a) in amount.iter().enumerate() {
            let code = cur.as_ref().and_then(|c| c.codes.get(row).copied());
            match (a, code) {
                (Some(_), None | Some(NULL_CODE)) => {
                    return Err(invalid(format!(
                        "{W}, row {row}: an amount needs a `currency`"
                    )));
                }
                (_, Some(c)) if c != NULL_CODE => {
                    let name = cur
                        .as_ref()
                        .and_then(|b| b.dictionary.get(c as usize))
                        .map_or("", String::as_str);
                    currencies.push(Some(name));
                    currency.push(currencies.codes.pop().unwrap_or(0));
                }
                _ => currency.push(0),
            }
        }
    }
    let mut entries = StageEntryColumns::default();
    if let Some(h) = history {
        const H: &str = "stage history";
        let hid = id_column(h, H)?;
        let known = ids.dictionary.len() as u32;
        let first = ids.codes.len();
        // Per row, its deal: a code of the dictionary (text ids; a code from `known` on is an
        // id of no opportunity), or a row of the opportunities (integer ids).
        let hcodes: Vec<u32> = match &int_ids {
            Some(index) => {
                if !KeyIndex::is_int(hid) && !hid.is_empty() {
                    return Err(Error::Type(format!(
                        "{H} column `{}` is {}, expected integers as the opportunities' ids are",
                        hid.name, hid.data_type
                    )));
                }
                index.rows(hid)
            }
            None => {
                if !encode_strings(hid, &mut ids) {
                    return Err(Error::Type(format!(
                        "{H} column `{}` is {}, expected text as the opportunities' ids are",
                        hid.name, hid.data_type
                    )));
                }
                ids.codes.split_off(first)
            }
        };
        let null_id = |row: usize| match &int_ids {
            Some(_) => IntIds(hid.clone()).text(row).is_none(),
            None => true, // a text id of no opportunity has a code of its own
        };
        let id_at = |row: usize, d: u32| match &int_ids {
            Some(_) => IntIds(hid.clone()).text(row).unwrap_or_default(),
            None => ids.dictionary.get(d as usize).cloned().unwrap_or_default(),
        };
        let at = times(
            h.column("at")
                .ok_or_else(|| invalid("stage history needs an `at` column"))?,
            H,
        )?;
        let sc = h
            .column("stage")
            .ok_or_else(|| invalid("stage history needs a `stage` column"))?;
        let mut names = DictBuilder::default();
        if !encode_strings(sc, &mut names) {
            return Err(Error::Type(format!(
                "{H} column `{}` is {}, expected text",
                sc.name, sc.data_type
            )));
        }
        if at.len() != hcodes.len() || names.codes.len() != hcodes.len() {
            return Err(invalid("stage history columns differ in length"));
        }
        let mut rows: Vec<(u32, i64, u32)> = Vec::with_capacity(hcodes.len());
        for (row, ((&d, t), &s)) in hcodes.iter().zip(&at).zip(&names.codes).enumerate() {
            let (Some(t), false, false) = (t, d == NULL_CODE && null_id(row), s == NULL_CODE)
            else {
                return Err(invalid(format!(
                    "{H}, row {row}: opportunity_id, at and stage are all required"
                )));
            };
            if d >= known {
                let id = id_at(row, d);
                return Err(invalid(format!(
                    "{H}, row {row}: no opportunity `{id}` in the opportunities"
                )));
            }
            rows.push((d, t.timestamp_micros(), s));
        }
        // deal codes are deal rows: ids are unique, coded in row order. The core takes rows
        // in any order across deals, each deal's in time order: a table already so (grouped
        // by deal, or in time order as a history export is) is kept as it is; otherwise
        // sorted by deal and time (ties keep row order either way).
        let mut last = vec![i64::MIN; known as usize];
        let in_order = rows.iter().all(|&(d, t, _)| {
            last.get_mut(d as usize).is_some_and(|l| {
                let ok = *l <= t;
                *l = t;
                ok
            })
        });
        drop(last);
        if !in_order {
            rows.sort_by_key(|r| (r.0, r.1));
        }
        let index = names
            .dictionary
            .iter()
            .map(|name| stages.index(name).map(|i| i as u32))
            .collect::<leadcore::Result<Vec<u32>>>()?;
        entries.deal.reserve(rows.len());
        entries.stage.reserve(rows.len());
        entries.at.reserve(rows.len());
        for (d, t, s) in rows {
            entries.deal.push(d);
            entries
                .stage
                .push(index.get(s as usize).copied().unwrap_or(0));
            entries.at.push(t);
        }
        ids.codes.truncate(first);
    }
    let stage = match current {
        None => Vec::new(),
        Some(b) => {
            let index = b
                .dictionary
                .iter()
                .map(|name| stages.index(name).map(|i| i as u32))
                .collect::<leadcore::Result<Vec<u32>>>()?;
            b.codes
                .iter()
                .map(|&c| index.get(c as usize).copied())
                .collect()
        }
    };
    let groups = group_of(n, &keys);
    let mut dictionary = ids.dictionary;
    dictionary.truncate(n);
    Ok((
        DealColumns {
            ids: dictionary,
            amount,
            currency,
            currencies: currencies.dictionary,
            expansion,
            created,
            stage,
        },
        groups,
        entries,
    ))
}

/// Pipeline metrics from tables, as every door gives them: the opportunities (and their
/// stage history) read as [`deal_columns`] reads them, accumulated per group of `by` in one
/// columnar pass, and the report as [`pipeline_metrics_batch`]'s table (a row per group and
/// stage).
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array, StringArray};
/// use chrono::{TimeZone, Utc};
/// use leadcore::analytics::{MetricsSpec, Period, PipelineStages, StageDef};
/// use leadcore::StageKind;
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let opps = Table::new(vec![col("opportunity_id", Arc::new(Int64Array::from(vec![7, 8])))]);
/// let hist = Table::new(vec![
///     col("opportunity_id", Arc::new(Int64Array::from(vec![7, 8, 7]))),
///     col("at", Arc::new(Int64Array::from(vec![1_483_228_800, 1_483_315_200, 1_484_092_800]))),
///     col("stage", Arc::new(StringArray::from(vec!["Open", "Open", "Won"]))),
/// ]);
/// let stages = PipelineStages::new("p", vec![StageDef::new("Open", StageKind::Open),
///     StageDef::new("Won", StageKind::Won)]).unwrap();
/// let t = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
/// let spec = MetricsSpec::new(stages, Period { from: t(2017), to: t(2018) }, None).unwrap();
/// let table = leadcore_arrow::pipeline_metrics_table(&opps, Some(&hist), spec, &[]).unwrap();
/// assert_eq!(table.num_rows(), 2); // a row per stage
/// ```
pub fn pipeline_metrics_table(
    opportunities: &Table,
    history: Option<&Table>,
    spec: MetricsSpec,
    by: &[SliceKey],
) -> Result<RecordBatch> {
    let (deals, groups, entries) = deal_columns(opportunities, history, spec.stages(), by)?;
    let mut g = GroupedMetrics::new(spec, by.to_vec());
    g.add_columns(&deals, &groups, &entries)?;
    pipeline_metrics_batch(&g.finish()?, by)
}

/// The group of each deal from its key values (`kind` missing: new business).
fn group_of(n: usize, keys: &[(SliceKey, Option<DictBuilder>)]) -> DealGroups {
    if keys.is_empty() {
        return DealGroups::default();
    }
    // combined group per deal, key by key: (group so far, code) → group
    let mut of = vec![0u32; n];
    let mut tuples: Vec<Vec<u32>> = vec![Vec::new()];
    for (_, values) in keys {
        let mut index: HashMap<(u32, u32), u32> = HashMap::new();
        let mut next: Vec<Vec<u32>> = Vec::new();
        for (d, g) in of.iter_mut().enumerate() {
            let code = values
                .as_ref()
                .and_then(|v| v.codes.get(d).copied())
                .unwrap_or(NULL_CODE);
            *g = *index.entry((*g, code)).or_insert_with(|| {
                let mut t = tuples.get(*g as usize).cloned().unwrap_or_default();
                t.push(code);
                next.push(t);
                next.len() as u32 - 1
            });
        }
        tuples = next;
    }
    let keys_of = |t: &Vec<u32>| -> Vec<Option<String>> {
        keys.iter()
            .zip(t)
            .map(|((key, values), &c)| {
                let v = values.as_ref().and_then(|v| v.dictionary.get(c as usize));
                match (key, v) {
                    (SliceKey::Kind, None) => Some(DealType::NewBusiness.name().to_owned()),
                    (_, v) => v.cloned(),
                }
            })
            .collect()
    };
    DealGroups {
        keys: tuples.iter().map(keys_of).collect(),
        of,
    }
}

/// Grouped pipeline metrics as one record batch, a row per group and stage: the group key
/// columns (`by`, text, null for a missing value), `stage`, `stage_kind` (`open`, `won`, `lost`), `entered`, `in_stage`,
/// `converted`, `conversion_to_next`, `dwell_count`, `dwell_mean_s`, `dwell_median_s`,
/// `dwell_p90_s`, `currency` (the group's one currency, null when it has no amounts),
/// `value_entered`, `value_in_stage` (minor units), then the group's figures repeated on
/// each of its rows: `opportunities`, `won`, `lost`, `win_rate`, `win_rate_new_business`,
/// `win_rate_expansion`, `won_value`, `average_deal_size`, `cycle_mean_s`,
/// `cycle_median_s`, `cycle_p90_s`, `open_qualified`, `sales_velocity_per_day`. A group
/// whose amounts span more than one currency is `input.invalid` (one value column cannot
/// hold two currencies).
pub fn pipeline_metrics_batch(groups: &[GroupReport], by: &[SliceKey]) -> Result<RecordBatch> {
    let mut keys: Vec<Vec<Option<String>>> = vec![Vec::new(); by.len()];
    let mut stage = Vec::new();
    let mut kind = Vec::new();
    let (mut entered, mut in_stage, mut dwell_count) = (Vec::new(), Vec::new(), Vec::new());
    let mut converted = Vec::new();
    let mut conv = Vec::new();
    let (mut dmean, mut dmed, mut dp90) = (Vec::new(), Vec::new(), Vec::new());
    let (mut currency, mut v_entered, mut v_in) = (Vec::new(), Vec::new(), Vec::new());
    let (mut opps, mut won, mut lost) = (Vec::new(), Vec::new(), Vec::new());
    let (mut wr, mut wr_new, mut wr_exp) = (Vec::new(), Vec::new(), Vec::new());
    let (mut won_value, mut avg) = (Vec::new(), Vec::new());
    let (mut cmean, mut cmed, mut cp90) = (Vec::new(), Vec::new(), Vec::new());
    let (mut open_q, mut velocity) = (Vec::new(), Vec::new());
    for g in groups {
        let r = &g.report;
        let mut currencies: Vec<&String> = r.won_value.keys().collect();
        for s in &r.stages {
            currencies.extend(s.value_entered.keys());
            currencies.extend(s.value_in_stage.keys());
        }
        currencies.sort();
        currencies.dedup();
        if currencies.len() > 1 {
            return Err(invalid(format!(
                "mixed currencies ({}) in one group and no exchange rates: group by currency or filter",
                currencies
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let cur = currencies.first().map(|c| (*c).clone());
        let val = |m: &std::collections::BTreeMap<String, i64>| -> Option<i64> {
            cur.as_ref().map(|c| m.get(c).copied().unwrap_or(0))
        };
        for s in &r.stages {
            for (i, k) in by.iter().enumerate() {
                if let Some(col) = keys.get_mut(i) {
                    col.push(g.key.get(k.name()).cloned().flatten());
                }
            }
            stage.push(s.stage.clone());
            kind.push(stage_kind(s.kind));
            entered.push(s.entered);
            in_stage.push(s.in_stage);
            converted.push(s.converted);
            conv.push(s.conversion_to_next);
            dwell_count.push(s.dwell.count);
            dmean.push(s.dwell.mean_seconds);
            dmed.push(s.dwell.median_seconds);
            dp90.push(s.dwell.p90_seconds);
            currency.push(cur.clone());
            v_entered.push(val(&s.value_entered));
            v_in.push(val(&s.value_in_stage));
            opps.push(r.opportunities);
            won.push(r.win_rate.won);
            lost.push(r.win_rate.lost);
            wr.push(r.win_rate.rate);
            wr_new.push(r.win_rate.new_business.rate);
            wr_exp.push(r.win_rate.expansion.rate);
            won_value.push(val(&r.won_value));
            avg.push(r.average_deal_size.as_ref().map(|m| m.minor));
            cmean.push(r.cycle.mean_seconds);
            cmed.push(r.cycle.median_seconds);
            cp90.push(r.cycle.p90_seconds);
            open_q.push(r.open_qualified);
            velocity.push(r.sales_velocity.as_ref().map(|v| v.per_day.minor));
        }
    }
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    let mut add = |name: &str, dt: DataType, a: ArrayRef| {
        fields.push(Field::new(name, dt, true));
        columns.push(a);
    };
    for (k, col) in by.iter().zip(keys) {
        add(k.name(), DataType::Utf8, Arc::new(StringArray::from(col)));
    }
    let u = |v: Vec<u64>| -> ArrayRef { Arc::new(UInt64Array::from(v)) };
    let i = |v: Vec<Option<i64>>| -> ArrayRef { Arc::new(Int64Array::from(v)) };
    let f = |v: Vec<Option<f64>>| -> ArrayRef { Arc::new(Float64Array::from(v)) };
    add("stage", DataType::Utf8, Arc::new(StringArray::from(stage)));
    add(
        "stage_kind",
        DataType::Utf8,
        Arc::new(StringArray::from(kind)),
    );
    add("entered", DataType::UInt64, u(entered));
    add("in_stage", DataType::UInt64, u(in_stage));
    add(
        "converted",
        DataType::UInt64,
        Arc::new(UInt64Array::from(converted)),
    );
    add("conversion_to_next", DataType::Float64, f(conv));
    add("dwell_count", DataType::UInt64, u(dwell_count));
    add("dwell_mean_s", DataType::Float64, f(dmean));
    add("dwell_median_s", DataType::Int64, i(dmed));
    add("dwell_p90_s", DataType::Int64, i(dp90));
    add(
        "currency",
        DataType::Utf8,
        Arc::new(StringArray::from(currency)),
    );
    add("value_entered", DataType::Int64, i(v_entered));
    add("value_in_stage", DataType::Int64, i(v_in));
    add("opportunities", DataType::UInt64, u(opps));
    add("won", DataType::UInt64, u(won));
    add("lost", DataType::UInt64, u(lost));
    add("win_rate", DataType::Float64, f(wr));
    add("win_rate_new_business", DataType::Float64, f(wr_new));
    add("win_rate_expansion", DataType::Float64, f(wr_exp));
    add("won_value", DataType::Int64, i(won_value));
    add("average_deal_size", DataType::Int64, i(avg));
    add("cycle_mean_s", DataType::Float64, f(cmean));
    add("cycle_median_s", DataType::Int64, i(cmed));
    add("cycle_p90_s", DataType::Int64, i(cp90));
    add("open_qualified", DataType::UInt64, u(open_q));
    add("sales_velocity_per_day", DataType::Int64, i(velocity));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| invalid(format!("cannot build the pipeline metrics batch: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadcore::analytics::PipelineMetricsInput;

    /// Stages `Open`, `Won`.
    fn open_won() -> leadcore::analytics::PipelineStages {
        use leadcore::analytics::{PipelineStages, StageDef};
        let stages = vec![
            StageDef::new("Open", StageKind::Open),
            StageDef::new("Won", StageKind::Won),
        ];
        PipelineStages::new("p", stages).unwrap()
    }

    /// A history in time order (as exported), grouped by deal, or in any order: the same
    /// entries for the core, each deal's in time order (ties in row order), the table
    /// order kept when it already is so.
    #[test]
    fn history_rows_in_any_order_give_each_deals_entries_in_time_order() {
        use arrow_array::{ArrayRef, Int64Array, StringArray};
        let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
        let opps = Table::new(vec![col(
            "opportunity_id",
            Arc::new(StringArray::from(vec!["A", "B", "C"])),
        )]);
        let stages = open_won();
        // (deal, at, stage) in time order across deals
        let rows = [
            ("B", 1, "Open"),
            ("A", 2, "Open"),
            ("C", 3, "Open"),
            ("A", 4, "Won"),
            ("B", 4, "Won"),
        ];
        let entries = |order: &[usize]| {
            let pick =
                |f: &dyn Fn(usize) -> &'static str| order.iter().map(|&k| f(k)).collect::<Vec<_>>();
            let hist = Table::new(vec![
                col(
                    "opportunity_id",
                    Arc::new(StringArray::from(pick(&|k| rows[k].0))),
                ),
                col(
                    "at",
                    Arc::new(Int64Array::from(
                        order.iter().map(|&k| rows[k].1).collect::<Vec<i64>>(),
                    )),
                ),
                col("stage", Arc::new(StringArray::from(pick(&|k| rows[k].2)))),
            ]);
            let (_, _, e) = deal_columns(&opps, Some(&hist), &stages, &[]).unwrap();
            e.deal
                .iter()
                .zip(&e.at)
                .zip(&e.stage)
                .map(|((&d, &t), &s)| (d, t / 1_000_000, s))
                .collect::<Vec<_>>()
        };
        let by_deal = vec![(0, 2, 0), (0, 4, 1), (1, 1, 0), (1, 4, 1), (2, 3, 0)];
        // in time order: kept as it is
        assert_eq!(
            entries(&[0, 1, 2, 3, 4]),
            [(1, 1, 0), (0, 2, 0), (2, 3, 0), (0, 4, 1), (1, 4, 1)]
        );
        // a deal's rows out of time order: sorted by deal and time
        assert_eq!(entries(&[4, 3, 2, 1, 0]), by_deal);
        assert_eq!(
            entries(&[1, 3, 0, 4, 2]),
            [(0, 2, 0), (0, 4, 1), (1, 1, 0), (1, 4, 1), (2, 3, 0)]
        );
        let mut sorted = entries(&[2, 0, 4, 3, 1]);
        sorted.sort();
        assert_eq!(sorted, by_deal);
    }

    /// Integer opportunity ids of any width are matched as integers (no text), with the
    /// text path's errors naming the id.
    #[test]
    fn integer_opportunity_ids_give_the_text_ids_columns() {
        use arrow_array::{ArrayRef, Int32Array, Int64Array, StringArray, UInt64Array};
        let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
        let stages = open_won();
        let hist = |ids: ArrayRef| {
            Table::new(vec![
                col("opportunity_id", ids),
                col("at", Arc::new(Int64Array::from(vec![1, 2, 3, 4]))),
                col(
                    "stage",
                    Arc::new(StringArray::from(vec!["Open", "Open", "Won", "Won"])),
                ),
            ])
        };
        let run = |opps: ArrayRef, h: ArrayRef| {
            deal_columns(
                &Table::new(vec![col("opportunity_id", opps)]),
                Some(&hist(h)),
                &stages,
                &[],
            )
            .map(|(d, _, e)| (d.ids, e))
            .map_err(|e| e.to_string())
        };
        let (text_ids, want) = run(
            Arc::new(StringArray::from(vec!["900", "7", "-5"])),
            Arc::new(StringArray::from(vec!["7", "-5", "7", "900"])),
        )
        .unwrap();
        // ids far apart (a hash table) and in a small range (a direct table)
        for (opps, h) in [
            (vec![900i64, 7, -5], vec![7i32, -5, 7, 900]),
            (vec![12, 10, 11], vec![10, 11, 10, 12]),
        ] {
            let (ids, e) = run(
                Arc::new(Int64Array::from(opps.clone())),
                Arc::new(Int32Array::from(h)),
            )
            .unwrap();
            assert_eq!(e, want);
            assert_eq!(ids, opps.iter().map(|i| i.to_string()).collect::<Vec<_>>());
        }
        assert_eq!(text_ids, ["900", "7", "-5"]);
        // unsigned ids beyond i64 keep their own value
        let (ids, e) = run(
            Arc::new(UInt64Array::from(vec![u64::MAX, 7, 5])),
            Arc::new(UInt64Array::from(vec![7, 5, 7, u64::MAX])),
        )
        .unwrap();
        assert_eq!((ids[0].as_str(), e), (u64::MAX.to_string().as_str(), want));
        let err = |opps: Vec<Option<i64>>, h: Vec<Option<i64>>| {
            run(
                Arc::new(Int64Array::from(opps)),
                Arc::new(Int64Array::from(h)),
            )
            .unwrap_err()
        };
        let ok = vec![Some(7), Some(8), Some(7), Some(8)];
        assert!(
            err(vec![Some(7), Some(8), Some(7)], ok.clone())
                .contains("row 2: opportunity `7` is listed twice")
        );
        assert!(
            err(vec![Some(7), None], ok.clone())
                .contains("opportunities, row 1: no opportunity_id")
        );
        let unknown = vec![Some(7), Some(8), Some(9), Some(8)];
        assert!(
            err(vec![Some(7), Some(8)], unknown)
                .contains("row 2: no opportunity `9` in the opportunities")
        );
        let null = vec![Some(7), None, Some(7), Some(8)];
        assert!(
            err(vec![Some(7), Some(8)], null)
                .contains("row 1: opportunity_id, at and stage are all required")
        );
        let mixed = run(
            Arc::new(Int64Array::from(vec![7, 8])),
            Arc::new(StringArray::from(vec!["7", "8", "7", "8"])),
        );
        assert!(
            mixed
                .unwrap_err()
                .contains("expected integers as the opportunities' ids are")
        );
    }

    #[test]
    fn a_row_per_group_and_stage() {
        let input = PipelineMetricsInput::from_json(
            r#"{"stages":["Open",{"name":"Won","kind":"won"}],
          "period":{"from":"2017-01-01T00:00:00Z","to":"2018-01-01T00:00:00Z"},"group_by":["owner"],
          "opportunities":[{"id":"A","owner":"ann","stage":"Open"},{"id":"B","stage":"Open"}]}"#,
        )
        .unwrap();
        let out = input.run(None).unwrap();
        let b = pipeline_metrics_batch(&out.groups, &input.group_by).unwrap();
        assert_eq!(b.num_rows(), 4);
        assert_eq!(b.schema().field(0).name(), "owner");
        assert!(b.column(0).is_null(0));
    }
}
