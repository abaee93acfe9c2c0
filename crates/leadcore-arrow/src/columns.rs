//! Arrow columns in the core's layout with as few copies as possible: a column whose
//! buffer already is what the core reads (one chunk, no nulls, `u32`/`i32` dictionary keys,
//! `i64` values) is borrowed as it is; anything else is copied once, in tight loops over
//! whole blocks of 64 rows (never a closure per row).

use crate::read::each_str;
use crate::table::ChunkedColumn;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrowPrimitiveType, DictionaryArray, PrimitiveArray};
use arrow_buffer::{ArrowNativeType, NullBuffer, ScalarBuffer};
use arrow_schema::DataType;
use leadcore::columnar::{Bits, DictBuilder, DictColumn, Keys, NULL_CODE, RawText, VALID8};
use std::sync::OnceLock;

/// Evaluates `$body` with `$T` naming the Arrow integer type of `$data_type` (`Int8Type`
/// ... `UInt64Type`), or `$other` when it is no integer type.
macro_rules! int_type {
    ($data_type:expr, $T:ident => $body:expr, _ => $other:expr) => {{
        use arrow_array::types as t;
        match $data_type {
            arrow_schema::DataType::Int8 => {
                type $T = t::Int8Type;
                $body
            }
            arrow_schema::DataType::Int16 => {
                type $T = t::Int16Type;
                $body
            }
            arrow_schema::DataType::Int32 => {
                type $T = t::Int32Type;
                $body
            }
            arrow_schema::DataType::Int64 => {
                type $T = t::Int64Type;
                $body
            }
            arrow_schema::DataType::UInt8 => {
                type $T = t::UInt8Type;
                $body
            }
            arrow_schema::DataType::UInt16 => {
                type $T = t::UInt16Type;
                $body
            }
            arrow_schema::DataType::UInt32 => {
                type $T = t::UInt32Type;
                $body
            }
            arrow_schema::DataType::UInt64 => {
                type $T = t::UInt64Type;
                $body
            }
            _ => $other,
        }
    }};
}
pub(crate) use int_type;

/// A value the copying loops write: chosen by a mask with bit operations, not a branch.
pub(crate) trait Lane: Copy {
    /// `self` where `keep` is all ones, `null` where it is zero.
    fn pick(self, null: Self, keep: u32) -> Self;
}

impl Lane for u32 {
    #[inline]
    fn pick(self, null: u32, keep: u32) -> u32 {
        (self & keep) | (null & !keep)
    }
}

impl Lane for i64 {
    #[inline]
    fn pick(self, null: i64, keep: u32) -> i64 {
        let keep = keep as i32 as i64;
        (self & keep) | (null & !keep)
    }
}

/// Appends `map(v)` for each valid value and `null` for each null, 8 rows (a byte of
/// validity) at a time with no branch per row.
pub(crate) fn select<S: Copy, T: Lane>(
    values: &[S],
    nulls: Option<&NullBuffer>,
    null: T,
    map: impl Fn(S) -> T,
    out: &mut Vec<T>,
) {
    out.reserve(values.len());
    let Some(nulls) = nulls.filter(|n| n.null_count() > 0) else {
        out.extend(values.iter().map(|&v| map(v)));
        return;
    };
    let bits = nulls.inner();
    let mut done = 0;
    if bits.offset().is_multiple_of(8) {
        let bytes = bits.values().get(bits.offset() / 8..).unwrap_or_default();
        for (group, &byte) in values.chunks_exact(8).zip(bytes) {
            if let Ok(group) = <&[S; 8]>::try_from(group) {
                let mask = &VALID8[byte as usize];
                let picked: [T; 8] = std::array::from_fn(|j| map(group[j]).pick(null, mask[j]));
                out.extend_from_slice(&picked);
                done += 8;
            }
        }
    }
    out.extend(
        values
            .iter()
            .enumerate()
            .skip(done)
            .map(|(i, &v)| if nulls.is_valid(i) { map(v) } else { null }),
    );
}

/// Appends one `bool` per row, `true` where valid.
pub(crate) fn validity(len: usize, nulls: Option<&NullBuffer>, out: &mut Vec<bool>) {
    match nulls {
        None => out.resize(out.len() + len, true),
        Some(n) => {
            out.reserve(len);
            let bits = n.inner();
            let mut done = 0;
            if bits.offset().is_multiple_of(8) {
                let bytes = bits.values().get(bits.offset() / 8..).unwrap_or_default();
                for &byte in bytes.iter().take(len / 8) {
                    out.extend_from_slice(&BOOL8[byte as usize]);
                    done += 8;
                }
            }
            out.extend((done..len).map(|i| n.is_valid(i)));
        }
    }
}

