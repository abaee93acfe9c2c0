//! One condition language for every engine: lifecycle guards, fit rules, behaviour-rule
//! filters (and routing rules and SLA pauses next) are the same [`Condition`], compiled once
//! against the playbook's [`Catalog`](crate::model::Catalog) and evaluated with an explanation of the leaf that
//! failed.
//!
//! **Null semantics.** A comparison on a missing value is false; only `missing` is true of
//! it, and `not` inverts what its condition gives. A missing attribute never makes an event
//! bad: a web visit without a page does not match "page contains pricing" and still counts
//! for "every web visit". Per-lead, incremental and columnar evaluation agree.
//!
//! ```
//! use leadcore::condition::{Condition, ConditionSpec, Context, Scope};
//! use leadcore::model::{Catalog, RecordKind};
//! use leadcore::Lead;
//! let spec: ConditionSpec = serde_json::from_str(r#"{"any": [
//!     {"field": "employees", "op": "between", "value": [11, 50]},
//!     {"not": {"field": "region", "op": "in", "value": ["APAC", "LATAM"]}}
//! ]}"#).unwrap();
//! let mut issues = Vec::new();
//! let cond = Condition::compile(&spec, &Catalog::default(), Scope::record(RecordKind::Lead), "when", &mut issues)
//!     .unwrap();
//! let mut lead = Lead::new("L-1");
//! lead.firmographics.region = Some("APAC".into());
//! let cx = Context::new().record(&lead);
//! assert!(!cond.holds(&cx));                      // no employees, and in APAC
//! let why = cond.explain(&cx).unwrap();
//! assert_eq!(why.message, "none of 2 held: field `employees` is missing; must not hold: field `region` in [\"APAC\",\"LATAM\"]");
//! lead.firmographics.employees = Some(20);
//! assert!(cond.holds(&Context::new().record(&lead)));
//! ```

mod columns;
pub(crate) mod compile;
mod spec;

pub(crate) use columns::{DictVerdicts, IntRange, RowCondition};
pub(crate) use spec::is_false;
pub use spec::{ActivityCountSpec, CompareOp, ConditionSpec, ScoreTestSpec};

use crate::model::{
    Activity, ActivityKind, FieldSource, FieldType, FieldValue, RecordKind, Role, ValueRef,
    coerce_ref,
};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

pub use compile::comparison_problems;

/// Which leaves a condition may use where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Scope {
    /// `field` leaves read this record.
    pub record: Option<RecordKind>,
    /// `attr` leaves read the activity at hand.
    pub attributes: bool,
    /// `activity` leaves count the record's activities.
    pub activities: bool,
    /// `score` leaves read supplied scores.
    pub scores: bool,
    /// `role` leaves read the actor.
    pub roles: bool,
    /// `stage` leaves read the record's current stage.
    pub stages: bool,
}

impl Scope {
    /// Only `field` leaves, on `record` (fit rules; routing rules).
    pub fn record(record: RecordKind) -> Self {
        Scope {
            record: Some(record),
            ..Scope::default()
        }
    }
    /// Only `attr` leaves (behaviour rules' activity filters).
    pub fn activity() -> Self {
        Scope {
            attributes: true,
            ..Scope::default()
        }
    }
    /// Every leaf a lifecycle guard may use on `record`.
    pub fn guard(record: RecordKind) -> Self {
        Scope {
            record: Some(record),
            attributes: false,
            activities: true,
            scores: true,
            roles: true,
            stages: false,
        }
    }
}

/// What a condition is evaluated against. Fill what the scope of the condition reads.
#[derive(Clone, Copy, Default)]
pub struct Context<'a> {
    record: Option<&'a dyn FieldSource>,
    activity: Option<&'a Activity>,
    activities: &'a [Activity],
    scores: Option<&'a BTreeMap<String, f64>>,
    role: Option<Role>,
    now: Option<DateTime<Utc>>,
    stage: Option<&'a str>,
    stage_entered_at: Option<DateTime<Utc>>,
}

