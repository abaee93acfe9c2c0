//! SLA clocks in and statuses out as Arrow: one policy's clocks from a table, their status
//! at one `now` as a record batch.

use crate::read::{each_bool, each_int, each_timestamp, encode_strings};
use crate::table::{ChunkedColumn, Table};
use crate::{Error, Result, invalid};
use arrow_array::{
    ArrayRef, DictionaryArray, Int64Array, RecordBatch, StringArray, TimestampSecondArray,
    UInt8Array, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use leadcore::Lead;
use leadcore::columnar::DictBuilder;
use leadcore::columnar::NULL_TIME;
use leadcore::sla::{SlaClockTable, SlaState, SlaStatus, SlaStatusColumns, StageChange};
use std::collections::HashMap;
use std::sync::Arc;

/// The clock columns an SLA table may hold (`started_at` is required).
const TIME_COLUMNS: [&str; 4] = ["started_at", "stopped_at", "paused_since", "breached_at"];

fn type_error(column: &ChunkedColumn, expected: &str) -> Error {
    Error::Type(format!(
        "SLA clocks column `{}` is {}, expected {expected}",
        column.name, column.data_type
    ))
}

/// A time column: timestamps of any unit and zone, or integers (Unix seconds); null is none.
fn times(column: &ChunkedColumn, out: &mut Vec<i64>) -> Result<()> {
    out.reserve(column.len());
    for chunk in &column.chunks {
        if *chunk.data_type() == DataType::Null {
            out.resize(out.len() + chunk.len(), NULL_TIME);
            continue;
        }
        let mut push = |v: Option<Option<i64>>| -> Result<()> {
            match v {
                None => out.push(NULL_TIME),
                Some(Some(s)) if s != NULL_TIME => out.push(s),
                Some(_) => {
                    return Err(invalid(format!(
                        "SLA clocks column `{}`, row {}: the time is out of range",
                        column.name,
                        out.len()
                    )));
                }
            }
            Ok(())
        };
        if let Some(r) = each_timestamp(chunk.as_ref(), TimeUnit::Second, &mut push) {
            r?;
            continue;
        }
        let mut int = |v: Option<i64>| push(v.map(Some));
        match each_int(chunk.as_ref(), &mut int, |u| {
            invalid(format!(
                "SLA clocks column `{}`: {u} is out of range",
                column.name
            ))
        }) {
            Some(r) => r?,
            None => return Err(type_error(column, "a timestamp or Unix seconds (int64)")),
        }
    }
    Ok(())
}

/// Reads one policy's clocks from a table with columns `started_at`, and optionally
/// `stopped_at`, `paused_since`, `breached_at` (timestamps of any unit, or Unix seconds;
/// null: none), `paused_seconds` (integers; null: 0) and `applies` (booleans; absent: every
/// row). Other columns (`lead_id`...) are ignored here.
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let table = Table::new(vec![ChunkedColumn::new("started_at", Arc::new(Int64Array::from(vec![Some(0), None])) as ArrayRef)]);
/// let clocks = leadcore_arrow::sla_clocks(&table).unwrap();
/// assert_eq!(clocks.started_at, [0, leadcore::columnar::NULL_TIME]);
/// assert_eq!(clocks.paused_seconds, [0, 0]);
/// ```
pub fn sla_clocks(table: &Table) -> Result<SlaClockTable> {
    let started = table.column("started_at").ok_or_else(|| {
        invalid("SLA clocks need a `started_at` column (null where the clock has not started)")
    })?;
    let n = started.len();
    let mut t = SlaClockTable::default();
    for name in TIME_COLUMNS {
        let out = match name {
            "started_at" => &mut t.started_at,
            "stopped_at" => &mut t.stopped_at,
            "paused_since" => &mut t.paused_since,
            _ => &mut t.breached_at,
        };
        match table.column(name) {
            Some(c) => times(c, out)?,
            None => out.resize(n, NULL_TIME),
        }
    }
    match table.column("paused_seconds") {
        Some(c) => {
            for chunk in &c.chunks {
                if *chunk.data_type() == DataType::Null {
                    t.paused_seconds
                        .resize(t.paused_seconds.len() + chunk.len(), 0);
                    continue;
                }
                let mut push = |v: Option<i64>| -> Result<()> {
                    match v {
                        Some(s) if s < 0 => Err(invalid(format!(
                            "SLA clocks column `paused_seconds`, row {}: {s} is negative",
                            t.paused_seconds.len()
                        ))),
                        v => {
                            t.paused_seconds.push(v.unwrap_or(0));
                            Ok(())
                        }
                    }
                };
                match each_int(chunk.as_ref(), &mut push, |u| {
                    invalid(format!(
                        "SLA clocks column `paused_seconds`: {u} is out of range"
                    ))
                }) {
                    Some(r) => r?,
                    None => return Err(type_error(c, "integers (seconds)")),
                }
            }
        }
        None => t.paused_seconds.resize(n, 0),
    }
    match table.column("applies") {
        Some(c) => {
            for chunk in &c.chunks {
                let mut push = |v: Option<bool>| -> Result<()> {
                    t.applies.push(v.unwrap_or(false));
                    Ok(())
                };
                match each_bool(chunk.as_ref(), &mut push) {
                    Some(r) => r?,
                    None => return Err(type_error(c, "booleans")),
                }
            }
        }
        None => t.applies.resize(n, true),
    }
    let lens = [
        t.stopped_at.len(),
        t.paused_since.len(),
        t.breached_at.len(),
        t.paused_seconds.len(),
        t.applies.len(),
    ];
    if lens.iter().any(|&l| l != n) {
        return Err(invalid(format!(
            "SLA clocks columns must all have {n} rows, not {lens:?}"
        )));
    }
    Ok(t)
}

fn time_array(values: &[i64]) -> ArrayRef {
    Arc::new(
        TimestampSecondArray::from_iter(values.iter().map(|&v| (v != NULL_TIME).then_some(v)))
            .with_timezone("UTC"),
    )
}

/// Statuses as a record batch: `lead_id` first when given (any Arrow type, passed through),
/// then `status` (dictionary of state names), `deadline` and `next_change` (timestamp[s,
/// UTC], null for none), `elapsed_seconds`, `remaining_seconds` (Int64) and `escalation`
/// (UInt32).
///
/// ```
/// use leadcore::sla::SlaStatusColumns;
/// let cols = SlaStatusColumns { status: vec![5], deadline: vec![300], elapsed_seconds: vec![120],
///     remaining_seconds: vec![180], next_change: vec![leadcore::columnar::NULL_TIME], escalation: vec![0] };
/// let batch = leadcore_arrow::sla_status_batch(&cols, None).unwrap();
/// assert_eq!(batch.num_rows(), 1);
/// assert_eq!(batch.schema_ref().field(0).name(), "status");
/// ```
pub fn sla_status_batch(
    status: &SlaStatusColumns,
    lead_id: Option<&ChunkedColumn>,
) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    if let Some(ids) = lead_id {
        let array = ids.concat()?;
        fields.push(Field::new("lead_id", ids.data_type.clone(), true));
        columns.push(array);
    }
    let names = StringArray::from_iter_values(SlaState::ALL.iter().map(|s| s.name()));
    let keys = UInt8Array::from(status.status.clone());
    let dict = DictionaryArray::try_new(keys, Arc::new(names))
        .map_err(|e| invalid(format!("cannot build the status column: {e}")))?;
    fields.push(Field::new(
        "status",
        DataType::Dictionary(Box::new(DataType::UInt8), Box::new(DataType::Utf8)),
        false,
    ));
    columns.push(Arc::new(dict));
    let ts = DataType::Timestamp(TimeUnit::Second, Some("UTC".into()));
    fields.push(Field::new("deadline", ts.clone(), true));
    columns.push(time_array(&status.deadline));
    fields.push(Field::new("elapsed_seconds", DataType::Int64, false));
    columns.push(Arc::new(Int64Array::from(status.elapsed_seconds.clone())));
    fields.push(Field::new("remaining_seconds", DataType::Int64, false));
    columns.push(Arc::new(Int64Array::from(status.remaining_seconds.clone())));
    fields.push(Field::new("next_change", ts, true));
    columns.push(time_array(&status.next_change));
    fields.push(Field::new("escalation", DataType::UInt32, false));
    columns.push(Arc::new(UInt32Array::from(status.escalation.clone())));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| invalid(format!("cannot build the SLA status batch: {e}")))
}

