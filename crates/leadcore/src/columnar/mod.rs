//! Leads, events and results as columns: what batch paths read and write, with no Arrow
//! types (the `leadcore-arrow` crate converts Arrow record batches to and from these).
//!
//! Strings are dictionary-encoded ([`DictColumn`]); activity attributes are generic named
//! columns ([`AttrColumn`]: the built-in `page`, `seconds`, ... and any `attrs.NAME`);
//! rows the engine cannot use come back as [`RowError`]s with a typed reason, and the rest
//! of the batch is still processed.

mod activities;
mod leads;
mod table;

pub use leads::{ExtraColumns, LeadColumn, LeadTable};
pub use table::{EncodedEvents, EventTable};

use crate::error::{Error, Result};
use crate::model::{FieldValue, Lead, ValueRef};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// The code marking a missing value in a [`DictColumn`].
pub const NULL_CODE: u32 = u32::MAX;

/// The time marking an event with no time in [`EventColumns::at`] (a null or NaT in the
/// source): the row is an `invalid_time` row error, the rest of the batch is scored.
pub const NULL_TIME: i64 = i64::MIN;

/// A dictionary-encoded string column: row `i` holds `dictionary[codes[i]]`, or nothing when
/// the code is [`NULL_CODE`]. A code past the dictionary's end is refused on entry
/// ([`EventColumns::check`]).
///
/// ```
/// use leadcore::DictColumn;
/// let dictionary = ["web_visit".to_owned(), "call".to_owned()];
/// let kinds = DictColumn { codes: &[1, 0, 1], dictionary: &dictionary };
/// assert_eq!(kinds.get(2), Some("call"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DictColumn<'a> {
    /// One code per row.
    pub codes: &'a [u32],
    /// The distinct values.
    pub dictionary: &'a [String],
}

impl<'a> DictColumn<'a> {
    /// Row `row`'s value.
    pub fn get(&self, row: usize) -> Option<&'a str> {
        let code = *self.codes.get(row)?;
        self.dictionary.get(code as usize).map(String::as_str)
    }
}

/// A column of plain values with an optional validity mask (`false`: missing).
#[derive(Debug, Clone, Copy)]
pub struct Column<'a, T> {
    /// One value per row (ignored where not valid).
    pub values: &'a [T],
    /// Which rows hold a value; `None`: all of them.
    pub valid: Option<&'a [bool]>,
}

impl<T: Copy> Column<'_, T> {
    /// Row `row`'s value, if it has one.
    #[inline]
    pub fn get(&self, row: usize) -> Option<T> {
        if self
            .valid
            .is_some_and(|v| !v.get(row).copied().unwrap_or(false))
        {
            return None;
        }
        self.values.get(row).copied()
    }
}

/// The values of an attribute column.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AttrValues<'a> {
    /// Text, dictionary-encoded.
    Text(DictColumn<'a>),
    /// Integers.
    Int(Column<'a, i64>),
    /// Floats (NaN is missing).
    Float(Column<'a, f64>),
    /// Booleans.
    Bool(Column<'a, bool>),
}

impl AttrValues<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_count()
    }

    fn row_count(&self) -> usize {
        match self {
            AttrValues::Text(c) => c.codes.len(),
            AttrValues::Int(c) => c.values.len(),
            AttrValues::Float(c) => c.values.len(),
            AttrValues::Bool(c) => c.values.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.row_count() == 0
    }

    /// Row `row`'s value.
    pub fn get(&self, row: usize) -> Option<ValueRef<'_>> {
        match self {
            AttrValues::Text(c) => c.get(row).map(ValueRef::Text),
            AttrValues::Int(c) => c.get(row).map(ValueRef::Int),
            AttrValues::Float(c) => c.get(row).filter(|f| !f.is_nan()).map(ValueRef::Float),
            AttrValues::Bool(c) => c.get(row).map(ValueRef::Bool),
        }
    }
}

/// One activity attribute as a column: `page`, `seconds`, `campaign`, `form_id`,
/// `content_id`, or `attrs.NAME`.
#[derive(Debug, Clone, Copy)]
pub struct AttrColumn<'a> {
    /// The attribute's name, as conditions address it.
    pub name: &'a str,
    /// Its values.
    pub values: AttrValues<'a>,
}

