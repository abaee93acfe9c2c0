//! The `logistic` mode's frames as Arrow: a table read as a [`Frame`] ([`frame`]), its
//! features guessed from the column types ([`infer_features`]), outcomes read from a
//! column ([`outcomes`]), and explanations written as a long table
//! ([`explanations_batch`]).
//!
//! Only the columns a configuration reads are read, each as its feature's kind, with the
//! rules of the core's JSON frames: a categorical feature (and the group) takes strings of
//! any layout (`Utf8`, `LargeUtf8`, `Utf8View`, a dictionary of them) and booleans (as
//! `"true"`/`"false"`); a numeric feature takes integers of any width, floats of any width
//! and booleans (1/0). Nulls (and a `null`-typed column) are missing values; an empty column
//! may have any type. A column of
//! another type is an `input.invalid` error naming it; a column the table lacks is left
//! out, and the model refuses the frame naming it.

use crate::read::{Kind, each_bool, each_float, each_int, encode_strings, kind_of};
use crate::table::{ChunkedColumn, Table};
use crate::{Result, invalid, is_pandas_index};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use leadcore::columnar::{DictBuilder, NULL_CODE};
use leadcore::predictive::logistic::{
    Explanation, FeatureKind, FeatureSpec, Frame, FrameColumn, LogisticConfig,
};
use std::sync::Arc;

/// The `feature` of the explanation row holding a lead's intercept.
pub const INTERCEPT: &str = "(intercept)";

fn type_error(column: &ChunkedColumn, wanted: &str) -> crate::Error {
    invalid(format!(
        "column `{}` has Arrow type {}, {wanted} is needed",
        column.name, column.data_type
    ))
}

fn text_column(column: &ChunkedColumn) -> Result<FrameColumn> {
    column.check_chunks()?;
    match kind_of(&column.data_type) {
        Some(Kind::Text | Kind::Null) => {
            let mut dict = DictBuilder::default();
            if !encode_strings(column, &mut dict) {
                return Err(type_error(column, "text"));
            }
            Ok(FrameColumn::Text(
                dict.codes
                    .iter()
                    .map(|&c| {
                        (c != NULL_CODE)
                            .then(|| dict.dictionary.get(c as usize).cloned())
                            .flatten()
                    })
                    .collect(),
            ))
        }
        Some(Kind::Bool) => {
            let mut out = Vec::with_capacity(column.len());
            for chunk in &column.chunks {
                let mut push = |b: Option<bool>| {
                    out.push(b.map(|b| b.to_string()));
                    Ok::<_, ()>(())
                };
                if !matches!(each_bool(chunk.as_ref(), &mut push), Some(Ok(()))) {
                    return Err(type_error(column, "text"));
                }
            }
            Ok(FrameColumn::Text(out))
        }
        _ => Err(type_error(
            column,
            "text (a string, dictionary or boolean column) for a categorical feature",
        )),
    }
}

fn number_column(column: &ChunkedColumn) -> Result<FrameColumn> {
    column.check_chunks()?;
    let kind = kind_of(&column.data_type);
    let mut out: Vec<Option<f64>> = Vec::with_capacity(column.len());
    for chunk in &column.chunks {
        let mut push = |x: Option<f64>| {
            out.push(x);
            Ok::<_, crate::Error>(())
        };
        let done = match kind {
            Some(Kind::Null) => {
                (0..chunk.len()).for_each(|_| out.push(None));
                Some(Ok(()))
            }
            // u64 read directly (above i64::MAX too); an integer beyond 2^53 loses digits
            // as f64, like any float feature would.
            Some(Kind::Int) => match chunk.as_any().downcast_ref::<UInt64Array>() {
                Some(a) => Some(a.iter().try_for_each(|v| push(v.map(|u| u as f64)))),
                None => each_int(
                    chunk.as_ref(),
                    &mut |v: Option<i64>| push(v.map(|i| i as f64)),
                    |u| invalid(format!("column `{}`: {u} is out of range", column.name)),
                ),
            },
            Some(Kind::Float) => each_float(chunk.as_ref(), &mut push),
            Some(Kind::Bool) => each_bool(chunk.as_ref(), &mut |b: Option<bool>| {
                push(b.map(|b| f64::from(u8::from(b))))
            }),
            _ => None,
        };
        match done {
            Some(r) => r?,
            None => {
                return Err(type_error(
                    column,
                    "a number (an integer, float or boolean column) for a numeric feature",
                ));
            }
        }
    }
    Ok(FrameColumn::Number(out))
}

