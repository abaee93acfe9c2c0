//! Compiling a [`ConditionSpec`] against the catalog: every problem reported at its path,
//! literals typed by the declared type of what they are compared with.

use super::spec::{ActivityCountSpec, CompareOp, ConditionSpec, ScoreTestSpec};
use super::{ActivityCount, Condition, FieldKey, Lit, Node, Scope, Test};
use crate::error::Issue;
use crate::model::{
    ATTRIBUTES, Activity, ActivityKind, Catalog, FieldType, FieldValue, Role, closest,
};

/// How deep `all`/`any`/`not` may nest.
pub const MAX_DEPTH: usize = 32;

/// Where problems go: the code prefix of the section (`guard`, `rule`, ...) and the list.
pub(crate) struct Sink<'a> {
    pub prefix: &'static str,
    pub issues: &'a mut Vec<Issue>,
}

impl Sink<'_> {
    pub(crate) fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.issues.push(Issue::new(
            path,
            &format!("{}.{code}", self.prefix),
            message,
        ));
    }
}

impl Condition {
    /// Compiles a condition for `scope`, pushing every problem onto `issues` with its path
    /// under `path` and a `condition.*` code; `None` when there was any.
    pub fn compile(
        spec: &ConditionSpec,
        catalog: &Catalog,
        scope: Scope,
        path: &str,
        issues: &mut Vec<Issue>,
    ) -> Option<Condition> {
        let mut sink = Sink {
            prefix: "condition",
            issues,
        };
        Self::compile_in(spec, catalog, scope, path, &mut sink)
    }

    pub(crate) fn compile_in(
        spec: &ConditionSpec,
        catalog: &Catalog,
        scope: Scope,
        path: &str,
        sink: &mut Sink<'_>,
    ) -> Option<Condition> {
        let before = sink.issues.len();
        let node = node(spec, catalog, scope, path, sink, 0);
        (sink.issues.len() == before)
            .then_some(node)
            .flatten()
            .map(|node| Condition { node })
    }

    /// A condition of one leaf on a record field (what older `field_*` guards and fit rules
    /// are written as).
    pub(crate) fn leaf(node: Node) -> Condition {
        Condition { node }
    }

    /// A condition that never holds (`any` of nothing).
    pub(crate) fn never() -> Condition {
        Condition {
            node: Node::Any(Vec::new()),
        }
    }

    /// All of `conditions` (none: always true).
    pub(crate) fn all(conditions: Vec<Condition>) -> Condition {
        match conditions.len() {
            1 => conditions.into_iter().next().map_or(
                Condition {
                    node: Node::All(Vec::new()),
                },
                |c| c,
            ),
            _ => Condition {
                node: Node::All(conditions.into_iter().map(|c| c.node).collect()),
            },
        }
    }
}