/// A validity mask for the column, `None` when no row is null.
pub(crate) fn column_validity(c: &ChunkedColumn) -> Option<Vec<bool>> {
    if c.chunks.iter().all(|a| a.null_count() == 0) {
        return None;
    }
    let mut out = Vec::with_capacity(c.len());
    for a in &c.chunks {
        validity(a.len(), a.logical_nulls().as_ref(), &mut out);
    }
    Some(out)
}

/// A string column as the core's dictionary column: codes borrowed from an Arrow
/// dictionary's keys when they are `u32`/`i32` with no nulls in one chunk and its values are
/// distinct strings, else copied (a null, or a key to a null value, becomes [`NULL_CODE`]).
#[derive(Debug, Clone)]
pub(crate) struct Codes {
    pub(crate) codes: ScalarBuffer<u32>,
    pub(crate) dictionary: Vec<String>,
}

impl Codes {
    pub(crate) fn column(&self) -> DictColumn<'_> {
        DictColumn {
            codes: &self.codes,
            dictionary: &self.dictionary,
        }
    }

    /// Reads a string column (`Utf8`, `LargeUtf8`, `Utf8View`, a dictionary of any of them,
    /// or `Null`); `None` if it holds no strings.
    pub(crate) fn read(column: &ChunkedColumn) -> Option<Codes> {
        let mut b = DictBuilder::default();
        let mut codes: Vec<u32> = Vec::new();
        for chunk in &column.chunks {
            if let DataType::Dictionary(key, _) = chunk.data_type() {
                let first = b.dictionary.is_empty() && codes.is_empty();
                // Each dictionary entry's code (NULL_CODE for a null entry).
                let mut entries = Vec::new();
                let ok = each_str(chunk.as_any_dictionary().values().as_ref(), &mut |v| {
                    b.push(v);
                    entries.push(b.codes.pop().unwrap_or(NULL_CODE));
                });
                if !ok {
                    return None;
                }
                let identity = entries.iter().enumerate().all(|(i, &c)| c as usize == i);
                if first && identity && column.chunks.len() == 1 {
                    let borrowed = match key.as_ref() {
                        DataType::Int32 => Some(
                            chunk
                                .as_dictionary::<Int32Type>()
                                .keys()
                                .values()
                                .inner()
                                .clone(),
                        ),
                        DataType::UInt32 => Some(
                            chunk
                                .as_dictionary::<UInt32Type>()
                                .keys()
                                .values()
                                .inner()
                                .clone(),
                        ),
                        _ => None,
                    };
                    // A null's key must read as NULL_CODE (-1 as int32: what pyarrow keeps
                    // under a mask built from codes like these).
                    if let Some(codes) = borrowed.map(ScalarBuffer::<u32>::from)
                        && nulls_hold(&codes, chunk.nulls(), NULL_CODE)
                    {
                        return Some(Codes {
                            codes,
                            dictionary: b.dictionary,
                        });
                    }
                }
                let done = int_type!(key.as_ref(), K => keys::<K>(chunk.as_ref(), &entries, &mut codes), _ => false);
                if !done {
                    return None;
                }
            } else {
                b.codes = std::mem::take(&mut codes);
                if !each_str(chunk.as_ref(), &mut |v| b.push(v)) {
                    return None;
                }
                codes = std::mem::take(&mut b.codes);
            }
        }
        Some(Codes {
            codes: ScalarBuffer::from(codes),
            dictionary: b.dictionary,
        })
    }
}

/// The keys of a dictionary chunk as they came (`int32` as their bits).
#[derive(Debug, Clone)]
pub(crate) enum KeyBuf {
    U8(ScalarBuffer<u8>),
    U16(ScalarBuffer<u16>),
    U32(ScalarBuffer<u32>),
    I8(ScalarBuffer<i8>),
    I16(ScalarBuffer<i16>),
}

/// A text column of one dictionary chunk read as the producer holds it: its keys (of any
/// width, unchecked) and validity, which the core reads a block of rows at a time
/// ([`RawText`]); as codes ([`Raw::column`]) only when something else asks.
#[derive(Debug)]
pub(crate) struct Raw {
    pub(crate) keys: KeyBuf,
    pub(crate) dictionary: Vec<String>,
    pub(crate) nulls: Option<NullBuffer>,
    /// Whether a key of -1 is a missing value (pandas' codes, handed over with no validity).
    pub(crate) minus_one_missing: bool,
    codes: OnceLock<Vec<u32>>,
}

