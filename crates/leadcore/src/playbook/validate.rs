//! The validator: walks a parsed spec and collects every problem, each with its exact path
//! and a stable code.

use super::spec::{PLAYBOOK_SCHEMA_VERSION, PlaybookSpec};
use crate::error::Issue;
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
    crate::lifecycle::validate::validate(
        "lifecycle",
        &spec.lifecycle,
        Subject::Lead,
        catalog,
        &mut cx.issues,
    );
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
        crate::lifecycle::validate::validate(
            &prefix,
            p,
            Subject::Opportunity,
            catalog,
            &mut cx.issues,
        );
    }
    crate::scoring::validate::validate(&spec.scoring, catalog, &mut cx.issues);
    crate::routing::validate::validate(&spec.routing, catalog, &mut cx.issues);
    cx.issues
}

impl Ctx {
    fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.issues.push(Issue::new(path, code, message));
    }
}
