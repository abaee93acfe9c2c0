//! Results out as Arrow: a batch's scores and its row errors as record batches, and record
//! batches as an Arrow C stream.

use crate::{Result, invalid};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, RecordBatch, RecordBatchIterator, StringArray,
    UInt64Array,
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

/// [`scores_batch`] with int64 lead ids, which come back as an `Int64` `lead_id` column.
///
/// ```
/// use leadcore::scoring::BatchScores;
/// let pb = leadcore::Playbook::default_playbook();
/// let scores = BatchScores { models: vec!["fit".into()], scores: vec![50.0], grades: vec![None], row_errors: vec![] };
/// let batch = leadcore_arrow::scores_batch_int64(&scores, vec![42], pb.scoring()).unwrap();
/// assert_eq!(batch.schema().field(0).data_type(), &arrow_schema::DataType::Int64);
/// ```
pub fn scores_batch_int64(
    scores: &BatchScores,
    lead_ids: Vec<i64>,
    scoring: &Scoring,
) -> Result<RecordBatch> {
    scores_batch_with_ids(scores, Arc::new(Int64Array::from(lead_ids)), scoring)
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

/// Explained scores as a tidy long table, one row per rule line and per adjustment of every
/// model of every card: `lead_id` (the type of `lead_id`, whose row `l` is card `l`'s lead),
/// `model`, `rule` (the rule, or what an adjustment concerns), `kind` (`behaviour`, `fit`,
/// `group_cap`, `combined`, `model_cap`, `model_floor`), `events` (UInt32: occurrences
/// counted; null on adjustments), `raw_points` (before decay: the contributions' raw points,
/// a fit rule's points; null on adjustments and when the card has no contributions),
/// `decay_factor` (`points before the cap / raw_points`, 1 without decay; null where
/// `raw_points` is null or 0), `cap` (what a cap or floor added: the rule's `max_points` on a
/// rule line, 0 when none applied; the adjustment itself on a cap or floor line; null on a
/// combined term) and `points` (after the rule's cap). A model's `points` add up to its score
/// (summed in another order, so within a few ulp).
///
/// ```
/// use arrow_array::{StringArray, cast::AsArray, types::Float64Type};
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Activity, ActivityKind, Lead, Playbook};
/// use std::sync::Arc;
/// let pb = Playbook::default_playbook();
/// let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
/// let card = pb.scoring().score(&Lead::new("A"), &[Activity::new(ActivityKind::EmailOpened, t)], t, true).unwrap();
/// let batch = leadcore_arrow::score_explanations_batch(&[card], Arc::new(StringArray::from(vec!["A"]))).unwrap();
/// let rule = batch.column_by_name("rule").unwrap().as_string::<i32>();
/// let points = batch.column_by_name("points").unwrap().as_primitive::<Float64Type>();
/// let opened = (0..batch.num_rows()).find(|&r| rule.value(r) == "welcome_email_opened").unwrap();
/// assert_eq!(points.value(opened), 2.0);
/// ```
pub fn score_explanations_batch(
    cards: &[leadcore::scoring::ScoreCard],
    lead_id: ArrayRef,
) -> Result<RecordBatch> {
    use leadcore::scoring::{AdjustmentKind, RuleType};
    if lead_id.len() != cards.len() {
        return Err(invalid(format!(
            "{} lead ids for {} score cards",
            lead_id.len(),
            cards.len()
        )));
    }
    let mut lead_rows: Vec<u32> = Vec::new();
    let mut model = Vec::new();
    let mut rule = Vec::new();
    let mut kind: Vec<&'static str> = Vec::new();
    let mut events: Vec<Option<u32>> = Vec::new();
    let mut raw: Vec<Option<f64>> = Vec::new();
    let mut decay: Vec<Option<f64>> = Vec::new();
    let mut cap: Vec<Option<f64>> = Vec::new();
    let mut points: Vec<f64> = Vec::new();
    for (l, card) in cards.iter().enumerate() {
        let l = u32::try_from(l).map_err(|_| invalid("more than 2^32 score cards"))?;
        for m in &card.models {
            for r in &m.rules {
                let rule_cap: f64 = m
                    .adjustments
                    .iter()
                    .filter(|a| a.kind == AdjustmentKind::RuleCap && a.name == r.rule)
                    .map(|a| a.points)
                    .sum();
                let raw_points = match r.rule_type {
                    RuleType::Fit => Some(r.points),
                    RuleType::Behaviour if !r.contributions.is_empty() => {
                        Some(r.contributions.iter().map(|c| c.raw_points).sum::<f64>())
                    }
                    RuleType::Behaviour if r.occurrences == 0 => Some(0.0),
                    RuleType::Behaviour => None,
                };
                lead_rows.push(l);
                model.push(m.model.as_str());
                rule.push(r.rule.as_str());
                kind.push(match r.rule_type {
                    RuleType::Behaviour => "behaviour",
                    RuleType::Fit => "fit",
                });
                events.push(Some(r.occurrences));
                decay.push(raw_points.and_then(|raw| {
                    if raw == 0.0 {
                        None
                    } else if r.points == raw {
                        Some(1.0)
                    } else {
                        Some(r.points / raw)
                    }
                }));
                raw.push(raw_points);
                cap.push(Some(rule_cap));
                points.push(r.points + rule_cap);
            }
            for a in m
                .adjustments
                .iter()
                .filter(|a| a.kind != AdjustmentKind::RuleCap)
            {
                lead_rows.push(l);
                model.push(m.model.as_str());
                rule.push(a.name.as_str());
                kind.push(match a.kind {
                    AdjustmentKind::GroupCap => "group_cap",
                    AdjustmentKind::Combined => "combined",
                    AdjustmentKind::ModelCap => "model_cap",
                    AdjustmentKind::ModelFloor => "model_floor",
                    AdjustmentKind::RuleCap => "rule_cap",
                });
                events.push(None);
                raw.push(None);
                decay.push(None);
                cap.push((a.kind != AdjustmentKind::Combined).then_some(a.points));
                points.push(a.points);
            }
        }
    }
    let lead_id = crate::ids::repeat_rows(&lead_id, &lead_rows)?;
    let fields = vec![
        Field::new(
            "lead_id",
            lead_id.data_type().clone(),
            lead_id.null_count() > 0,
        ),
        Field::new("model", DataType::Utf8, false),
        Field::new("rule", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("events", DataType::UInt32, true),
        Field::new("raw_points", DataType::Float64, true),
        Field::new("decay_factor", DataType::Float64, true),
        Field::new("cap", DataType::Float64, true),
        Field::new("points", DataType::Float64, false),
    ];
    let columns: Vec<ArrayRef> = vec![
        lead_id,
        Arc::new(StringArray::from_iter_values(model)),
        Arc::new(StringArray::from_iter_values(rule)),
        Arc::new(StringArray::from_iter_values(kind)),
        Arc::new(arrow_array::UInt32Array::from(events)),
        Arc::new(Float64Array::from(raw)),
        Arc::new(Float64Array::from(decay)),
        Arc::new(Float64Array::from(cap)),
        Arc::new(Float64Array::from(points)),
    ];
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| invalid(format!("cannot build the explanations batch: {e}")))
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
