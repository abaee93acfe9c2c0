//! The validator: walks a parsed spec and collects every problem, each with its exact path
//! and a stable code.

use super::limits;
use super::spec::{PLAYBOOK_SCHEMA_VERSION, PlaybookSpec};
use crate::error::Issue;
use crate::lifecycle::PipelineSpec;
use crate::model::{ActivityKind, Catalog, Lead, Opportunity, Record, RecordKind as Subject};
use std::collections::BTreeSet;

struct Ctx {
    issues: Vec<Issue>,
}

/// The names the playbook declares, for every section's validation.
pub(crate) fn catalog(spec: &PlaybookSpec) -> Catalog {
    Catalog {
        fields: spec
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.field_type))
            .collect(),
        activity_kinds: spec.activity_kinds.clone(),
        score_models: spec.scoring.models.iter().map(|m| m.name.clone()).collect(),
        calendars: spec.calendars.keys().cloned().collect(),
        stages: spec
            .lifecycle
            .stages
            .iter()
            .map(|s| s.name.clone())
            .collect(),
    }
}

pub(crate) fn validate(spec: &PlaybookSpec, catalog: &Catalog) -> Vec<Issue> {
    let mut cx = Ctx { issues: Vec::new() };
    if spec.schema_version != PLAYBOOK_SCHEMA_VERSION {
        cx.push(
            "schema_version",
            "playbook.schema_version",
            format!(
                "schema_version {} is not supported (this build reads {PLAYBOOK_SCHEMA_VERSION})",
                spec.schema_version
            ),
        );
    }
    for name in spec.fields.keys() {
        let path = format!("fields.{name}");
        if name.trim().is_empty() {
            cx.push(path, "field.empty_name", "a field needs a name");
        } else if Lead::field_def(name).is_some() || Opportunity::field_def(name).is_some() {
            cx.push(
                path,
                "field.shadows_builtin",
                format!("`{name}` is a built-in field; pick another name"),
            );
        }
    }
    let mut seen_kinds = BTreeSet::new();
    for (i, k) in spec.activity_kinds.iter().enumerate() {
        let path = format!("activity_kinds[{i}]");
        if k.trim().is_empty() {
            cx.push(path, "activity_kind.empty", "an activity kind needs a name");
        } else if ActivityKind::is_builtin(k) {
            cx.push(
                path,
                "activity_kind.builtin",
                format!("`{k}` is already a built-in activity kind"),
            );
        } else if !seen_kinds.insert(k.as_str()) {
            cx.push(
                path,
                "activity_kind.duplicate",
                format!("`{k}` is declared twice"),
            );
        }
    }
    // Sizes first: a pipeline over a limit is not validated further (its problems could be
    // as many as its stages).
    let items: usize = std::iter::once(&spec.lifecycle)
        .chain(&spec.pipelines)
        .map(lifecycle_items)
        .fold(0, usize::saturating_add);
    let too_large = items > limits::MAX_LIFECYCLE_ITEMS;
    if too_large {
        cx.push(
            "(root)",
            "playbook.too_large",
            format!(
                "the pipelines hold {items} stages, transitions, guards and actions; at most {} are allowed",
                limits::MAX_LIFECYCLE_ITEMS
            ),
        );
    }
    if spec.pipelines.len() > limits::MAX_PIPELINES {
        cx.push(
            "pipelines",
            "playbook.too_many_pipelines",
            format!(
                "{} deal pipelines; at most {} are allowed",
                spec.pipelines.len(),
                limits::MAX_PIPELINES
            ),
        );
    }
    if !cx.sizes("lifecycle", &spec.lifecycle) && !too_large {
        crate::lifecycle::validate::validate(
            "lifecycle",
            &spec.lifecycle,
            Subject::Lead,
            catalog,
            &mut cx.issues,
        );
    }
    let mut names = BTreeSet::from([spec.lifecycle.name.as_str()]);
    for (i, p) in spec.pipelines.iter().enumerate() {
        let prefix = format!("pipelines[{i}]");
        if !names.insert(p.name.as_str()) {
            cx.push(
                format!("{prefix}.name"),
                "pipeline.duplicate",
                format!("pipeline name `{}` is used twice", p.name),
            );
        }
        if !cx.sizes(&prefix, p) && !too_large {
            crate::lifecycle::validate::validate(
                &prefix,
                p,
                Subject::Opportunity,
                catalog,
                &mut cx.issues,
            );
        }
    }
    crate::scoring::validate::validate(&spec.scoring, catalog, &mut cx.issues);
    crate::time::Calendars::validate(&spec.calendars, &mut cx.issues);
    crate::routing::validate::validate(&spec.routing, catalog, &mut cx.issues);
    crate::sla::validate::validate(&spec.sla, catalog, &mut cx.issues);
    cx.issues
}

impl Ctx {
    fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.issues.push(Issue::new(path, code, message));
    }

    /// Pushes an issue for each list of pipeline `p` over its limit; whether there was any.
    fn sizes(&mut self, prefix: &str, p: &PipelineSpec) -> bool {
        let before = self.issues.len();
        let list = |cx: &mut Ctx, path: String, len: usize, max: usize, code: &str, what: &str| {
            if len > max {
                cx.push(
                    path,
                    code,
                    format!("{len} {what}; at most {max} are allowed"),
                );
            }
        };
        list(
            self,
            format!("{prefix}.stages"),
            p.stages.len(),
            limits::MAX_STAGES,
            "pipeline.too_many_stages",
            "stages",
        );
        list(
            self,
            format!("{prefix}.transitions"),
            p.transitions.len(),
            limits::MAX_TRANSITIONS,
            "pipeline.too_many_transitions",
            "transitions",
        );
        for (i, s) in p.stages.iter().enumerate() {
            let sp = format!("{prefix}.stages[{i}]");
            list(
                self,
                format!("{sp}.entry_guards"),
                s.entry_guards.len(),
                limits::MAX_GUARDS,
                "guard.too_many",
                "guards",
            );
            list(
                self,
                format!("{sp}.on_enter"),
                s.on_enter.len(),
                limits::MAX_ACTIONS,
                "action.too_many",
                "actions",
            );
            list(
                self,
                format!("{sp}.on_exit"),
                s.on_exit.len(),
                limits::MAX_ACTIONS,
                "action.too_many",
                "actions",
            );
        }
        for (t, tr) in p.transitions.iter().enumerate() {
            let tp = format!("{prefix}.transitions[{t}]");
            list(
                self,
                format!("{tp}.guards"),
                tr.guards.len(),
                limits::MAX_GUARDS,
                "guard.too_many",
                "guards",
            );
            list(
                self,
                format!("{tp}.actions"),
                tr.actions.len(),
                limits::MAX_ACTIONS,
                "action.too_many",
                "actions",
            );
        }
        self.issues.len() > before
    }
}

/// Stages, transitions, guards and actions of a pipeline.
fn lifecycle_items(p: &PipelineSpec) -> usize {
    let stages = p
        .stages
        .iter()
        .map(|s| 1 + s.entry_guards.len() + s.on_enter.len() + s.on_exit.len());
    let transitions = p
        .transitions
        .iter()
        .map(|t| 1 + t.guards.len() + t.actions.len());
    stages.chain(transitions).fold(0, usize::saturating_add)
}