/// The table's rows: its first column's length (0 without columns).
fn rows_of(table: &Table) -> usize {
    table.columns.first().map_or(0, ChunkedColumn::len)
}

/// Reads the columns `config` reads (its features, and its group as text) into a frame;
/// the module's rules. A table without any column is a frame of 0 rows.
///
/// ```
/// use arrow_array::{Int32Array, RecordBatch, StringArray};
/// use leadcore::predictive::logistic::{FeatureSpec, FrameColumn, LogisticConfig};
/// use std::sync::Arc;
/// let batch = RecordBatch::try_from_iter([
///     ("source", Arc::new(StringArray::from(vec![Some("web"), None])) as _),
///     ("visits", Arc::new(Int32Array::from(vec![Some(3), None])) as _),
/// ]).unwrap();
/// let config = LogisticConfig::new(vec![FeatureSpec::categorical("source"), FeatureSpec::numeric("visits")]);
/// let f = leadcore_arrow::frame(&leadcore_arrow::Table::from_batch(&batch), &config).unwrap();
/// assert_eq!(f.column("visits"), Some(&FrameColumn::Number(vec![Some(3.0), None])));
/// ```
pub fn frame(table: &Table, config: &LogisticConfig) -> Result<Frame> {
    let mut frame = Frame::new(rows_of(table));
    let group = config
        .group
        .iter()
        .map(|g| (g.as_str(), FeatureKind::Categorical));
    let wanted = config
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .chain(group);
    for (name, kind) in wanted {
        let Some(column) = table.column(name) else {
            continue;
        };
        let values = match kind {
            // No value, no type to check (pandas gives an empty column float64).
            FeatureKind::Categorical if column.is_empty() => FrameColumn::Text(Vec::new()),
            FeatureKind::Numeric if column.is_empty() => FrameColumn::Number(Vec::new()),
            FeatureKind::Categorical => text_column(column)?,
            FeatureKind::Numeric => number_column(column)?,
        };
        frame = frame.with_column(name, values)?;
    }
    Ok(frame)
}

/// Features for every column of a table, in order, from their types: strings,
/// dictionaries and booleans are categorical (defaults of [`FeatureSpec::categorical`]),
/// integers and floats numeric ([`FeatureSpec::numeric`]). pandas index columns are left
/// out; a column of any other type (a date, a timestamp, a list) is an `input.invalid`
/// error asking for a configuration.
///
/// ```
/// use arrow_array::{Float64Array, RecordBatch, StringArray};
/// use leadcore::predictive::logistic::FeatureKind;
/// use std::sync::Arc;
/// let batch = RecordBatch::try_from_iter([
///     ("source", Arc::new(StringArray::from(vec!["web"])) as _),
///     ("visits", Arc::new(Float64Array::from(vec![1.5])) as _),
/// ]).unwrap();
/// let f = leadcore_arrow::infer_features(&leadcore_arrow::Table::from_batch(&batch)).unwrap();
/// assert_eq!((f[0].kind, f[1].kind), (FeatureKind::Categorical, FeatureKind::Numeric));
/// ```
pub fn infer_features(table: &Table) -> Result<Vec<FeatureSpec>> {
    table
        .columns
        .iter()
        .filter(|c| !is_pandas_index(&c.name))
        .map(|c| match kind_of(&c.data_type) {
            Some(Kind::Text | Kind::Bool) => Ok(FeatureSpec::categorical(c.name.clone())),
            Some(Kind::Int | Kind::Float) => Ok(FeatureSpec::numeric(c.name.clone())),
            _ => Err(invalid(format!(
                "column `{}` has Arrow type {}, which no feature reads: leave it out or give \
                 a configuration naming the features",
                c.name, c.data_type
            ))),
        })
        .collect()
}