/// Leads' stage entries from a table with columns `lead_id`, `at` (timestamps or Unix
/// seconds) and `stage` (text), grouped by lead in `leads` order. A row naming no lead of
/// `leads`, or without a time or a stage, is an error naming the row (stage entries are
/// never dropped silently).
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let table = Table::new(vec![
///     ChunkedColumn::new("lead_id", Arc::new(StringArray::from(vec!["B", "A"])) as ArrayRef),
///     ChunkedColumn::new("at", Arc::new(Int64Array::from(vec![60, 0])) as ArrayRef),
///     ChunkedColumn::new("stage", Arc::new(StringArray::from(vec!["MQL", "New"])) as ArrayRef),
/// ]);
/// let leads = [leadcore::Lead::new("A"), leadcore::Lead::new("B")];
/// let stages = leadcore_arrow::sla_stages(&table, &leads).unwrap();
/// assert_eq!(stages[1][0].stage, "MQL");
/// ```
pub fn sla_stages(table: &Table, leads: &[Lead]) -> Result<Vec<Vec<StageChange>>> {
    let column = |name: &str| {
        table.column(name).ok_or_else(|| {
            invalid(format!(
                "stage entries need columns `lead_id`, `at` and `stage`; `{name}` is missing"
            ))
        })
    };
    let (ids, at, stage) = (column("lead_id")?, column("at")?, column("stage")?);
    let mut id_codes = DictBuilder::default();
    if !encode_strings(ids, &mut id_codes) {
        return Err(type_error(ids, "text"));
    }
    let mut stage_codes = DictBuilder::default();
    if !encode_strings(stage, &mut stage_codes) {
        return Err(type_error(stage, "text"));
    }
    let mut times_out = Vec::new();
    times(at, &mut times_out)?;
    let index: HashMap<&str, usize> = leads
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i))
        .collect();
    let mut out: Vec<Vec<StageChange>> = vec![Vec::new(); leads.len()];
    for (row, ((&id, &st), &t)) in id_codes
        .codes
        .iter()
        .zip(&stage_codes.codes)
        .zip(&times_out)
        .enumerate()
    {
        let bad = |what: String| invalid(format!("stage entries, row {row}: {what}"));
        let id = id_codes
            .dictionary
            .get(id as usize)
            .ok_or_else(|| bad("no lead_id".into()))?;
        let lead = *index
            .get(id.as_str())
            .ok_or_else(|| bad(format!("lead `{id}` is not among the leads")))?;
        let stage = stage_codes
            .dictionary
            .get(st as usize)
            .ok_or_else(|| bad("no stage".into()))?;
        let at = chrono::DateTime::from_timestamp(t, 0).ok_or_else(|| bad("no time".into()))?;
        out[lead].push(StageChange {
            at,
            stage: stage.clone(),
        });
    }
    for list in &mut out {
        list.sort_by_key(|s| s.at);
    }
    Ok(out)
}

