//! Integer lead ids: each event row's lead found from its integer id through a direct table
//! (when the leads' ids lie in a small range) or a hash table, never through text. A lead
//! whose id is the decimal text of an integer (`"42"`, as an integer `id` column gives) is
//! matched by events with that integer as `lead_id`.

use crate::columns::{int_type, select};
use crate::table::ChunkedColumn;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray};
use arrow_buffer::{ArrowNativeType, NullBuffer};
use leadcore::Lead;
use leadcore::columnar::LeadRows;
use std::sync::Arc;

/// The lead index of a row whose lead is unknown (or has no id).
pub(crate) const MISS: u32 = u32::MAX;

/// A table is used when the ids' range is at most this many times the number of leads,
/// plus [`TABLE_SLACK`] (4 bytes per slot: a table of 4 slots per lead is smaller than a
/// hash table of 2 slots of 16 bytes per lead).
const TABLE_PER_ID: u64 = 4;
const TABLE_SLACK: u64 = 1024;

/// The value of an integer id column's type as a key: its `i64` bit pattern (a `u64` above
/// `i64::MAX` wraps, so each value of one column has its own key), read from and written
/// as decimal text the type's way.
pub(crate) trait IdKey: ArrowNativeType {
    fn key(self) -> i64;
    fn from_key(key: i64) -> Self;
    fn text(key: i64) -> String;
    /// The key of a canonical decimal text (no sign but a `-`, no leading zero) that the
    /// type holds.
    fn parse(text: &str) -> Option<i64>;
}

/// Whether `s` is an integer written the way Rust writes it.
fn canonical(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (!digits.starts_with('0') || (digits == "0" && digits.len() == s.len()))
}

macro_rules! id_key {
    ($($t:ty),*) => {$(
        impl IdKey for $t {
            #[inline]
            fn key(self) -> i64 {
                self as i64
            }
            #[inline]
            fn from_key(key: i64) -> Self {
                key as $t
            }
            fn text(key: i64) -> String {
                (key as $t).to_string()
            }
            fn parse(text: &str) -> Option<i64> {
                if canonical(text) {
                    text.parse::<$t>().ok().map(|v| v as i64)
                } else {
                    None
                }
            }
        }
    )*};
}
id_key!(i8, i16, i32, i64, u8, u16, u32, u64);

/// The leads' keys to their index.
#[derive(Debug)]
enum Lookup {
    /// Lead `i` has key `first + i`.
    Run {
        first: i64,
        len: u64,
    },
    /// `table[key - min]`.
    Table {
        min: i64,
        table: Vec<u32>,
    },
    Hash(IdHash),
}

/// Two leads share an id.
#[derive(Debug)]
pub(crate) struct Duplicate;

impl Lookup {
    fn new(keys: &[Option<i64>]) -> Result<Lookup, Duplicate> {
        let n = keys.len() as u64;
        if let Some(Some(first)) = keys.first()
            && keys
                .iter()
                .zip(0..)
                .all(|(k, i)| k.is_some() && *k == first.checked_add(i))
        {
            return Ok(Lookup::Run {
                first: *first,
                len: n,
            });
        }
        let present = || keys.iter().flatten().copied();
        let (Some(min), Some(max)) = (present().min(), present().max()) else {
            return Ok(Lookup::Table {
                min: 0,
                table: Vec::new(),
            });
        };
        let range = max.abs_diff(min);
        if range < TABLE_PER_ID * n + TABLE_SLACK {
            let mut table = vec![MISS; range as usize + 1];
            for (i, k) in keys.iter().enumerate() {
                if let Some(k) = k {
                    let slot = &mut table[k.abs_diff(min) as usize];
                    if *slot != MISS {
                        return Err(Duplicate);
                    }
                    *slot = i as u32;
                }
            }
            return Ok(Lookup::Table { min, table });
        }
        let mut hash = IdHash::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            if let Some(k) = *k
                && hash.insert(k, i as u32) != MISS
            {
                return Err(Duplicate);
            }
        }
        Ok(Lookup::Hash(hash))
    }

    /// Appends the lead index of each row of `a` ([`MISS`] for a null or an unknown id).
    fn index<T: ArrowPrimitiveType>(&self, a: &PrimitiveArray<T>, out: &mut Vec<u32>)
    where
        T::Native: IdKey,
    {
        let (values, nulls) = (a.values(), a.nulls());
        match self {
            &Lookup::Run { first, len } => select(
                values,
                nulls,
                MISS,
                move |v| {
                    let d = v.key().wrapping_sub(first) as u64;
                    if d < len { d as u32 } else { MISS }
                },
                out,
            ),
            // `key - min` as an unsigned offset: below `min` it wraps past the table's end.
            Lookup::Table { min, table } => select(
                values,
                nulls,
                MISS,
                |v| {
                    let d = v.key().wrapping_sub(*min) as u64 as usize;
                    table.get(d).copied().unwrap_or(MISS)
                },
                out,
            ),
            Lookup::Hash(h) => select(values, nulls, MISS, |v| h.get(v.key()), out),
        }
    }
}