fn node(
    spec: &ConditionSpec,
    catalog: &Catalog,
    scope: Scope,
    path: &str,
    sink: &mut Sink<'_>,
    depth: usize,
) -> Option<Node> {
    if depth > MAX_DEPTH {
        sink.push(
            path,
            "condition_too_deep",
            format!("conditions nest at most {MAX_DEPTH} deep"),
        );
        return None;
    }
    let heads = [
        ("all", spec.all.is_some()),
        ("any", spec.any.is_some()),
        ("not", spec.not.is_some()),
        ("field", spec.field.is_some()),
        ("attr", spec.attr.is_some()),
        ("activity", spec.activity.is_some()),
        ("score", spec.score.is_some()),
        ("role", spec.role.is_some()),
        ("stage", spec.stage.is_some()),
    ];
    let present: Vec<&str> = heads.iter().filter(|h| h.1).map(|h| h.0).collect();
    let [head] = present.as_slice() else {
        sink.push(
            path,
            "condition_head",
            format!(
                "a condition needs exactly one of all, any, not, field, attr, activity, score, role, stage; found {}",
                if present.is_empty() { "none".to_owned() } else { present.join(", ") }
            ),
        );
        return None;
    };
    let is_leaf = matches!(*head, "field" | "attr");
    if !is_leaf {
        for (key, set) in [
            ("op", spec.op.is_some()),
            ("value", spec.value.is_some()),
            ("case_insensitive", spec.case_insensitive),
        ] {
            if set {
                sink.push(
                    format!("{path}.{key}"),
                    "condition_stray_key",
                    format!("`{key}` belongs to a `field` or `attr` leaf, not to `{head}`"),
                );
            }
        }
    }
    let allowed = match *head {
        "field" => scope.record.is_some(),
        "attr" => scope.attributes,
        "activity" => scope.activities,
        "score" => scope.scores,
        "role" => scope.roles,
        "stage" => scope.stages,
        _ => true,
    };
    if !allowed {
        let usable: Vec<&str> = [
            ("field", scope.record.is_some()),
            ("attr", scope.attributes),
            ("activity", scope.activities),
            ("score", scope.scores),
            ("role", scope.roles),
            ("stage", scope.stages),
        ]
        .iter()
        .filter(|l| l.1)
        .map(|l| l.0)
        .collect();
        sink.push(
            format!("{path}.{head}"),
            "condition_leaf_not_allowed",
            format!(
                "`{head}` conditions are not available here; this condition reads {}",
                usable.join(", ")
            ),
        );
        return None;
    }
    let list = |items: &[ConditionSpec], key: &str, sink: &mut Sink<'_>| -> Option<Vec<Node>> {
        if items.is_empty() {
            sink.push(
                format!("{path}.{key}"),
                "empty_condition",
                format!("`{key}` needs at least one condition"),
            );
            return None;
        }
        let nodes: Vec<Option<Node>> = items
            .iter()
            .enumerate()
            .map(|(i, c)| {
                node(
                    c,
                    catalog,
                    scope,
                    &format!("{path}.{key}[{i}]"),
                    sink,
                    depth + 1,
                )
            })
            .collect();
        nodes.into_iter().collect()
    };
    match *head {
        "all" => list(spec.all.as_deref().unwrap_or_default(), "all", sink).map(Node::All),
        "any" => list(spec.any.as_deref().unwrap_or_default(), "any", sink).map(Node::Any),
        "not" => {
            let inner = spec.not.as_deref()?;
            node(
                inner,
                catalog,
                scope,
                &format!("{path}.not"),
                sink,
                depth + 1,
            )
            .map(|n| Node::Not(Box::new(n)))
        }
        "field" => {
            let name = spec.field.as_deref()?;
            let record = scope.record?;
            let Some(ty) = catalog.field_type(record, name) else {
                sink.push(
                    format!("{path}.field"),
                    "unknown_field",
                    format!("field `{name}` is neither built in nor declared under `fields`"),
                );
                return None;
            };
            let op = required_op(spec, path, sink)?;
            let test = test(
                path,
                name,
                ty,
                op,
                spec.value.as_ref(),
                spec.case_insensitive,
                sink,
            )?;
            Some(Node::Field {
                name: name.to_owned(),
                key: FieldKey::of(record, name),
                test,
            })
        }
        "attr" => {
            let name = spec.attr.as_deref()?;
            let op = required_op(spec, path, sink);
            let ty = attribute_type(name, op, spec.value.as_ref(), path, sink)?;
            let test = test(
                path,
                name,
                ty,
                op?,
                spec.value.as_ref(),
                spec.case_insensitive,
                sink,
            )?;
            Some(Node::Attr {
                name: name.to_owned(),
                key: super::AttrKey::of(name),
                test,
            })
        }
        "activity" => activity_count(
            spec.activity.as_ref()?,
            catalog,
            &format!("{path}.activity"),
            sink,
        )
        .map(Node::Activity),
        "score" => score_test(
            spec.score.as_ref()?,
            catalog,
            &format!("{path}.score"),
            sink,
        ),
        "role" => roles(spec.role.as_deref()?, &format!("{path}.role"), sink).map(Node::Role),
        "stage" => stages(
            spec.stage.as_deref()?,
            catalog,
            &format!("{path}.stage"),
            sink,
        )
        .map(Node::Stage),
        _ => None,
    }
}

