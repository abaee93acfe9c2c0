//! A routing batch's assignments out as Arrow.

use crate::{Result, invalid};
use arrow_array::types::{UInt8Type, UInt32Type};
use arrow_array::{ArrayRef, DictionaryArray, PrimitiveArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use leadcore::routing::{Assignments, Placed, Routing, UnassignedCode};
use std::sync::Arc;

fn dict(key: DataType) -> DataType {
    DataType::Dictionary(Box::new(key), Box::new(DataType::Utf8))
}

/// The assignments of a lean routing batch
/// ([`Routing::assign_batch_lean`](leadcore::routing::Routing::assign_batch_lean)), one
/// row per lead in order: `lead_id` (Utf8), `assignee_kind` (`rep` or `queue`),
/// `assignee` (the rep id or queue name), `rule` (the placing rule, null for the
/// unassignable queue), `unassigned_code` (null unless the lead went to the unassignable
/// queue) as dictionary-encoded strings, and `unassigned_reason` (Utf8, null likewise).
/// `lead_ids` are the leads routed, in order.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Lead, Playbook};
/// let pb = Playbook::from_yaml(r#"
/// schema_version: 1
/// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
/// routing:
///   reps: [{id: A}, {id: B}]
///   rules: [{name: small, when: {field: employees, op: lt, value: 10}, assign: {round_robin: {}}}]
/// "#).unwrap();
/// let mut small = Lead::new("L1");
/// small.firmographics.employees = Some(5);
/// let leads = [small, Lead::new("L2")];
/// let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
/// let got = pb.routing().assign_batch_lean(&mut pb.routing().new_state(), &leads, now).unwrap();
/// let batch = leadcore_arrow::assignments_batch(pb.routing(), &["L1", "L2"], &got).unwrap();
/// let names: Vec<&str> = batch.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
/// assert_eq!(names, ["lead_id", "assignee_kind", "assignee", "rule", "unassigned_code", "unassigned_reason"]);
/// assert_eq!(batch.column(3).null_count(), 1);
/// ```
pub fn assignments_batch<S: AsRef<str>>(
    routing: &Routing,
    lead_ids: &[S],
    a: &Assignments,
) -> Result<RecordBatch> {
    let n = a.len();
    if lead_ids.len() != n || a.rule.len() != n || a.unassigned.len() != n {
        return Err(invalid(format!(
            "{} lead ids for {n} assignments ({} rules, {} reasons)",
            lead_ids.len(),
            a.rule.len(),
            a.unassigned.len()
        )));
    }
    let reps = routing.rep_ids();
    let queues = routing.queue_names();
    let key = |i: usize| u32::try_from(i).map_err(|_| invalid("too many reps and queues"));
    let reps_len = key(reps.len())?;
    // The assignee dictionary: the reps, then the queues.
    let names = StringArray::from_iter_values(
        reps.iter()
            .copied()
            .chain(queues.iter().map(String::as_str)),
    );
    let size = key(reps.len() + queues.len())?;
    let mut kinds = Vec::with_capacity(n);
    let mut who = Vec::with_capacity(n);
    for p in &a.placed {
        let (k, i) = match *p {
            Placed::Rep(r) => (0u8, r),
            Placed::Queue(q) => (1u8, reps_len.saturating_add(q)),
        };
        if i >= size {
            return Err(invalid(format!("assignment {p:?} names no rep or queue")));
        }
        kinds.push(k);
        who.push(i);
    }
    let rules = routing.rule_names();
    let rule_count = key(rules.len())?;
    if let Some(r) = a.rule.iter().flatten().find(|r| **r >= rule_count) {
        return Err(invalid(format!(
            "assignment names rule {r} of {rule_count}"
        )));
    }
    let code_of = |c: UnassignedCode| {
        UnassignedCode::ALL
            .iter()
            .position(|x| *x == c)
            .and_then(|i| u8::try_from(i).ok())
    };
    let dict_array = |keys: ArrayRef, values: StringArray| -> Result<ArrayRef> {
        let array: ArrayRef = match keys.data_type() {
            DataType::UInt8 => Arc::new(
                DictionaryArray::<UInt8Type>::try_new(
                    keys.as_any()
                        .downcast_ref::<PrimitiveArray<UInt8Type>>()
                        .cloned()
                        .ok_or_else(|| invalid("dictionary keys"))?,
                    Arc::new(values),
                )
                .map_err(|e| invalid(format!("cannot build the assignments batch: {e}")))?,
            ),
            _ => Arc::new(
                DictionaryArray::<UInt32Type>::try_new(
                    keys.as_any()
                        .downcast_ref::<PrimitiveArray<UInt32Type>>()
                        .cloned()
                        .ok_or_else(|| invalid("dictionary keys"))?,
                    Arc::new(values),
                )
                .map_err(|e| invalid(format!("cannot build the assignments batch: {e}")))?,
            ),
        };
        Ok(array)
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            lead_ids.iter().map(AsRef::as_ref),
        )),
        dict_array(
            Arc::new(PrimitiveArray::<UInt8Type>::from(kinds)),
            StringArray::from_iter_values(["rep", "queue"]),
        )?,
        dict_array(Arc::new(PrimitiveArray::<UInt32Type>::from(who)), names)?,
        dict_array(
            Arc::new(PrimitiveArray::<UInt32Type>::from(a.rule.clone())),
            StringArray::from_iter_values(rules),
        )?,
        dict_array(
            Arc::new(PrimitiveArray::<UInt8Type>::from_iter(
                a.unassigned
                    .iter()
                    .map(|u| u.as_ref().and_then(|u| code_of(u.code))),
            )),
            StringArray::from_iter_values(UnassignedCode::ALL.iter().map(|c| c.code())),
        )?,
        Arc::new(StringArray::from_iter(
            a.unassigned
                .iter()
                .map(|u| u.as_ref().map(|u| u.message.as_str())),
        )),
    ];
    let schema = Schema::new(vec![
        Field::new("lead_id", DataType::Utf8, false),
        Field::new("assignee_kind", dict(DataType::UInt8), false),
        Field::new("assignee", dict(DataType::UInt32), false),
        Field::new("rule", dict(DataType::UInt32), true),
        Field::new("unassigned_code", dict(DataType::UInt8), true),
        Field::new("unassigned_reason", DataType::Utf8, true),
    ]);
    RecordBatch::try_new(Arc::new(schema), columns)
        .map_err(|e| invalid(format!("cannot build the assignments batch: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use chrono::{TimeZone, Utc};
    use leadcore::{Lead, Playbook};

    #[test]
    fn rows_name_the_decisions() {
        let pb = Playbook::from_yaml(
            r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
routing:
  reps: [{id: A}, {id: B, capacity: 1}]
  queues: [{name: overflow}]
  rules:
    - {name: big, when: {field: employees, op: ge, value: 100}, assign: {rep: B}, fallback: [{queue: overflow}]}
    - {name: small, when: {field: employees, op: lt, value: 100}, assign: {rep: A}}
"#,
        )
        .unwrap();
        let lead = |id: &str, e: Option<u32>| {
            let mut l = Lead::new(id);
            l.firmographics.employees = e;
            l
        };
        let leads = [
            lead("L1", Some(500)),
            lead("L2", Some(500)),
            lead("L3", Some(5)),
            lead("L4", None),
        ];
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let routing = pb.routing();
        let full = routing
            .assign_batch(&mut routing.new_state(), &leads, now)
            .unwrap();
        let lean = routing
            .assign_batch_lean(&mut routing.new_state(), &leads, now)
            .unwrap();
        let ids: Vec<&str> = leads.iter().map(|l| l.id.as_str()).collect();
        let batch = assignments_batch(routing, &ids, &lean).unwrap();
        let text = |col: usize, row: usize| -> Option<String> {
            let c = batch.column(col);
            if c.is_null(row) {
                return None;
            }
            Some(match c.data_type() {
                DataType::Utf8 => c.as_string::<i32>().value(row).to_owned(),
                _ => dict_value(c.as_ref(), row),
            })
        };
        for (row, d) in full.iter().enumerate() {
            let (kind, name) = match &d.assignee {
                leadcore::routing::Assignee::Rep(r) => ("rep", r.clone()),
                leadcore::routing::Assignee::Queue(q) => ("queue", q.clone()),
            };
            assert_eq!(text(0, row).as_deref(), Some(d.lead_id.as_str()));
            assert_eq!(text(1, row).as_deref(), Some(kind));
            assert_eq!(text(2, row), Some(name));
            assert_eq!(text(3, row), d.rule.clone());
            assert_eq!(
                text(4, row).as_deref(),
                d.unassigned.as_ref().map(|u| u.code.code())
            );
            assert_eq!(
                text(5, row),
                d.unassigned.as_ref().map(|u| u.message.clone())
            );
        }
        assert_eq!(text(2, 1).as_deref(), Some("overflow"));
        assert_eq!(text(4, 3).as_deref(), Some("no_rule_matched"));
        assert!(assignments_batch(routing, &ids[..1], &lean).is_err());
    }

    /// The string a dictionary row names.
    fn dict_value(c: &dyn Array, row: usize) -> String {
        if let Some(d) = c.as_dictionary_opt::<UInt8Type>() {
            let k = d.keys().value(row) as usize;
            return d.values().as_string::<i32>().value(k).to_owned();
        }
        let d = c.as_dictionary::<UInt32Type>();
        let k = d.keys().value(row) as usize;
        d.values().as_string::<i32>().value(k).to_owned()
    }
}