/// An open-addressing hash table from keys to lead indices (Fibonacci hashing, linear
/// probing, at most half full).
#[derive(Debug)]
struct IdHash {
    slots: Vec<(i64, u32)>,
    shift: u32,
    len: usize,
}

impl IdHash {
    fn with_capacity(n: usize) -> IdHash {
        let slots = (2 * n).next_power_of_two().max(16);
        IdHash {
            slots: vec![(0, MISS); slots],
            shift: 64 - slots.trailing_zeros(),
            len: 0,
        }
    }

    #[inline]
    fn slot(&self, key: i64) -> usize {
        ((key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, key: i64) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, v) = self.slots[i];
            if v == MISS || k == key {
                return v;
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts `key` with `value` unless present; returns the value it had ([`MISS`]: none).
    fn insert(&mut self, key: i64, value: u32) -> u32 {
        if 2 * (self.len + 1) > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            *self = IdHash::with_capacity(old.len());
            for (k, v) in old {
                if v != MISS {
                    self.insert(k, v);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, v) = self.slots[i];
            if v == MISS {
                self.slots[i] = (key, value);
                self.len += 1;
                return MISS;
            }
            if k == key {
                return v;
            }
            i = (i + 1) & mask;
        }
    }
}

/// The leads' integer keys, ready to find each event row's lead from its int64 `lead_id`
/// a block of rows at a time inside the core ([`leadcore::columnar::LeadRows`]), with no
/// index column made: leads whose keys run `first, first + 1, ..` or lie in a small range
/// (a table of at most 4 slots per lead). Keys spread wider are left to
/// [`crate::Events::lead_index`].
///
/// ```
/// use leadcore::columnar::LeadRows;
/// let keys = leadcore_arrow::LeadKeys::new(&[Some(10), Some(12), Some(11)]).unwrap().unwrap();
/// let rows = keys.rows(&[12, 10, 99]).unwrap();
/// assert_eq!((rows.get(0), rows.get(1), rows.get(2)), (1, 0, u32::MAX));
/// assert!(leadcore_arrow::LeadKeys::new(&[Some(1), Some(1)]).is_err());
/// assert!(leadcore_arrow::LeadKeys::new(&[Some(0), Some(i64::MAX)]).unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct LeadKeys(Lookup);

impl LeadKeys {
    /// The lookup of lead `i`'s key `keys[i]` (`None` for a lead no integer matches);
    /// `Ok(None)` when the keys are spread too wide for a table; an error when two leads
    /// share a key.
    pub fn new(keys: &[Option<i64>]) -> leadcore::Result<Option<LeadKeys>> {
        if u32::try_from(keys.len()).is_err() {
            return Err(leadcore::Error::invalid_input(format!(
                "{} leads are more than a batch holds",
                keys.len()
            )));
        }
        match Lookup::new(keys) {
            Err(Duplicate) => Err(leadcore::Error::invalid_input(
                "lead ids are not unique".to_owned(),
            )),
            Ok(Lookup::Hash(_)) => Ok(None),
            Ok(lookup) => Ok(Some(LeadKeys(lookup))),
        }
    }

    /// The lookup of leads by their ids as text, matched by int64 `lead_id`s (a lead whose
    /// id is no canonical decimal int64 is matched by none); `Ok(None)` when the keys are
    /// spread too wide; an error when two leads share an id.
    ///
    /// ```
    /// let keys = leadcore_arrow::LeadKeys::from_ids(&["7", "8", "x"]).unwrap().unwrap();
    /// let rows = keys.rows(&[8, 7]).unwrap();
    /// assert_eq!((rows.get(0), rows.get(1)), (1, 0));
    /// assert!(leadcore_arrow::LeadKeys::from_ids(&["x", "x"]).is_err());
    /// ```
    pub fn from_ids<S: AsRef<str>>(ids: &[S]) -> leadcore::Result<Option<LeadKeys>> {
        let keys: Vec<Option<i64>> = ids.iter().map(|s| i64::parse(s.as_ref())).collect();
        if keys.iter().any(Option::is_none) {
            // Leads no integer matches may still share an id.
            let mut seen = std::collections::HashSet::with_capacity(ids.len());
            if !ids.iter().all(|s| seen.insert(s.as_ref())) {
                return Err(leadcore::Error::invalid_input(
                    "lead ids are not unique".to_owned(),
                ));
            }
        }
        LeadKeys::new(&keys)
    }

    /// Each row's lead, found from its key (`None` for a hash lookup, which
    /// [`LeadKeys::new`] never gives).
    pub fn rows<'a>(&'a self, keys: &'a [i64]) -> Option<LeadRows<'a>> {
        match &self.0 {
            &Lookup::Run { first, len } => Some(if len == 0 {
                LeadRows::Table {
                    keys,
                    min: 0,
                    table: &[],
                }
            } else {
                LeadRows::Run { keys, first }
            }),
            Lookup::Table { min, table } => Some(LeadRows::Table {
                keys,
                min: *min,
                table,
            }),
            Lookup::Hash(_) => None,
        }
    }
}

/// The distinct keys of an int64 `lead_id` column with no nulls, in order of first
/// appearance, and their lookup: the leads of a batch with no leads table, found with no
/// lead record and no index column (`None` when the keys are spread too wide for a
/// table).
pub(crate) fn discover_keys(keys: &[i64]) -> Option<(Vec<i64>, LeadKeys)> {
    let limit = TABLE_PER_ID * keys.len() as u64 + TABLE_SLACK;
    // One pass: each key tested against a bit per key of a range (an eighth of a byte per
    // slot where the table has four, so the bits stay in the core's nearest cache), a key
    // met for the first time kept. A key outside the range grows it (to the kept keys'
    // span and as much again on each side: the span at least doubles from one growth to
    // the next, so a range grows at most ~log2(span / 64) times), the kept keys' bits set
    // anew; its bits stay within 1.5 bytes per row (the span is under `limit`). The keys'
    // least and greatest are the kept ones', so no pass over the column finds them first
    // (that pass was a third of the time).
    let mut met = Met::new(keys.first().copied().unwrap_or(0), 0);
    let mut seen: Vec<i64> = Vec::new();
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &k in keys {
        match met.meet(k) {
            Some(false) => continue,
            Some(true) => {}
            None => {
                if hi.max(k).abs_diff(lo.min(k)) >= limit {
                    return None;
                }
                met = Met::grown(lo.min(k), hi.max(k), &seen);
                met.meet(k);
            }
        }
        (lo, hi) = (lo.min(k), hi.max(k));
        seen.push(k);
    }
    let Some(span) = (!seen.is_empty()).then(|| hi.abs_diff(lo)) else {
        let empty = Lookup::Table {
            min: 0,
            table: Vec::new(),
        };
        return Some((seen, LeadKeys(empty)));
    };
    // (Keys within the grown range may lie further apart than the kept ones did.)
    if span >= limit {
        return None;
    }
    let mut table = vec![MISS; span as usize + 1];
    for (i, &k) in seen.iter().enumerate() {
        table[k.abs_diff(lo) as usize] = i as u32;
    }
    Some((seen, LeadKeys(Lookup::Table { min: lo, table })))
}

/// The keys [`discover_keys`] has met, a bit per key of `base..=base + width`.
struct Met {
    base: i64,
    width: u64,
    bits: Vec<u64>,
}

impl Met {
    /// No key of `base..=base + width` met.
    fn new(base: i64, width: u64) -> Met {
        Met {
            base,
            width,
            bits: vec![0; (width >> 6) as usize + 1],
        }
    }

    /// Meets `k`: whether it is met for the first time, `None` (and nothing met) for a key
    /// outside the range.
    #[inline]
    fn meet(&mut self, k: i64) -> Option<bool> {
        let at = k.wrapping_sub(self.base) as u64;
        if at > self.width {
            return None;
        }
        let (word, bit) = (&mut self.bits[(at >> 6) as usize], 1u64 << (at & 63));
        let first = *word & bit == 0;
        if first {
            *word |= bit;
        }
        Some(first)
    }

    /// A range holding `lo..=hi` and as much again on each side (at least 64 keys; within
    /// `i64`), `seen` (keys within `lo..=hi`) met in it.
    fn grown(lo: i64, hi: i64, seen: &[i64]) -> Met {
        let more = i64::try_from(hi.abs_diff(lo).max(64)).unwrap_or(i64::MAX);
        let base = lo.saturating_sub(more);
        let mut met = Met::new(base, hi.saturating_add(more).abs_diff(base));
        for &k in seen {
            met.meet(k);
        }
        met
    }
}

/// The leads found in an events table: one per distinct id, in order of first appearance.
#[derive(Debug)]
pub struct EventLeads {
    /// The leads, their ids as text.
    pub leads: Vec<Lead>,
    /// Their ids as the events gave them (an array of the `lead_id` column's type; `Utf8`
    /// for text ids).
    pub ids: ArrayRef,
    /// Each event row's index in `leads` (`u32::MAX` for a row with no id).
    pub index: Vec<u32>,
}

/// An integer `lead_id` column.
#[derive(Debug)]
pub(crate) struct IntIds(pub(crate) ChunkedColumn);

impl IntIds {
    /// Each row's index in `leads`: leads are matched by the decimal text of their id.
    pub(crate) fn index(&self, leads: &[Lead]) -> leadcore::Result<Vec<u32>> {
        let c = &self.0;
        int_type!(&c.data_type, T => {
            let keys: Vec<Option<i64>> = leads
                .iter()
                .map(|l| <<T as ArrowPrimitiveType>::Native as IdKey>::parse(&l.id))
                .collect();
            if keys.iter().any(Option::is_none) {
                // Leads no integer matches may still share an id.
                leadcore::columnar::check_unique_ids(leads)?;
            }
            if u32::try_from(leads.len()).is_err() {
                return Err(leadcore::Error::invalid_input(format!(
                    "{} leads are more than a batch holds",
                    leads.len()
                )));
            }
            let lookup = Lookup::new(&keys).map_err(|Duplicate| {
                leadcore::Error::invalid_input("lead ids are not unique".to_owned())
            })?;
            let mut out = Vec::with_capacity(c.len());
            for chunk in &c.chunks {
                lookup.index(chunk.as_primitive::<T>(), &mut out);
            }
            Ok(out)
        }, _ => Ok(vec![MISS; c.len()]))
    }

    /// The leads of the distinct ids, in order of first appearance.
    pub(crate) fn leads(&self) -> EventLeads {
        let c = &self.0;
        int_type!(&c.data_type, T => discover::<T>(c), _ => EventLeads {
            leads: Vec::new(),
            ids: arrow_array::new_empty_array(&c.data_type),
            index: vec![MISS; c.len()],
        })
    }

    /// Row `row`'s id as text, `None` for a null.
    pub(crate) fn text(&self, row: usize) -> Option<String> {
        let mut row = row;
        for chunk in &self.0.chunks {
            if row < chunk.len() {
                if chunk.is_null(row) {
                    return None;
                }
                return int_type!(chunk.data_type(), T => {
                    let v = chunk.as_primitive::<T>().value(row);
                    Some(<<T as ArrowPrimitiveType>::Native as IdKey>::text(v.key()))
                }, _ => None);
            }
            row -= chunk.len();
        }
        None
    }
}

/// Calls `f` with each valid value of a chunk.
fn each_valid<S: Copy>(values: &[S], nulls: Option<&NullBuffer>, mut f: impl FnMut(usize, S)) {
    match nulls.filter(|n| n.null_count() > 0) {
        None => values.iter().enumerate().for_each(|(i, &v)| f(i, v)),
        Some(n) => {
            for i in n.valid_indices() {
                f(i, values[i]);
            }
        }
    }
}

fn discover<T: ArrowPrimitiveType>(c: &ChunkedColumn) -> EventLeads
where
    T::Native: IdKey,
{
    let rows = c.len();
    let chunks: Vec<&PrimitiveArray<T>> = c.chunks.iter().map(|a| a.as_primitive::<T>()).collect();
    let (mut min, mut max) = (i64::MAX, i64::MIN);
    for a in &chunks {
        match a.nulls().filter(|n| n.null_count() > 0) {
            None => {
                for v in a.values().iter() {
                    let k = v.key();
                    min = min.min(k);
                    max = max.max(k);
                }
            }
            Some(n) => {
                for (start, end) in n.valid_slices() {
                    for v in &a.values()[start..end] {
                        let k = v.key();
                        min = min.min(k);
                        max = max.max(k);
                    }
                }
            }
        }
    }
    let mut keys: Vec<i64> = Vec::new();
    let mut index = Vec::with_capacity(rows);
    if min <= max && max.abs_diff(min) < TABLE_PER_ID * rows as u64 + TABLE_SLACK {
        let mut table = vec![MISS; max.abs_diff(min) as usize + 1];
        for a in &chunks {
            let start = index.len();
            index.resize(start + a.len(), MISS);
            let out = &mut index[start..];
            each_valid(a.values(), a.nulls(), |i, v| {
                let k = v.key();
                let slot = &mut table[k.abs_diff(min) as usize];
                if *slot == MISS {
                    *slot = keys.len() as u32;
                    keys.push(k);
                }
                out[i] = *slot;
            });
        }
    } else {
        let mut hash = IdHash::with_capacity(1024);
        for a in &chunks {
            let start = index.len();
            index.resize(start + a.len(), MISS);
            let out = &mut index[start..];
            each_valid(a.values(), a.nulls(), |i, v| {
                let k = v.key();
                let at = match hash.insert(k, keys.len() as u32) {
                    MISS => {
                        keys.push(k);
                        keys.len() as u32 - 1
                    }
                    known => known,
                };
                out[i] = at;
            });
        }
    }
    let leads = keys
        .iter()
        .map(|&k| Lead::new(<T::Native as IdKey>::text(k)))
        .collect();
    let ids: PrimitiveArray<T> =
        PrimitiveArray::from_iter_values(keys.iter().map(|&k| <T::Native as IdKey>::from_key(k)));
    EventLeads {
        leads,
        ids: Arc::new(ids),
        index,
    }
}

/// The rows `rows` of an id column (string or integer ids, as results carry them), in that
/// order: a result with several rows per lead repeats its lead's id in the type it came in.
pub(crate) fn repeat_rows(ids: &ArrayRef, rows: &[u32]) -> crate::Result<ArrayRef> {
    use arrow_array::types as t;
    use arrow_schema::DataType as D;
    fn prim<T: ArrowPrimitiveType>(ids: &ArrayRef, rows: &[u32]) -> ArrayRef {
        let a = ids.as_primitive::<T>();
        Arc::new(PrimitiveArray::<T>::from_iter(rows.iter().map(|&r| {
            let r = r as usize;
            a.is_valid(r).then(|| a.value(r))
        })))
    }
    if let Some(&r) = rows.iter().find(|&&r| r as usize >= ids.len()) {
        return Err(crate::invalid(format!(
            "row {r} of an id column of {} rows",
            ids.len()
        )));
    }
    Ok(match ids.data_type() {
        D::Utf8 => {
            let a = ids.as_string::<i32>();
            Arc::new(arrow_array::StringArray::from_iter(
                rows.iter()
                    .map(|&r| a.is_valid(r as usize).then(|| a.value(r as usize))),
            ))
        }
        D::LargeUtf8 => {
            let a = ids.as_string::<i64>();
            Arc::new(arrow_array::LargeStringArray::from_iter(
                rows.iter()
                    .map(|&r| a.is_valid(r as usize).then(|| a.value(r as usize))),
            ))
        }
        D::Int8 => prim::<t::Int8Type>(ids, rows),
        D::Int16 => prim::<t::Int16Type>(ids, rows),
        D::Int32 => prim::<t::Int32Type>(ids, rows),
        D::Int64 => prim::<t::Int64Type>(ids, rows),
        D::UInt8 => prim::<t::UInt8Type>(ids, rows),
        D::UInt16 => prim::<t::UInt16Type>(ids, rows),
        D::UInt32 => prim::<t::UInt32Type>(ids, rows),
        D::UInt64 => prim::<t::UInt64Type>(ids, rows),
        other => {
            return Err(crate::invalid(format!(
                "lead ids of Arrow type {other} cannot be repeated"
            )));
        }
    })
}

/// A table's rows found by their integer ids (the opportunities a stage history names),
/// through the same direct or hash table as leads, never through text.
#[derive(Debug)]
pub(crate) struct KeyIndex(Lookup);

impl KeyIndex {
    /// Whether `c` holds integers.
    pub(crate) fn is_int(c: &ChunkedColumn) -> bool {
        int_type!(&c.data_type, T => { let _ = std::marker::PhantomData::<T>; true }, _ => false)
    }

    /// The keys of an integer column and each as decimal text (`None` and `""` for a null);
    /// `None` for a column of another type.
    pub(crate) fn keys(c: &ChunkedColumn) -> Option<(Vec<Option<i64>>, Vec<String>)> {
        int_type!(&c.data_type, T => {
            let mut keys = Vec::with_capacity(c.len());
            for chunk in &c.chunks {
                let a = chunk.as_primitive::<T>();
                keys.extend((0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i).key())));
            }
            let text = |k: &Option<i64>| {
                k.map_or_else(String::new, <<T as ArrowPrimitiveType>::Native as IdKey>::text)
            };
            let texts = keys.iter().map(text).collect();
            Some((keys, texts))
        }, _ => None)
    }