/// Each event row's lead, as [`Scoring::score_rows`](crate::Scoring::score_rows) reads it:
/// lead indices, or the rows' integer lead ids as they came (read a block of rows at a
/// time, so no index column is made).
///
/// ```
/// use leadcore::columnar::LeadRows;
/// let keys = [107, 100, 7];
/// let run = LeadRows::Run { keys: &keys, first: 100 };
/// assert_eq!((run.get(0), run.get(1), run.get(2)), (7, 0, u32::MAX));
/// let table = [2, u32::MAX, 0];
/// let found = LeadRows::Table { keys: &[9, 7, 8, 70], min: 7, table: &table };
/// assert_eq!((0..4).map(|r| found.get(r)).collect::<Vec<_>>(), [0, 2, u32::MAX, u32::MAX]);
/// assert_eq!(LeadRows::Index(&[3, 1]).get(1), 1);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum LeadRows<'a> {
    /// Each row's index in the leads (an index past the last lead, such as `u32::MAX`: the
    /// row's lead is unknown).
    Index(&'a [u32]),
    /// Each row's integer key; lead `i` has key `first + i` (a key below `first`, or past
    /// the last lead: unknown).
    Run {
        /// One key per row.
        keys: &'a [i64],
        /// The first lead's key.
        first: i64,
    },
    /// Each row's integer key; its lead is `table[key - min]` (a key outside the table, or
    /// an entry `u32::MAX`: unknown).
    Table {
        /// One key per row.
        keys: &'a [i64],
        /// The key of the table's first entry.
        min: i64,
        /// Lead index per key from `min` on.
        table: &'a [u32],
    },
}

impl LeadRows<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            LeadRows::Index(i) => i.len(),
            LeadRows::Run { keys, .. } | LeadRows::Table { keys, .. } => keys.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row`'s lead index (`u32::MAX`: unknown, or no such row).
    pub fn get(&self, row: usize) -> u32 {
        match *self {
            LeadRows::Index(i) => i.get(row).copied().unwrap_or(u32::MAX),
            LeadRows::Run { keys, first } => keys.get(row).map_or(u32::MAX, |&k| run(k, first)),
            LeadRows::Table { keys, min, table } => {
                keys.get(row).map_or(u32::MAX, |&k| in_table(k, min, table))
            }
        }
    }

    /// The lead indices of rows `rows` into `out` (cleared first).
    pub(crate) fn fill(&self, rows: std::ops::Range<usize>, out: &mut Vec<u32>) {
        out.clear();
        match *self {
            LeadRows::Index(i) => out.extend_from_slice(&i[rows]),
            LeadRows::Run { keys, first } => {
                out.extend(keys[rows].iter().map(|&k| run(k, first)));
            }
            LeadRows::Table { keys, min, table } => {
                out.extend(keys[rows].iter().map(|&k| in_table(k, min, table)));
            }
        }
    }
}

/// `key - first` as an index, `u32::MAX` (unknown) below `first` or beyond `u32` (in 32-bit
/// halves, which baseline x86-64 vectorises: it has no 64-bit compare).
#[inline]
fn run(key: i64, first: i64) -> u32 {
    let d = key.wrapping_sub(first) as u64;
    let high = (d >> 32) as u32;
    (d as u32) | u32::from(high != 0).wrapping_neg()
}

#[inline]
fn in_table(key: i64, min: i64, table: &[u32]) -> u32 {
    table
        .get(key.wrapping_sub(min) as u64 as usize)
        .copied()
        .unwrap_or(u32::MAX)
}

/// A text column's keys as a producer holds them, for
/// [`Scoring::score_rows`](crate::Scoring::score_rows): keys of any width, with Arrow's
/// validity bits or pandas' `-1` for a missing value, read a block of rows at a time (no
/// pass over the column before scoring, no copy of it). The column's [`DictColumn`] in the
/// events gives the dictionary; its `codes` are not read (they may be empty).
///
/// A row is missing where its validity bit is clear (whatever its key), or where its key is
/// -1 and `minus_one_missing`; any other key must lie inside the dictionary (a negative one
/// does not): a row of the `kind` column with another key is a row error, a row of an
/// attribute column the batch reads fails the batch.
///
/// ```
/// use leadcore::columnar::{Bits, Keys, RawText};
/// let page = RawText {
///     column: "page",
///     keys: Keys::I8(&[0, -1, 2]),
///     valid: None,
///     minus_one_missing: true,
/// };
/// assert_eq!(page.code(1), leadcore::columnar::NULL_CODE);
/// let arrow = RawText { valid: Some(Bits { bytes: &[0b101], offset: 0 }), minus_one_missing: false, ..page };
/// assert_eq!((arrow.code(0), arrow.code(1), arrow.code(2)), (0, leadcore::columnar::NULL_CODE, 2));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RawText<'a> {
    /// The column's name: `kind`, or a text attribute column of the events.
    pub column: &'a str,
    /// One key per row.
    pub keys: Keys<'a>,
    /// Which rows hold a value (none: every row, but for pandas' -1).
    pub valid: Option<Bits<'a>>,
    /// Whether a key of -1 is a missing value (pandas' categorical codes).
    pub minus_one_missing: bool,
}

