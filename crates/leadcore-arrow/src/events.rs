//! Events from Arrow columns: `lead_id` as strings or integers, `kind` as a dictionary, `at`
//! as Unix seconds, and every attribute column by name, typed by the core's attribute
//! registry. A column whose Arrow buffer already is the core's layout is borrowed, not
//! copied: an `Int64` (or `timestamp[s]`) `at` with no nulls, `int32`/`uint32` dictionary
//! keys with no nulls, an `Int64` or `Float64` attribute's values.

use crate::columns::{Codes, Deferred, Raw, column_validity, ints, natives, select};
use crate::ids::{EventLeads, IntIds, LeadKeys, MISS, discover_keys};
use crate::read::{Kind, each_bool, each_float, each_int, kind_of};
use crate::table::{ChunkedColumn, Table, is_pandas_index};
use crate::{Error, Result, invalid};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, Int64Array, StringArray};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, Utc};
use leadcore::columnar::{
    AttrColumn, AttrValues, BatchLeads, Column, DictBuilder, DictColumn, EventColumns,
    ExtraColumns, LeadRows, NULL_CODE, NULL_TIME, OwnedAttr, RawText, RowErrorReason,
};
use leadcore::model::{AttributeDef, Catalog};
use leadcore::scoring::{BatchScores, Progress, ScoreCard, Scoring};
use leadcore::{Activity, ActivityKind, EventTable, FieldType, FieldValue, Lead, ValueRef};
use std::sync::Arc;

/// Events read from Arrow columns, owning (or sharing the Arrow buffers of) what
/// [`EventColumns`] borrows.
///
/// A table has `lead_id` (strings, or integers of any width: an integer id matches the lead
/// whose id is its decimal text, as an integer `id` column of a leads table gives), `kind`
/// (strings), `at` (integers as Unix seconds, or timestamps of any unit) and any attribute
/// columns named as conditions name them (`page`, `seconds`, `campaign`, `form_id`,
/// `content_id`, `attrs.NAME`). A misspelt column is the core's error naming the closest
/// attribute; a built-in attribute's column has an Arrow type of its registry type, and a
/// value it cannot hold (`seconds` not whole, negative or beyond 2^32-1) makes its row a
/// `bad_value` row error when scored, as in every path (whole floats and NaN, as pandas
/// writes integer columns with gaps, are fine); `attrs.NAME` columns hold strings,
/// integers, floats or booleans. Nulls are missing values; pandas index columns are left
/// out.
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
pub struct Events {
    lead_id: LeadIds,
    kind: Codes,
    at: ScalarBuffer<i64>,
    attrs: Vec<(String, Attr)>,
    /// The `kind` column as the producer holds it (its keys unchecked: the core makes a
    /// row of a key outside the dictionary a row error, which then fails the batch); `kind`
    /// then holds only the dictionary.
    raw_kind: Option<Raw>,
}

#[derive(Debug)]
enum LeadIds {
    Text(Codes),
    Int(IntIds),
}

/// One attribute column.
#[derive(Debug)]
enum Attr {
    Text(Codes),
    Int(ScalarBuffer<i64>, Option<Vec<bool>>),
    Float(ScalarBuffer<f64>, Option<Vec<bool>>),
    Owned(OwnedAttr),
    /// A dictionary's keys as the producer gave them, unchecked: scored as they are
    /// ([`RawText`]); read otherwise as codes made when first asked for.
    Lazy(Raw),
}

impl Attr {
    fn values(&self) -> AttrValues<'_> {
        match self {
            Attr::Text(c) => AttrValues::Text(c.column()),
            Attr::Int(v, valid) => AttrValues::Int(Column {
                values: v,
                valid: valid.as_deref(),
            }),
            Attr::Float(v, valid) => AttrValues::Float(Column {
                values: v,
                valid: valid.as_deref(),
            }),
            Attr::Owned(o) => o.values(),
            Attr::Lazy(raw) => AttrValues::Text(raw.column()),
        }
    }

    /// The values as the batch scores them: a raw column's dictionary only (its keys go
    /// as [`RawText`]).
    fn raw_values(&self) -> AttrValues<'_> {
        match self {
            Attr::Lazy(raw) => AttrValues::Text(DictColumn {
                codes: &[],
                dictionary: &raw.dictionary,
            }),
            other => other.values(),
        }
    }
}

impl Events {
    /// Reads events from a table's columns (see [`Events`]).
    pub fn from_table(table: &Table) -> Result<Self> {
        Events::read(table, false, &[])
    }