/// Outcomes (`true`: won) from a boolean column, or an integer or float column of 0 and 1.
/// A null, or any other number, is an `input.invalid` error naming the row.
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array};
/// use std::sync::Arc;
/// let c = leadcore_arrow::ChunkedColumn::new("y", Arc::new(Int64Array::from(vec![1, 0])) as ArrayRef);
/// assert_eq!(leadcore_arrow::outcomes(&c).unwrap(), [true, false]);
/// let bad = leadcore_arrow::ChunkedColumn::new("y", Arc::new(Int64Array::from(vec![2])) as ArrayRef);
/// assert!(leadcore_arrow::outcomes(&bad).is_err());
/// ```
pub fn outcomes(column: &ChunkedColumn) -> Result<Vec<bool>> {
    column.check_chunks()?;
    let name = &column.name;
    let mut out = Vec::with_capacity(column.len());
    let bad = |row: usize, what: String| {
        invalid(format!(
            "`{name}` row {row}: an outcome is a boolean or 0/1, got {what}"
        ))
    };
    let mut push = |x: Option<f64>, row: usize| -> Result<()> {
        match x {
            Some(0.0) => out.push(false),
            Some(1.0) => out.push(true),
            Some(v) => return Err(bad(row, v.to_string())),
            None => return Err(bad(row, "a missing value".into())),
        }
        Ok(())
    };
    let mut row = 0usize;
    for chunk in &column.chunks {
        let mut one = |x: Option<f64>| {
            let r = push(x, row);
            row += 1;
            r
        };
        let done = match kind_of(&column.data_type) {
            Some(Kind::Bool) => each_bool(chunk.as_ref(), &mut |b: Option<bool>| {
                one(b.map(|b| f64::from(u8::from(b))))
            }),
            Some(Kind::Int) => each_int(
                chunk.as_ref(),
                &mut |v: Option<i64>| one(v.map(|i| i as f64)),
                |u| invalid(format!("`{name}`: an outcome is a boolean or 0/1, got {u}")),
            ),
            Some(Kind::Float) => each_float(chunk.as_ref(), &mut one),
            Some(Kind::Null) if chunk.is_empty() => Some(Ok(())),
            Some(Kind::Null) => Some(one(None)),
            _ => None,
        };
        match done {
            Some(r) => r?,
            None => {
                return Err(type_error(
                    column,
                    "a boolean, integer or float column (won: true or 1)",
                ));
            }
        }
    }
    Ok(out)
}