impl RawText<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self.keys {
            Keys::U8(k) => k.len(),
            Keys::U16(k) => k.len(),
            Keys::U32(k) => k.len(),
            Keys::I8(k) => k.len(),
            Keys::I16(k) => k.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row`'s code: its key as a code ([`NULL_CODE`] where missing; a key outside
    /// any dictionary, such as a negative one, as a code past it).
    pub fn code(&self, row: usize) -> u32 {
        if self.valid.is_some_and(|v| !v.get(row)) {
            return NULL_CODE;
        }
        let code = match self.keys {
            Keys::U8(k) => k.get(row).map(|&k| u32::from(k)),
            Keys::U16(k) => k.get(row).map(|&k| u32::from(k)),
            Keys::U32(k) => k.get(row).copied(),
            Keys::I8(k) => k.get(row).map(|&k| i32::from(k) as u32),
            Keys::I16(k) => k.get(row).map(|&k| i32::from(k) as u32),
        };
        match code {
            None => NULL_CODE,
            // -1 of a column whose -1 is no missing value: outside the dictionary.
            Some(NULL_CODE) if !self.minus_one_missing => NULL_CODE - 1,
            Some(c) => c,
        }
    }
}

/// The keys of a [`RawText`] column.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Keys<'a> {
    /// `uint8` keys.
    U8(&'a [u8]),
    /// `uint16` keys.
    U16(&'a [u16]),
    /// `uint32` keys (also `int32` keys as their bits: -1 reads as [`NULL_CODE`]).
    U32(&'a [u32]),
    /// `int8` keys.
    I8(&'a [i8]),
    /// `int16` keys.
    I16(&'a [i16]),
}

/// Validity bits, least significant bit first (Arrow's layout): row `r` holds a value when
/// bit `offset + r` of `bytes` is set.
#[derive(Debug, Clone, Copy)]
pub struct Bits<'a> {
    /// The bits.
    pub bytes: &'a [u8],
    /// The bit of row 0.
    pub offset: usize,
}

impl Bits<'_> {
    /// Whether row `row`'s bit is set (`false` past the bits).
    #[inline]
    pub fn get(&self, row: usize) -> bool {
        let bit = self.offset + row;
        self.bytes
            .get(bit / 8)
            .is_some_and(|b| (b >> (bit % 8)) & 1 == 1)
    }
}

/// For each validity byte, a mask per row of its 8: `u32::MAX` where valid, 0 where null.
/// The base x86-64 target has no per-lane variable shift; a table lookup per 8 rows keeps
/// masked loops over Arrow validity branch-free and vectorised (the core's and the Arrow
/// adapter's).
///
/// ```
/// assert_eq!(leadcore::columnar::VALID8[0b101][..3], [u32::MAX, 0, u32::MAX]);
/// ```
pub static VALID8: [[u32; 8]; 256] = {
    let mut t = [[0u32; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            if (b >> i) & 1 == 1 {
                t[b][i] = u32::MAX;
            }
            i += 1;
        }
        b += 1;
    }
    t
};

/// The leads of a batch ([`Scoring::score_rows`](crate::Scoring::score_rows)): records, or
/// only how many there are and their ids, for leads with no fields but their id (no
/// [`Lead`] is made per lead unless a fit rule reads one).
///
/// ```
/// use leadcore::columnar::BatchLeads;
/// let id = |i: usize| format!("L{i}");
/// let bare = BatchLeads::Bare { count: 3, id: &id };
/// assert_eq!((bare.len(), bare.id(2)), (3, "L2".to_owned()));
/// ```
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum BatchLeads<'a> {
    /// The leads themselves.
    Records(&'a [Lead]),
    /// `count` leads with no field but their id; `id(i)` is lead `i`'s id, asked for only
    /// by fit rules and error messages.
    Bare {
        /// How many leads.
        count: usize,
        /// Lead `i`'s id.
        id: &'a (dyn Fn(usize) -> String + Sync),
    },
}

impl BatchLeads<'_> {
    /// How many leads.
    pub fn len(&self) -> usize {
        match self {
            BatchLeads::Records(l) => l.len(),
            BatchLeads::Bare { count, .. } => *count,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lead `i`'s id (empty past the last).
    pub fn id(&self, i: usize) -> String {
        match self {
            BatchLeads::Records(l) => l.get(i).map(|l| l.id.clone()).unwrap_or_default(),
            BatchLeads::Bare { count, id } if i < *count => id(i),
            BatchLeads::Bare { .. } => String::new(),
        }
    }
}

impl fmt::Debug for BatchLeads<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchLeads::Records(l) => f.debug_tuple("Records").field(&l.len()).finish(),
            BatchLeads::Bare { count, .. } => f.debug_struct("Bare").field("count", count).finish(),
        }
    }
}

