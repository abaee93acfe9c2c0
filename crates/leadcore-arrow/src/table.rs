//! Named, chunked Arrow columns: what events and leads are read from, whether they came as
//! record batches, through the Arrow C stream interface, or column by column.

use crate::{Error, Result, invalid};
use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

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
    array
        .to_data()
        .validate_full()
        .map_err(|e| invalid(format!("malformed Arrow data: {e}")))
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
        validate(&chunk)?;
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

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&ChunkedColumn> {
        self.columns.iter().find(|c| c.name == name)
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

    #[test]
    fn released_or_empty_streams_are_refused() {
        let e = read_stream(FFI_ArrowArrayStream::empty()).unwrap_err();
        assert!(e.to_string().contains("released"), "{e}");
    }
}