impl Raw {
    /// The column as the core reads it.
    pub(crate) fn text<'a>(&'a self, column: &'a str) -> RawText<'a> {
        RawText {
            column,
            keys: match &self.keys {
                KeyBuf::U8(k) => Keys::U8(k),
                KeyBuf::U16(k) => Keys::U16(k),
                KeyBuf::U32(k) => Keys::U32(k),
                KeyBuf::I8(k) => Keys::I8(k),
                KeyBuf::I16(k) => Keys::I16(k),
            },
            valid: self.nulls.as_ref().map(|n| Bits {
                bytes: n.inner().values(),
                offset: n.inner().offset(),
            }),
            minus_one_missing: self.minus_one_missing,
        }
    }

    /// The column as codes ([`NULL_CODE`] where missing; a key outside the dictionary as
    /// a code past it), made when first asked for.
    pub(crate) fn column(&self) -> DictColumn<'_> {
        let codes = self.codes.get_or_init(|| {
            let raw = self.text("");
            (0..raw.len()).map(|r| raw.code(r)).collect()
        });
        DictColumn {
            codes,
            dictionary: &self.dictionary,
        }
    }

    /// The first row whose code lies outside the dictionary, as the error validation gives.
    pub(crate) fn check(&self, name: &str) -> crate::Result<()> {
        let raw = self.text(name);
        let n = self.dictionary.len();
        match (0..raw.len()).find(|&r| {
            let c = raw.code(r);
            c != NULL_CODE && c as usize >= n
        }) {
            None => Ok(()),
            Some(r) => Err(crate::invalid(format!(
                "malformed Arrow data: events column `{name}` row {r}: key {} is outside its \
                 dictionary of {n}",
                raw.code(r) as i32
            ))),
        }
    }
}

/// A text column read from a table whose dictionary keys were not checked
/// ([`crate::validate_deferring_keys`]).
pub(crate) enum Deferred {
    /// One dictionary chunk of distinct values, its keys as they came.
    Keys(Raw),
    /// Read and checked as [`Codes::read`] reads a checked column.
    Read(Codes),
}

impl Codes {
    /// [`Codes::read`] of a column whose dictionary keys were not checked: one dictionary
    /// chunk with integer keys of up to 32 bits and distinct values is taken as it is (the
    /// core checks its keys where it reads them); any other column has its keys checked
    /// first. `None` if it holds no strings.
    /// With `minus_one_missing`, a key of -1 is a missing value (pandas' codes).
    pub(crate) fn read_deferred(
        column: &ChunkedColumn,
        minus_one_missing: bool,
    ) -> Option<crate::Result<Deferred>> {
        if let [chunk] = column.chunks.as_slice()
            && let DataType::Dictionary(key, _) = chunk.data_type()
        {
            let mut b = DictBuilder::default();
            let mut distinct = true;
            let ok = each_str(chunk.as_any_dictionary().values().as_ref(), &mut |v| {
                let before = b.dictionary.len();
                b.push(v);
                distinct &= v.is_some() && b.dictionary.len() == before + 1;
            });
            if !ok {
                return None;
            }
            let raw = |k: &dyn Array| {
                let d = k.to_data();
                let buffer = d.buffers().first()?.clone();
                Some((buffer, d.offset(), d.len()))
            };
            let dict = chunk.as_any_dictionary();
            let found = raw(dict.keys()).and_then(|(buffer, offset, len)| {
                Some(match key.as_ref() {
                    DataType::UInt8 => KeyBuf::U8(ScalarBuffer::new(buffer, offset, len)),
                    DataType::UInt16 => KeyBuf::U16(ScalarBuffer::new(buffer, offset, len)),
                    DataType::UInt32 | DataType::Int32 => {
                        KeyBuf::U32(ScalarBuffer::new(buffer, offset, len))
                    }
                    DataType::Int8 => KeyBuf::I8(ScalarBuffer::new(buffer, offset, len)),
                    DataType::Int16 => KeyBuf::I16(ScalarBuffer::new(buffer, offset, len)),
                    _ => return None,
                })
            });
            if distinct && let Some(keys) = found {
                return Some(Ok(Deferred::Keys(Raw {
                    keys,
                    dictionary: b.dictionary,
                    nulls: dict.keys().nulls().filter(|n| n.null_count() > 0).cloned(),
                    minus_one_missing,
                    codes: OnceLock::new(),
                })));
            }
        }
        for chunk in &column.chunks {
            if let Some(e) = crate::table::bad_keys(chunk.as_ref()) {
                return Some(Err(e));
            }
        }
        Codes::read(column).map(|c| Ok(Deferred::Read(c)))
    }
}