/// Activity events as columns. Every column has one entry per row.
#[derive(Debug, Clone, Copy)]
pub struct EventColumns<'a> {
    /// Index of the row's lead in the `leads` slice.
    pub lead: &'a [u32],
    /// Activity kind names.
    pub kind: DictColumn<'a>,
    /// Unix seconds ([`NULL_TIME`] where an event has none).
    pub at: &'a [i64],
    /// Attribute columns, by name; an attribute with no column is missing on every row.
    pub attrs: &'a [AttrColumn<'a>],
}

impl<'a> EventColumns<'a> {
    /// The column of an attribute.
    pub fn attr(&self, name: &str) -> Option<&AttrValues<'a>> {
        self.attrs
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.values)
    }

    /// Checks the columns on entry: equal lengths, codes inside their dictionaries (or
    /// [`NULL_CODE`]), validity masks as long as their values, attribute names unique.
    pub fn check(&self) -> Result<()> {
        self.check_shape()?;
        check_dict("kind", &self.kind)?;
        for c in self.attrs {
            if let AttrValues::Text(d) = &c.values {
                check_dict(c.name, d)?;
            }
        }
        Ok(())
    }

    /// [`EventColumns::check`] without reading the codes: what batch scoring checks up
    /// front, as it checks each code where it reads it (a bad kind code is a row error, a
    /// bad attribute code fails the batch).
    pub(crate) fn check_shape(&self) -> Result<()> {
        self.check_shape_raw(&[])
    }

    /// [`EventColumns::check_shape`], the columns `raw` names measured by their keys.
    pub(crate) fn check_shape_raw(&self, raw: &[RawText<'_>]) -> Result<()> {
        let rows = self.at.len();
        let bad = |message: String| Err(Error::invalid_input(message));
        let len_of = |name: &str, codes: usize| {
            raw.iter()
                .find(|r| r.column == name)
                .map_or(codes, RawText::len)
        };
        if len_of("kind", self.kind.codes.len()) != rows {
            return bad(format!(
                "event columns have different lengths: `kind` has {}, `at` has {rows}",
                len_of("kind", self.kind.codes.len())
            ));
        }
        for (i, c) in self.attrs.iter().enumerate() {
            if self.attrs[..i].iter().any(|o| o.name == c.name) {
                return bad(format!("event column `{}` appears twice", c.name));
            }
            let len = len_of(c.name, c.values.len());
            if len != rows {
                return bad(format!(
                    "event columns have different lengths: `{}` has {len}, `at` has {rows}",
                    c.name
                ));
            }
            let valid = match &c.values {
                AttrValues::Text(_) => None,
                AttrValues::Int(col) => col.valid,
                AttrValues::Float(col) => col.valid,
                AttrValues::Bool(col) => col.valid,
            };
            if valid.is_some_and(|v| v.len() != rows) {
                return bad(format!(
                    "event column `{}`: validity mask of another length",
                    c.name
                ));
            }
        }
        Ok(())
    }
}

