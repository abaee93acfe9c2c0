//! Behaviour filters and fit tests lowered to the one condition language, with the codes and
//! paths the `scoring` section has always reported (`rule.*`).

use super::spec::{FilterSpec, FitOp, RuleSpec};
use crate::condition::compile::{Sink, attribute_type, test};
use crate::condition::{AttrKey, CompareOp, Condition, ConditionSpec, FieldKey, Node, Scope};
use crate::model::{Catalog, FieldType, FieldValue, RecordKind};

/// A behaviour rule's filters and `when`, as one condition on the activity (`None`: every
/// activity of the kind). `Err(())` when a problem was reported.
pub(crate) fn behaviour(
    rp: &str,
    filters: &[FilterSpec],
    when: Option<&ConditionSpec>,
    catalog: &Catalog,
    sink: &mut Sink<'_>,
) -> Result<Option<Condition>, ()> {
    let before = sink.issues.len();
    let mut parts = Vec::new();
    for (f, filter) in filters.iter().enumerate() {
        let p = format!("{rp}.filters[{f}]");
        let Some(ty) = attribute_type(
            &filter.attr,
            Some(filter.op),
            filter.value.as_ref(),
            &p,
            sink,
        ) else {
            continue;
        };
        if let Some(t) = test(
            &p,
            &filter.attr,
            ty,
            filter.op,
            filter.value.as_ref(),
            filter.case_insensitive,
            sink,
        ) {
            parts.push(Condition::leaf(Node::Attr {
                name: filter.attr.clone(),
                key: AttrKey::of(&filter.attr),
                test: t,
            }));
        }
    }
    if let Some(when) = when
        && let Some(c) = Condition::compile_in(
            when,
            catalog,
            Scope::activity(),
            &format!("{rp}.when"),
            sink,
        )
    {
        parts.push(c);
    }
    if sink.issues.len() != before {
        return Err(());
    }
    Ok((!parts.is_empty()).then(|| Condition::all(parts)))
}

/// A fit rule's condition: its `field`/`op` test or its `when` (`None` for a behaviour rule,
/// or when a problem was reported).
pub(crate) fn fit_rule(
    rp: &str,
    rule: &RuleSpec,
    catalog: &Catalog,
    sink: &mut Sink<'_>,
) -> Option<Condition> {
    let RuleSpec::Fit {
        field,
        op,
        value,
        min,
        max,
        when,
        ..
    } = rule
    else {
        return None;
    };
    let args = FitArgs {
        field: field.as_deref(),
        op: *op,
        value: value.as_ref(),
        min: min.as_ref(),
        max: max.as_ref(),
        when: when.as_ref(),
    };
    fit(rp, &args, catalog, sink)
}

/// The arguments of a fit rule.
struct FitArgs<'a> {
    field: Option<&'a str>,
    op: Option<FitOp>,
    value: Option<&'a FieldValue>,
    min: Option<&'a FieldValue>,
    max: Option<&'a FieldValue>,
    when: Option<&'a ConditionSpec>,
}

/// A fit rule's test as a condition on the lead.
fn fit(rp: &str, a: &FitArgs<'_>, catalog: &Catalog, sink: &mut Sink<'_>) -> Option<Condition> {
    let (field, op) = match (a.field, a.op, a.when) {
        (None, None, Some(when)) => {
            return Condition::compile_in(
                when,
                catalog,
                Scope::record(RecordKind::Lead),
                &format!("{rp}.when"),
                sink,
            );
        }
        (Some(field), Some(op), None) => (field, op),
        _ => {
            sink.push(
                rp,
                "fit_condition",
                "a fit rule needs `field` and `op`, or `when`",
            );
            return None;
        }
    };
    let Some(ty) = catalog.field_type(RecordKind::Lead, field) else {
        sink.push(
            format!("{rp}.field"),
            "unknown_field",
            format!("field `{field}` is neither built in nor declared under `fields`"),
        );
        return None;
    };
    let leaf = |op: CompareOp, value: Option<&FieldValue>, sink: &mut Sink<'_>| {
        test(rp, field, ty, op, value, false, sink).map(|t| Node::Field {
            name: field.to_owned(),
            key: FieldKey::of(RecordKind::Lead, field),
            test: t,
        })
    };
    match op {
        FitOp::Range => {
            if a.min.is_none() && a.max.is_none() {
                sink.push(
                    format!("{rp}.min"),
                    "missing_value",
                    "`range` needs min, max or both",
                );
                return None;
            }
            let mut ok = true;
            for (name, bound) in [("min", a.min), ("max", a.max)] {
                if let Some(b) = bound
                    && !(ty.is_ordered() && b.coerce(ty).is_some())
                {
                    sink.push(
                        format!("{rp}.{name}"),
                        "incomparable",
                        format!(
                            "a {} bound does not apply to `{field}` ({})",
                            b.field_type().name(),
                            ty.name()
                        ),
                    );
                    ok = false;
                }
            }
            if !ok {
                return None;
            }
            let mut parts = Vec::new();
            if let Some(min) = a.min {
                parts.push(Condition::leaf(leaf(CompareOp::Ge, Some(min), sink)?));
            }
            if let Some(max) = a.max {
                parts.push(Condition::leaf(leaf(CompareOp::Lt, Some(max), sink)?));
            }
            Some(Condition::all(parts))
        }
        FitOp::Before | FitOp::After if !matches!(ty, FieldType::Date | FieldType::DateTime) => {
            sink.push(
                format!("{rp}.op"),
                "incomparable",
                format!(
                    "`before`/`after` need a date field; `{field}` is {}",
                    ty.name()
                ),
            );
            None
        }
        other => {
            let c = other.compare_op()?;
            if !c.is_unary() && a.value.is_none() {
                sink.push(
                    format!("{rp}.value"),
                    "missing_value",
                    "this test needs a value",
                );
                return None;
            }
            leaf(c, a.value, sink).map(Condition::leaf)
        }
    }
}