/// [`VALID8`] as booleans.
static BOOL8: [[bool; 8]; 256] = {
    let mut t = [[false; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            t[b][i] = (b >> i) & 1 == 1;
            i += 1;
        }
        b += 1;
    }
    t
};

/// Folds `f(acc, 8 values, their masks)` over the rows 8 at a time (a byte of validity
/// each), then `tail(acc, value, valid)` over the rows left.
pub(crate) fn fold_masked<V: Copy, A>(
    values: &[V],
    nulls: &NullBuffer,
    init: A,
    f: impl Fn(A, &[V; 8], &[u32; 8]) -> A,
    tail: impl Fn(A, V, bool) -> A,
) -> A {
    let bits = nulls.inner();
    let mut acc = init;
    let mut done = 0;
    if bits.offset().is_multiple_of(8) {
        let bytes = bits.values().get(bits.offset() / 8..).unwrap_or_default();
        let mut groups = values.chunks_exact(8);
        for (group, &byte) in (&mut groups).zip(bytes) {
            if let Ok(group) = <&[V; 8]>::try_from(group) {
                acc = f(acc, group, &VALID8[byte as usize]);
                done += 8;
            }
        }
    }
    for (i, &v) in values.iter().enumerate().skip(done) {
        acc = tail(acc, v, nulls.is_valid(i));
    }
    acc
}

/// The largest of the valid `wide(values)` (0 when none).
pub(crate) fn valid_max<V: Copy>(values: &[V], nulls: &NullBuffer, wide: impl Fn(V) -> u32) -> u32 {
    fold_masked(
        values,
        nulls,
        0,
        |m, group, mask| {
            let mut g = 0;
            for (&v, &keep) in group.iter().zip(mask) {
                g = g.max(wide(v) & keep);
            }
            m.max(g)
        },
        |m, v, valid| if valid { m.max(wide(v)) } else { m },
    )
}

/// Whether every null row of `values` holds `code`.
pub(crate) fn nulls_hold(values: &[u32], nulls: Option<&NullBuffer>, code: u32) -> bool {
    let Some(nulls) = nulls.filter(|n| n.null_count() > 0) else {
        return true;
    };
    // A null row holding anything else leaves a bit set.
    let stray = fold_masked(
        values,
        nulls,
        0,
        |acc, group, mask| {
            let mut g = 0;
            for (&v, &keep) in group.iter().zip(mask) {
                g |= (v ^ code) & !keep;
            }
            acc | g
        },
        |acc, v, valid| if valid { acc } else { acc | (v ^ code) },
    );
    stray == 0
}

/// Appends a dictionary chunk's rows as codes: `entries[key]`, [`NULL_CODE`] for a null key
/// or one outside the dictionary (refused by validation before).
fn keys<K: arrow_array::types::ArrowDictionaryKeyType>(
    chunk: &dyn Array,
    entries: &[u32],
    out: &mut Vec<u32>,
) -> bool {
    let Some(dict) = chunk.as_any().downcast_ref::<DictionaryArray<K>>() else {
        return false;
    };
    let keys: &PrimitiveArray<K> = dict.keys();
    let n = entries.len();
    if entries.iter().enumerate().all(|(i, &c)| c as usize == i) {
        // Codes are the keys (the first chunk's dictionary, distinct values): no lookup.
        select(
            keys.values(),
            keys.nulls(),
            NULL_CODE,
            |k| {
                let k = k.as_usize();
                if k < n { k as u32 } else { NULL_CODE }
            },
            out,
        );
    } else {
        select(
            keys.values(),
            keys.nulls(),
            NULL_CODE,
            |k| entries.get(k.as_usize()).copied().unwrap_or(NULL_CODE),
            out,
        );
    }
    true
}