/// The first row of a raw column whose code lies outside its dictionary of `len`, as the
/// error [`check_dict`] gives (the batch calls it once it has read such a code).
pub(crate) fn check_raw(raw: &RawText<'_>, len: usize) -> Result<()> {
    match (0..raw.len()).find(|&r| {
        let c = raw.code(r);
        c != NULL_CODE && c as usize >= len
    }) {
        Some(row) => Err(Error::invalid_input(format!(
            "event column `{}` row {row}: code {} is outside its dictionary of {len}",
            raw.column,
            raw.code(row) as i32
        ))),
        None => Ok(()),
    }
}

pub(crate) fn check_dict(name: &str, col: &DictColumn<'_>) -> Result<()> {
    let n = col.dictionary.len();
    match col
        .codes
        .iter()
        .position(|&c| c != NULL_CODE && c as usize >= n)
    {
        Some(row) => Err(Error::invalid_input(format!(
            "event column `{name}` row {row}: code {} is outside its dictionary of {n}",
            col.codes[row]
        ))),
        None => Ok(()),
    }
}

/// Why a row could not be used.
///
/// ```
/// use leadcore::RowErrorReason;
/// assert_eq!(RowErrorReason::InFuture.code(), "in_future");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowErrorReason {
    /// The row's lead is not among the leads.
    UnknownLead,
    /// The time is not a representable instant.
    InvalidTime,
    /// The event is later than `now` plus the tolerance.
    InFuture,
    /// A value cannot be read as its column's type.
    BadValue,
}

impl RowErrorReason {
    /// The stable code (`unknown_lead`, `invalid_time`, `in_future`, `bad_value`).
    pub fn code(self) -> &'static str {
        match self {
            RowErrorReason::UnknownLead => "unknown_lead",
            RowErrorReason::InvalidTime => "invalid_time",
            RowErrorReason::InFuture => "in_future",
            RowErrorReason::BadValue => "bad_value",
        }
    }
}

impl fmt::Display for RowErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A row the batch could not use, and why. The rest of the batch is processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Row number.
    pub row: usize,
    /// Why, as a stable code.
    pub reason: RowErrorReason,
    /// What is wrong.
    pub message: String,
}

/// Each row's index in `leads` for the row's lead id (`u32::MAX` for an id no lead has, or
/// none). Lead ids must be unique.
///
/// ```
/// use leadcore::{DictColumn, Lead};
/// let dictionary = ["B".to_owned(), "A".to_owned(), "Z".to_owned()];
/// let ids = DictColumn { codes: &[1, 0, 2, u32::MAX], dictionary: &dictionary };
/// let rows = leadcore::columnar::lead_index(&[Lead::new("A"), Lead::new("B")], ids).unwrap();
/// assert_eq!(rows, [0, 1, u32::MAX, u32::MAX]);
/// ```
pub fn lead_index(leads: &[Lead], lead_ids: DictColumn<'_>) -> Result<Vec<u32>> {
    let ids = id_map(leads)?;
    let entries: Vec<u32> = lead_ids
        .dictionary
        .iter()
        .map(|id| ids.get(id.as_str()).copied().unwrap_or(u32::MAX))
        .collect();
    Ok(lead_ids
        .codes
        .iter()
        .map(|&c| entries.get(c as usize).copied().unwrap_or(u32::MAX))
        .collect())
}

