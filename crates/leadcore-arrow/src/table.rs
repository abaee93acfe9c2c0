//! Named, chunked Arrow columns: what events and leads are read from, whether they came as
//! record batches, through the Arrow C stream interface, or column by column.

use crate::columns::{int_type, valid_max};
use crate::{Error, Result, invalid};
use arrow_array::ArrowPrimitiveType;
use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::{ArrowNativeType, NullBuffer, ScalarBuffer};
use arrow_data::ArrayData;
use arrow_schema::{ArrowError, DataType, Field, Schema};

/// One column: its name, its Arrow type and its chunks (each of that type).
#[derive(Debug, Clone)]
pub struct ChunkedColumn {
    /// The column's name.
    pub name: String,
    /// The Arrow type of every chunk.
    pub data_type: DataType,
    /// The values, in order.
    pub chunks: Vec<ArrayRef>,
}

impl ChunkedColumn {
    /// A column of one array.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int64Array};
    /// use std::sync::Arc;
    /// let c = leadcore_arrow::ChunkedColumn::new("at", Arc::new(Int64Array::from(vec![0, 60])) as ArrayRef);
    /// assert_eq!(c.len(), 2);
    /// ```
    pub fn new(name: impl Into<String>, array: ArrayRef) -> Self {
        ChunkedColumn {
            name: name.into(),
            data_type: array.data_type().clone(),
            chunks: vec![array],
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column as one array (its only chunk, or its chunks joined).
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int64Array};
    /// use std::sync::Arc;
    /// let mut c = leadcore_arrow::ChunkedColumn::new("id", Arc::new(Int64Array::from(vec![1])) as ArrayRef);
    /// c.chunks.push(Arc::new(Int64Array::from(vec![2, 3])));
    /// assert_eq!(c.concat().unwrap().len(), 3);
    /// ```
    pub fn concat(&self) -> Result<ArrayRef> {
        if let [one] = self.chunks.as_slice() {
            return Ok(one.clone());
        }
        self.check_chunks()?;
        if self.chunks.is_empty() {
            return Ok(arrow_array::new_empty_array(&self.data_type));
        }
        let data: Vec<arrow_data::ArrayData> = self.chunks.iter().map(|c| c.to_data()).collect();
        let refs: Vec<&arrow_data::ArrayData> = data.iter().collect();
        let mut m = arrow_data::transform::MutableArrayData::new(refs, true, self.len());
        for (i, d) in data.iter().enumerate() {
            m.try_extend(i, 0, d.len()).map_err(|e| {
                invalid(format!(
                    "cannot join the chunks of column `{}`: {e}",
                    self.name
                ))
            })?;
        }
        Ok(arrow_array::make_array(m.freeze()))
    }

    /// Checks each chunk has the column's type.
    pub(crate) fn check_chunks(&self) -> Result<()> {
        match self
            .chunks
            .iter()
            .find(|c| c.data_type() != &self.data_type)
        {
            Some(c) => Err(invalid(format!(
                "column `{}`: a chunk of Arrow type {} in a column of type {}",
                self.name,
                c.data_type(),
                self.data_type
            ))),
            None => Ok(()),
        }
    }
}

/// A table of named columns (their lengths are checked by what reads them).
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<ChunkedColumn>,
}

