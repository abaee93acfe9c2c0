//! Events from Arrow columns: `lead_id` and `kind` as dictionaries, `at` as Unix seconds,
//! and every attribute column by name, typed by the core's attribute registry.

use crate::read::{Kind, each_bool, each_float, each_int, each_timestamp, encode_strings, kind_of};
use crate::table::{ChunkedColumn, Table, is_pandas_index};
use crate::{Error, Result, invalid};
use arrow_schema::TimeUnit;
use chrono::{DateTime, Utc};
use leadcore::columnar::{DictBuilder, EncodedEvents, NULL_TIME, OwnedAttr};
use leadcore::model::AttributeDef;
use leadcore::scoring::{BatchScores, ScoreCard, Scoring};
use leadcore::{Activity, ActivityKind, EventTable, FieldType, FieldValue, Lead, ValueRef};

/// Events read from Arrow columns, owning what [`EventColumns`](leadcore::EventColumns) borrows.
///
/// A table has `lead_id` and `kind` (strings), `at` (integers as Unix seconds, or
/// timestamps of any unit) and any attribute columns named as conditions name them
/// (`page`, `seconds`, `campaign`, `form_id`, `content_id`, `attrs.NAME`). A misspelt
/// column is the core's error naming the closest attribute; a built-in attribute's column
/// has an Arrow type of its registry type, and a value it cannot hold (`seconds` not whole,
/// negative or beyond 2^32-1) makes its row a `bad_value` row error when scored, as in every
/// path (whole floats and NaN, as pandas writes integer columns with gaps, are fine);
/// `attrs.NAME` columns hold strings, integers, floats or booleans. Nulls are missing values;
/// pandas index columns are left out.
///
/// ```
/// use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Events, Table};
/// use std::sync::Arc;
/// let column = |name: &str, a: ArrayRef| ChunkedColumn::new(name, a);
/// let mut table = Table::new(vec![
///     column("lead_id", Arc::new(StringArray::from(vec!["A"]))),
///     column("kind", Arc::new(StringArray::from(vec!["web_visit"]))),
///     column("at", Arc::new(Int64Array::from(vec![0]))),
///     column("seconds", Arc::new(Float64Array::from(vec![1.5]))),
/// ]);
/// let events = Events::from_table(&table).unwrap();
/// let pb = leadcore::Playbook::default_playbook();
/// let now = chrono::DateTime::from_timestamp(60, 0).unwrap();
/// let out = events.score(pb.scoring(), &[leadcore::Lead::new("A")], now).unwrap();
/// assert_eq!(out.row_errors[0].reason, leadcore::RowErrorReason::BadValue);
/// table.columns[3] = column("pgae", Arc::new(StringArray::from(vec!["/"])));
/// assert!(Events::from_table(&table).unwrap_err().message().contains("did you mean `page`?"));
/// ```
#[derive(Debug)]
pub struct Events(EncodedEvents);