fn required_op(spec: &ConditionSpec, path: &str, sink: &mut Sink<'_>) -> Option<CompareOp> {
    if spec.op.is_none() {
        sink.push(
            format!("{path}.op"),
            "missing_value",
            "name the comparison (`op`)",
        );
    }
    spec.op
}

/// The type an activity attribute is read as: a built-in attribute's declared type; for
/// `attrs.NAME` the literal's type (text when there is none).
pub(crate) fn attribute_type(
    name: &str,
    op: Option<CompareOp>,
    value: Option<&FieldValue>,
    path: &str,
    sink: &mut Sink<'_>,
) -> Option<FieldType> {
    if let Some(def) = Activity::attribute_def(name) {
        return Some(def.field_type);
    }
    if name.strip_prefix("attrs.").is_some_and(|k| !k.is_empty()) {
        let lit = match (op, value) {
            (
                Some(CompareOp::In | CompareOp::NotIn | CompareOp::Between),
                Some(FieldValue::List(items)),
            ) => items.first(),
            (_, v) => v,
        };
        return Some(lit.map_or(FieldType::Text, FieldValue::field_type));
    }
    let names: Vec<&str> = ATTRIBUTES.iter().map(|a| a.name).collect();
    let hint = closest(name, names.iter().copied())
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    sink.push(
        format!("{path}.attr"),
        "unknown_attribute",
        format!(
            "`{name}` is not an activity attribute ({}, attrs.NAME){hint}",
            names.join(", ")
        ),
    );
    None
}

/// Compiles one comparison of `name` (of type `ty`) by `op` with `value`.
pub(crate) fn test(
    path: &str,
    name: &str,
    ty: FieldType,
    op: CompareOp,
    value: Option<&FieldValue>,
    case_insensitive: bool,
    sink: &mut Sink<'_>,
) -> Option<Test> {
    let shown = value.map_or_else(String::new, |v| {
        serde_json::to_string(v).unwrap_or_default()
    });
    if op.is_unary() {
        return Some(Test {
            op,
            ty,
            lit: Lit::None,
            case_insensitive,
            shown,
        });
    }
    let Some(value) = value else {
        sink.push(
            format!("{path}.value"),
            "missing_value",
            format!("`{}` needs a value", op.name()),
        );
        return None;
    };
    let problems = comparison_problems(name, ty, op, value);
    if !problems.is_empty() {
        for (suffix, code, message) in problems {
            sink.push(format!("{path}{suffix}"), code, message);
        }
        return None;
    }
    let typed = |v: &FieldValue| {
        let v = v.coerce(ty).unwrap_or_else(|| v.clone());
        match v {
            FieldValue::Text(s) if case_insensitive => FieldValue::Text(s.to_lowercase()),
            v => v,
        }
    };
    let lit = match (op, value) {
        (CompareOp::In | CompareOp::NotIn, FieldValue::List(items)) => {
            Lit::Many(items.iter().map(typed).collect())
        }
        (CompareOp::Between, FieldValue::List(items)) => match items.as_slice() {
            [lo, hi] => Lit::Bounds(typed(lo), typed(hi)),
            _ => return None,
        },
        // `contains` on a list field looks for an item, whatever its type.
        (CompareOp::Contains, v) if ty == FieldType::List => Lit::One(v.clone()),
        (_, v) => Lit::One(typed(v)),
    };
    Some(Test {
        op,
        ty,
        lit,
        case_insensitive,
        shown,
    })
}