impl<'a> Context<'a> {
    /// An empty context: every leaf reads a missing value.
    pub fn new() -> Self {
        Context::default()
    }
    /// The record `field` leaves read.
    pub fn record(mut self, record: &'a dyn FieldSource) -> Self {
        self.record = Some(record);
        self
    }
    /// The activity `attr` leaves read.
    pub fn activity(mut self, activity: &'a Activity) -> Self {
        self.activity = Some(activity);
        self
    }
    /// The activities `activity` leaves count, as of `now`.
    pub fn activities(mut self, activities: &'a [Activity], now: DateTime<Utc>) -> Self {
        self.activities = activities;
        self.now = Some(now);
        self
    }
    /// The record's current stage (`stage` leaves).
    pub fn stage(mut self, stage: &'a str) -> Self {
        self.stage = Some(stage);
        self
    }
    /// When the record entered its current stage (`since_stage_entry`).
    pub fn stage_entered_at(mut self, at: DateTime<Utc>) -> Self {
        self.stage_entered_at = Some(at);
        self
    }
    /// Scores by model name.
    pub fn scores(mut self, scores: &'a BTreeMap<String, f64>) -> Self {
        self.scores = Some(scores);
        self
    }
    /// The actor's role.
    pub fn role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }
}

/// Why a condition does not hold: the leaf that failed (its path inside the condition, empty
/// for a single leaf) and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// Path of the failing leaf inside the condition (`any`, `all[2]`, `not`, or empty).
    pub leaf: String,
    /// What it found, for humans.
    pub message: String,
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub(crate) node: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Field {
        name: String,
        key: FieldKey,
        test: Test,
    },
    Attr {
        name: String,
        key: AttrKey,
        test: Test,
    },
    Activity(ActivityCount),
    Score {
        model: String,
        test: Test,
    },
    Role(Vec<Role>),
    Stage(Vec<String>),
}

/// Where an attribute leaf reads its value, decided at compile time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AttrKey {
    /// A built-in attribute, at this position of the registry.
    Builtin(usize),
    /// `attrs.KEY`.
    Custom(String),
}

impl AttrKey {
    /// The key of attribute `name` (`page`, `attrs.tier`).
    pub(crate) fn of(name: &str) -> Self {
        match crate::model::ATTRIBUTES.iter().position(|a| a.name == name) {
            Some(i) => AttrKey::Builtin(i),
            None => AttrKey::Custom(name.strip_prefix("attrs.").unwrap_or(name).to_owned()),
        }
    }

    #[inline]
    fn read<'a>(&self, activity: &'a Activity) -> Option<ValueRef<'a>> {
        match self {
            AttrKey::Builtin(i) => crate::model::ATTRIBUTES.get(*i)?.get(activity),
            AttrKey::Custom(key) => activity.attrs.get(key).map(FieldValue::as_value_ref),
        }
    }
}

/// Where a field leaf reads its value, decided at compile time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldKey {
    /// A built-in field of a record of this kind, at this registry position.
    Builtin(RecordKind, usize),
    /// A custom field (by name).
    Custom(RecordKind),
}

impl FieldKey {
    /// The key of field `name` of a `record`.
    pub(crate) fn of(record: RecordKind, name: &str) -> Self {
        match record.builtin_index(name) {
            Some(index) => FieldKey::Builtin(record, index),
            None => FieldKey::Custom(record),
        }
    }

    #[inline]
    fn read<'a>(self, record: &'a dyn FieldSource, name: &str) -> Option<ValueRef<'a>> {
        match (self, record.record_kind()) {
            (FieldKey::Builtin(kind, index), Some(k)) if k == kind => record.builtin_ref(index),
            (FieldKey::Custom(kind), Some(k)) if k == kind => record.custom_ref(name),
            _ => record.field_ref(name),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActivityCount {
    pub kinds: Vec<ActivityKind>,
    pub min_count: u32,
    /// Seconds before `now`.
    pub within: Option<i64>,
    pub since_stage_entry: bool,
}

/// A compiled comparison: operator, the declared type values are read as, the literal
/// (typed by that type), and the literal as written, for messages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Test {
    pub op: CompareOp,
    pub ty: FieldType,
    pub lit: Lit,
    pub case_insensitive: bool,
    pub shown: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    None,
    One(FieldValue),
    Many(Vec<FieldValue>),
    Bounds(FieldValue, FieldValue),
}