/// Explanations as a long table, one row per term: `row` (UInt64, the lead's position),
/// `feature` (Utf8: [`INTERCEPT`] first, then each feature in order and the group), `value`
/// (Utf8, what the lead held; null for the intercept) and `contribution` (Float64, log-odds).
/// A lead's contributions, summed in order, give its logit exactly.
///
/// ```
/// use leadcore::predictive::logistic::{Contribution, Explanation};
/// let e = Explanation { intercept: -1.0, contributions: vec![Contribution { feature: "source".into(), value: "web".into(), logit: 0.5 }], logit: -0.5, raw_probability: 0.38, probability: 0.4 };
/// let batch = leadcore_arrow::explanations_batch(&[e]).unwrap();
/// assert_eq!((batch.num_rows(), batch.num_columns()), (2, 4));
/// ```
pub fn explanations_batch(explanations: &[Explanation]) -> Result<RecordBatch> {
    let n: usize = explanations.iter().map(|e| 1 + e.contributions.len()).sum();
    let mut row = Vec::with_capacity(n);
    let mut feature = Vec::with_capacity(n);
    let mut value = Vec::with_capacity(n);
    let mut contribution = Vec::with_capacity(n);
    for (i, e) in explanations.iter().enumerate() {
        row.push(i as u64);
        feature.push(INTERCEPT);
        value.push(None);
        contribution.push(e.intercept);
        for c in &e.contributions {
            row.push(i as u64);
            feature.push(c.feature.as_str());
            value.push(Some(c.value.as_str()));
            contribution.push(c.logit);
        }
    }
    let schema = Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("feature", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, true),
        Field::new("contribution", DataType::Float64, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(row)),
        Arc::new(StringArray::from(feature)),
        Arc::new(StringArray::from(value)),
        Arc::new(Float64Array::from(contribution)),
    ];
    RecordBatch::try_new(Arc::new(schema), columns)
        .map_err(|e| invalid(format!("explanations: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::types::Int8Type;
    use arrow_array::{
        BooleanArray, DictionaryArray, Float32Array, Int8Array, LargeStringArray, NullArray,
        StringViewArray, UInt64Array as U64,
    };

    fn col(name: &str, a: ArrayRef) -> ChunkedColumn {
        ChunkedColumn::new(name, a)
    }

    fn config() -> LogisticConfig {
        LogisticConfig::new(vec![
            FeatureSpec::categorical("s"),
            FeatureSpec::numeric("x"),
        ])
    }

    fn text(v: &[Option<&str>]) -> FrameColumn {
        FrameColumn::Text(v.iter().map(|s| s.map(str::to_owned)).collect())
    }

    #[test]
    fn every_string_layout_reads_the_same() {
        let want = text(&[Some("a"), None, Some("b")]);
        let dict: DictionaryArray<Int8Type> =
            vec![Some("a"), None, Some("b")].into_iter().collect();
        for a in [
            Arc::new(StringArray::from(vec![Some("a"), None, Some("b")])) as ArrayRef,
            Arc::new(LargeStringArray::from(vec![Some("a"), None, Some("b")])),
            Arc::new(StringViewArray::from(vec![Some("a"), None, Some("b")])),
            Arc::new(dict),
        ] {
            let t = Table::new(vec![col("s", a)]);
            assert_eq!(frame(&t, &config()).unwrap().column("s"), Some(&want));
        }
        let b = Table::new(vec![col(
            "s",
            Arc::new(BooleanArray::from(vec![Some(true), None])),
        )]);
        assert_eq!(
            frame(&b, &config()).unwrap().column("s"),
            Some(&text(&[Some("true"), None]))
        );
    }

    #[test]
    fn every_number_width_reads_as_f64() {
        let want = FrameColumn::Number(vec![Some(1.0), None]);
        for a in [
            Arc::new(Int8Array::from(vec![Some(1), None])) as ArrayRef,
            Arc::new(U64::from(vec![Some(1), None])),
            Arc::new(Float32Array::from(vec![Some(1.0), None])),
            Arc::new(BooleanArray::from(vec![Some(true), None])),
        ] {
            let t = Table::new(vec![col("x", a)]);
            assert_eq!(frame(&t, &config()).unwrap().column("x"), Some(&want));
        }
        let big = Table::new(vec![col("x", Arc::new(U64::from(vec![u64::MAX])))]);
        assert!(frame(&big, &config()).is_ok());
        let nulls = Table::new(vec![col("x", Arc::new(NullArray::new(2)))]);
        assert_eq!(
            frame(&nulls, &config()).unwrap().column("x"),
            Some(&FrameColumn::Number(vec![None, None]))
        );
    }

    #[test]
    fn a_wrong_type_is_an_input_error_naming_the_column() {
        let t = Table::new(vec![col("x", Arc::new(StringArray::from(vec!["1"])))]);
        let e = frame(&t, &config()).unwrap_err();
        assert!(e.message().contains("`x`"), "{e}");
        let t = Table::new(vec![col("s", Arc::new(Float32Array::from(vec![1.0])))]);
        assert!(frame(&t, &config()).is_err());
    }

    #[test]
    fn outcomes_take_bools_and_zero_one() {
        let b = col("y", Arc::new(BooleanArray::from(vec![true, false])));
        assert_eq!(outcomes(&b).unwrap(), [true, false]);
        let f = col("y", Arc::new(Float32Array::from(vec![0.0, 1.0])));
        assert_eq!(outcomes(&f).unwrap(), [false, true]);
        let null = col("y", Arc::new(BooleanArray::from(vec![Some(true), None])));
        assert!(outcomes(&null).unwrap_err().message().contains("row 1"));
        let s = col("y", Arc::new(StringArray::from(vec!["1"])));
        assert!(outcomes(&s).is_err());
    }
}
