//! Arrow through the Arrow PyCapsule interface, both ways. In: `__arrow_c_stream__`
//! (pyarrow `Table`/`RecordBatchReader`/`ChunkedArray`, pandas `DataFrame`/`Series`, polars
//! `DataFrame`/`Series`) and `__arrow_c_array__` (pyarrow `Array`/`RecordBatch`), every
//! imported array validated in full by `leadcore_arrow::validate`. Out: record batches as
//! an `arrow_array_stream` capsule (what [`crate::table::PyArrowTable`] hands out).
//!
//! This module holds the only `unsafe` code of the Python door: taking ownership of the C
//! structs a capsule points to (the producer's callbacks run here, with the GIL held), and
//! sharing a numpy array's buffer with Arrow (pandas columns read without a copy).
#![allow(unsafe_code)]

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{ArrayReader, ArrayRef, RecordBatch, make_array, new_null_array};
use arrow_schema::{ArrowError, DataType};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use std::ffi::CStr;

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// Whether an object offers Arrow data through the PyCapsule interface.
pub(crate) fn is_arrow(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__arrow_c_stream__").unwrap_or(false)
        || obj.hasattr("__arrow_c_array__").unwrap_or(false)
}

fn arrow_err(what: &str, e: ArrowError) -> PyErr {
    crate::errors::input_error(format!("{what}: cannot read its Arrow data: {e}"))
}

/// An object's Arrow data: its type, and its chunks (one for `__arrow_c_array__`) or why
/// they could not be imported.
pub(crate) struct Imported {
    pub(crate) data_type: DataType,
    pub(crate) chunks: PyResult<Vec<ArrayRef>>,
}

/// An object's Arrow data: its type and its chunks.
pub(crate) fn read(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<(DataType, Vec<ArrayRef>)> {
    let imported = import(what, obj)?;
    Ok((imported.data_type, imported.chunks?))
}

fn validated(what: &str, chunks: Vec<ArrayRef>, defer_keys: bool) -> PyResult<Vec<ArrayRef>> {
    for c in &chunks {
        if defer_keys {
            leadcore_arrow::validate_deferring_keys(c)
        } else {
            leadcore_arrow::validate(c)
        }
        .map_err(|e| crate::errors::input_error(format!("{what}: {}", e.message())))?;
    }
    Ok(chunks)
}

/// Imports an object's Arrow data; fails only when not even its type can be read.
pub(crate) fn import(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Imported> {
    import_with(what, obj, false)
}

/// [`import`], dictionary keys left unchecked when `defer_keys` (for
/// `leadcore_arrow::Events::for_scoring`, which checks them where it reads them).
pub(crate) fn import_with(
    what: &str,
    obj: &Bound<'_, PyAny>,
    defer_keys: bool,
) -> PyResult<Imported> {
    if !obj.hasattr("__arrow_c_stream__")? {
        let (data_type, array) = read_array(what, obj)?;
        return Ok(Imported {
            data_type,
            chunks: validated(what, vec![array], defer_keys),
        });
    }
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what}: __arrow_c_stream__() did not return a capsule"
        ))
    })?;
    let ptr = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: a capsule named "arrow_array_stream" points to an initialised
    // `ArrowArrayStream` (the Arrow PyCapsule interface). `from_raw` moves the stream out
    // and leaves a released one behind, so the capsule's destructor does not release it
    // again; dropping the moved stream releases it.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast()) };
    if stream.get_next().is_none() {
        return Err(crate::errors::input_error(format!(
            "{what}: the Arrow stream has no get_next callback"
        )));
    }
    let reader = ArrayStreamReader::try_new(stream).map_err(|e| arrow_err(what, e))?;
    let data_type = reader.field().data_type().clone();
    if data_type == DataType::Null {
        // Nothing to read but the length (and some producers, polars among them, export
        // `null` arrays with a buffer arrow-rs refuses).
        drop(reader);
        let len = obj.len()?;
        return Ok(Imported {
            data_type,
            chunks: Ok(vec![new_null_array(&DataType::Null, len)]),
        });
    }
    let chunks = reader
        .collect::<Result<Vec<ArrayRef>, ArrowError>>()
        .map_err(|e| arrow_err(what, e))
        .and_then(|c| validated(what, c, defer_keys));
    Ok(Imported { data_type, chunks })
}