/// Each lead's row by id; an error when two leads share an id.
fn id_map(leads: &[Lead]) -> Result<HashMap<&str, u32>> {
    let ids: HashMap<&str, u32> = leads
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i as u32))
        .collect();
    if ids.len() != leads.len() {
        return Err(Error::invalid_input("lead ids are not unique".to_owned()));
    }
    Ok(ids)
}

/// Refuses leads that share an id (results are keyed by id).
///
/// ```
/// use leadcore::Lead;
/// assert!(leadcore::columnar::check_unique_ids(&[Lead::new("A"), Lead::new("B")]).is_ok());
/// let err = leadcore::columnar::check_unique_ids(&[Lead::new("A"), Lead::new("A")]).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: lead ids are not unique");
/// ```
pub fn check_unique_ids(leads: &[Lead]) -> Result<()> {
    id_map(leads).map(drop)
}

/// Builds a dictionary column from optional strings.
///
/// Each distinct value is stored once; values are found again through an open-addressing
/// table of codes keyed by a fast (unkeyed) hash of the text. Crafted strings that collide
/// can only slow a batch down, never change its codes.
///
/// ```
/// use leadcore::columnar::{DictBuilder, NULL_CODE};
/// let mut b = DictBuilder::default();
/// for v in [Some("b"), Some("a"), None, Some("b")] {
///     b.push(v);
/// }
/// assert_eq!(b.codes, [0, 1, NULL_CODE, 0]);
/// assert_eq!(b.dictionary, ["b", "a"]);
/// ```
#[derive(Debug, Default)]
pub struct DictBuilder {
    /// Per slot `(code + 1, the hash's high half)` (code 0: empty); a power of two long, at
    /// most half full. The hash beside the code spares a look at the text of every other
    /// value on the probe.
    slots: Vec<(u32, u32)>,
    /// The hash of each dictionary value.
    hashes: Vec<u64>,
    /// The code of the last value pushed (rows of one record often come together).
    last: Option<u32>,
    /// Codes so far.
    pub codes: Vec<u32>,
    /// Distinct values so far.
    pub dictionary: Vec<String>,
}

/// A fast hash of a text: 8 bytes at a time, multiplied and rotated, then mixed.
fn text_hash(s: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = s.as_bytes();
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    let mut w = [0u8; 8];
    w[..rest.len()].copy_from_slice(rest);
    h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    h ^= h >> 32;
    h = h.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    h ^ (h >> 29)
}

impl DictBuilder {
    /// Appends a row.
    pub fn push(&mut self, v: Option<&str>) {
        let code = match v {
            None => NULL_CODE,
            Some(s) => self.code_of(s),
        };
        self.codes.push(code);
    }

    /// The code of `s`, added to the dictionary if new.
    fn code_of(&mut self, s: &str) -> u32 {
        if let Some(c) = self.last
            && self.dictionary[c as usize] == s
        {
            return c;
        }
        if self.slots.len() < 2 * (self.dictionary.len() + 1) {
            self.grow();
        }
        let h = text_hash(s);
        let high = (h >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        let code = loop {
            match self.slots[i] {
                (0, _) => {
                    let c = self.dictionary.len() as u32;
                    self.slots[i] = (c + 1, high);
                    self.hashes.push(h);
                    self.dictionary.push(s.to_owned());
                    break c;
                }
                (slot, hi) if hi == high && self.dictionary[(slot - 1) as usize] == s => {
                    break slot - 1;
                }
                _ => i = (i + 1) & mask,
            }
        };
        self.last = Some(code);
        code
    }

    /// Doubles the table (16 slots at first) and places every code again.
    fn grow(&mut self) {
        let len = (self.slots.len() * 2).max(16);
        let mask = len - 1;
        let mut slots = vec![(0u32, 0u32); len];
        for (c, &h) in self.hashes.iter().enumerate() {
            let mut i = h as usize & mask;
            while slots[i].0 != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (c as u32 + 1, (h >> 32) as u32);
        }
        self.slots = slots;
    }

    /// The column so far.
    pub fn column(&self) -> DictColumn<'_> {
        DictColumn {
            codes: &self.codes,
            dictionary: &self.dictionary,
        }
    }
}

