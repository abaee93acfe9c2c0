//! Reading values out of Arrow arrays of the layouts leadcore accepts.

use crate::table::ChunkedColumn;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::{DataType, TimeUnit};
use leadcore::columnar::{DictBuilder, NULL_CODE};

/// What an Arrow type holds, as far as leadcore is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Text,
    Int,
    Float,
    Bool,
    Date,
    Time,
}

pub(crate) fn kind_of(data_type: &DataType) -> Option<Kind> {
    use DataType as D;
    Some(match data_type {
        D::Null => Kind::Null,
        D::Utf8 | D::LargeUtf8 | D::Utf8View => Kind::Text,
        D::Dictionary(key, values) if key.is_integer() => match kind_of(values)? {
            Kind::Text | Kind::Null => Kind::Text,
            _ => return None,
        },
        D::Int8 | D::Int16 | D::Int32 | D::Int64 => Kind::Int,
        D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => Kind::Int,
        D::Float16 | D::Float32 | D::Float64 => Kind::Float,
        D::Boolean => Kind::Bool,
        D::Date32 | D::Date64 => Kind::Date,
        D::Timestamp(..) => Kind::Time,
        _ => return None,
    })
}

/// Calls `f` with each value of a plain string array (any of the three layouts) or a
/// `null` array; false if the array is neither.
pub(crate) fn each_str<'a>(array: &'a dyn Array, f: &mut impl FnMut(Option<&'a str>)) -> bool {
    if let Some(a) = array.as_string_opt::<i32>() {
        a.iter().for_each(f);
    } else if let Some(a) = array.as_string_opt::<i64>() {
        a.iter().for_each(f);
    } else if let Some(a) = array.as_string_view_opt() {
        a.iter().for_each(f);
    } else if *array.data_type() == DataType::Null {
        (0..array.len()).for_each(|_| f(None));
    } else {
        return false;
    }
    true
}

/// Appends a string column's rows to `out` (a dictionary array costs one lookup per
/// entry, then one per row); false if the column holds no strings.
pub(crate) fn encode_strings(column: &ChunkedColumn, out: &mut DictBuilder) -> bool {
    out.codes.reserve(column.len());
    for chunk in &column.chunks {
        if let Some(dict) = chunk.as_any_dictionary_opt() {
            let mut entries = Vec::with_capacity(dict.values().len());
            let ok = each_str(dict.values().as_ref(), &mut |v| {
                out.push(v);
                entries.push(out.codes.pop().unwrap_or(NULL_CODE));
            });
            if !ok {
                return false;
            }
            // Keys of any integer type; a null key, or one outside the dictionary (refused
            // by validation before), is a missing value.
            let mut push = |k: Option<i64>| {
                let code = k
                    .and_then(|k| usize::try_from(k).ok())
                    .and_then(|k| entries.get(k).copied());
                out.codes.push(code.unwrap_or(NULL_CODE));
                Ok::<_, ()>(())
            };
            if !matches!(each_int(dict.keys(), &mut push, |_| ()), Some(Ok(()))) {
                return false;
            }
        } else if !each_str(chunk.as_ref(), &mut |v| out.push(v)) {
            return false;
        }
    }
    true
}

fn each_primitive<T: ArrowPrimitiveType, E>(
    array: &dyn Array,
    mut f: impl FnMut(Option<T::Native>) -> Result<(), E>,
) -> Option<Result<(), E>> {
    array
        .as_primitive_opt::<T>()
        .map(|a| a.iter().try_for_each(&mut f))
}

/// Calls `f` with each value of an integer array of any width as `i64` (`Err` with the
/// value's text for a `u64` above `i64::MAX`); `None` if the array holds no integers.
pub(crate) fn each_int<E>(
    array: &dyn Array,
    f: &mut impl FnMut(Option<i64>) -> Result<(), E>,
    out_of_range: impl Fn(u64) -> E,
) -> Option<Result<(), E>> {
    macro_rules! signed {
        ($($t:ty),*) => {$(
            if let Some(r) = each_primitive::<$t, E>(array, |v| f(v.map(i64::from))) {
                return Some(r);
            }
        )*};
    }
    signed!(
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type
    );
    each_primitive::<UInt64Type, E>(array, |v| match v {
        Some(u) => match i64::try_from(u) {
            Ok(i) => f(Some(i)),
            Err(_) => Err(out_of_range(u)),
        },
        None => f(None),
    })
}

/// Calls `f` with each value of a float array as `f64`; `None` if it holds no floats.
pub(crate) fn each_float<E>(
    array: &dyn Array,
    f: &mut impl FnMut(Option<f64>) -> Result<(), E>,
) -> Option<Result<(), E>> {
    each_primitive::<Float64Type, E>(array, &mut *f)
        .or_else(|| each_primitive::<Float32Type, E>(array, |v| f(v.map(f64::from))))
        .or_else(|| each_primitive::<Float16Type, E>(array, |v| f(v.map(f64::from))))
}

/// Calls `f` with each value of a boolean array; `None` if it holds no booleans.
pub(crate) fn each_bool<E>(
    array: &dyn Array,
    f: &mut impl FnMut(Option<bool>) -> Result<(), E>,
) -> Option<Result<(), E>> {
    array.as_boolean_opt().map(|a| a.iter().try_for_each(f))
}

/// Calls `f` with each value of a timestamp array in `unit` (rounded down when finer
/// units become coarser; `None` for a value the unit cannot hold); `None` if the array is
/// no timestamp array. The zone does not matter: Arrow timestamps count from the epoch
/// in UTC.
pub(crate) fn each_timestamp<E>(
    array: &dyn Array,
    unit: TimeUnit,
    f: &mut impl FnMut(Option<Option<i64>>) -> Result<(), E>,
) -> Option<Result<(), E>> {
    let DataType::Timestamp(from, _) = array.data_type() else {
        return None;
    };
    let per = |u: &TimeUnit| -> i64 {
        match u {
            TimeUnit::Second => 1,
            TimeUnit::Millisecond => 1_000,
            TimeUnit::Microsecond => 1_000_000,
            TimeUnit::Nanosecond => 1_000_000_000,
        }
    };
    let (p_from, p_to) = (per(from), per(&unit));
    let convert = move |v: i64| -> Option<i64> {
        if p_from >= p_to {
            Some(v.div_euclid(p_from / p_to))
        } else {
            v.checked_mul(p_to / p_from)
        }
    };
    let mut g = |v: Option<i64>| f(v.map(convert));
    each_primitive::<TimestampSecondType, E>(array, &mut g)
        .or_else(|| each_primitive::<TimestampMillisecondType, E>(array, &mut g))
        .or_else(|| each_primitive::<TimestampMicrosecondType, E>(array, &mut g))
        .or_else(|| each_primitive::<TimestampNanosecondType, E>(array, &mut g))
}