    /// The lookup of row `i` by `keys[i]`; `Err(row)`: the first row whose key an earlier
    /// row has.
    pub(crate) fn new(keys: &[Option<i64>]) -> Result<KeyIndex, usize> {
        Lookup::new(keys).map(KeyIndex).map_err(|Duplicate| {
            let mut seen = std::collections::HashSet::with_capacity(keys.len());
            keys.iter()
                .position(|k| k.is_some_and(|k| !seen.insert(k)))
                .unwrap_or(0)
        })
    }

    /// The row of each value of `c` ([`MISS`] for a null, a key of no row, or a column
    /// that is not integers).
    pub(crate) fn rows(&self, c: &ChunkedColumn) -> Vec<u32> {
        int_type!(&c.data_type, T => {
            let mut out = Vec::with_capacity(c.len());
            for chunk in &c.chunks {
                self.0.index(chunk.as_primitive::<T>(), &mut out);
            }
            out
        }, _ => vec![MISS; c.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int8Array, Int32Array, Int64Array, UInt64Array};

    fn leads(ids: &[&str]) -> Vec<Lead> {
        ids.iter().map(|&i| Lead::new(i)).collect()
    }

    fn column(a: ArrayRef) -> IntIds {
        IntIds(ChunkedColumn::new("lead_id", a))
    }

    #[test]
    fn canonical_texts() {
        for ok in ["0", "7", "-7", "1234567890"] {
            assert!(canonical(ok), "{ok}");
        }
        for bad in ["", "-", "+1", "01", "-0", "00", " 1", "1.0", "1e3"] {
            assert!(!canonical(bad), "{bad}");
        }
        assert_eq!(<u8 as IdKey>::parse("255"), Some(255));
        assert_eq!(<u8 as IdKey>::parse("256"), None);
        assert_eq!(<u64 as IdKey>::parse("18446744073709551615"), Some(-1));
        assert_eq!(<u64 as IdKey>::text(-1), "18446744073709551615");
    }

    /// Every lookup (run, table, hash) gives each id's lead, and misses unknown ids and
    /// nulls, for every id layout.
    #[test]
    fn every_lookup_finds_the_same_leads() {
        let events: ArrayRef = Arc::new(Int64Array::from(vec![
            Some(5),
            None,
            Some(7),
            Some(-3),
            Some(1 << 40),
            Some(6),
            Some(i64::MIN),
            Some(i64::MAX),
        ]));
        let cases: [(&[&str], Vec<u32>); 4] = [
            // A run from 5.
            (
                &["5", "6", "7"],
                vec![0, MISS, 2, MISS, MISS, 1, MISS, MISS],
            ),
            // A small range, with a lead no integer matches.
            (
                &["7", "x", "5", "-3"],
                vec![2, MISS, 0, 3, MISS, MISS, MISS, MISS],
            ),
            // A wide range: hashed.
            (
                &["1099511627776", "5", "-9223372036854775808"],
                vec![1, MISS, MISS, MISS, 0, MISS, 2, MISS],
            ),
            (&[], vec![MISS; 8]),
        ];
        for (ids, want) in cases {
            let got = column(events.clone()).index(&leads(ids)).unwrap();
            assert_eq!(got, want, "{ids:?}");
        }
        let many: Vec<String> = (0..5000i64).map(|i| (i * 1_000_003).to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let probe: ArrayRef = Arc::new(Int64Array::from(vec![4999 * 1_000_003i64, 1, 0]));
        assert_eq!(column(probe).index(&leads(&many)).unwrap(), [4999, MISS, 0]);
        for dup in [
            &["1", "2", "1"][..],
            &["1", "01", "01"],
            &["9", "1000000", "9"],
        ] {
            let e = column(events.clone()).index(&leads(dup)).unwrap_err();
            assert_eq!(e.to_string(), "invalid input: lead ids are not unique");
        }
    }

    #[test]
    fn narrow_and_unsigned_ids() {
        let events: ArrayRef = Arc::new(Int8Array::from(vec![Some(-1), Some(3), None]));
        assert_eq!(
            column(events).index(&leads(&["3", "-1", "300"])).unwrap(),
            [1, 0, MISS]
        );
        let big: ArrayRef = Arc::new(UInt64Array::from(vec![u64::MAX, 1]));
        let ids = column(big);
        assert_eq!(
            ids.index(&leads(&["1", "18446744073709551615"])).unwrap(),
            [1, 0]
        );
        assert_eq!(ids.text(0).as_deref(), Some("18446744073709551615"));
        let found = ids.leads();
        assert_eq!(found.leads[0].id, "18446744073709551615");
        assert_eq!(
            found
                .ids
                .as_primitive::<arrow_array::types::UInt64Type>()
                .value(0),
            u64::MAX
        );
    }

    #[test]
    fn leads_in_order_of_first_appearance() {
        for wide in [false, true] {
            let scale = if wide { 1 << 40 } else { 1 };
            let mut c = ChunkedColumn::new(
                "lead_id",
                Arc::new(Int64Array::from(vec![Some(3 * scale), None, Some(scale)])) as ArrayRef,
            );
            c.chunks.push(Arc::new(Int64Array::from(vec![
                scale,
                7 * scale,
                3 * scale,
            ])));
            let found = IntIds(c).leads();
            let ids: Vec<&str> = found.leads.iter().map(|l| l.id.as_str()).collect();
            let want: Vec<String> = [3, 1, 7].iter().map(|i| (i * scale).to_string()).collect();
            assert_eq!(ids, want);
            assert_eq!(found.index, [0, MISS, 1, 1, 2, 0]);
            assert_eq!(found.ids.data_type(), &arrow_schema::DataType::Int64);
            assert_eq!(found.ids.len(), 3);
        }
        let ids = IntIds(ChunkedColumn::new(
            "lead_id",
            Arc::new(Int32Array::from(vec![None, None])) as ArrayRef,
        ));
        let found = ids.leads();
        assert!(found.leads.is_empty());
        assert_eq!(found.index, [MISS, MISS]);
        assert_eq!(ids.text(1), None);
    }

    use proptest::prelude::*;

    proptest! {
        /// The leads an int64 id column names are its distinct ids in order of first
        /// appearance, each row's lead the one of its id, wherever the ids lie (negative,
        /// at either end of `i64`: the range of ids met grows as ids outside it come) and
        /// whatever their number; ids spread wider than a table allows give none.
        #[test]
        fn discovered_keys_are_the_ids_in_order_of_first_appearance(
            base in prop_oneof![
                Just(i64::MIN),
                Just(i64::MAX - 2000),
                -1000i64..1000,
                any::<i64>().prop_map(|b| b / 2),
            ],
            offsets in proptest::collection::vec(0i64..2000, 0..60),
            far in proptest::option::of((0usize..60, 1i64 << 20..1i64 << 40)),
        ) {
            let mut keys: Vec<i64> = offsets.iter().map(|&o| base.saturating_add(o)).collect();
            if let Some((at, by)) = far && at < keys.len() {
                keys[at] = keys[at].saturating_sub(by);
            }
            let mut want: Vec<i64> = Vec::new();
            for &k in &keys {
                if !want.contains(&k) {
                    want.push(k);
                }
            }
            let (lo, hi) = (keys.iter().min(), keys.iter().max());
            let wide = lo.zip(hi).is_some_and(|(lo, hi)| {
                hi.abs_diff(*lo) >= TABLE_PER_ID * keys.len() as u64 + TABLE_SLACK
            });
            match discover_keys(&keys) {
                None => prop_assert!(wide),
                Some((found, lookup)) => {
                    prop_assert!(!wide);
                    prop_assert_eq!(&found, &want);
                    let rows = lookup.rows(&keys).unwrap();
                    for (r, k) in keys.iter().enumerate() {
                        let lead = want.iter().position(|w| w == k).unwrap() as u32;
                        prop_assert_eq!(rows.get(r), lead, "row {}", r);
                    }
                }
            }
        }
    }
}