fn is_blank(v: ValueRef<'_>) -> bool {
    match v {
        ValueRef::Text(s) => s.trim().is_empty(),
        ValueRef::List(l) => l.is_empty(),
        _ => false,
    }
}

fn equal(a: ValueRef<'_>, b: &FieldValue) -> bool {
    a.compare(b.as_value_ref()) == Some(Ordering::Equal)
}

impl Test {
    /// Whether `actual` passes: a missing value passes only `missing`.
    #[inline]
    pub(crate) fn matches(&self, actual: Option<ValueRef<'_>>) -> bool {
        match self.op {
            CompareOp::Exists => return actual.is_some_and(|v| !is_blank(v)),
            CompareOp::Missing => return actual.is_none_or(is_blank),
            _ => {}
        }
        let Some(v) = actual.and_then(|v| coerce_ref(v, self.ty)) else {
            return false;
        };
        match v {
            ValueRef::Text(s) if self.case_insensitive => {
                self.present(ValueRef::Text(&s.to_lowercase()))
            }
            v => self.present(v),
        }
    }

    #[inline]
    fn present(&self, v: ValueRef<'_>) -> bool {
        use CompareOp as O;
        match (self.op, &self.lit) {
            (O::Eq, Lit::One(x)) => equal(v, x),
            (O::Ne, Lit::One(x)) => v
                .compare(x.as_value_ref())
                .is_some_and(|o| o != Ordering::Equal),
            (O::Lt | O::Le | O::Gt | O::Ge, Lit::One(x)) => {
                let Some(o) = v.compare(x.as_value_ref()) else {
                    return false;
                };
                match self.op {
                    O::Lt => o == Ordering::Less,
                    O::Le => o != Ordering::Greater,
                    O::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }
            }
            (O::In, Lit::Many(xs)) => xs.iter().any(|x| equal(v, x)),
            (O::NotIn, Lit::Many(xs)) => !xs.iter().any(|x| equal(v, x)),
            (O::Between, Lit::Bounds(lo, hi)) => {
                matches!(
                    v.compare(lo.as_value_ref()),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(
                    v.compare(hi.as_value_ref()),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }
            (O::Contains, Lit::One(x)) => match (v, x) {
                (ValueRef::Text(s), FieldValue::Text(x)) => s.contains(x.as_str()),
                (ValueRef::List(items), x) => items.iter().any(|i| {
                    if self.case_insensitive
                        && let (FieldValue::Text(i), FieldValue::Text(x)) = (i, x)
                    {
                        return i.to_lowercase() == *x;
                    }
                    equal(i.as_value_ref(), x)
                }),
                _ => false,
            },
            (O::StartsWith, Lit::One(FieldValue::Text(x))) => {
                matches!(v, ValueRef::Text(s) if s.starts_with(x.as_str()))
            }
            (O::EndsWith, Lit::One(FieldValue::Text(x))) => {
                matches!(v, ValueRef::Text(s) if s.ends_with(x.as_str()))
            }
            _ => false,
        }
    }

    fn describe(&self) -> String {
        if self.op.is_unary() {
            self.op.name().to_owned()
        } else {
            format!("{} {}", self.op.name(), self.shown)
        }
    }
}

fn show(v: Option<ValueRef<'_>>) -> String {
    v.map_or_else(
        || "missing".to_owned(),
        |v| serde_json::to_string(&v.to_owned_value()).unwrap_or_default(),
    )
}

impl Condition {
    /// Whether the condition holds in `cx`.
    pub fn holds(&self, cx: &Context<'_>) -> bool {
        self.node.holds(cx)
    }

    /// `None` when the condition holds; otherwise the leaf that failed and why.
    pub fn explain(&self, cx: &Context<'_>) -> Option<Failure> {
        self.node.explain(cx, String::new())
    }
}

impl Node {
    fn holds(&self, cx: &Context<'_>) -> bool {
        match self {
            Node::All(items) => items.iter().all(|n| n.holds(cx)),
            Node::Any(items) => items.iter().any(|n| n.holds(cx)),
            Node::Not(inner) => !inner.holds(cx),
            Node::Field { name, key, test } => {
                test.matches(cx.record.and_then(|r| key.read(r, name)))
            }
            Node::Attr { key, test, .. } => test.matches(cx.activity.and_then(|a| key.read(a))),
            Node::Activity(count) => count.count(cx) >= count.min_count as usize,
            Node::Score { model, test } => test.matches(
                cx.scores
                    .and_then(|s| s.get(model))
                    .map(|v| ValueRef::Float(*v)),
            ),
            Node::Role(roles) => cx.role.is_some_and(|r| roles.contains(&r)),
            Node::Stage(stages) => cx.stage.is_some_and(|s| stages.iter().any(|x| x == s)),
        }
    }

    fn explain(&self, cx: &Context<'_>, path: String) -> Option<Failure> {
        if self.holds(cx) {
            return None;
        }
        let leaf = |message: String| {
            Some(Failure {
                leaf: path.clone(),
                message,
            })
        };
        let join = |p: &str, suffix: String| {
            if p.is_empty() {
                suffix
            } else {
                format!("{p}.{suffix}")
            }
        };
        match self {
            Node::All(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, n)| n.explain(cx, join(&path, format!("all[{i}]")))),
            Node::Any(items) => {
                let reasons: Vec<String> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| n.explain(cx, join(&path, format!("any[{i}]"))))
                    .map(|f| f.message)
                    .collect();
                Some(Failure {
                    leaf: join(&path, "any".to_owned()),
                    message: format!("none of {} held: {}", items.len(), reasons.join("; ")),
                })
            }
            Node::Not(inner) => Some(Failure {
                leaf: join(&path, "not".to_owned()),
                message: format!("must not hold: {}", inner.describe()),
            }),
            Node::Field { name, key, test } => {
                let actual = cx.record.and_then(|r| key.read(r, name));
                leaf(mismatch("field", name, actual, test))
            }
            Node::Attr { name, key, test } => {
                let actual = cx.activity.and_then(|a| key.read(a));
                leaf(mismatch("attribute", name, actual, test))
            }
            Node::Activity(count) => {
                let names: Vec<&str> = count.kinds.iter().map(ActivityKind::name).collect();
                leaf(format!(
                    "{} of {} required {} activities",
                    count.count(cx),
                    count.min_count,
                    names.join("/")
                ))
            }
            Node::Score { model, test } => match cx.scores.and_then(|s| s.get(model)) {
                None => leaf(format!("score `{model}` was not supplied")),
                Some(s) if test.op == CompareOp::Ge => {
                    leaf(format!("score `{model}` is {s}, needs {}", test.shown))
                }
                Some(s) => leaf(format!("score `{model}` is {s}, needs {}", test.describe())),
            },
            Node::Role(roles) => {
                let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
                leaf(match cx.role {
                    Some(r) => format!(
                        "actor role is {}, needs one of {}",
                        r.name(),
                        names.join(", ")
                    ),
                    None => format!("no actor, needs one of {}", names.join(", ")),
                })
            }
            Node::Stage(stages) => leaf(match cx.stage {
                Some(s) => format!("stage is `{s}`, expected one of {}", stages.join(", ")),
                None => format!("no stage, expected one of {}", stages.join(", ")),
            }),
        }
    }

