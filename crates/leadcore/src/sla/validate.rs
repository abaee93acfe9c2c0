//! Checks an `sla` section against the catalog: every problem, each at its path.

use super::model::condition_scope;
use super::spec::SlaSpec;
use crate::condition::Condition;
use crate::condition::Scope;
use crate::condition::compile::Sink;
use crate::error::Issue;
use crate::model::{Catalog, RecordKind};
use std::collections::BTreeSet;

/// Pushes every problem of `spec` onto `issues`.
pub(crate) fn validate(spec: &SlaSpec, catalog: &Catalog, issues: &mut Vec<Issue>) {
    let mut names = BTreeSet::new();
    for (i, p) in spec.policies.iter().enumerate() {
        let at = format!("sla.policies[{i}]");
        if p.name.trim().is_empty() {
            issues.push(Issue::new(
                format!("{at}.name"),
                "sla.empty_name",
                "a policy needs a name",
            ));
        } else if !names.insert(p.name.as_str()) {
            issues.push(Issue::new(
                format!("{at}.name"),
                "sla.duplicate_policy",
                format!("policy name `{}` is used twice", p.name),
            ));
        }
        if let Some(c) = &p.calendar
            && !catalog.knows_calendar(c)
        {
            let known = if catalog.calendars.is_empty() {
                "none is declared".to_owned()
            } else {
                format!("declared: {}", catalog.calendars.join(", "))
            };
            issues.push(Issue::new(
                format!("{at}.calendar"),
                "sla.unknown_calendar",
                format!("calendar `{c}` is not declared under `calendars` ({known})"),
            ));
        }
        if let Some(d) = p.due_soon
            && d.seconds() >= p.target.seconds()
        {
            issues.push(Issue::new(
                format!("{at}.due_soon"),
                "sla.due_soon_too_long",
                format!(
                    "`due_soon` ({d}) must be shorter than the target ({})",
                    p.target
                ),
            ));
        }
        for (k, kind) in p.attempts.iter().enumerate() {
            if !catalog.knows_activity_kind(kind) {
                issues.push(Issue::new(
                    format!("{at}.attempts[{k}]"),
                    "sla.unknown_activity_kind",
                    format!("activity kind `{kind}` is neither built in nor declared under `activity_kinds`"),
                ));
            }
        }
        let mut last = 0;
        for (k, step) in p.escalations.iter().enumerate() {
            let after = step.after.map_or(0, |d| d.seconds());
            if k > 0 && after <= last {
                issues.push(Issue::new(
                    format!("{at}.escalations[{k}].after"),
                    "sla.escalation_order",
                    "escalation steps are listed in increasing `after`, each later than the one before",
                ));
            }
            last = after;
            if step.actions.is_empty() {
                issues.push(Issue::new(
                    format!("{at}.escalations[{k}].actions"),
                    "sla.empty_escalation",
                    "an escalation step needs at least one action",
                ));
            }
            crate::action::validate(
                &format!("{at}.escalations[{k}].actions"),
                &step.actions,
                issues,
            );
        }
        let mut sink = Sink {
            prefix: "sla",
            issues,
        };
        if let Some(c) = &p.applies {
            Condition::compile_in(
                c,
                catalog,
                Scope::record(RecordKind::Lead),
                &format!("{at}.applies"),
                &mut sink,
            );
        }
        for (key, c) in [
            ("start", p.start.as_ref()),
            ("stop", Some(&p.stop)),
            ("pause", p.pause.as_ref()),
        ] {
            if let Some(c) = c {
                Condition::compile_in(
                    c,
                    catalog,
                    condition_scope(),
                    &format!("{at}.{key}"),
                    &mut sink,
                );
            }
        }
    }
}