fn opt_time(t: Option<chrono::DateTime<chrono::Utc>>) -> i64 {
    t.map_or(NULL_TIME, |t| t.timestamp())
}

/// Statuses (as [`leadcore::sla::Sla::statuses_of`] gives them) as a record batch:
/// `lead_id`, `policy`, `status` (dictionary of state names), `started_at`, `stopped_at`,
/// `deadline`, `next_change` (timestamp[s, UTC], null for none), `elapsed_seconds`,
/// `remaining_seconds` (Int64), `escalation`, `attempts` (UInt32).
///
/// ```
/// let batch = leadcore_arrow::sla_statuses_batch(&[]).unwrap();
/// assert_eq!(batch.num_columns(), 11);
/// ```
pub fn sla_statuses_batch(statuses: &[SlaStatus]) -> Result<RecordBatch> {
    let ts = DataType::Timestamp(TimeUnit::Second, Some("UTC".into()));
    let status_type = DataType::Dictionary(Box::new(DataType::UInt8), Box::new(DataType::Utf8));
    let names = StringArray::from_iter_values(SlaState::ALL.iter().map(|s| s.name()));
    let keys = UInt8Array::from_iter_values(statuses.iter().map(|s| s.status.code()));
    let dict = DictionaryArray::try_new(keys, Arc::new(names))
        .map_err(|e| invalid(format!("cannot build the status column: {e}")))?;
    let times = |f: fn(&SlaStatus) -> Option<chrono::DateTime<chrono::Utc>>| {
        time_array(&statuses.iter().map(|s| opt_time(f(s))).collect::<Vec<_>>())
    };
    let fields = vec![
        Field::new("lead_id", DataType::Utf8, false),
        Field::new("policy", DataType::Utf8, false),
        Field::new("status", status_type, false),
        Field::new("started_at", ts.clone(), true),
        Field::new("stopped_at", ts.clone(), true),
        Field::new("deadline", ts.clone(), true),
        Field::new("elapsed_seconds", DataType::Int64, false),
        Field::new("remaining_seconds", DataType::Int64, false),
        Field::new("next_change", ts, true),
        Field::new("escalation", DataType::UInt32, false),
        Field::new("attempts", DataType::UInt32, false),
    ];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            statuses.iter().map(|s| s.lead_id.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            statuses.iter().map(|s| s.policy.as_str()),
        )),
        Arc::new(dict),
        times(|s| s.started_at),
        times(|s| s.stopped_at),
        times(|s| s.deadline),
        Arc::new(Int64Array::from_iter_values(
            statuses.iter().map(|s| s.elapsed_seconds),
        )),
        Arc::new(Int64Array::from_iter_values(
            statuses.iter().map(|s| s.remaining_seconds),
        )),
        times(|s| s.next_change),
        Arc::new(UInt32Array::from_iter_values(
            statuses.iter().map(|s| s.escalation),
        )),
        Arc::new(UInt32Array::from_iter_values(
            statuses.iter().map(|s| s.attempts),
        )),
    ];
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| invalid(format!("cannot build the SLA statuses batch: {e}")))
}