/// What is wrong with comparing a field of type `ty` by `op` with `value`:
/// `(path suffix, code suffix, message)`, the code suffix one of `incomparable`,
/// `value_type`, `invalid_value`. A literal is read as the field's type (text `2026-01-15`
/// is a date for a date field and text for a text field).
///
/// ```
/// use leadcore::condition::{CompareOp, comparison_problems};
/// use leadcore::{FieldType, FieldValue};
/// assert!(comparison_problems("campaign", FieldType::Text, CompareOp::Eq, &"2026-01-15".into()).is_empty());
/// let p = comparison_problems("employees", FieldType::Number, CompareOp::Eq, &"11".into());
/// assert_eq!(p[0].1, "value_type");
/// ```
pub fn comparison_problems(
    name: &str,
    ty: FieldType,
    op: CompareOp,
    value: &FieldValue,
) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    if op.is_ordering() && !ty.is_ordered() {
        out.push((
            ".op".to_owned(),
            "incomparable",
            format!(
                "`{}` needs an ordered field, but `{name}` is {}",
                op.name(),
                ty.name()
            ),
        ));
        return out;
    }
    if has_non_finite(value) {
        out.push((
            ".value".to_owned(),
            "invalid_value",
            "the value must be finite".to_owned(),
        ));
        return out;
    }
    let mismatch = |v: &FieldValue| match (ty, v) {
        (FieldType::Date, FieldValue::Text(t)) => {
            format!("`{t}` is not a date (YYYY-MM-DD), as `{name}` needs")
        }
        (FieldType::DateTime, FieldValue::Text(t)) => {
            format!("`{t}` is not an RFC 3339 instant, as `{name}` needs")
        }
        _ => format!(
            "a {} value cannot be compared with `{name}` ({})",
            v.field_type().name(),
            ty.name()
        ),
    };
    match op {
        CompareOp::In | CompareOp::NotIn | CompareOp::Between => match value {
            FieldValue::List(items) => {
                if op == CompareOp::Between && items.len() != 2 {
                    out.push((
                        ".value".to_owned(),
                        "value_type",
                        "`between` needs a list of two bounds, `[low, high]`".to_owned(),
                    ));
                    return out;
                }
                for (i, item) in items.iter().enumerate() {
                    if item.coerce(ty).is_none() {
                        out.push((format!(".value[{i}]"), "value_type", mismatch(item)));
                    }
                }
                if let [lo, hi] = items.as_slice()
                    && op == CompareOp::Between
                    && out.is_empty()
                    && let (Some(lo), Some(hi)) = (lo.coerce(ty), hi.coerce(ty))
                    && lo.compare(&hi) == Some(std::cmp::Ordering::Greater)
                {
                    out.push((
                        ".value".to_owned(),
                        "invalid_value",
                        "`between` needs low <= high".to_owned(),
                    ));
                }
            }
            _ => out.push((
                ".value".to_owned(),
                "value_type",
                format!("`{}` needs a list value", op.name()),
            )),
        },
        CompareOp::Contains => {
            let ok = match ty {
                FieldType::Text => matches!(value, FieldValue::Text(_)),
                FieldType::List => !matches!(value, FieldValue::List(_)),
                _ => false,
            };
            if !ok {
                out.push((
                    ".value".to_owned(),
                    "incomparable",
                    format!(
                        "`contains` works on text and list fields; `{name}` is {}",
                        ty.name()
                    ),
                ));
            }
        }
        CompareOp::StartsWith | CompareOp::EndsWith => {
            if !(ty == FieldType::Text && matches!(value, FieldValue::Text(_))) {
                out.push((
                    ".value".to_owned(),
                    "incomparable",
                    format!(
                        "`{}` works on text fields with a text value; `{name}` is {}",
                        op.name(),
                        ty.name()
                    ),
                ));
            }
        }
        _ => {
            if value.coerce(ty).is_none() {
                out.push((".value".to_owned(), "value_type", mismatch(value)));
            }
        }
    }
    out
}

fn has_non_finite(v: &FieldValue) -> bool {
    match v {
        FieldValue::Float(f) => !f.is_finite(),
        FieldValue::List(items) => items.iter().any(has_non_finite),
        _ => false,
    }
}