/// An integer column as `i64`: borrowed when it is one `Int64` chunk with no nulls (or
/// with nulls, when `masked`: what a null holds does not matter), else converted (a null
/// becomes `null`). `Err` with the value for a `u64` above `i64::MAX`; `None` if the
/// column holds no integers.
pub(crate) fn ints(
    c: &ChunkedColumn,
    null: i64,
    masked: bool,
) -> Option<Result<ScalarBuffer<i64>, u64>> {
    if let [chunk] = c.chunks.as_slice()
        && let Some(a) = chunk.as_primitive_opt::<Int64Type>()
        && (masked || a.null_count() == 0)
    {
        return Some(Ok(a.values().clone()));
    }
    let mut out = Vec::with_capacity(c.len());
    for chunk in &c.chunks {
        if let Some(a) = chunk.as_primitive_opt::<UInt64Type>() {
            if let Some(&big) = a
                .values()
                .iter()
                .zip(0..)
                .find(|&(&v, i)| v > i64::MAX as u64 && a.is_valid(i))
                .map(|(v, _)| v)
            {
                return Some(Err(big));
            }
            select(a.values(), a.nulls(), null, |v| v as i64, &mut out);
            continue;
        }
        let done = int_type!(chunk.data_type(), T => {
            let a = chunk.as_primitive::<T>();
            select(
                a.values(),
                a.nulls(),
                null,
                |v| v.to_i64().unwrap_or(null),
                &mut out,
            );
            true
        }, _ => false);
        if !done {
            return None;
        }
    }
    Some(Ok(ScalarBuffer::from(out)))
}

