//! pandas DataFrames of events read column by column, their numpy buffers shared with Arrow
//! rather than copied, for batch scoring: a `Categorical` as a dictionary of its codes (any
//! width) and categories, integers and floats (numpy or pandas' nullable `Int64`-style
//! arrays) as they are, `datetime64` (naive or with a zone, any unit) as timestamps. pandas'
//! own Arrow export converts and copies each of these (a categorical's codes to a masked
//! array, a nullable array's mask to a bitmap, ...), about half the batch's time on 10 M
//! rows. A column of any other type goes through pandas' export, on its own.

use crate::arrow::{pandas_categorical, shared};
use crate::columns::{Of, arrow_table};
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{
    Array, ArrayRef, Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Int64Array,
    PrimitiveArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use leadcore_arrow::{ChunkedColumn, Table};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::Arc;

/// Whether `obj` is a pandas DataFrame.
fn is_frame(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    ty.name().is_ok_and(|n| n == "DataFrame")
        && ty
            .module()
            .is_ok_and(|m| m.to_str().is_ok_and(|m| m.starts_with("pandas")))
}

/// A pandas DataFrame's columns, read for batch scoring (its index left out), and the
/// names of its categorical columns read as their codes (-1 missing); `None` for any other
/// object.
pub(crate) fn events_table(
    of: Of,
    obj: &Bound<'_, PyAny>,
) -> PyResult<Option<(Table, Vec<String>)>> {
    // An empty frame goes through pandas' export (which gives no chunks: columns of no
    // type to check, as pandas types empty lists as floats).
    if !is_frame(obj) || obj.len()? == 0 {
        return Ok(None);
    }
    let py = obj.py();
    let mut columns = Vec::new();
    let mut codes = Vec::new();
    for name in obj.getattr("columns")?.try_iter()? {
        let name = name?;
        let Ok(text) = name.extract::<String>() else {
            return Ok(None);
        };
        let series = obj.get_item(&name)?;
        let array = if series.get_type().name().is_ok_and(|n| n == "Series") {
            column(&series)?
        } else {
            None // a name shared by several columns: pandas' export says so
        };
        match array {
            Some(array) => {
                if matches!(array.data_type(), arrow_schema::DataType::Dictionary(..)) {
                    codes.push(text.clone());
                }
                columns.push(ChunkedColumn::new(&text, array));
            }
            None => {
                // The column alone (its index left behind, which pandas would export).
                let kwargs = pyo3::types::PyDict::new(py);
                kwargs.set_item("drop", true)?;
                let one = obj.get_item(PyList::new(py, [&name])?)?.call_method(
                    "reset_index",
                    (),
                    Some(&kwargs),
                )?;
                let mut table = arrow_table(of, &one, true)?;
                columns.append(&mut table.columns);
            }
        }
    }
    Ok(Some((Table::new(columns), codes)))
}

/// One column as Arrow, its buffers shared; `None` where pandas' export is needed.
fn column(series: &Bound<'_, PyAny>) -> PyResult<Option<ArrayRef>> {
    let dtype = series.getattr("dtype")?;
    let name = dtype.str()?.to_string();
    if name == "category" {
        let cat = series.getattr("cat")?;
        // The `Categorical`'s own codes (a read-only view): `cat.codes` is a copy in
        // pandas 3 (~5 ms a batch for the realistic fixture's five text columns).
        let codes = series.getattr("array")?.getattr("codes")?;
        let Ok(categories) = cat
            .getattr("categories")?
            .call_method0("tolist")?
            .extract::<Vec<String>>()
        else {
            return Ok(None);
        };
        return Ok(if let Some(c) = shared::<i8>(&codes) {
            pandas_categorical::<Int8Type>(c, categories)
        } else if let Some(c) = shared::<i16>(&codes) {
            pandas_categorical::<Int16Type>(c, categories)
        } else if let Some(c) = shared::<i32>(&codes) {
            pandas_categorical::<Int32Type>(c, categories)
        } else {
            None
        });
    }
    let Ok(kind) = dtype.getattr("kind").and_then(|k| k.extract::<String>()) else {
        return Ok(None);
    };
    let array = series.getattr("array")?;
    if array.hasattr("_data")? && array.hasattr("_mask")? {
        // pandas' nullable arrays (`Int64`, `Float64`, ...): values and a mask of nulls.
        let Some(nulls) = mask_nulls(&array.getattr("_mask")?) else {
            return Ok(None);
        };
        return Ok(numbers(&array.getattr("_data")?, Some(nulls)));
    }
    if kind == "M" {
        return datetimes(series, name.contains(','));
    }
    if matches!(kind.as_str(), "i" | "u" | "f") {
        return Ok(numbers(&series.call_method0("to_numpy")?, None));
    }
    Ok(None)
}

/// A numpy array of numbers (its buffer shared) with `nulls`.
fn numbers(values: &Bound<'_, PyAny>, nulls: Option<NullBuffer>) -> Option<ArrayRef> {
    let nulls = nulls.filter(|n| n.null_count() > 0);
    macro_rules! typed {
        ($($t:ty => $array:ty),*) => {$(
            if let Some(v) = shared::<$t>(values) {
                return Some(Arc::new(<$array>::new(v, nulls)));
            }
        )*};
    }
    typed!(
        i64 => Int64Array, i32 => Int32Array, i16 => Int16Array, i8 => Int8Array,
        u64 => UInt64Array, u32 => UInt32Array, u16 => UInt16Array, u8 => UInt8Array,
        f64 => Float64Array, f32 => Float32Array
    );
    None
}

fn py_none<'py>(obj: &Bound<'py, PyAny>) -> Bound<'py, PyAny> {
    obj.py().None().into_bound(obj.py())
}

