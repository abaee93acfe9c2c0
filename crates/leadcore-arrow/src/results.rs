//! Results out as Arrow: a batch's scores and its row errors as record batches, and record
//! batches as an Arrow C stream.

use crate::{Result, invalid};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{
    Array, ArrayRef, Float64Array, RecordBatch, RecordBatchIterator, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use leadcore::RowError;
use leadcore::scoring::{BatchScores, Scoring};
use std::sync::Arc;

/// A batch's scores, one row per lead: `lead_id` (Utf8), then per model `score_<model>`
/// (Float64) and, for a model with grade bands, `grade_<model>` (Utf8, null outside every
/// band). `lead_ids` are the leads scored, in order.
///
/// ```
/// use leadcore::scoring::BatchScores;
/// let pb = leadcore::Playbook::default_playbook();
/// let scores = BatchScores { models: vec!["fit".into()], scores: vec![50.0], grades: vec![Some("A".into())], row_errors: vec![] };
/// let batch = leadcore_arrow::scores_batch(&scores, &["A"], pb.scoring()).unwrap();
/// let names: Vec<&str> = batch.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
/// assert_eq!(names, ["lead_id", "score_fit", "grade_fit"]);
/// ```
pub fn scores_batch<S: AsRef<str>>(
    scores: &BatchScores,
    lead_ids: &[S],
    scoring: &Scoring,
) -> Result<RecordBatch> {
    let ids = StringArray::from_iter_values(lead_ids.iter().map(AsRef::as_ref));
    scores_batch_with_ids(scores, Arc::new(ids), scoring)
}

/// [`scores_batch`] with the `lead_id` column given as an array of any type, one row per
/// lead: integer ids come back in the type they came in.
///
/// ```
/// use arrow_array::{Int64Array, types::Int64Type, cast::AsArray};
/// use leadcore::scoring::BatchScores;
/// use std::sync::Arc;
/// let pb = leadcore::Playbook::default_playbook();
/// let scores = BatchScores { models: vec!["fit".into()], scores: vec![50.0], grades: vec![None], row_errors: vec![] };
/// let ids = Arc::new(Int64Array::from(vec![42]));
/// let batch = leadcore_arrow::scores_batch_with_ids(&scores, ids, pb.scoring()).unwrap();
/// assert_eq!(batch.column(0).as_primitive::<Int64Type>().value(0), 42);
/// ```
pub fn scores_batch_with_ids(
    scores: &BatchScores,
    lead_id: ArrayRef,
    scoring: &Scoring,
) -> Result<RecordBatch> {
    let width = scores.models.len();
    let leads = lead_id.len();
    if scores.scores.len() != leads * width || scores.grades.len() != leads * width {
        return Err(invalid(format!(
            "{} scores and {} grades for {leads} leads x {width} models",
            scores.scores.len(),
            scores.grades.len()
        )));
    }
    let mut fields = vec![Field::new(
        "lead_id",
        lead_id.data_type().clone(),
        lead_id.null_count() > 0,
    )];
    let mut columns: Vec<ArrayRef> = vec![lead_id];
    let specs = &scoring.spec().models;
    for (m, name) in scores.models.iter().enumerate() {
        let at = |l: usize| l * width + m;
        fields.push(Field::new(
            format!("score_{name}"),
            DataType::Float64,
            false,
        ));
        columns.push(Arc::new(Float64Array::from_iter_values(
            (0..leads).map(|l| scores.scores[at(l)]),
        )));
        if specs
            .iter()
            .any(|s| &s.name == name && !s.grades.is_empty())
        {
            fields.push(Field::new(format!("grade_{name}"), DataType::Utf8, true));
            columns.push(Arc::new(StringArray::from_iter(
                (0..leads).map(|l| scores.grades[at(l)].as_deref()),
            )));
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| invalid(format!("cannot build the scores batch: {e}")))
}

/// The schema of [`row_errors_batch`].
fn row_errors_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
    ]))
}

/// Row errors as a record batch: `row` (UInt64), `reason` (its stable code), `message`.
///
/// ```
/// use leadcore::{RowError, RowErrorReason};
/// let errors = [RowError { row: 3, reason: RowErrorReason::UnknownLead, message: "no lead with id `x`".into() }];
/// let batch = leadcore_arrow::row_errors_batch(&errors);
/// assert_eq!(batch.num_rows(), 1);
/// assert_eq!(batch.schema_ref().field(1).name(), "reason");
/// ```
pub fn row_errors_batch(errors: &[RowError]) -> RecordBatch {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(
            errors.iter().map(|e| e.row as u64),
        )),
        Arc::new(StringArray::from_iter_values(
            errors.iter().map(|e| e.reason.code()),
        )),
        Arc::new(StringArray::from_iter_values(
            errors.iter().map(|e| e.message.as_str()),
        )),
    ];
    // Three non-null columns of equal length matching the schema: cannot fail.
    RecordBatch::try_new(row_errors_schema(), columns)
        .unwrap_or_else(|_| RecordBatch::new_empty(row_errors_schema()))
}

/// Record batches of one schema as an Arrow C stream a consumer (pyarrow, polars, pandas,
/// a C program) reads and releases.
///
/// ```
/// let batch = leadcore_arrow::row_errors_batch(&[]);
/// let stream = leadcore_arrow::export_stream(batch.schema(), vec![batch]);
/// let table = leadcore_arrow::Table::from_stream(stream).unwrap();
/// assert_eq!(table.columns.len(), 3);
/// ```
pub fn export_stream(schema: SchemaRef, batches: Vec<RecordBatch>) -> FFI_ArrowArrayStream {
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    FFI_ArrowArrayStream::new(Box::new(reader))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use leadcore::{Lead, Playbook};

    #[test]
    fn scores_round_trip_through_a_stream() {
        let pb = Playbook::default_playbook();
        let scores = BatchScores {
            models: pb
                .scoring()
                .model_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            scores: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            grades: vec![None, Some("A".into()), None, None, None, None],
            row_errors: vec![],
        };
        let leads = [Lead::new("A"), Lead::new("B")];
        let ids: Vec<&str> = leads.iter().map(|l| l.id.as_str()).collect();
        let batch = scores_batch(&scores, &ids, pb.scoring()).unwrap();
        let table =
            crate::Table::from_stream(export_stream(batch.schema(), vec![batch.clone()])).unwrap();
        assert_eq!(table.columns.len(), batch.num_columns());
        let fit = table.column("score_fit").unwrap().chunks[0]
            .as_primitive::<arrow_array::types::Float64Type>()
            .value(1);
        assert_eq!(fit, 5.0);
        assert!(scores_batch(&scores, &ids[..1], pb.scoring()).is_err());
    }
}