fn read_array(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<(DataType, ArrayRef)> {
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast::<PyTuple>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what}: __arrow_c_array__() did not return a tuple"
        ))
    })?;
    if pair.len() != 2 {
        return Err(PyTypeError::new_err(format!(
            "{what}: __arrow_c_array__() did not return (schema, array)"
        )));
    }
    let (schema, array) = (pair.get_item(0)?, pair.get_item(1)?);
    let not_capsule = || {
        PyTypeError::new_err(format!(
            "{what}: __arrow_c_array__() did not return capsules"
        ))
    };
    let schema = schema.cast::<PyCapsule>().map_err(|_| not_capsule())?;
    let array = array.cast::<PyCapsule>().map_err(|_| not_capsule())?;
    let schema_ptr = schema.pointer_checked(Some(SCHEMA))?;
    let array_ptr = array.pointer_checked(Some(ARRAY))?;
    // SAFETY: the capsules hold an initialised `ArrowSchema` and `ArrowArray` (the Arrow
    // PyCapsule interface). The schema is only borrowed (its capsule keeps and releases
    // it); the array is moved out, leaving a released one for the capsule's destructor.
    let schema = unsafe { &*schema_ptr.as_ptr().cast::<FFI_ArrowSchema>() };
    let ffi_array =
        unsafe { FFI_ArrowArray::from_raw(array_ptr.as_ptr().cast::<FFI_ArrowArray>()) };
    let data_type = DataType::try_from(schema).map_err(|e| arrow_err(what, e))?;
    // SAFETY: `ffi_array` and `schema` come from the same producer call, so they agree;
    // the result is validated in full before use.
    let data = unsafe { from_ffi(ffi_array, schema) }.map_err(|e| arrow_err(what, e))?;
    Ok((data_type, make_array(data)))
}

/// A record batch as an `arrow_array_stream` capsule. The capsule owns the stream; a
/// consumer moves it out (leaving a released one), and dropping the capsule's value
/// releases what was not consumed.
pub(crate) fn stream_capsule(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyCapsule>> {
    let stream = leadcore_arrow::export_stream(batch.schema(), vec![batch]);
    PyCapsule::new_with_value(py, stream, STREAM)
}

/// The owner of a shared numpy buffer: the `Py_buffer` view keeps the exporter's memory
/// alive until it is released (when the last Arrow buffer sharing it is dropped).
struct Shared<T: pyo3::buffer::Element> {
    /// Held for its release on drop.
    _view: std::panic::AssertUnwindSafe<pyo3::buffer::PyBuffer<T>>,
}

/// A one-dimensional, C-contiguous, aligned buffer of `T` (a numpy array, through the buffer
/// protocol) as an Arrow buffer sharing its memory; `None` for any other object.
pub(crate) fn shared<T>(obj: &Bound<'_, PyAny>) -> Option<arrow_buffer::ScalarBuffer<T>>
where
    T: pyo3::buffer::Element + arrow_buffer::ArrowNativeType,
{
    let buffer = pyo3::buffer::PyBuffer::<T>::get(obj).ok()?;
    if buffer.dimensions() != 1 || !buffer.is_c_contiguous() {
        return None;
    }
    let len = buffer.item_count();
    let ptr = std::ptr::NonNull::new(buffer.buf_ptr().cast::<u8>())?;
    if !(ptr.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>()) {
        return None;
    }
    let bytes = len * std::mem::size_of::<T>();
    let owner: std::sync::Arc<dyn arrow_buffer::alloc::Allocation> = std::sync::Arc::new(Shared {
        _view: std::panic::AssertUnwindSafe(buffer),
    });
    // SAFETY: `ptr` points to `bytes` readable bytes (a one-dimensional C-contiguous buffer
    // of `len` items of `T`, checked above, aligned for `T`) that the exporter keeps alive
    // while the `Py_buffer` view is held (PEP 3118); `owner` holds the view and is dropped
    // only with the last Arrow buffer sharing the memory. The door reads the memory while
    // the batch runs; a Python thread writing to the array meanwhile would change what it
    // reads, as with any buffer shared with Arrow.
    let buffer = unsafe { arrow_buffer::Buffer::from_custom_allocation(ptr, bytes, owner) };
    Some(arrow_buffer::ScalarBuffer::new(buffer, 0, len))
}

/// A pandas categorical column as a dictionary of its codes (their buffer shared) and
/// categories, a missing value keeping its code of -1 with no validity: for
/// `leadcore_arrow::Events::for_scoring_with`, told the column's -1 is a missing value,
/// and nothing else. `None` if a code lies outside -1..categories.len().
pub(crate) fn pandas_categorical<K>(
    codes: arrow_buffer::ScalarBuffer<K::Native>,
    categories: Vec<String>,
) -> Option<ArrayRef>
where
    K: arrow_array::types::ArrowDictionaryKeyType,
    K::Native: Into<i64> + Ord,
{
    let n = categories.len() as i64;
    // pandas keeps every code in -1..categories.len(): checked (a min and max that
    // vectorise), as the reader relies on it.
    if let Some(&c) = codes.first() {
        let (lo, hi) = codes
            .iter()
            .fold((c, c), |(lo, hi), &c| (lo.min(c), hi.max(c)));
        if lo.into() < -1 || hi.into() >= n {
            return None;
        }
    }
    let keys = arrow_array::PrimitiveArray::<K>::new(codes, None);
    let values = std::sync::Arc::new(arrow_array::StringArray::from(categories));
    // SAFETY: the array is handed only to `Events::for_scoring_with` with the column named
    // as one whose key -1 is a missing value: it reads the keys as they are, each checked
    // against the dictionary where it is read (never through arrow-rs' unchecked access,
    // which a key of -1 would break), and no arrow-rs kernel sees the array. Every other
    // key lies inside the dictionary (checked above).
    Some(std::sync::Arc::new(unsafe {
        arrow_array::DictionaryArray::<K>::new_unchecked(keys, values)
    }))
}