impl Events {
    /// Reads events from a table's columns (see [`Events`]).
    pub fn from_table(table: &Table) -> Result<Self> {
        let columns: Vec<&ChunkedColumn> = table
            .columns
            .iter()
            .filter(|c| !is_pandas_index(&c.name))
            .collect();
        for (i, c) in columns.iter().enumerate() {
            if columns[..i].iter().any(|o| o.name == c.name) {
                return Err(invalid(format!("event column `{}` appears twice", c.name)));
            }
            c.check_chunks()?;
        }
        let find = |name: &str| {
            columns
                .iter()
                .find(|c| c.name == name)
                .copied()
                .ok_or_else(|| {
                    invalid(format!(
                        "events: no `{name}` column (lead_id, kind and at are required)"
                    ))
                })
        };
        let (lead_id_col, kind_col, at_col) = (find("lead_id")?, find("kind")?, find("at")?);
        let at = times(at_col)?;
        let rows = at.len();
        let same_length = |c: &ChunkedColumn| {
            let len = c.len();
            if len == rows {
                Ok(())
            } else {
                Err(invalid(format!(
                    "event columns have different lengths: `{}` has {len}, `at` has {rows}",
                    c.name
                )))
            }
        };
        let mut lead_id = DictBuilder::default();
        let mut kind = DictBuilder::default();
        for (c, out) in [(lead_id_col, &mut lead_id), (kind_col, &mut kind)] {
            same_length(c)?;
            if !c.is_empty() && !encode_strings(c, out) {
                return Err(Error::Type(format!(
                    "events column `{}` has Arrow type {}; expected strings (utf8, large_utf8, \
                     utf8_view, or a dictionary of them)",
                    c.name, c.data_type
                )));
            }
        }
        let mut attrs = Vec::new();
        for c in columns {
            if matches!(c.name.as_str(), "lead_id" | "kind" | "at") {
                continue;
            }
            check_name(&c.name)?;
            same_length(c)?;
            attrs.push((
                c.name.clone(),
                attribute(c, Activity::attribute_def(&c.name))?,
            ));
        }
        Ok(Events(EncodedEvents::from_parts(lead_id, kind, at, attrs)?))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The events as the core holds them.
    pub fn encoded(&self) -> &EncodedEvents {
        &self.0
    }

    /// Scores the events for `leads` at `now` ([`Scoring::score_events`]).
    pub fn score(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> leadcore::Result<BatchScores> {
        scoring.score_events(leads, &self.0, now)
    }

    /// Each lead's score card with its breakdown ([`Scoring::explain_events`]).
    pub fn explain(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> leadcore::Result<Vec<ScoreCard>> {
        scoring.explain_events(leads, &self.0, now)
    }
}

fn check_name(name: &str) -> Result<()> {
    let mut probe = EventTable::default();
    probe.attrs.insert(name.to_owned(), Vec::new());
    probe.encode().map(drop).map_err(Error::Core)
}

/// The `at` column as Unix seconds: integers, or timestamps of any unit (rounded down).
fn times(c: &ChunkedColumn) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(c.len());
    if c.is_empty() {
        return Ok(out);
    }
    for chunk in &c.chunks {
        // A missing time (null, NaT) is the core's NULL_TIME: a row error, not a failed batch.
        let mut push = |v: Option<i64>| -> Result<()> {
            out.push(v.unwrap_or(NULL_TIME));
            Ok(())
        };
        let out_of_range = |_| invalid("events column `at`: a value is out of range");
        if let Some(r) = each_int(chunk.as_ref(), &mut push, out_of_range) {
            r?;
            continue;
        }
        let mut push_time = |v: Option<Option<i64>>| push(v.map(|s| s.unwrap_or(i64::MAX)));
        if let Some(r) = each_timestamp(chunk.as_ref(), TimeUnit::Second, &mut push_time) {
            r?;
            continue;
        }
        if kind_of(chunk.data_type()) == Some(Kind::Null) {
            if !chunk.is_empty() {
                push(None)?;
            }
            continue;
        }
        return Err(Error::Type(format!(
            "events column `at` has Arrow type {}; expected Unix seconds (integers) or timestamps",
            c.data_type
        )));
    }
    Ok(out)
}

fn expected(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Text => "strings (utf8, large_utf8, utf8_view, or a dictionary of them)",
        FieldType::Number => "numbers",
        FieldType::Bool => "booleans",
        _ => "strings, numbers or booleans",
    }
}

/// Whether a column of Arrow values of `kind` can hold an attribute of type `ty`.
fn fits(kind: Kind, ty: Option<FieldType>) -> bool {
    matches!(
        (kind, ty),
        (Kind::Null, _)
            | (Kind::Text, None | Some(FieldType::Text))
            | (Kind::Int | Kind::Float, None | Some(FieldType::Number))
            | (Kind::Bool, None | Some(FieldType::Bool))
    )
}

/// One attribute column: a built-in one checked value by value through its registry
/// setter (and read back through its getter, so `seconds` arrives whole), `attrs.NAME` as
/// it comes.
fn attribute(c: &ChunkedColumn, def: Option<&'static AttributeDef>) -> Result<OwnedAttr> {
    // A column with no rows holds no value of any type (an empty pandas or polars column
    // has whatever type its library defaults to).
    let kind = if c.is_empty() {
        Some(Kind::Null)
    } else {
        kind_of(&c.data_type)
    };
    if !kind.is_some_and(|k| fits(k, def.map(|d| d.field_type))) {
        return Err(Error::Type(format!(
            "events column `{}` has Arrow type {}; expected {}",
            c.name,
            c.data_type,
            expected(def.map_or(FieldType::List, |d| d.field_type))
        )));
    }
    let name = c.name.as_str();
    if c.is_empty() {
        return Ok(OwnedAttr::Text(DictBuilder::default()));
    }
    if matches!(kind, Some(Kind::Text | Kind::Null)) {
        let mut d = DictBuilder::default();
        if !encode_strings(c, &mut d) {
            return Err(Error::Type(format!(
                "events column `{name}` has Arrow type {}; expected strings",
                c.data_type
            )));
        }
        if let Some(def) = def {
            // One check per distinct value.
            let mut scratch = Activity::new(ActivityKind::WebVisit, DateTime::UNIX_EPOCH);
            for (i, v) in d.dictionary.iter().enumerate() {
                if let Err(m) = def.set(&mut scratch, Some(ValueRef::Text(v))) {
                    let row = d.codes.iter().position(|&code| code as usize == i);
                    return Err(invalid(format!(
                        "events column `{name}` row {}: {m}",
                        row.unwrap_or(0)
                    )));
                }
            }
        }
        return Ok(OwnedAttr::Text(d));
    }
    let mut values: Vec<Option<FieldValue>> = Vec::with_capacity(c.len());
    let mut scratch = Activity::new(ActivityKind::WebVisit, DateTime::UNIX_EPOCH);
    let mut push = |v: Option<ValueRef<'_>>| -> Result<()> {
        let v = match (v, def) {
            (None, _) => None,
            (Some(v), None) => Some(v.to_owned_value()),
            // A value the attribute cannot hold (seconds beyond 0..=2^32-1, a fraction) is
            // kept as given: the core makes its row a `bad_value` row error, as in every path.
            (Some(v), Some(def)) => match def.set(&mut scratch, Some(v)) {
                Ok(()) => def.get(&scratch).map(ValueRef::to_owned_value),
                Err(_) => Some(v.to_owned_value()),
            },
        };
        values.push(v);
        Ok(())
    };
    for chunk in &c.chunks {
        let a = chunk.as_ref();
        let out_of_range = |u: u64| {
            invalid(format!(
                "events column `{name}`: {u} is out of range for a 64-bit integer"
            ))
        };
        let done = each_int(a, &mut |v| push(v.map(ValueRef::Int)), out_of_range)
            .or_else(|| each_float(a, &mut |v| push(v.map(ValueRef::Float))))
            .or_else(|| each_bool(a, &mut |v| push(v.map(ValueRef::Bool))));
        match done {
            Some(r) => r?,
            None => {
                return Err(Error::Type(format!(
                    "events column `{name}` has Arrow type {}; expected {}",
                    c.data_type,
                    expected(def.map_or(FieldType::List, |d| d.field_type))
                )));
            }
        }
    }
    OwnedAttr::from_values(name, &values).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::types::Int8Type;
    use arrow_array::{
        ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, LargeStringArray,
        NullArray, StringArray, StringViewArray, TimestampMillisecondArray, UInt64Array,
    };
    use leadcore::Playbook;
    use std::sync::Arc;