/// An owned attribute column (see [`AttrValues`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum OwnedAttr {
    /// Text.
    Text(DictBuilder),
    /// Integers with validity.
    Int(Vec<i64>, Vec<bool>),
    /// Floats with validity.
    Float(Vec<f64>, Vec<bool>),
    /// Booleans with validity.
    Bool(Vec<bool>, Vec<bool>),
}

impl OwnedAttr {
    /// The column, borrowed.
    pub fn values(&self) -> AttrValues<'_> {
        match self {
            OwnedAttr::Text(d) => AttrValues::Text(d.column()),
            OwnedAttr::Int(v, ok) => AttrValues::Int(Column {
                values: v,
                valid: Some(ok),
            }),
            OwnedAttr::Float(v, ok) => AttrValues::Float(Column {
                values: v,
                valid: Some(ok),
            }),
            OwnedAttr::Bool(v, ok) => AttrValues::Bool(Column {
                values: v,
                valid: Some(ok),
            }),
        }
    }

    /// A column from values of one type (integers and floats mix as floats; nulls anywhere).
    /// The message names what does not fit.
    pub fn from_values(name: &str, values: &[Option<FieldValue>]) -> Result<Self, String> {
        let mut kinds = values.iter().flatten().map(|v| match v {
            FieldValue::Text(_) => 0,
            FieldValue::Int(_) => 1,
            FieldValue::Float(_) => 2,
            FieldValue::Bool(_) => 3,
            _ => 4,
        });
        let first = kinds.next().unwrap_or(0);
        let mut kind = first;
        for k in kinds {
            kind = match (kind, k) {
                (a, b) if a == b => a,
                (1 | 2, 1 | 2) => 2,
                _ => {
                    return Err(format!(
                        "event column `{name}` mixes values of different types"
                    ));
                }
            };
        }
        Ok(match kind {
            0 => {
                let mut d = DictBuilder::default();
                for v in values {
                    d.push(match v {
                        Some(FieldValue::Text(s)) => Some(s.as_str()),
                        _ => None,
                    });
                }
                OwnedAttr::Text(d)
            }
            1 => OwnedAttr::Int(
                values
                    .iter()
                    .map(|v| match v {
                        Some(FieldValue::Int(i)) => *i,
                        _ => 0,
                    })
                    .collect(),
                values.iter().map(Option::is_some).collect(),
            ),
            2 => OwnedAttr::Float(
                values
                    .iter()
                    .map(|v| match v {
                        Some(FieldValue::Int(i)) => *i as f64,
                        Some(FieldValue::Float(f)) => *f,
                        _ => 0.0,
                    })
                    .collect(),
                values.iter().map(Option::is_some).collect(),
            ),
            3 => OwnedAttr::Bool(
                values
                    .iter()
                    .map(|v| matches!(v, Some(FieldValue::Bool(true))))
                    .collect(),
                values.iter().map(Option::is_some).collect(),
            ),
            _ => {
                return Err(format!(
                    "event column `{name}` holds lists or dates; attributes are text, numbers or booleans"
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// The codes are the order of first appearance, as a plain map gives them, whatever
        /// the values (short, long, empty, many repeats, table growth).
        #[test]
        fn dictionary_codes_are_first_appearance(
            values in prop::collection::vec(prop::option::of("[a-c]{0,3}|[a-z0-9]{0,40}"), 0..600)
        ) {
            let mut b = DictBuilder::default();
            let mut seen: HashMap<&str, u32> = HashMap::new();
            let mut dictionary: Vec<&str> = Vec::new();
            let mut want = Vec::new();
            for v in &values {
                b.push(v.as_deref());
                want.push(match v {
                    None => NULL_CODE,
                    Some(s) => *seen.entry(s).or_insert_with(|| {
                        dictionary.push(s);
                        dictionary.len() as u32 - 1
                    }),
                });
            }
            prop_assert_eq!(&b.codes, &want);
            prop_assert_eq!(b.dictionary.iter().map(String::as_str).collect::<Vec<_>>(), dictionary);
        }
    }
}
