//! Validation of the `scoring` section: every problem at once, each at its exact path.

use super::conditions;
use super::points::MAX_CONFIGURED;
use super::spec::{DecaySpec, ModelSpec, Occurrence, RuleSpec, ScoringSpec};
use crate::condition::compile::Sink;
use crate::error::Issue;
use crate::model::{ActivityKind, Catalog};
use std::collections::BTreeSet;

const MAX_POINTS: f64 = 1e6;

struct Cx<'a> {
    catalog: &'a Catalog,
    issues: &'a mut Vec<Issue>,
}

/// Appends the scoring section's problems to `issues`.
pub(crate) fn validate(spec: &ScoringSpec, catalog: &Catalog, issues: &mut Vec<Issue>) {
    let mut cx = Cx { catalog, issues };
    let mut names: Vec<&str> = Vec::new();
    for (i, m) in spec.models.iter().enumerate() {
        let p = format!("scoring.models[{i}]");
        if m.name.trim().is_empty() {
            cx.push(
                format!("{p}.name"),
                "score_model.empty_name",
                "a model needs a name",
            );
        } else if names.contains(&m.name.as_str()) {
            cx.push(
                format!("{p}.name"),
                "score_model.duplicate",
                format!("model `{}` is declared twice", m.name),
            );
        }
        cx.model(&p, m, &names);
        names.push(m.name.as_str());
    }
    if let Some(h) = &spec.hotness {
        if h.events == 0 {
            cx.push(
                "scoring.hotness.events",
                "hotness.invalid_value",
                "events must be at least 1",
            );
        }
        if h.within_minutes == 0 {
            cx.push(
                "scoring.hotness.within_minutes",
                "hotness.invalid_value",
                "within_minutes must be at least 1",
            );
        }
        cx.kinds("scoring.hotness.kinds", &h.kinds);
    }
    if let Some(z) = &spec.zombie {
        if z.follow_ups == 0 {
            cx.push(
                "scoring.zombie.follow_ups",
                "zombie.invalid_value",
                "follow_ups must be at least 1",
            );
        }
        cx.kinds("scoring.zombie.follow_up_kinds", &z.follow_up_kinds);
        cx.kinds("scoring.zombie.engagement_kinds", &z.engagement_kinds);
        if z.action.trim().is_empty() {
            cx.push(
                "scoring.zombie.action",
                "action.empty_kind",
                "name the action",
            );
        }
    }
}