    /// Reads events for batch scoring from a table whose dictionary keys were not checked
    /// ([`Table::from_stream_deferring_keys`], [`crate::validate_deferring_keys`]): a text
    /// column of one dictionary chunk with `int32`/`uint32` keys is taken as it is, its keys
    /// checked (and its nulls read) by the batch as it reads them, in the rows of the kinds
    /// whose rules filter on the column ([`Events::score_rows`], [`Events::score_indexed`]);
    /// any other text column has its keys checked here. A key read outside its dictionary
    /// fails the batch as it fails [`crate::validate`]; a key no rule reads changes no
    /// score and is not looked at. The events are otherwise those of [`Events::from_table`].
    ///
    /// ```
    /// use arrow_array::{ArrayRef, DictionaryArray, Int32Array, Int64Array, StringArray};
    /// use leadcore_arrow::{ChunkedColumn, Events, Table};
    /// use std::sync::Arc;
    /// let page = DictionaryArray::new(
    ///     Int32Array::from(vec![Some(0), None]),
    ///     Arc::new(StringArray::from(vec!["/pricing"])),
    /// );
    /// let table = Table::new(vec![
    ///     ChunkedColumn::new("lead_id", Arc::new(Int64Array::from(vec![1, 1])) as ArrayRef),
    ///     ChunkedColumn::new("kind", Arc::new(StringArray::from(vec!["web_visit"; 2])) as ArrayRef),
    ///     ChunkedColumn::new("at", Arc::new(Int64Array::from(vec![0; 2])) as ArrayRef),
    ///     ChunkedColumn::new("page", Arc::new(page) as ArrayRef),
    /// ]);
    /// let fast = Events::for_scoring(&table).unwrap();
    /// let pb = leadcore::Playbook::default_playbook();
    /// let now = chrono::DateTime::from_timestamp(60, 0).unwrap();
    /// let leads = [leadcore::Lead::new("1")];
    /// assert_eq!(
    ///     fast.score(pb.scoring(), &leads, now).unwrap(),
    ///     Events::from_table(&table).unwrap().score(pb.scoring(), &leads, now).unwrap()
    /// );
    /// ```
    pub fn for_scoring(table: &Table) -> Result<Self> {
        Events::read(table, true, &[])
    }

    /// [`Events::for_scoring`], the dictionary columns named in `minus_one_missing` read
    /// with a key of -1 as a missing value: pandas' categorical codes, handed over as a
    /// dictionary of its codes with no validity (so no pass over the codes makes one).
    pub fn for_scoring_with(table: &Table, minus_one_missing: &[String]) -> Result<Self> {
        Events::read(table, true, minus_one_missing)
    }