/// Whether a column is one pandas adds for a DataFrame's index (`__index_level_0__`, ...):
/// no event or lead column, so left out.
///
/// ```
/// assert!(leadcore_arrow::is_pandas_index("__index_level_0__"));
/// assert!(!leadcore_arrow::is_pandas_index("lead_id"));
/// ```
pub fn is_pandas_index(name: &str) -> bool {
    name.strip_prefix("__index_level_")
        .and_then(|rest| rest.strip_suffix("__"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks imported Arrow data in full (offsets, dictionary keys, UTF-8, child lengths):
/// arrays from another library or language are never trusted as they come.
///
/// ```
/// use arrow_array::{ArrayRef, StringArray};
/// use std::sync::Arc;
/// let ok: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
/// assert!(leadcore_arrow::validate(&ok).is_ok());
/// ```
pub fn validate(array: &ArrayRef) -> Result<()> {
    check_data(&array.to_data()).map_err(|e| invalid(format!("malformed Arrow data: {e}")))
}

/// [`validate`] but for dictionary keys, which are left to the reader: what batch scoring
/// imports its events with ([`Table::from_stream_deferring_keys`],
/// [`crate::Events::for_scoring`]), reading each text column's keys once, where it reads
/// them, instead of a pass of their own. Every other part of the array (buffer sizes,
/// offsets, UTF-8, a dictionary's values, validity) is checked in full.
///
/// ```
/// use arrow_array::{ArrayRef, DictionaryArray, Int32Array, StringArray};
/// use std::sync::Arc;
/// let keys = Int32Array::from(vec![0, 7]);
/// let values = Arc::new(StringArray::from(vec!["a"]));
/// let bad: ArrayRef = Arc::new(unsafe { DictionaryArray::new_unchecked(keys, values) });
/// assert!(leadcore_arrow::validate(&bad).is_err());
/// assert!(leadcore_arrow::validate_deferring_keys(&bad).is_ok());
/// ```
pub fn validate_deferring_keys(array: &ArrayRef) -> Result<()> {
    check_data_with(&array.to_data(), false)
        .map_err(|e| invalid(format!("malformed Arrow data: {e}")))
}

/// The first valid key of a dictionary chunk outside its dictionary, as the error
/// [`validate`] gives (`None`: every key is fine, or the array is no dictionary).
pub(crate) fn bad_keys(array: &dyn Array) -> Option<Error> {
    let d = array.to_data();
    let DataType::Dictionary(key, _) = d.data_type() else {
        return None;
    };
    check_keys(&d, key)
        .err()
        .map(|e| invalid(format!("malformed Arrow data: {e}")))
}

/// `ArrayData::validate_full`, with a dictionary's keys checked 8 rows at a time, branch
/// free (arrow's own check reads one key and one validity bit at a time, with a branch on
/// each: most of the time of importing a table of dictionary columns, 20 ms per 10 M rows).
fn check_data(d: &ArrayData) -> Result<(), ArrowError> {
    check_data_with(d, true)
}

/// [`check_data`], a dictionary's keys checked only when `keys`.
fn check_data_with(d: &ArrayData, keys: bool) -> Result<(), ArrowError> {
    d.validate()?;
    d.validate_nulls()?;
    match d.data_type() {
        DataType::Dictionary(key, _) if keys => check_keys(d, key)?,
        DataType::Dictionary(..) => {}
        _ => d.validate_values()?,
    }
    for (i, child) in d.child_data().iter().enumerate() {
        check_data_with(child, keys).map_err(|e| {
            ArrowError::InvalidArgumentError(format!("{} child #{i} invalid: {e}", d.data_type()))
        })?;
    }
    Ok(())
}

/// Checks every valid key of a dictionary (structure checked by `validate`) is inside it.
fn check_keys(d: &ArrayData, key: &DataType) -> Result<(), ArrowError> {
    let n = d.child_data().first().map_or(0, ArrayData::len);
    let buffer = d
        .buffers()
        .first()
        .ok_or_else(|| ArrowError::InvalidArgumentError("dictionary without keys".into()))?;
    int_type!(key, K => {
        let keys = ScalarBuffer::<<K as ArrowPrimitiveType>::Native>::new(
            buffer.clone(),
            d.offset(),
            d.len(),
        );
        match first_outside(&keys, d.nulls(), n) {
            None => Ok(()),
            Some(i) => Err(ArrowError::InvalidArgumentError(format!(
                "Value at position {i} out of bounds: {:?} (should be in [0, {}])",
                keys[i],
                n as i64 - 1
            ))),
        }
    }, _ => Err(ArrowError::InvalidArgumentError(format!(
        "dictionary keys of type {key} are no integers"
    ))))
}

/// The first valid key at or past `n` (a negative key too: it converts to a huge `usize`).
pub(crate) fn first_outside<K: ArrowNativeType>(
    keys: &[K],
    nulls: Option<&NullBuffer>,
    n: usize,
) -> Option<usize> {
    let outside = |k: K| k.as_usize() >= n;
    let valid = |i: usize| nulls.is_none_or(|b| b.is_valid(i));
    let nulls = nulls.filter(|b| b.null_count() > 0);
    // The largest valid key (a null's masked to 0), in branch-free loops that vectorise;
    // keys of up to 32 bits as `u32` (a negative one wraps past any dictionary's end).
    let any = if size_of::<K>() <= 4 && u32::try_from(n).is_ok() {
        let wide = |k: K| k.as_usize() as u32;
        let largest = match nulls {
            None => keys.iter().fold(0, |m, &k| m.max(wide(k))),
            Some(b) => valid_max(keys, b, wide),
        };
        largest as usize >= n
    } else {
        let largest = match nulls {
            None => keys.iter().fold(0, |m, &k| m.max(k.as_usize())),
            Some(b) => (0..keys.len())
                .filter(|&i| b.is_valid(i))
                .fold(0, |m, i| m.max(keys[i].as_usize())),
        };
        largest >= n
    };
    if keys.is_empty() || !any {
        return None;
    }
    (0..keys.len()).find(|&i| valid(i) && outside(keys[i]))
}

/// Reads a whole Arrow C stream: its field (the type of every array) and its arrays, each
/// validated in full ([`validate`]). The stream is released when done, also on failure.
///
/// ```
/// use arrow_array::{Int64Array, RecordBatch, RecordBatchIterator};
/// use std::sync::Arc;
/// let batch = RecordBatch::try_from_iter([("at", Arc::new(Int64Array::from(vec![1, 2])) as _)]).unwrap();
/// let stream = leadcore_arrow::export_stream(batch.schema(), vec![batch]);
/// let (field, chunks) = leadcore_arrow::read_stream(stream).unwrap();
/// assert_eq!(chunks.len(), 1);
/// assert!(matches!(field.data_type(), arrow_schema::DataType::Struct(_)));
/// ```
pub fn read_stream(stream: FFI_ArrowArrayStream) -> Result<(Field, Vec<ArrayRef>)> {
    read_stream_with(stream, true)
}

fn read_stream_with(stream: FFI_ArrowArrayStream, keys: bool) -> Result<(Field, Vec<ArrayRef>)> {
    if stream.release().is_none() {
        return Err(invalid("the Arrow stream is released already"));
    }
    if stream.get_schema().is_none() || stream.get_next().is_none() {
        // Dropping it calls its release callback.
        return Err(invalid(
            "the Arrow stream lacks its get_schema or get_next callback",
        ));
    }
    let reader = ArrayStreamReader::try_new(stream).map_err(arrow_error)?;
    let field = arrow_array::ArrayReader::field(&reader).as_ref().clone();
    let mut chunks = Vec::new();
    for chunk in reader {
        let chunk = chunk.map_err(arrow_error)?;
        if chunk.data_type() != field.data_type() {
            return Err(invalid(format!(
                "the Arrow stream gave an array of type {} for a field of type {}",
                chunk.data_type(),
                field.data_type()
            )));
        }
        if keys {
            validate(&chunk)?;
        } else {
            validate_deferring_keys(&chunk)?;
        }
        chunks.push(chunk);
    }
    Ok((field, chunks))
}

fn arrow_error(e: arrow_schema::ArrowError) -> Error {
    invalid(format!("cannot read the Arrow data: {e}"))
}

impl Table {
    /// A table of the given columns.
    pub fn new(columns: Vec<ChunkedColumn>) -> Self {
        Table { columns }
    }

    /// The columns of one record batch.
    ///
    /// ```
    /// use arrow_array::{Int64Array, RecordBatch};
    /// use std::sync::Arc;
    /// let batch = RecordBatch::try_from_iter([("at", Arc::new(Int64Array::from(vec![1])) as _)]).unwrap();
    /// assert_eq!(leadcore_arrow::Table::from_batch(&batch).columns[0].name, "at");
    /// ```
    pub fn from_batch(batch: &RecordBatch) -> Self {
        let schema = batch.schema();
        Table {
            columns: schema
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| ChunkedColumn {
                    name: f.name().clone(),
                    data_type: f.data_type().clone(),
                    chunks: vec![c.clone()],
                })
                .collect(),
        }
    }

    /// The columns of record batches of one schema (no batch: empty columns).
    pub fn from_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<Self> {
        let mut columns: Vec<ChunkedColumn> = schema
            .fields()
            .iter()
            .map(|f| ChunkedColumn {
                name: f.name().clone(),
                data_type: f.data_type().clone(),
                chunks: Vec::with_capacity(batches.len()),
            })
            .collect();
        for batch in batches {
            if batch.num_columns() != columns.len() {
                return Err(invalid(format!(
                    "a record batch has {} columns, its schema {}",
                    batch.num_columns(),
                    columns.len()
                )));
            }
            for (c, array) in columns.iter_mut().zip(batch.columns()) {
                c.chunks.push(array.clone());
            }
        }
        let table = Table { columns };
        table.check()?;
        Ok(table)
    }

    /// The columns of a stream (or list) of struct arrays whose fields are `data_type`'s:
    /// what a table exported through the Arrow C stream interface gives.
    pub fn from_struct_chunks(data_type: &DataType, chunks: &[ArrayRef]) -> Result<Self> {
        let DataType::Struct(fields) = data_type else {
            return Err(Error::Type(format!(
                "expected a table of columns, got Arrow data of type {data_type}"
            )));
        };
        let mut columns: Vec<ChunkedColumn> = fields
            .iter()
            .map(|f| ChunkedColumn {
                name: f.name().clone(),
                data_type: f.data_type().clone(),
                chunks: Vec::with_capacity(chunks.len()),
            })
            .collect();
        for chunk in chunks {
            let Some(s) = chunk.as_struct_opt() else {
                return Err(invalid("an Arrow chunk is not a table"));
            };
            if s.num_columns() != columns.len() {
                return Err(invalid("an Arrow chunk has another number of columns"));
            }
            if s.null_count() > 0 {
                return Err(invalid(
                    "an Arrow chunk has null rows (a table's rows are never null)",
                ));
            }
            for (c, array) in columns.iter_mut().zip(s.columns()) {
                c.chunks.push(array.clone());
            }
        }
        let table = Table { columns };
        table.check()?;
        Ok(table)
    }

    /// Reads a table from an Arrow C stream of struct arrays (a table's export),
    /// validating every array.
    pub fn from_stream(stream: FFI_ArrowArrayStream) -> Result<Self> {
        let (field, chunks) = read_stream(stream)?;
        Table::from_struct_chunks(field.data_type(), &chunks)
    }

    /// [`Table::from_stream`] with dictionary keys left to the reader
    /// ([`validate_deferring_keys`]): for [`crate::Events::for_scoring`] only.
    pub fn from_stream_deferring_keys(stream: FFI_ArrowArrayStream) -> Result<Self> {
        let (field, chunks) = read_stream_with(stream, false)?;
        Table::from_struct_chunks(field.data_type(), &chunks)
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&ChunkedColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Takes a table's ids from column `given` when it is not the column `core` a reader
    /// takes them from (a leads table's `lead_id` for [`crate::leads`]' `id`): renames it
    /// to `core`. Nothing when `given` is `core` or absent; an error when the table has
    /// both.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Int64Array};
    /// use leadcore_arrow::{ChunkedColumn, Table};
    /// use std::sync::Arc;
    /// let ids = || ChunkedColumn::new("lead_id", Arc::new(Int64Array::from(vec![7])) as ArrayRef);
    /// let mut table = Table::new(vec![ids()]);
    /// table.rename_id_column("lead_id", "id").unwrap();
    /// assert!(table.column("id").is_some() && table.column("lead_id").is_none());
    /// table.columns.push(ids());
    /// assert!(table.rename_id_column("lead_id", "id").is_err());
    /// ```
    pub fn rename_id_column(&mut self, given: &str, core: &str) -> Result<()> {
        if given == core || self.column(given).is_none() {
            return Ok(());
        }
        if self.column(core).is_some() {
            return Err(invalid(format!(
                "both the `{core}` and the `{given}` column: give the ids in one of them"
            )));
        }
        for c in &mut self.columns {
            if c.name == given {
                c.name = core.to_owned();
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<()> {
        self.columns
            .iter()
            .try_for_each(ChunkedColumn::check_chunks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn pandas_index_names() {
        assert!(is_pandas_index("__index_level_12__"));
        assert!(!is_pandas_index("__index_level___"));
        assert!(!is_pandas_index("__index_level_x__"));
    }

    #[test]
    fn batches_of_another_shape_are_refused() {
        let a =
            RecordBatch::try_from_iter([("at", Arc::new(Int64Array::from(vec![1])) as ArrayRef)])
                .unwrap();
        let b = RecordBatch::try_from_iter([
            ("at", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
            ("kind", Arc::new(StringArray::from(vec!["x"])) as ArrayRef),
        ])
        .unwrap();
        assert!(Table::from_batches(&a.schema(), &[a.clone(), b]).is_err());
        assert_eq!(
            Table::from_batches(&a.schema(), &[]).unwrap().columns[0].len(),
            0
        );
    }

    /// Keys outside their dictionary are found wherever they are, nulls holding anything;
    /// valid dictionaries pass, sliced or not.
    #[test]
    fn dictionary_keys_are_checked() {
        use arrow_array::types::{Int8Type, Int32Type};
        use arrow_array::{DictionaryArray, Int8Array, Int32Array};
        for len in [3usize, 64, 130] {
            for bad_at in [None, Some(len - 1), Some(0)] {
                let mut keys: Vec<i32> = (0..len as i32).map(|i| i % 2).collect();
                let mut valid: Vec<bool> = (0..len).map(|i| i % 3 != 2).collect();
                // A null holding a key outside is fine.
                keys[2] = 7;
                valid[2] = false;
                if let Some(at) = bad_at {
                    keys[at] = if at == 0 { -1 } else { 2 };
                    valid[at] = true;
                }
                let nulls = NullBuffer::from(valid);
                assert_eq!(first_outside(&keys, Some(&nulls), 2), bad_at, "{len}");
                let sliced = nulls.slice(1, len - 1);
                assert_eq!(
                    first_outside(&keys[1..], Some(&sliced), 2),
                    bad_at.filter(|&a| a > 0).map(|a| a - 1)
                );
            }
        }
        assert_eq!(first_outside(&[0u8, 1, 2], None, 2), Some(2));
        assert_eq!(first_outside(&[0i64, 1], None, 2), None);
        let values: ArrayRef = Arc::new(StringArray::from(vec!["a", "b"]));
        let dict = DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(vec![Some(0), None, Some(1), Some(0)]),
            values.clone(),
        )
        .unwrap();
        let dict: ArrayRef = Arc::new(dict);
        assert!(validate(&dict).is_ok());
        assert!(validate(&dict.slice(1, 3)).is_ok());
        let narrow: ArrayRef = Arc::new(
            DictionaryArray::<Int8Type>::try_new(Int8Array::from(vec![0, 1, 0]), values).unwrap(),
        );
        assert!(validate(&narrow).is_ok());
    }

    #[test]
    fn released_or_empty_streams_are_refused() {
        let e = read_stream(FFI_ArrowArrayStream::empty()).unwrap_err();
        assert!(e.to_string().contains("released"), "{e}");
    }
}