    fn describe(&self) -> String {
        let list = |items: &[Node]| {
            items
                .iter()
                .map(Node::describe)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Node::All(items) => format!("all of ({})", list(items)),
            Node::Any(items) => format!("any of ({})", list(items)),
            Node::Not(inner) => format!("not {}", inner.describe()),
            Node::Field { name, test, .. } => format!("field `{name}` {}", test.describe()),
            Node::Attr { name, test, .. } => format!("attribute `{name}` {}", test.describe()),
            Node::Activity(c) => {
                let names: Vec<&str> = c.kinds.iter().map(ActivityKind::name).collect();
                format!("{} {} activities", c.min_count, names.join("/"))
            }
            Node::Score { model, test } => format!("score `{model}` {}", test.describe()),
            Node::Role(roles) => {
                let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
                format!("actor role in {}", names.join(", "))
            }
            Node::Stage(stages) => format!("stage in {}", stages.join(", ")),
        }
    }
}

fn mismatch(what: &str, name: &str, actual: Option<ValueRef<'_>>, test: &Test) -> String {
    match actual {
        None => format!("{what} `{name}` is missing"),
        Some(v) if test.op == CompareOp::Exists && is_blank(v) => {
            format!("{what} `{name}` is missing")
        }
        Some(v) => format!(
            "{what} `{name}` is {}, expected {}",
            show(Some(v)),
            test.describe()
        ),
    }
}