impl Cx<'_> {
    fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.issues.push(Issue::new(path, code, message));
    }

    fn number(&mut self, path: String, code: &str, v: f64, limit: f64) -> bool {
        if v.is_finite() && v.abs() <= limit {
            true
        } else {
            self.push(
                path,
                code,
                format!("must be a finite number of magnitude at most {limit:e}"),
            );
            false
        }
    }

    fn kinds(&mut self, path: &str, kinds: &[ActivityKind]) {
        for (k, kind) in kinds.iter().enumerate() {
            self.kind(format!("{path}[{k}]"), kind);
        }
    }

    fn kind(&mut self, path: String, kind: &ActivityKind) {
        if let ActivityKind::Custom(name) = kind
            && !self.catalog.knows_activity_kind(kind)
        {
            self.push(
                path,
                "rule.unknown_activity_kind",
                format!("`{name}` is neither a built-in activity kind nor declared under `activity_kinds`"),
            );
        }
    }

    fn model(&mut self, p: &str, m: &ModelSpec, earlier: &[&str]) {
        let mut rule_names = BTreeSet::new();
        let mut group_names = BTreeSet::new();
        for (g, group) in m.groups.iter().enumerate() {
            if !group_names.insert(group.name.as_str()) {
                self.push(
                    format!("{p}.groups[{g}].name"),
                    "group.duplicate",
                    format!("group `{}` is declared twice", group.name),
                );
            }
            if self.number(
                format!("{p}.groups[{g}].cap"),
                "group.invalid_cap",
                group.cap,
                MAX_CONFIGURED,
            ) && group.cap < 0.0
            {
                self.push(
                    format!("{p}.groups[{g}].cap"),
                    "group.invalid_cap",
                    "a cap cannot be negative",
                );
            }
        }
        for (r, rule) in m.rules.iter().enumerate() {
            let rp = format!("{p}.rules[{r}]");
            if rule.name().trim().is_empty() {
                self.push(
                    format!("{rp}.name"),
                    "rule.empty_name",
                    "a rule needs a name",
                );
            } else if !rule_names.insert(rule.name()) {
                self.push(
                    format!("{rp}.name"),
                    "rule.duplicate_name",
                    format!("rule `{}` is declared twice in this model", rule.name()),
                );
            }
            self.number(
                format!("{rp}.points"),
                "rule.invalid_points",
                rule.points(),
                MAX_POINTS,
            );
            if let Some(g) = rule.group()
                && !group_names.contains(g)
            {
                self.push(
                    format!("{rp}.group"),
                    "rule.unknown_group",
                    format!("group `{g}` is not declared in this model"),
                );
            }
            match rule {
                RuleSpec::Behaviour {
                    activity,
                    filters,
                    when,
                    occurrence,
                    max_points,
                    window_days,
                    decay,
                    ..
                } => {
                    self.kind(format!("{rp}.activity"), activity);
                    let _ = conditions::behaviour(
                        &rp,
                        filters,
                        when.as_ref(),
                        self.catalog,
                        &mut Sink {
                            prefix: "rule",
                            issues: self.issues,
                        },
                    );
                    if *occurrence == Occurrence::AtMost(0) {
                        self.push(
                            format!("{rp}.occurrence"),
                            "rule.invalid_value",
                            "at_most must be at least 1",
                        );
                    }
                    if let Some(max) = max_points
                        && self.number(
                            format!("{rp}.max_points"),
                            "rule.invalid_cap",
                            *max,
                            MAX_CONFIGURED,
                        )
                        && *max <= 0.0
                    {
                        self.push(
                            format!("{rp}.max_points"),
                            "rule.invalid_cap",
                            "max_points must be positive",
                        );
                    }
                    if *window_days == Some(0) {
                        self.push(
                            format!("{rp}.window_days"),
                            "rule.invalid_value",
                            "window_days must be at least 1",
                        );
                    }
                    if let Some(d) = decay {
                        self.decay(&format!("{rp}.decay"), d);
                    }
                }
                RuleSpec::Fit { .. } => {
                    conditions::fit_rule(
                        &rp,
                        rule,
                        self.catalog,
                        &mut Sink {
                            prefix: "rule",
                            issues: self.issues,
                        },
                    );
                }
            }
        }
        self.decay(&format!("{p}.decay"), &m.decay);
        for (w, term) in m.combine.iter().enumerate() {
            if !earlier.contains(&term.model.as_str()) {
                self.push(
                    format!("{p}.combine[{w}].model"),
                    "score_model.unknown_combined",
                    format!(
                        "model `{}` must be declared before `{}`",
                        term.model, m.name
                    ),
                );
            }
            self.number(
                format!("{p}.combine[{w}].weight"),
                "score_model.invalid_weight",
                term.weight,
                MAX_CONFIGURED,
            );
        }
        let cap = m.cap.filter(|c| {
            self.number(
                format!("{p}.cap"),
                "score_model.invalid_cap",
                *c,
                MAX_CONFIGURED,
            )
        });
        let floor = m.floor.filter(|f| {
            self.number(
                format!("{p}.floor"),
                "score_model.invalid_cap",
                *f,
                MAX_CONFIGURED,
            )
        });
        if let (Some(c), Some(f)) = (cap, floor)
            && f > c
        {
            self.push(
                format!("{p}.floor"),
                "score_model.invalid_cap",
                "floor is above cap",
            );
        }
        let mut bands: Vec<(f64, f64, usize)> = Vec::new();
        for (g, band) in m.grades.iter().enumerate() {
            let gp = format!("{p}.grades[{g}]");
            if band.grade.trim().is_empty() {
                self.push(format!("{gp}.grade"), "grade.empty", "a band needs a grade");
            }
            let lo = band.min.unwrap_or(f64::NEG_INFINITY);
            let hi = band.max.unwrap_or(f64::INFINITY);
            if lo.is_nan()
                || hi.is_nan()
                || lo >= hi
                || band.min.is_some_and(|v| !v.is_finite())
                || band.max.is_some_and(|v| !v.is_finite())
            {
                self.push(
                    gp,
                    "grade.invalid_band",
                    "a band needs finite bounds with min < max",
                );
                continue;
            }
            if let Some(&(_, _, other)) = bands.iter().find(|(a, b, _)| lo < *b && *a < hi) {
                self.push(
                    gp,
                    "grade.overlap",
                    format!(
                        "band `{}` overlaps band `{}`",
                        band.grade, m.grades[other].grade
                    ),
                );
            }
            bands.push((lo, hi, g));
        }
        for (t, th) in m.thresholds.iter().enumerate() {
            let tp = format!("{p}.thresholds[{t}]");
            self.number(
                format!("{tp}.at"),
                "threshold.invalid_value",
                th.at,
                MAX_CONFIGURED,
            );
            if self.number(
                format!("{tp}.hysteresis"),
                "threshold.invalid_value",
                th.hysteresis,
                MAX_CONFIGURED,
            ) && th.hysteresis < 0.0
            {
                self.push(
                    format!("{tp}.hysteresis"),
                    "threshold.invalid_value",
                    "hysteresis cannot be negative",
                );
            }
            for (field, list) in [("on_up", &th.on_up), ("on_down", &th.on_down)] {
                crate::action::validate(&format!("{tp}.{field}"), list, self.issues);
            }
        }
    }

    fn decay(&mut self, p: &str, d: &DecaySpec) {
        match *d {
            DecaySpec::None => {}
            DecaySpec::Expiry { days } => {
                if days == 0 {
                    self.push(
                        format!("{p}.days"),
                        "decay.invalid_value",
                        "days must be at least 1",
                    );
                }
            }
            DecaySpec::Step {
                percent,
                period_days,
            } => {
                if !(percent.is_finite() && percent > 0.0 && percent <= 100.0) {
                    self.push(
                        format!("{p}.percent"),
                        "decay.invalid_value",
                        "percent must be in (0, 100]",
                    );
                }
                if period_days == 0 {
                    self.push(
                        format!("{p}.period_days"),
                        "decay.invalid_value",
                        "period_days must be at least 1",
                    );
                }
            }
            DecaySpec::HalfLife { days } => {
                if !(days.is_finite() && days > 0.0) {
                    self.push(
                        format!("{p}.days"),
                        "decay.invalid_half_life",
                        "a half-life must be a positive number of days",
                    );
                }
            }
        }
    }
}