/// Compiles an activity count, reporting empty or unknown kinds and zero counts/windows.
pub(crate) fn activity_count(
    spec: &ActivityCountSpec,
    catalog: &Catalog,
    path: &str,
    sink: &mut Sink<'_>,
) -> Option<ActivityCount> {
    let before = sink.issues.len();
    if spec.kinds.is_empty() {
        sink.push(
            format!("{path}.kinds"),
            "empty_kinds",
            "list at least one activity kind",
        );
    }
    for (k, kind) in spec.kinds.iter().enumerate() {
        if let ActivityKind::Custom(name) = kind
            && !catalog.knows_activity_kind(kind)
        {
            sink.push(
                format!("{path}.kinds[{k}]"),
                "unknown_activity_kind",
                format!(
                    "`{name}` is neither a built-in activity kind nor declared under `activity_kinds`"
                ),
            );
        }
    }
    if spec.min_count == 0 {
        sink.push(
            format!("{path}.min_count"),
            "invalid_value",
            "min_count must be at least 1",
        );
    }
    if spec.within_days == Some(0) {
        sink.push(
            format!("{path}.within_days"),
            "invalid_value",
            "within_days must be at least 1",
        );
    }
    let days_limit = (crate::time::MAX_DURATION_SECONDS / 86_400) as u32;
    if spec.within_days.is_some_and(|d| d > days_limit) {
        sink.push(
            format!("{path}.within_days"),
            "invalid_value",
            format!("within_days is at most {days_limit} (100 years)"),
        );
    }
    if spec.within_days.is_some() && spec.within.is_some() {
        sink.push(
            format!("{path}.within"),
            "invalid_value",
            "give `within` or `within_days`, not both",
        );
    }
    (sink.issues.len() == before).then(|| ActivityCount {
        kinds: spec.kinds.clone(),
        min_count: spec.min_count,
        within: spec
            .within
            .map(crate::time::Duration::seconds)
            .or(spec.within_days.map(|d| i64::from(d) * 86_400)),
        since_stage_entry: spec.since_stage_entry,
    })
}

/// Compiles a score comparison.
pub(crate) fn score_test(
    spec: &ScoreTestSpec,
    catalog: &Catalog,
    path: &str,
    sink: &mut Sink<'_>,
) -> Option<Node> {
    let before = sink.issues.len();
    if spec.model.trim().is_empty() {
        sink.push(
            format!("{path}.model"),
            "invalid_value",
            "name the score model",
        );
    } else if !catalog.knows_score_model(&spec.model) {
        sink.push(
            format!("{path}.model"),
            "unknown_score_model",
            format!(
                "score model `{}` is not declared under `scoring.models`",
                spec.model
            ),
        );
    }
    if !spec.value.is_finite() {
        sink.push(
            format!("{path}.value"),
            "invalid_value",
            "the threshold must be a finite number",
        );
    }
    if !matches!(
        spec.op,
        CompareOp::Eq
            | CompareOp::Ne
            | CompareOp::Lt
            | CompareOp::Le
            | CompareOp::Gt
            | CompareOp::Ge
    ) {
        sink.push(
            format!("{path}.op"),
            "incomparable",
            "a score compares with eq, ne, lt, le, gt or ge",
        );
    }
    if sink.issues.len() != before {
        return None;
    }
    Some(Node::Score {
        model: spec.model.clone(),
        test: Test {
            op: spec.op,
            ty: FieldType::Number,
            lit: Lit::One(FieldValue::Float(spec.value)),
            case_insensitive: false,
            shown: spec.value.to_string(),
        },
    })
}

/// Compiles a role list.
pub(crate) fn roles(roles: &[Role], path: &str, sink: &mut Sink<'_>) -> Option<Vec<Role>> {
    if roles.is_empty() {
        sink.push(path, "empty_roles", "list at least one role");
        return None;
    }
    Some(roles.to_vec())
}

/// Compiles a stage list: each a stage of the lead lifecycle.
fn stages(
    stages: &[String],
    catalog: &Catalog,
    path: &str,
    sink: &mut Sink<'_>,
) -> Option<Vec<String>> {
    if stages.is_empty() {
        sink.push(path, "empty_stages", "list at least one stage");
        return None;
    }
    let mut ok = true;
    for (i, s) in stages.iter().enumerate() {
        if !catalog.stages.iter().any(|x| x == s) {
            ok = false;
            let hint = closest(s, catalog.stages.iter().map(String::as_str))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            sink.push(
                format!("{path}[{i}]"),
                "unknown_stage",
                format!("`{s}` is no stage of the lead lifecycle{hint}"),
            );
        }
    }
    ok.then(|| stages.to_vec())
}