impl ActivityCount {
    fn count(&self, cx: &Context<'_>) -> usize {
        let Some(now) = cx.now else {
            return 0;
        };
        // A window reaching past the earliest instant has no lower bound.
        let mut earliest = self
            .within
            .and_then(|s| TimeDelta::try_seconds(s).and_then(|w| now.checked_sub_signed(w)));
        if self.since_stage_entry
            && let Some(entered) = cx.stage_entered_at
        {
            earliest = Some(earliest.map_or(entered, |e| e.max(entered)));
        }
        cx.activities
            .iter()
            .filter(|a| a.at <= now && earliest.is_none_or(|e| a.at >= e))
            .filter(|a| self.kinds.contains(&a.kind))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Catalog, Lead};
    use chrono::TimeZone;

    fn compile(json: &str, scope: Scope) -> std::result::Result<Condition, Vec<crate::Issue>> {
        let spec: ConditionSpec = serde_json::from_str(json).unwrap();
        let mut issues = Vec::new();
        Condition::compile(&spec, &Catalog::default(), scope, "when", &mut issues).ok_or(issues)
    }

    #[test]
    fn missing_values_match_only_missing() {
        let lead = Lead::new("L");
        let cx = Context::new().record(&lead);
        for op in [
            "eq",
            "ne",
            "lt",
            "ge",
            "in",
            "not_in",
            "contains",
            "starts_with",
            "exists",
        ] {
            let value = match op {
                "in" | "not_in" => r#"["x"]"#,
                "lt" | "ge" => r#""m""#,
                "exists" => "null",
                _ => r#""x""#,
            };
            let json = if value == "null" {
                format!(r#"{{"field": "region", "op": "{op}"}}"#)
            } else {
                format!(r#"{{"field": "region", "op": "{op}", "value": {value}}}"#)
            };
            let c = compile(&json, Scope::record(RecordKind::Lead)).unwrap();
            assert!(!c.holds(&cx), "{op} held on a missing value");
            let not = compile(
                &format!(r#"{{"not": {json}}}"#),
                Scope::record(RecordKind::Lead),
            )
            .unwrap();
            assert!(not.holds(&cx), "not {op} failed on a missing value");
        }
        let missing = compile(
            r#"{"field": "region", "op": "missing"}"#,
            Scope::record(RecordKind::Lead),
        )
        .unwrap();
        assert!(missing.holds(&cx));
    }

    #[test]
    fn activity_windows_are_bounded_and_never_overflow() {
        let scope = Scope::guard(RecordKind::Lead);
        let err = compile(
            r#"{"activity": {"kinds": ["call"], "within_days": 96000000}}"#,
            scope,
        )
        .unwrap_err();
        assert_eq!(err[0].path, "when.activity.within_days");
        let c = compile(
            r#"{"activity": {"kinds": ["call"], "within": "2h"}}"#,
            scope,
        )
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let mut call = Activity::new(ActivityKind::Call, now - TimeDelta::minutes(90));
        assert!(c.holds(&Context::new().activities(std::slice::from_ref(&call), now)));
        call.at = now - TimeDelta::minutes(150);
        assert!(!c.holds(&Context::new().activities(std::slice::from_ref(&call), now)));
        // At the earliest representable instant the window has no lower bound: no panic.
        let day = compile(
            r#"{"activity": {"kinds": ["call"], "within_days": 1}}"#,
            scope,
        )
        .unwrap();
        let earliest = DateTime::<Utc>::MIN_UTC;
        let first = Activity::new(ActivityKind::Call, earliest);
        assert!(day.holds(&Context::new().activities(std::slice::from_ref(&first), earliest)));
    }

    #[test]
    fn conditions_nest_only_so_deep() {
        let mut json = r#"{"field": "region", "op": "exists"}"#.to_owned();
        for _ in 0..40 {
            json = format!(r#"{{"not": {json}}}"#);
        }
        let err = compile(&json, Scope::record(RecordKind::Lead)).unwrap_err();
        assert!(err.iter().any(|i| i.code == "condition.condition_too_deep"));
    }
}
