//! Guards: each a named [`Condition`] a transition needs, compiled once from its spec (the
//! `field_present`, `field_compare`, `activity`, `score_at_least` and `actor_role` checks are
//! one-leaf conditions; `condition` takes any), evaluated with the leaf that failed.

use super::request::Facts;
use super::spec::GuardSpec;
use crate::condition::compile::{self, Sink};
use crate::condition::{
    ActivityCountSpec, CompareOp, Condition, Context, FieldKey, Node, Scope, ScoreTestSpec,
};
use crate::error::GuardFailure;
use crate::model::{Actor, Catalog, RecordKind};
use chrono::{DateTime, Utc};

/// A compiled guard.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    name: String,
    check: &'static str,
    condition: Condition,
}

impl Guard {
    /// The guard's name in the playbook.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its check tag (`field_present`, `activity`, `actor_role`, `condition`, ...).
    pub fn check(&self) -> &str {
        self.check
    }

    /// Its condition.
    pub fn condition(&self) -> &Condition {
        &self.condition
    }

    /// Compiles a guard of a pipeline whose records are `record`, reporting problems at
    /// `path` with `guard.*` codes; `None` when there was any.
    pub(crate) fn compile(
        spec: &GuardSpec,
        catalog: &Catalog,
        record: RecordKind,
        path: &str,
        issues: &mut Vec<crate::error::Issue>,
    ) -> Option<Guard> {
        let sink = &mut Sink {
            prefix: "guard",
            issues,
        };
        let field_leaf = |field: &str, op: CompareOp, value, sink: &mut Sink<'_>| {
            let Some(ty) = catalog.field_type(record, field) else {
                sink.push(
                    format!("{path}.field"),
                    "unknown_field",
                    format!("field `{field}` is neither built in nor declared under `fields`"),
                );
                return None;
            };
            compile::test(path, field, ty, op, value, false, sink).map(|test| {
                Condition::leaf(Node::Field {
                    name: field.to_owned(),
                    key: FieldKey::of(record, field),
                    test,
                })
            })
        };
        let condition = match spec {
            GuardSpec::FieldPresent { field, .. } => {
                field_leaf(field, CompareOp::Exists, None, sink)
            }
            GuardSpec::FieldCompare {
                field, op, value, ..
            } => field_leaf(field, *op, Some(value), sink),
            GuardSpec::Activity {
                kinds,
                min_count,
                within_days,
                since_stage_entry,
                ..
            } => compile::activity_count(
                &ActivityCountSpec {
                    kinds: kinds.clone(),
                    min_count: *min_count,
                    within_days: *within_days,
                    within: None,
                    since_stage_entry: *since_stage_entry,
                },
                catalog,
                path,
                sink,
            )
            .map(|c| Condition::leaf(Node::Activity(c))),
            GuardSpec::ScoreAtLeast { model, value, .. } => compile::score_test(
                &ScoreTestSpec {
                    model: model.clone(),
                    op: CompareOp::Ge,
                    value: *value,
                },
                catalog,
                path,
                sink,
            )
            .map(Condition::leaf),
            GuardSpec::ActorRole { roles, .. } => {
                compile::roles(roles, &format!("{path}.roles"), sink)
                    .map(|r| Condition::leaf(Node::Role(r)))
            }
            GuardSpec::Condition { when, .. } => Condition::compile_in(
                when,
                catalog,
                Scope::guard(record),
                &format!("{path}.when"),
                sink,
            ),
        }?;
        Some(Guard {
            name: spec.name().to_owned(),
            check: spec.check(),
            condition,
        })
    }

    /// `Ok(())` when the guard holds, its failure otherwise.
    pub(crate) fn evaluate(&self, cx: &GuardContext<'_, '_>) -> Result<(), GuardFailure> {
        let mut context = Context::new()
            .activities(cx.facts.activity_list(), cx.now)
            .stage_entered_at(cx.stage_entered_at)
            .scores(cx.facts.scores())
            .role(cx.actor.role);
        if let Some(record) = cx.facts.record_ref() {
            context = context.record(record);
        }
        match self.condition.explain(&context) {
            None => Ok(()),
            Some(f) => Err(GuardFailure {
                guard: self.name.clone(),
                check: self.check.to_owned(),
                message: f.message,
            }),
        }
    }
}

pub(crate) struct GuardContext<'a, 'f> {
    pub facts: &'f Facts<'a>,
    pub actor: &'f Actor,
    pub now: DateTime<Utc>,
    pub stage_entered_at: DateTime<Utc>,
}