/// The nulls of a pandas mask (`True`: missing).
fn mask_nulls(mask: &Bound<'_, PyAny>) -> Option<NullBuffer> {
    let bytes = mask.call_method1("view", ("uint8",)).ok()?;
    let m = shared::<u8>(&bytes)?;
    Some(mask_validity(&m))
}

/// [`validity`] of a byte mask (a nonzero byte: missing), eight bytes in one step: each byte
/// made 1 where it is 0 (a value) and 0 elsewhere, and the eight gathered into one byte by a
/// multiplication (byte `j` lands on bit `56 + j` of the product, no two terms overlap or
/// carry). The row-by-row loop took ~4% of a batch scored from a pandas frame with one
/// nullable integer column (10 M rows, `perf`).
fn mask_validity(mask: &[u8]) -> NullBuffer {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut bits = arrow_buffer::MutableBuffer::new(mask.len().div_ceil(64) * 8);
    let mut words = mask.chunks_exact(64);
    for chunk in &mut words {
        let mut word = 0u64;
        for (k, eight) in chunk.chunks_exact(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(eight);
            let x = u64::from_le_bytes(b);
            // The top bit of each byte: set where the byte is not 0.
            let set = (((x & LOW7) + LOW7) | x) & !LOW7;
            let present = (!set & !LOW7) >> 7;
            word |= (present.wrapping_mul(GATHER) >> 56) << (8 * k);
        }
        bits.push(word);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let word = rest
            .iter()
            .enumerate()
            .fold(0u64, |w, (j, &m)| w | (u64::from(m == 0) << j));
        bits.push(word);
    }
    NullBuffer::new(BooleanBuffer::new(bits.into(), 0, mask.len()))
}

/// The validity of `values` (`valid` says which hold a value) as Arrow's bitmap, packed 64
/// rows at a time in a loop the compiler vectorises (`BooleanBuffer::collect_bool`, a call
/// per row, took ~5 ms on 10 M rows).
fn validity<T>(values: &[T], valid: impl Fn(&T) -> bool) -> NullBuffer {
    let mut bits = arrow_buffer::MutableBuffer::new(values.len().div_ceil(64) * 8);
    for chunk in values.chunks(64) {
        let mut word = 0u64;
        for (j, v) in chunk.iter().enumerate() {
            word |= u64::from(valid(v)) << j;
        }
        bits.push(word);
    }
    NullBuffer::new(BooleanBuffer::new(bits.into(), 0, values.len()))
}

/// A `datetime64` column (naive, or with a zone: its values are UTC) as timestamps of its
/// unit; NaT is null.
fn datetimes(series: &Bound<'_, PyAny>, zoned: bool) -> PyResult<Option<ArrayRef>> {
    // A DatetimeArray's numpy values (UTC for a zoned one); else a converted copy.
    let array = series.getattr("array")?;
    let values = if array.hasattr("_ndarray")? {
        array.getattr("_ndarray")?
    } else if zoned {
        series
            .getattr("dt")?
            .call_method1("tz_convert", (py_none(series),))?
            .call_method0("to_numpy")?
    } else {
        series.call_method0("to_numpy")?
    };
    let unit: String = values.getattr("dtype")?.getattr("str")?.extract()?;
    let ints = values.call_method1("view", ("int64",))?;
    let Some(v) = shared::<i64>(&ints) else {
        return Ok(None);
    };
    let nulls = if v.contains(&i64::MIN) {
        Some(validity(&v, |&t| t != i64::MIN))
    } else {
        None
    };
    fn stamps<T: arrow_array::types::ArrowTimestampType>(
        v: ScalarBuffer<i64>,
        nulls: Option<NullBuffer>,
        zoned: bool,
    ) -> ArrayRef {
        let a = PrimitiveArray::<T>::new(v, nulls);
        Arc::new(if zoned { a.with_timezone("UTC") } else { a })
    }
    Ok(Some(match unit.trim_start_matches(['<', '>', '=', '|']) {
        "M8[s]" => stamps::<TimestampSecondType>(v, nulls, zoned),
        "M8[ms]" => stamps::<TimestampMillisecondType>(v, nulls, zoned),
        "M8[us]" => stamps::<TimestampMicrosecondType>(v, nulls, zoned),
        "M8[ns]" => stamps::<TimestampNanosecondType>(v, nulls, zoned),
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mask packed eight bytes at a time is the row-by-row packing, for masks of any
    /// length and any byte values (numpy's `True` is 1, but a view may hold any nonzero).
    #[test]
    fn a_mask_packed_eight_bytes_at_a_time_is_the_row_by_row_packing() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for len in (0..200).chain([1000, 4099]) {
            for density in [0u64, 1, 4, 8] {
                let mask: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        if r % 8 < density {
                            (r >> 8) as u8 | 1
                        } else {
                            0
                        }
                    })
                    .collect();
                let fast = mask_validity(&mask);
                let slow = validity(&mask, |&m| m == 0);
                assert_eq!(fast, slow, "len {len}, density {density}");
                assert_eq!(fast.null_count(), mask.iter().filter(|&&m| m != 0).count());
            }
        }
    }
}
