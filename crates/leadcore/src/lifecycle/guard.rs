//! Guard evaluation: each guard checks one verifiable fact and says why it failed.

use super::request::Facts;
use crate::error::GuardFailure;
use crate::model::{Actor, FieldValue};
use crate::playbook::{CompareOp, GuardSpec};
use chrono::{DateTime, Duration, Utc};
use std::cmp::Ordering;

pub(crate) struct GuardContext<'a, 'f> {
    pub facts: &'f Facts<'a>,
    pub actor: &'f Actor,
    pub now: DateTime<Utc>,
    pub stage_entered_at: DateTime<Utc>,
}

/// Evaluates one guard: `Ok(())` when it holds, its failure otherwise.
pub(crate) fn evaluate(guard: &GuardSpec, cx: &GuardContext<'_, '_>) -> Result<(), GuardFailure> {
    let fail = |message: String| GuardFailure {
        guard: guard.name().to_owned(),
        check: guard.check().to_owned(),
        message,
    };
    match guard {
        GuardSpec::FieldPresent { field, .. } => match field_value(cx, field) {
            Some(v) if !is_blank(&v) => Ok(()),
            _ => Err(fail(format!("field `{field}` is missing"))),
        },
        GuardSpec::FieldCompare {
            field, op, value, ..
        } => {
            let Some(actual) = field_value(cx, field) else {
                return Err(fail(format!("field `{field}` is missing")));
            };
            if compare_values(&actual, *op, value) {
                Ok(())
            } else {
                Err(fail(format!(
                    "field `{field}` is {}, expected {} {}",
                    show(&actual),
                    op.name(),
                    show(value)
                )))
            }
        }
        GuardSpec::Activity {
            kinds,
            min_count,
            within_days,
            since_stage_entry,
            ..
        } => {
            let mut earliest = within_days.map(|d| cx.now - Duration::days(i64::from(d)));
            if *since_stage_entry {
                earliest =
                    Some(earliest.map_or(cx.stage_entered_at, |e| e.max(cx.stage_entered_at)));
            }
            let count = cx
                .facts
                .activity_list()
                .iter()
                .filter(|a| a.at <= cx.now && earliest.is_none_or(|e| a.at >= e))
                .filter(|a| kinds.contains(&a.kind))
                .count();
            if count >= *min_count as usize {
                Ok(())
            } else {
                let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
                Err(fail(format!(
                    "{count} of {min_count} required {} activities",
                    names.join("/")
                )))
            }
        }
        GuardSpec::ScoreAtLeast { model, value, .. } => match cx.facts.score_of(model) {
            Some(s) if s >= *value => Ok(()),
            Some(s) => Err(fail(format!("score `{model}` is {s}, needs {value}"))),
            None => Err(fail(format!("score `{model}` was not supplied"))),
        },
        GuardSpec::ActorRole { roles, .. } => {
            if roles.contains(&cx.actor.role) {
                Ok(())
            } else {
                let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
                Err(fail(format!(
                    "actor role is {}, needs one of {}",
                    cx.actor.role.name(),
                    names.join(", ")
                )))
            }
        }
    }
}

fn field_value(cx: &GuardContext<'_, '_>, field: &str) -> Option<FieldValue> {
    cx.facts.record_ref().and_then(|r| r.field(field))
}

fn is_blank(v: &FieldValue) -> bool {
    match v {
        FieldValue::Text(s) => s.trim().is_empty(),
        FieldValue::List(l) => l.is_empty(),
        _ => false,
    }
}

fn equal(a: &FieldValue, b: &FieldValue) -> bool {
    a.compare(b) == Some(Ordering::Equal)
}

/// Whether `actual op expected` holds; values of types that cannot be compared never match.
pub(crate) fn compare_values(actual: &FieldValue, op: CompareOp, expected: &FieldValue) -> bool {
    let ord = actual.compare(expected);
    match op {
        CompareOp::Eq => equal(actual, expected),
        CompareOp::Ne => ord.is_some_and(|o| o != Ordering::Equal),
        CompareOp::Lt => ord == Some(Ordering::Less),
        CompareOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        CompareOp::Gt => ord == Some(Ordering::Greater),
        CompareOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        CompareOp::In | CompareOp::NotIn => {
            let found = match expected {
                FieldValue::List(items) => items.iter().any(|i| equal(actual, i)),
                _ => false,
            };
            found == (op == CompareOp::In)
        }
        CompareOp::Contains => match (actual, expected) {
            (FieldValue::Text(a), FieldValue::Text(b)) => a.contains(b.as_str()),
            (FieldValue::List(items), v) => items.iter().any(|i| equal(i, v)),
            _ => false,
        },
    }
}

fn show(v: &FieldValue) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_follow_types() {
        let n = FieldValue::Int(20);
        assert!(compare_values(&n, CompareOp::Ge, &FieldValue::Int(11)));
        assert!(compare_values(&n, CompareOp::Lt, &FieldValue::Float(20.5)));
        assert!(!compare_values(
            &n,
            CompareOp::Eq,
            &FieldValue::Text("20".into())
        ));
        assert!(!compare_values(
            &n,
            CompareOp::Ne,
            &FieldValue::Text("20".into())
        ));
        let list = FieldValue::List(vec![FieldValue::Int(1), FieldValue::Int(20)]);
        assert!(compare_values(&n, CompareOp::In, &list));
        assert!(!compare_values(&n, CompareOp::NotIn, &list));
        let t = FieldValue::Text("VP Sales".into());
        assert!(compare_values(
            &t,
            CompareOp::Contains,
            &FieldValue::Text("VP".into())
        ));
    }
}