    fn read(table: &Table, deferred: bool, minus_one_missing: &[String]) -> Result<Self> {
        let mom = |c: &ChunkedColumn| minus_one_missing.contains(&c.name);
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
        same_length(lead_id_col)?;
        same_length(kind_col)?;
        let strings = |c: &ChunkedColumn, or_ints: &str| {
            if deferred {
                for chunk in &c.chunks {
                    if let Some(e) = crate::table::bad_keys(chunk.as_ref()) {
                        return Err(e);
                    }
                }
            }
            Codes::read(c).ok_or_else(|| {
                Error::Type(format!(
                    "events column `{}` has Arrow type {}; expected strings (utf8, large_utf8, \
                     utf8_view, or a dictionary of them){or_ints}",
                    c.name, c.data_type
                ))
            })
        };
        let lead_id = if kind_of(&lead_id_col.data_type) == Some(Kind::Int) {
            LeadIds::Int(IntIds(lead_id_col.clone()))
        } else {
            // pandas' codes (-1 missing) made codes, as ids are looked up row by row.
            match (deferred && mom(lead_id_col)).then(|| Codes::read_deferred(lead_id_col, true)) {
                Some(Some(Ok(Deferred::Keys(raw)))) => {
                    raw.check("lead_id")?;
                    LeadIds::Text(Codes {
                        codes: ScalarBuffer::from(raw.column().codes.to_vec()),
                        dictionary: raw.dictionary.clone(),
                    })
                }
                _ => LeadIds::Text(strings(lead_id_col, " or integers")?),
            }
        };
        // A deferred `kind` with no nulls is taken as it is: the core checks every row's
        // kind code.
        let (kind, raw_kind) = match deferred.then(|| Codes::read_deferred(kind_col, mom(kind_col)))
        {
            Some(Some(Ok(Deferred::Keys(raw)))) => (
                Codes {
                    codes: ScalarBuffer::from(Vec::new()),
                    dictionary: raw.dictionary.clone(),
                },
                Some(raw),
            ),
            _ => (strings(kind_col, "")?, None),
        };
        let mut attrs = Vec::new();
        for c in columns {
            if matches!(c.name.as_str(), "lead_id" | "kind" | "at") {
                continue;
            }
            check_name(&c.name)?;
            same_length(c)?;
            attrs.push((
                c.name.clone(),
                attribute(c, Activity::attribute_def(&c.name), deferred, mom(c))?,
            ));
        }
        Ok(Events {
            lead_id,
            kind,
            at,
            attrs,
            raw_kind,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Whether the `lead_id` column holds integers.
    pub fn has_int_ids(&self) -> bool {
        matches!(self.lead_id, LeadIds::Int(_))
    }

    /// Row `row`'s lead id as text (an integer in decimal); `None` where the row has none.
    pub fn lead_id(&self, row: usize) -> Option<String> {
        match &self.lead_id {
            LeadIds::Text(c) => c.column().get(row).map(str::to_owned),
            LeadIds::Int(ids) => ids.text(row),
        }
    }

    /// Each row's index in `leads` (`u32::MAX` for an id no lead has, or none): an id
    /// matches the lead whose `id` is its text (an integer's decimal text). Lead ids must be
    /// unique. Integer ids are found through a table indexed by id when the leads' ids lie
    /// in a small range (at most 4 slots per lead), else a hash table; no text is made per
    /// row.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int64Array, StringArray};
    /// use leadcore_arrow::{ChunkedColumn, Events, Table};
    /// use std::sync::Arc;
    /// let table = Table::new(vec![
    ///     ChunkedColumn::new("lead_id", Arc::new(Int64Array::from(vec![Some(7), Some(9), None])) as ArrayRef),
    ///     ChunkedColumn::new("kind", Arc::new(StringArray::from(vec!["web_visit"; 3])) as ArrayRef),
    ///     ChunkedColumn::new("at", Arc::new(Int64Array::from(vec![0; 3])) as ArrayRef),
    /// ]);
    /// let events = Events::from_table(&table).unwrap();
    /// let leads = [leadcore::Lead::new("9"), leadcore::Lead::new("7")];
    /// assert_eq!(events.lead_index(&leads).unwrap(), [1, 0, u32::MAX]);
    /// ```
    pub fn lead_index(&self, leads: &[Lead]) -> leadcore::Result<Vec<u32>> {
        match &self.lead_id {
            LeadIds::Text(c) => leadcore::columnar::lead_index(leads, c.column()),
            LeadIds::Int(ids) => ids.index(leads),
        }
    }

    /// The leads the events name, one per distinct id in order of first appearance, for
    /// scoring with no leads table: their ids as text, the ids as the events gave them (an
    /// integer column's type, or `Utf8`), and each row's lead index.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int32Array, StringArray};
    /// use leadcore_arrow::{ChunkedColumn, Events, Table};
    /// use std::sync::Arc;
    /// let table = Table::new(vec![
    ///     ChunkedColumn::new("lead_id", Arc::new(Int32Array::from(vec![9, 7, 9])) as ArrayRef),
    ///     ChunkedColumn::new("kind", Arc::new(StringArray::from(vec!["web_visit"; 3])) as ArrayRef),
    ///     ChunkedColumn::new("at", Arc::new(Int32Array::from(vec![0; 3])) as ArrayRef),
    /// ]);
    /// let found = Events::from_table(&table).unwrap().leads();
    /// assert_eq!(found.leads[1].id, "7");
    /// assert_eq!(found.ids.data_type(), &arrow_schema::DataType::Int32);
    /// assert_eq!(found.index, [0, 1, 0]);
    /// ```
    pub fn leads(&self) -> EventLeads {
        match &self.lead_id {
            LeadIds::Int(ids) => ids.leads(),
            LeadIds::Text(c) => {
                let column = c.column();
                let mut first: Vec<u32> = vec![MISS; column.dictionary.len()];
                let mut seen: Vec<u32> = Vec::new();
                let index = column
                    .codes
                    .iter()
                    .map(|&code| match first.get_mut(code as usize) {
                        None => MISS,
                        Some(slot) => {
                            if *slot == MISS {
                                *slot = seen.len() as u32;
                                seen.push(code);
                            }
                            *slot
                        }
                    })
                    .collect();
                let ids: Vec<&str> = seen
                    .iter()
                    .map(|&code| column.dictionary[code as usize].as_str())
                    .collect();
                EventLeads {
                    leads: ids.iter().map(|&id| Lead::new(id)).collect(),
                    ids: Arc::new(StringArray::from(ids)),
                    index,
                }
            }
        }
    }

    /// The `lead_id` column as int64 keys, when it is one int64 chunk with no nulls (what
    /// [`LeadKeys::rows`] reads).
    pub fn int64_keys(&self) -> Option<&[i64]> {
        let LeadIds::Int(ids) = &self.lead_id else {
            return None;
        };
        match ids.0.chunks.as_slice() {
            [chunk] if chunk.null_count() == 0 => chunk
                .as_primitive_opt::<Int64Type>()
                .map(|a| a.values().as_ref()),
            [] => Some(&[]),
            _ => None,
        }
    }

    /// The leads an int64 `lead_id` column with no nulls names, one per distinct id in
    /// order of first appearance (as [`Events::leads`]), found with no lead record and no
    /// index column: their ids (an `Int64` array) and the lookup of each row's lead.
    /// `None` for other id columns or ids spread too wide.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int64Array, StringArray};
    /// use leadcore_arrow::{ChunkedColumn, Events, Table};
    /// use std::sync::Arc;
    /// let table = Table::new(vec![
    ///     ChunkedColumn::new("lead_id", Arc::new(Int64Array::from(vec![9, 7, 9])) as ArrayRef),
    ///     ChunkedColumn::new("kind", Arc::new(StringArray::from(vec!["web_visit"; 3])) as ArrayRef),
    ///     ChunkedColumn::new("at", Arc::new(Int64Array::from(vec![0; 3])) as ArrayRef),
    /// ]);
    /// let events = Events::from_table(&table).unwrap();
    /// let (ids, keys) = events.int64_leads().unwrap();
    /// assert_eq!(ids, [9, 7]);
    /// let rows = keys.rows(events.int64_keys().unwrap()).unwrap();
    /// assert_eq!((rows.get(0), rows.get(1), rows.get(2)), (0, 1, 0));
    /// ```
    pub fn int64_leads(&self) -> Option<(Vec<i64>, LeadKeys)> {
        discover_keys(self.int64_keys()?)
    }

    /// Scores the events for leads that are only an id, lead `i`'s id being `ids[i]` (as
    /// text through `Display`), each row's lead found from its int64 `lead_id` through
    /// `keys` a block of rows at a time: no lead record and no index column made. `None`
    /// (nothing scored) when the events' ids are not one null-free int64 column or `keys`
    /// is no table; the caller then takes [`Events::score_indexed`].
    pub fn score_bare<T: std::fmt::Display + Sync>(
        &self,
        scoring: &Scoring,
        ids: &[T],
        keys: &LeadKeys,
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(leadcore::scoring::Progress) -> bool,
    ) -> Option<leadcore::Result<Option<BatchScores>>> {
        let rows = keys.rows(self.int64_keys()?)?;
        let id = |i: usize| ids.get(i).map(ToString::to_string).unwrap_or_default();
        let leads = BatchLeads::Bare {
            count: ids.len(),
            id: &id,
        };
        Some(self.score_rows(scoring, leads, rows, now, threads, keep_going))
    }

    /// Scores the events for the leads of a table, one row per lead as [`crate::leads`]
    /// reads it (`id`, text or integers of any width, and fit attribute columns; a column
    /// that is no lead field as `extra` says), at `now` on `threads` threads; `keep_going`
    /// may stop it (`Ok(None)`). Gives the scores and the results' `lead_id` column
    /// (integer ids in the type they came in, text ids as `Utf8`) for
    /// [`crate::scores_batch_with_ids`]. A table of nothing but a null-free int64 `id`,
    /// with int64 event ids, is scored with no lead record made ([`Events::score_bare`]);
    /// any other through [`Events::score_indexed`]: the same scores either way. Two leads
    /// with one id are an error.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int64Array, StringArray};
    /// use leadcore::columnar::ExtraColumns;
    /// use leadcore_arrow::{ChunkedColumn, Events, Table};
    /// use std::sync::Arc;
    /// let column = |name: &str, a: ArrayRef| ChunkedColumn::new(name, a);
    /// let events = Events::from_table(&Table::new(vec![
    ///     column("lead_id", Arc::new(Int64Array::from(vec![9, 7, 9]))),
    ///     column("kind", Arc::new(StringArray::from(vec!["email_opened"; 3]))),
    ///     column("at", Arc::new(Int64Array::from(vec![0; 3]))),
    /// ])).unwrap();
    /// let leads = Table::new(vec![column("id", Arc::new(Int64Array::from(vec![7, 9, 8])))]);
    /// let pb = leadcore::Playbook::default_playbook();
    /// let now = chrono::DateTime::from_timestamp(60, 0).unwrap();
    /// let (scores, ids) = events
    ///     .score_leads_table(pb.scoring(), pb.catalog(), &leads, ExtraColumns::Error, now, 1, &mut |_| true)
    ///     .unwrap()
    ///     .unwrap();
    /// assert_eq!(ids.data_type(), &arrow_schema::DataType::Int64);
    /// let engagement: Vec<_> = (0..3).map(|l| scores.score(l, "engagement")).collect();
    /// assert_eq!(engagement, [Some(2.0), Some(4.0), Some(0.0)]); // leads 7, 9, 8
    /// let twice = Table::new(vec![column("id", Arc::new(Int64Array::from(vec![7, 7])))]);
    /// assert!(events.score_leads_table(pb.scoring(), pb.catalog(), &twice, ExtraColumns::Error, now, 1, &mut |_| true).is_err());
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn score_leads_table(
        &self,
        scoring: &Scoring,
        catalog: &Catalog,
        leads: &Table,
        extra: ExtraColumns,
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<(BatchScores, ArrayRef)>> {
        if self.int64_keys().is_some()
            && let Some(keys) = crate::int64_id_keys(leads)
            && let Some(lookup) = LeadKeys::new(&keys)?
        {
            let ids: Vec<i64> = keys.into_iter().flatten().collect();
            if let Some(scores) = self.score_bare(scoring, &ids, &lookup, now, threads, keep_going)
            {
                let ids: ArrayRef = Arc::new(Int64Array::from(ids));
                return Ok(scores?.map(|s| (s, ids)));
            }
        }
        let records = crate::leads(leads, catalog, extra)?;
        let ids = match crate::int_lead_ids(leads)? {
            Some(ids) => ids,
            None => Arc::new(StringArray::from_iter_values(
                records.iter().map(|l| l.id.as_str()),
            )),
        };
        let index = self.lead_index(&records)?;
        Ok(self
            .score_indexed(scoring, &records, &index, now, threads, keep_going)?
            .map(|s| (s, ids)))
    }

    /// Scores the events for one lead per distinct `lead_id`, in the order the ids first
    /// appear ([`Events::leads`]), at `now` on `threads` threads; `keep_going` may stop it
    /// (`Ok(None)`). Gives the scores and the results' `lead_id` column, the ids in the
    /// events' own type (`Utf8` for text). Int64 ids are scored with no lead record made
    /// ([`Events::score_bare`]), any other through [`Events::score_indexed`]: the same
    /// scores either way. What every door does when it is given no leads.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int64Array, StringArray};
    /// use leadcore_arrow::{ChunkedColumn, Events, Table};
    /// use std::sync::Arc;
    /// let column = |name: &str, a: ArrayRef| ChunkedColumn::new(name, a);
    /// let events = Events::from_table(&Table::new(vec![
    ///     column("lead_id", Arc::new(Int64Array::from(vec![9, 7, 9]))),
    ///     column("kind", Arc::new(StringArray::from(vec!["email_opened"; 3]))),
    ///     column("at", Arc::new(Int64Array::from(vec![0; 3]))),
    /// ])).unwrap();
    /// let pb = leadcore::Playbook::default_playbook();
    /// let now = chrono::DateTime::from_timestamp(60, 0).unwrap();
    /// let (scores, ids) = events.score_own_leads(pb.scoring(), now, 1, &mut |_| true).unwrap().unwrap();
    /// assert_eq!(ids.data_type(), &arrow_schema::DataType::Int64);
    /// assert_eq!(ids.len(), 2); // 9, then 7
    /// assert_eq!(scores.score(0, "engagement"), Some(4.0));
    /// ```
    pub fn score_own_leads(
        &self,
        scoring: &Scoring,
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(Progress) -> bool,
    ) -> leadcore::Result<Option<(BatchScores, ArrayRef)>> {
        if let Some((ids, keys)) = self.int64_leads()
            && let Some(scores) = self.score_bare(scoring, &ids, &keys, now, threads, keep_going)
        {
            let ids: ArrayRef = Arc::new(Int64Array::from(ids));
            return Ok(scores?.map(|s| (s, ids)));
        }
        let found = self.leads();
        Ok(self
            .score_indexed(
                scoring,
                &found.leads,
                &found.index,
                now,
                threads,
                keep_going,
            )?
            .map(|s| (s, found.ids)))
    }

    /// Scores the events for `leads` ([`BatchLeads`]: records, or only their number and
    /// ids) with each row's lead given as [`LeadRows`] ([`Scoring::score_rows`]); an
    /// `unknown_lead` row error names the row's id. The same scores as
    /// [`Events::score_indexed`] for the same leads.
    pub fn score_rows(
        &self,
        scoring: &Scoring,
        leads: BatchLeads<'_>,
        rows: LeadRows<'_>,
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(leadcore::scoring::Progress) -> bool,
    ) -> leadcore::Result<Option<BatchScores>> {
        let attrs: Vec<AttrColumn<'_>> = self
            .attrs
            .iter()
            .map(|(name, a)| AttrColumn {
                name,
                values: a.raw_values(),
            })
            .collect();
        let mut raw: Vec<RawText<'_>> = self
            .attrs
            .iter()
            .filter_map(|(name, a)| match a {
                Attr::Lazy(r) => Some(r.text(name)),
                _ => None,
            })
            .collect();
        raw.extend(self.raw_kind.as_ref().map(|r| r.text("kind")));
        let columns = EventColumns {
            lead: &[],
            kind: DictColumn {
                codes: if self.raw_kind.is_some() {
                    &[]
                } else {
                    &self.kind.codes
                },
                dictionary: &self.kind.dictionary,
            },
            at: &self.at,
            attrs: &attrs,
        };
        let Some(mut out) =
            scoring.score_rows(leads, rows, &columns, &raw, now, threads, keep_going)?
        else {
            return Ok(None);
        };
        self.check_kinds(&out)?;
        self.name_unknown_leads(&mut out);
        Ok(Some(out))
    }

    /// Checks every key [`Events::for_scoring`] left unchecked (a key outside its
    /// dictionary is the error [`crate::validate`] gives): for events read that way and
    /// then used other than by [`Events::score_rows`] or [`Events::score_indexed`].
    pub fn check_keys(&self) -> Result<()> {
        if let Some(raw) = &self.raw_kind {
            raw.check("kind")?;
        }
        for (name, a) in &self.attrs {
            if let Attr::Lazy(raw) = a {
                raw.check(name)?;
            }
        }
        Ok(())
    }

    /// With unchecked `kind` keys: a key outside the dictionary fails the batch, as
    /// validation fails it (the core made its row a row error; a row whose lead is unknown
    /// is refused for that first, so then every key is checked).
    fn check_kinds(&self, out: &BatchScores) -> leadcore::Result<()> {
        let Some(raw) = &self.raw_kind else {
            return Ok(());
        };
        if out
            .row_errors
            .iter()
            .any(|e| e.reason == RowErrorReason::UnknownLead)
        {
            return raw.check("kind").map_err(core_error);
        }
        let text = raw.text("kind");
        let n = raw.dictionary.len();
        match out.row_errors.iter().map(|e| e.row).find(|&r| {
            let c = text.code(r);
            c != NULL_CODE && c as usize >= n
        }) {
            None => Ok(()),
            Some(_) => raw.check("kind").map_err(core_error),
        }
    }

    fn name_unknown_leads(&self, out: &mut BatchScores) {
        for e in &mut out.row_errors {
            if e.reason == RowErrorReason::UnknownLead {
                e.message = match self.lead_id(e.row) {
                    Some(id) => format!("no lead with id `{id}`"),
                    None => "the event has no lead id".to_owned(),
                };
            }
        }
    }

    /// The attribute columns, borrowed (pass them to [`Events::columns`]).
    pub fn attr_columns(&self) -> Vec<AttrColumn<'_>> {
        self.attrs
            .iter()
            .map(|(name, a)| AttrColumn {
                name,
                values: a.values(),
            })
            .collect()
    }

    /// The events as the core's columns, rows matched to leads by `lead` (from
    /// [`Events::lead_index`] or [`Events::leads`]; empty where rows are matched by id).
    pub fn columns<'a>(&'a self, lead: &'a [u32], attrs: &'a [AttrColumn<'a>]) -> EventColumns<'a> {
        EventColumns {
            lead,
            kind: match &self.raw_kind {
                Some(raw) => raw.column(),
                None => self.kind.column(),
            },
            at: &self.at,
            attrs,
        }
    }

    /// Scores the events for `leads` at `now` (rows matched by [`Events::lead_index`]);
    /// an `unknown_lead` row error names the id (`no lead with id `x``).
    pub fn score(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> leadcore::Result<BatchScores> {
        let index = self.lead_index(leads)?;
        self.score_indexed(scoring, leads, &index, now, 1, &mut |_| true)?
            .ok_or_else(|| leadcore::Error::invalid_input("batch stopped".to_owned()))
    }

    /// Scores the events for `leads` at `now` with each row's lead index given, on
    /// `threads` threads ([`Scoring::score_columns_parallel_until`]: the same bits on any
    /// number; `keep_going` may stop it, `Ok(None)`); an `unknown_lead` row error names the
    /// row's id.
    pub fn score_indexed(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        index: &[u32],
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(leadcore::scoring::Progress) -> bool,
    ) -> leadcore::Result<Option<BatchScores>> {
        self.score_rows(
            scoring,
            BatchLeads::Records(leads),
            LeadRows::Index(index),
            now,
            threads,
            keep_going,
        )
    }

    /// Each lead's score card with its breakdown ([`Scoring::explain_columns_by_id`]).
    pub fn explain(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> leadcore::Result<Vec<ScoreCard>> {
        let index = self.lead_index(leads)?;
        self.explain_indexed(scoring, leads, &index, now, &mut |_| true)?
            .ok_or_else(|| leadcore::Error::invalid_input("batch stopped".to_owned()))
    }

    /// Each lead's score card with its breakdown, each row's lead index given; `keep_going`
    /// may stop it (`Ok(None)`).
    pub fn explain_indexed(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        index: &[u32],
        now: DateTime<Utc>,
        keep_going: &mut dyn FnMut(leadcore::scoring::Progress) -> bool,
    ) -> leadcore::Result<Option<Vec<ScoreCard>>> {
        // The core matches rows by id: the leads' own ids as the dictionary, each row's
        // index as its code.
        let ids: Vec<String> = leads.iter().map(|l| l.id.clone()).collect();
        let lead_ids = DictColumn {
            codes: index,
            dictionary: &ids,
        };
        let attrs = self.attr_columns();
        scoring.explain_columns_by_id_until(
            leads,
            lead_ids,
            &self.columns(&[], &attrs),
            now,
            keep_going,
        )
    }
}

/// This crate's error as the core's (`invalid input` with its message).
fn core_error(e: Error) -> leadcore::Error {
    match e {
        Error::Core(e) => e,
        other => leadcore::Error::invalid_input(other.message()),
    }
}

fn check_name(name: &str) -> Result<()> {
    let mut probe = EventTable::default();
    probe.attrs.insert(name.to_owned(), Vec::new());
    probe.encode().map(drop).map_err(Error::Core)
}

/// A timestamp chunk's values and how many of its units make a second.
fn timestamp_values(chunk: &dyn Array) -> Option<(&[i64], i64)> {
    let DataType::Timestamp(unit, _) = chunk.data_type() else {
        return None;
    };
    Some(match unit {
        TimeUnit::Second => (chunk.as_primitive::<TimestampSecondType>().values(), 1),
        TimeUnit::Millisecond => (
            chunk.as_primitive::<TimestampMillisecondType>().values(),
            1_000,
        ),
        TimeUnit::Microsecond => (
            chunk.as_primitive::<TimestampMicrosecondType>().values(),
            1_000_000,
        ),
        TimeUnit::Nanosecond => (
            chunk.as_primitive::<TimestampNanosecondType>().values(),
            1_000_000_000,
        ),
    })
}

/// The `at` column as Unix seconds: integers, or timestamps of any unit (rounded down). A
/// missing time (null, NaT) is the core's NULL_TIME: a row error, not a failed batch.
fn times(c: &ChunkedColumn) -> Result<ScalarBuffer<i64>> {
    if c.is_empty() {
        return Ok(ScalarBuffer::from(Vec::new()));
    }
    let wrong = || {
        Error::Type(format!(
            "events column `at` has Arrow type {}; expected Unix seconds (integers) or timestamps",
            c.data_type
        ))
    };
    match kind_of(&c.data_type) {
        Some(Kind::Int) => match ints(c, NULL_TIME, false) {
            Some(Ok(at)) => Ok(at),
            Some(Err(_)) => Err(invalid("events column `at`: a value is out of range")),
            None => Err(wrong()),
        },
        Some(Kind::Time) => {
            if let [chunk] = c.chunks.as_slice()
                && chunk.null_count() == 0
                && let Some((_, 1)) = timestamp_values(chunk.as_ref())
            {
                return natives::<TimestampSecondType>(c).ok_or_else(wrong);
            }
            let mut out = Vec::with_capacity(c.len());
            for chunk in &c.chunks {
                let (values, per) = timestamp_values(chunk.as_ref()).ok_or_else(wrong)?;
                select(
                    values,
                    chunk.nulls(),
                    NULL_TIME,
                    |v| v.div_euclid(per),
                    &mut out,
                );
            }
            Ok(ScalarBuffer::from(out))
        }
        Some(Kind::Null) => Ok(ScalarBuffer::from(vec![NULL_TIME; c.len()])),
        _ => Err(wrong()),
    }
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

/// One attribute column: text as dictionary codes (a built-in attribute's values checked
/// once per distinct value), integers and `Float64` as they come (a built-in number's
/// whole floats as integers, as its setter reads them), anything else value by value
/// through the registry (read back through its getter, so `seconds` arrives whole).
fn attribute(
    c: &ChunkedColumn,
    def: Option<&'static AttributeDef>,
    deferred: bool,
    minus_one_missing: bool,
) -> Result<Attr> {
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
        return Ok(Attr::Owned(OwnedAttr::Text(DictBuilder::default())));
    }
    if matches!(kind, Some(Kind::Text | Kind::Null)) {
        let (read, lazy) = if deferred {
            match Codes::read_deferred(c, minus_one_missing) {
                Some(Ok(Deferred::Keys(raw))) => (None, Some(raw)),
                Some(Ok(Deferred::Read(codes))) => (Some(codes), None),
                Some(Err(e)) => return Err(e),
                None => (None, None),
            }
        } else {
            (Codes::read(c), None)
        };
        let dictionary = match (&read, &lazy) {
            (Some(codes), _) => &codes.dictionary,
            (None, Some(raw)) => &raw.dictionary,
            (None, None) => {
                return Err(Error::Type(format!(
                    "events column `{name}` has Arrow type {}; expected strings",
                    c.data_type
                )));
            }
        };
        if let Some(def) = def {
            // One check per distinct value.
            let mut scratch = Activity::new(ActivityKind::WebVisit, DateTime::UNIX_EPOCH);
            for (i, v) in dictionary.iter().enumerate() {
                if let Err(m) = def.set(&mut scratch, Some(ValueRef::Text(v))) {
                    let column = match (&read, &lazy) {
                        (Some(codes), _) => codes.column(),
                        (None, Some(raw)) => raw.column(),
                        (None, None) => DictColumn {
                            codes: &[],
                            dictionary,
                        },
                    };
                    let row = column.codes.iter().position(|&code| code as usize == i);
                    return Err(invalid(format!(
                        "events column `{name}` row {}: {m}",
                        row.unwrap_or(0)
                    )));
                }
            }
        }
        return Ok(match (read, lazy) {
            (_, Some(raw)) => Attr::Lazy(raw),
            (Some(codes), None) => Attr::Text(codes),
            (None, None) => Attr::Owned(OwnedAttr::Text(DictBuilder::default())),
        });
    }
    if kind == Some(Kind::Int) {
        // Kept as given: a value the attribute cannot hold (seconds beyond 0..=2^32-1) makes
        // its row a `bad_value` row error in the core, as in every path.
        match ints(c, 0, true) {
            Some(Ok(values)) => return Ok(Attr::Int(values, column_validity(c))),
            Some(Err(u)) => {
                return Err(invalid(format!(
                    "events column `{name}`: {u} is out of range for a 64-bit integer"
                )));
            }
            None => {}
        }
    }
    if c.data_type == DataType::Float64
        && let Some(values) = natives::<Float64Type>(c)
    {
        let valid = column_validity(c);
        let is_valid = |i: usize| valid.as_ref().is_none_or(|v| v[i]);
        match def {
            None => return Ok(Attr::Float(values, valid)),
            // A built-in number reads whole floats as integers (NaN is missing); a column of
            // them is an integer column. Anything else goes value by value below.
            Some(_) => {
                let whole = |f: f64| f.fract() == 0.0 && (-9.2e18..9.2e18).contains(&f);
                if (0..values.len()).all(|i| !is_valid(i) || values[i].is_nan() || whole(values[i]))
                {
                    let ints: Vec<i64> = values
                        .iter()
                        .map(|&f| if whole(f) { f as i64 } else { 0 })
                        .collect();
                    let valid = (0..values.len())
                        .map(|i| is_valid(i) && !values[i].is_nan())
                        .collect();
                    return Ok(Attr::Int(ScalarBuffer::from(ints), Some(valid)));
                }
            }
        }
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
    OwnedAttr::from_values(name, &values)
        .map(Attr::Owned)
        .map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::types::Int8Type;
    use arrow_array::{
        ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array,
        LargeStringArray, NullArray, StringArray, StringViewArray, TimestampMillisecondArray,
        UInt32Array, UInt64Array,
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

    /// Integer lead ids of every width score as their decimal text does, across chunks and
    /// with nulls; an unknown id is an `unknown_lead` row error naming it, as a text id is.
    /// Events as a producer hands them over: int64 ids, `kind` and `page` as dictionaries
    /// with int32 keys, `page`'s nulls holding `under_null` (what a null's key holds is
    /// undefined in Arrow).
    fn producer_table(rows: usize, under_null: i32) -> (Table, Vec<Lead>) {
        let kinds = ["web_visit", "email_opened", "trial_signup"];
        let pages = ["/pricing", "/blog/a", "/docs", "/pricing-faq"];
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let (mut ids, mut kind, mut at, mut page, mut valid) =
            (vec![], vec![], vec![], vec![], vec![]);
        for _ in 0..rows {
            ids.push(next(40) as i64 + 1000);
            kind.push(next(3) as i32);
            at.push(1_767_225_600 - next(86_400 * 30) as i64);
            let present = next(3) != 0;
            page.push(if present { next(4) as i32 } else { under_null });
            valid.push(present);
        }
        let page = DictionaryArray::new(
            Int32Array::new(page.into(), Some(valid.into())),
            Arc::new(StringArray::from(pages.to_vec())),
        );
        let kind = DictionaryArray::new(
            Int32Array::from(kind),
            Arc::new(StringArray::from(kinds.to_vec())),
        );
        let table = Table::new(vec![
            col("lead_id", Int64Array::from(ids)),
            col("kind", kind),
            col("at", Int64Array::from(at)),
            col("page", page),
        ]);
        let leads = (1000..1040).map(|i| Lead::new(i.to_string())).collect();
        (table, leads)
    }

    #[test]
    fn keys_checked_where_read_score_as_checked_keys() {
        let pb = Playbook::default_playbook();
        let now = DateTime::from_timestamp(1_767_312_000, 0).unwrap();
        for under_null in [-1, 0, 3, 77, i32::MIN] {
            let (table, leads) = producer_table(5_000, under_null);
            let want = Events::from_table(&table)
                .unwrap()
                .score(pb.scoring(), &leads, now)
                .unwrap();
            let fast = Events::for_scoring(&table).unwrap();
            assert_eq!(fast.score(pb.scoring(), &leads, now).unwrap(), want);
            // Bare leads, int64 keys, one and two threads (the second run starts at a row
            // whose validity bit is no byte's first).
            let keys: Vec<Option<i64>> = (1000..1040).map(Some).collect();
            let lookup = crate::LeadKeys::new(&keys).unwrap().unwrap();
            let id = |i: usize| (1000 + i).to_string();
            for threads in [1, 2, 3] {
                let out = fast
                    .score_rows(
                        pb.scoring(),
                        BatchLeads::Bare { count: 40, id: &id },
                        lookup.rows(fast.int64_keys().unwrap()).unwrap(),
                        now,
                        threads,
                        &mut |_| true,
                    )
                    .unwrap()
                    .unwrap();
                assert_eq!(out, want, "under_null {under_null}, {threads} threads");
            }
            // A slice whose validity starts mid-byte.
            let sliced = Table::new(
                table
                    .columns
                    .iter()
                    .map(|c| ChunkedColumn::new(&c.name, c.chunks[0].slice(3, 4_000)))
                    .collect(),
            );
            let want = Events::from_table(&sliced)
                .unwrap()
                .score(pb.scoring(), &leads, now)
                .unwrap();
            let fast = Events::for_scoring(&sliced).unwrap();
            assert_eq!(fast.score(pb.scoring(), &leads, now).unwrap(), want);
            assert!(fast.check_keys().is_ok());
        }
    }

    #[test]
    fn int_lead_ids_score_as_their_text() {
        let pb = Playbook::default_playbook();
        let now = DateTime::from_timestamp(1_767_312_000, 0).unwrap();
        let leads = [Lead::new("1"), Lead::new("2"), Lead::new("3")];
        let mut table = json_table();
        table.lead_id = ["1", "1", "2", "99"].map(String::from).to_vec();
        let want = pb.scoring().score_table(&leads, &table, now).unwrap();
        assert_eq!(want.row_errors[0].message, "no lead with id `99`");
        let ids: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![1, 1, 2, 99])),
            Arc::new(Int32Array::from(vec![1, 1, 2, 99])),
            Arc::new(UInt32Array::from(vec![1, 1, 2, 99])),
            Arc::new(arrow_array::Int8Array::from(vec![1, 1, 2, 99])),
            Arc::new(UInt64Array::from(vec![1, 1, 2, 99])),
        ];
        let with_ids = |ids: ChunkedColumn| {
            let mut columns = base();
            columns[0] = ids;
            columns.push(col(
                "page",
                StringArray::from(vec![None, Some("/pricing"), Some("/pricing"), None]),
            ));
            columns.push(col(
                "seconds",
                Int64Array::from(vec![None, Some(75), Some(10), None]),
            ));
            columns.push(col(
                "attrs.tier",
                StringArray::from(vec![Some("gold"), None, Some("silver"), None]),
            ));
            Events::from_table(&Table::new(columns)).unwrap()
        };
        for id in ids {
            let events = with_ids(ChunkedColumn::new("lead_id", id.clone()));
            assert!(events.has_int_ids());
            assert_eq!(events.score(pb.scoring(), &leads, now).unwrap(), want);
            let cards = events.explain(pb.scoring(), &leads, now).unwrap();
            assert_eq!(cards[0].score("engagement"), want.score(0, "engagement"));
            // Two chunks.
            let mut two = ChunkedColumn::new("lead_id", id.slice(0, 1));
            two.chunks.push(id.slice(1, 3));
            let events = with_ids(two);
            assert_eq!(events.score(pb.scoring(), &leads, now).unwrap(), want);
        }
        // The leads of an integer `id` column are the same leads.
        let lead_table = Table::new(vec![col("id", UInt32Array::from(vec![1, 2, 3]))]);
        let from_ints = crate::leads(&lead_table, &Default::default(), Default::default()).unwrap();
        assert_eq!(from_ints, leads);
        // A null id, and no leads table: the leads are the ids the events name.
        let events = with_ids(col(
            "lead_id",
            Int64Array::from(vec![Some(2), Some(2), Some(1), None]),
        ));
        let found = events.leads();
        assert_eq!(found.leads, [Lead::new("2"), Lead::new("1")]);
        assert_eq!(found.index, [0, 0, 1, u32::MAX]);
        let out = events
            .score_indexed(
                pb.scoring(),
                &found.leads,
                &found.index,
                now,
                1,
                &mut |_| true,
            )
            .unwrap()
            .unwrap();
        assert_eq!(out.row_errors.len(), 1);
        assert_eq!(out.row_errors[0].message, "the event has no lead id");
        let by_index = events.score(pb.scoring(), &[Lead::new("2"), Lead::new("1")], now);
        assert_eq!(by_index.unwrap(), out);
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
        let attrs = events.attr_columns();
        let cols = events.columns(&[], &attrs);
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
        let attrs = events.attr_columns();
        assert_eq!(events.columns(&[], &attrs).at[1], NULL_TIME);
        // A column of nulls is a missing time on every row; timestamps round down to the
        // second, a null one is missing.
        let mut columns = base();
        columns[2] = col("at", NullArray::new(4));
        let events = Events::from_table(&Table::new(columns)).unwrap();
        assert_eq!(&events.at[..], [NULL_TIME; 4]);
        let mut columns = base();
        columns[2] = col(
            "at",
            arrow_array::TimestampNanosecondArray::from(vec![
                Some(-1),
                None,
                Some(1_999_999_999),
                Some(0),
            ]),
        );
        let events = Events::from_table(&Table::new(columns)).unwrap();
        assert_eq!(&events.at[..], [-1, NULL_TIME, 1, 0]);
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