/// A primitive column of native type `T` with no conversion: borrowed when it is one chunk,
/// else concatenated (a null's slot holds whatever its chunk holds). `None` if a chunk is
/// of another type.
pub(crate) fn natives<T: ArrowPrimitiveType>(c: &ChunkedColumn) -> Option<ScalarBuffer<T::Native>> {
    if let [chunk] = c.chunks.as_slice() {
        return chunk.as_primitive_opt::<T>().map(|a| a.values().clone());
    }
    let mut out = Vec::with_capacity(c.len());
    for chunk in &c.chunks {
        out.extend_from_slice(chunk.as_primitive_opt::<T>()?.values());
    }
    Some(ScalarBuffer::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        ArrayRef, DictionaryArray, Int8Array, Int32Array, LargeStringArray, StringArray,
        UInt64Array,
    };
    use std::sync::Arc;

    #[test]
    fn select_blocks_and_tails() {
        for len in [0, 1, 63, 64, 65, 130] {
            let values: Vec<Option<i32>> =
                (0..len).map(|i| (i % 3 != 1).then_some(i as i32)).collect();
            let a = Int32Array::from(values.clone()).slice(0, len);
            let mut out = Vec::new();
            select(a.values(), a.nulls(), -1, |v| i64::from(v) * 2, &mut out);
            let want: Vec<i64> = values
                .iter()
                .map(|v| v.map_or(-1, |v| i64::from(v) * 2))
                .collect();
            assert_eq!(out, want, "len {len}");
            let mut valid = Vec::new();
            validity(a.len(), a.nulls(), &mut valid);
            assert_eq!(
                valid,
                values.iter().map(Option::is_some).collect::<Vec<_>>()
            );
        }
        // An offset slice.
        let a = Int32Array::from(
            (0..200)
                .map(|i| (i % 5 != 0).then_some(i))
                .collect::<Vec<_>>(),
        );
        let s = a.slice(7, 150);
        let mut out = Vec::new();
        select(s.values(), s.nulls(), u32::MAX, |v| v as u32, &mut out);
        let want: Vec<u32> = (7..157)
            .map(|i| if i % 5 == 0 { u32::MAX } else { i })
            .collect();
        assert_eq!(out, want);
    }

    #[test]
    fn nulls_hold_their_code() {
        for len in [1usize, 31, 32, 33, 64, 100] {
            for offset in [0usize, 3] {
                let valid: Vec<bool> = (0..len + offset).map(|i| i % 3 != 0).collect();
                let nulls = NullBuffer::from(valid.clone()).slice(offset, len);
                let mut values: Vec<u32> = (0..len + offset)
                    .map(|i| if valid[i] { i as u32 } else { NULL_CODE })
                    .collect();
                assert!(nulls_hold(&values[offset..], Some(&nulls), NULL_CODE));
                if let Some(i) = (offset..len + offset).rev().find(|&i| !valid[i]) {
                    values[i] = 0;
                    assert!(
                        !nulls_hold(&values[offset..], Some(&nulls), NULL_CODE),
                        "{len}"
                    );
                }
            }
        }
    }

    fn col(a: ArrayRef) -> ChunkedColumn {
        ChunkedColumn::new("c", a)
    }

    fn strings(c: &Codes) -> Vec<Option<&str>> {
        let d = c.column();
        (0..c.codes.len()).map(|i| d.get(i)).collect()
    }

    #[test]
    fn codes_of_every_layout() {
        let want = vec![Some("b"), None, Some("a"), Some("b")];
        // Borrowed: int32 keys, no nulls, distinct values.
        let keys = Int32Array::from(vec![1, 0, 1]);
        let dict: ArrayRef = Arc::new(
            DictionaryArray::try_new(keys.clone(), Arc::new(StringArray::from(vec!["a", "b"])))
                .unwrap(),
        );
        let c = Codes::read(&col(dict.clone())).unwrap();
        assert_eq!(
            c.codes.inner().as_ptr(),
            keys.values().inner().as_ptr(),
            "borrowed"
        );
        assert_eq!(strings(&c), [Some("b"), Some("a"), Some("b")]);
        // Nulls holding -1 are borrowed; nulls holding a code are not.
        for (under, borrowed) in [(-1, true), (0, false)] {
            let keys = Int32Array::new(
                vec![1, under, 0, 1].into(),
                Some(vec![true, false, true, true].into()),
            );
            let dict: ArrayRef = Arc::new(
                DictionaryArray::try_new(keys.clone(), Arc::new(StringArray::from(vec!["a", "b"])))
                    .unwrap(),
            );
            let c = Codes::read(&col(dict)).unwrap();
            assert_eq!(strings(&c), want);
            assert_eq!(
                c.codes.inner().as_ptr() == keys.values().inner().as_ptr(),
                borrowed
            );
        }
        // Nulls, duplicate or null dictionary values, narrow keys, several chunks.
        let dup: ArrayRef = Arc::new(
            DictionaryArray::try_new(
                Int8Array::from(vec![Some(0), None, Some(1), Some(2)]),
                Arc::new(LargeStringArray::from(vec![
                    Some("b"),
                    Some("a"),
                    Some("b"),
                ])),
            )
            .unwrap(),
        );
        assert_eq!(strings(&Codes::read(&col(dup.clone())).unwrap()), want);
        let nulls: ArrayRef = Arc::new(
            DictionaryArray::try_new(
                Int32Array::from(vec![Some(1), Some(2), Some(0), Some(1)]),
                Arc::new(StringArray::from(vec![Some("a"), Some("b"), None])),
            )
            .unwrap(),
        );
        assert_eq!(strings(&Codes::read(&col(nulls)).unwrap()), want);
        let plain: ArrayRef = Arc::new(StringArray::from(want.clone()));
        let mut two = col(plain.clone());
        two.chunks.push(dup);
        two.chunks.push(plain);
        let mut all = want.clone();
        all.extend(want.clone());
        all.extend(want.clone());
        two.data_type = DataType::Utf8;
        assert_eq!(strings(&Codes::read(&two).unwrap()), all);
        assert!(Codes::read(&col(Arc::new(Int32Array::from(vec![1])))).is_none());
    }

    #[test]
    fn ints_borrow_or_convert() {
        let a = arrow_array::Int64Array::from(vec![1, 2, 3]);
        let got = ints(&col(Arc::new(a.clone())), 0, false).unwrap().unwrap();
        assert_eq!(got.inner().as_ptr(), a.values().inner().as_ptr());
        let got = ints(
            &col(Arc::new(Int8Array::from(vec![Some(-1), None]))),
            7,
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(&got[..], [-1, 7]);
        let big = ints(&col(Arc::new(UInt64Array::from(vec![u64::MAX]))), 0, false).unwrap();
        assert_eq!(big.unwrap_err(), u64::MAX);
        let null_big = UInt64Array::from(vec![None, Some(5)]);
        assert_eq!(
            &ints(&col(Arc::new(null_big)), 0, false).unwrap().unwrap()[..],
            [0, 5]
        );
        assert!(ints(&col(Arc::new(StringArray::from(vec!["x"]))), 0, false).is_none());
        // Nulls holding anything: borrowed when masked, else NULL written.
        let with_null = arrow_array::Int64Array::from(vec![Some(1), None]);
        let c = col(Arc::new(with_null.clone()));
        let masked = ints(&c, 9, true).unwrap().unwrap();
        assert_eq!(masked.inner().as_ptr(), with_null.values().inner().as_ptr());
        assert_eq!(ints(&c, 9, false).unwrap().unwrap()[1], 9);
    }
}