    fn col(name: &str, a: impl arrow_array::Array + 'static) -> ChunkedColumn {
        ChunkedColumn::new(name, Arc::new(a) as ArrayRef)
    }

    fn base() -> Vec<ChunkedColumn> {
        vec![
            col("lead_id", StringArray::from(vec!["A", "A", "B", "ghost"])),
            col(
                "kind",
                StringArray::from(vec![
                    "trial_signup",
                    "web_visit",
                    "web_visit",
                    "email_opened",
                ]),
            ),
            col("at", Int32Array::from(vec![1_767_225_600; 4])),
        ]
    }

    fn json_table() -> EventTable {
        serde_json::from_value(serde_json::json!({
            "lead_id": ["A", "A", "B", "ghost"],
            "kind": ["trial_signup", "web_visit", "web_visit", "email_opened"],
            "at": [1_767_225_600i64, 1_767_225_600i64, 1_767_225_600i64, 1_767_225_600i64],
            "page": [null, "/pricing", "/pricing", null],
            "seconds": [null, 75, 10, null],
            "attrs.tier": ["gold", null, "silver", null],
        }))
        .unwrap()
    }

    /// Every string layout, timestamps and whole floats give what the core's JSON table
    /// gives, row errors included.
    #[test]
    fn same_as_core_score_table() {
        let pb = Playbook::default_playbook();
        let leads = [Lead::new("A"), Lead::new("B"), Lead::new("C")];
        let now = DateTime::from_timestamp(1_767_312_000, 0).unwrap();
        let want = pb
            .scoring()
            .score_table(&leads, &json_table(), now)
            .unwrap();
        assert_eq!(want.row_errors.len(), 1);
        let pages = vec![None, Some("/pricing"), Some("/pricing"), None];
        let page_layouts: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(pages.clone())),
            Arc::new(LargeStringArray::from(pages.clone())),
            Arc::new(StringViewArray::from(pages.clone())),
            Arc::new(pages.iter().copied().collect::<DictionaryArray<Int8Type>>()),
        ];
        for page in page_layouts {
            let mut columns = base();
            columns[2] = col(
                "at",
                TimestampMillisecondArray::from(vec![1_767_225_600_000; 4]).with_timezone("+02:00"),
            );
            columns.push(ChunkedColumn::new("page", page));
            columns.push(col(
                "seconds",
                Float64Array::from(vec![None, Some(75.0), Some(10.0), Some(f64::NAN)]),
            ));
            columns.push(col(
                "attrs.tier",
                StringArray::from(vec![Some("gold"), None, Some("silver"), None]),
            ));
            let events = Events::from_table(&Table::new(columns)).unwrap();
            assert_eq!(events.score(pb.scoring(), &leads, now).unwrap(), want);
            let cards = events.explain(pb.scoring(), &leads, now).unwrap();
            assert_eq!(cards[0].score("engagement"), want.score(0, "engagement"));
        }
    }

    #[test]
    fn wrong_types_and_values_are_named() {
        let err = |extra: ChunkedColumn| {
            let mut columns = base();
            columns.push(extra);
            Events::from_table(&Table::new(columns)).unwrap_err()
        };
        let e = err(col("page", Int32Array::from(vec![1; 4])));
        assert!(matches!(e, Error::Type(_)), "{e}");
        assert!(
            e.message()
                .starts_with("events column `page` has Arrow type Int32")
        );
        let e = err(col("seconds", StringArray::from(vec!["75"; 4])));
        assert!(matches!(e, Error::Type(_)), "{e}");
        // A value `seconds` cannot hold is a row error of the batch, as in every path.
        let mut columns = base();
        columns.push(col("seconds", Int32Array::from(vec![1, -1, 2, 3])));
        let events = Events::from_table(&Table::new(columns)).unwrap();
        let pb = leadcore::Playbook::default_playbook();
        let leads = [Lead::new("A"), Lead::new("B")];
        let now = DateTime::<Utc>::from_timestamp(1_767_312_000, 0).unwrap();
        let out = events.score(pb.scoring(), &leads, now).unwrap();
        let bad = out.row_errors.iter().find(|e| e.row == 1).unwrap();
        assert_eq!(bad.reason, leadcore::RowErrorReason::BadValue);
        let e = err(col("attrs.n", UInt64Array::from(vec![u64::MAX; 4])));
        assert!(e.message().contains("out of range"), "{e}");
        let e = err(col("sconds", Int32Array::from(vec![1; 4])));
        assert!(e.message().contains("did you mean `seconds`?"), "{e}");
        let e = err(col("attrs.n", Int32Array::from(vec![1; 3])));
        assert_eq!(
            e.message(),
            "event columns have different lengths: `attrs.n` has 3, `at` has 4"
        );
    }

    #[test]
    fn times_nulls_and_attrs() {
        let mut columns = base();
        columns.push(col("form_id", NullArray::new(4)));
        columns.push(col(
            "attrs.vip",
            BooleanArray::from(vec![true, false, true, false]),
        ));
        columns.push(col("__index_level_0__", Int32Array::from(vec![0, 1, 2, 3])));
        // A dictionary with no values and null keys (no panic, all missing).
        let empty = DictionaryArray::<Int8Type>::new(
            arrow_array::Int8Array::from(vec![None; 4]),
            Arc::new(StringArray::from(Vec::<&str>::new())),
        );
        columns.push(col("attrs.empty", empty));
        let events = Events::from_table(&Table::new(columns)).unwrap();
        assert_eq!(events.len(), 4);
        let attrs = events.encoded().attr_columns();
        let cols = events.encoded().with_attrs(&attrs);
        assert_eq!(cols.attr("form_id").unwrap().get(0), None);
        assert_eq!(
            cols.attr("attrs.vip").unwrap().get(0),
            Some(ValueRef::Bool(true))
        );

        let mut columns = base();
        columns[2] = col(
            "at",
            Int32Array::from(vec![Some(1), None, Some(2), Some(3)]),
        );
        let events = Events::from_table(&Table::new(columns)).unwrap();
        let attrs = events.encoded().attr_columns();
        assert_eq!(events.encoded().with_attrs(&attrs).at[1], NULL_TIME);
        let mut columns = base();
        columns[2] = col("at", Float64Array::from(vec![1.0; 4]));
        assert!(matches!(
            Events::from_table(&Table::new(columns)),
            Err(Error::Type(_))
        ));
        let mut columns = base();
        columns[2] = col("at", UInt64Array::from(vec![u64::MAX; 4]));
        let e = Events::from_table(&Table::new(columns)).unwrap_err();
        assert_eq!(e.message(), "events column `at`: a value is out of range");
        let mut columns = base();
        columns.remove(0);
        let e = Events::from_table(&Table::new(columns)).unwrap_err();
        assert!(e.message().contains("no `lead_id` column"), "{e}");
    }
}
