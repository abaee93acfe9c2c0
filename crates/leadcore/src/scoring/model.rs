//! A validated scoring setup: models compiled for fast matching and exact evaluation.

use super::conditions;
use super::points::{Q, quantize};
use super::spec::{
    DecaySpec, GradeBand, ModelSpec, Occurrence, RuleSpec, ScoringSpec, ThresholdSpec,
};
use crate::condition::compile::Sink;
use crate::condition::{Condition, Context};
use crate::model::{Activity, ActivityKind, Catalog, FieldSource};
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

/// Decay compiled to seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Decay {
    None,
    Expiry(i64),
    Step { keep: f64, period: i64 },
    HalfLife(f64),
}

impl Decay {
    fn compile(spec: DecaySpec) -> Self {
        match spec {
            DecaySpec::None => Decay::None,
            DecaySpec::Expiry { days } => Decay::Expiry(i64::from(days) * DAY),
            DecaySpec::Step {
                percent,
                period_days,
            } => Decay::Step {
                keep: 1.0 - percent / 100.0,
                period: i64::from(period_days.max(1)) * DAY,
            },
            DecaySpec::HalfLife { days } => Decay::HalfLife(days * DAY as f64),
        }
    }

    /// The factor for an event `age` seconds old (age >= 0).
    pub(crate) fn factor(self, age: i64) -> f64 {
        match self {
            Decay::None => 1.0,
            Decay::Expiry(limit) => {
                if age < limit {
                    1.0
                } else {
                    0.0
                }
            }
            Decay::Step { keep, period } => libm::pow(keep, (age / period) as f64),
            Decay::HalfLife(h) => libm::exp2(-(age as f64) / h),
        }
    }
}

/// A compiled behaviour rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Behaviour {
    pub activity: ActivityKind,
    /// Filters and `when`, as one condition on the activity (`None`: every activity).
    pub filter: Option<Condition>,
    pub points: f64,
    pub points_q: Q,
    /// How many earliest occurrences count (`u32::MAX`: every one).
    pub limit: u32,
    pub max_q: Option<Q>,
    pub window: Option<i64>,
    pub decay: Decay,
}

impl Behaviour {
    /// The quantised value of one occurrence `age` seconds old.
    pub(crate) fn term(&self, age: i64) -> (f64, Q) {
        match self.decay {
            Decay::None => (1.0, self.points_q),
            d => {
                let f = d.factor(age);
                (f, quantize(self.points * f))
            }
        }
    }

    /// Whether the activity is of the rule's kind and passes its condition. A missing
    /// attribute fails the comparisons on it and nothing else.
    pub(crate) fn matches(&self, a: &Activity) -> bool {
        a.kind == self.activity
            && self
                .filter
                .as_ref()
                .is_none_or(|c| c.holds(&Context::new().activity(a)))
    }
}

/// A compiled fit rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fit {
    pub condition: Condition,
    pub points_q: Q,
}

impl Fit {
    pub(crate) fn matches(&self, record: &dyn FieldSource) -> bool {
        self.condition.holds(&Context::new().record(record))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RuleKind {
    Behaviour(Behaviour),
    Fit(Fit),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    pub name: String,
    pub group: Option<usize>,
    pub kind: RuleKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    pub name: String,
    pub rules: Vec<Rule>,
    pub combine: Vec<(usize, f64)>,
    pub groups: Vec<(String, Q)>,
    pub cap: Option<Q>,
    pub floor: Option<Q>,
    pub grades: Vec<GradeBand>,
    pub thresholds: Vec<ThresholdSpec>,
    /// First index of this model's behaviour rules in the flat behaviour list.
    pub behaviour_base: usize,
}

/// A validated scoring setup, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    pub(crate) spec: ScoringSpec,
    pub(crate) models: Vec<Model>,
    /// Every behaviour rule of every model, flat: (model, rule index in model).
    pub(crate) behaviours: Vec<(usize, usize)>,
    /// Flat behaviour indices by activity kind.
    pub(crate) by_kind: BTreeMap<ActivityKind, Vec<usize>>,
    pub(crate) tolerance: i64,
    /// Fingerprint of rule and threshold names, stamped on score states.
    pub(crate) layout: u64,
    pub(crate) threshold_count: usize,
}

impl Scoring {
    /// Compiles a spec the validator accepted (against the same catalog).
    pub(crate) fn build(spec: &ScoringSpec, catalog: &Catalog) -> Self {
        let mut behaviours = Vec::new();
        let mut by_kind: BTreeMap<ActivityKind, Vec<usize>> = BTreeMap::new();
        let mut models: Vec<Model> = Vec::new();
        for (m, ms) in spec.models.iter().enumerate() {
            let model = compile_model(ms, &models, behaviours.len(), catalog);
            for (r, rule) in model.rules.iter().enumerate() {
                if let RuleKind::Behaviour(b) = &rule.kind {
                    by_kind
                        .entry(b.activity.clone())
                        .or_default()
                        .push(behaviours.len());
                    behaviours.push((m, r));
                }
            }
            models.push(model);
        }
        let layout = fingerprint(spec);
        let threshold_count = models.iter().map(|m| m.thresholds.len()).sum();
        Scoring {
            spec: spec.clone(),
            models,
            behaviours,
            by_kind,
            tolerance: i64::from(spec.future_tolerance_seconds),
            layout,
            threshold_count,
        }
    }

    /// The spec it was built from.
    pub fn spec(&self) -> &ScoringSpec {
        &self.spec
    }

    /// Model names, in declaration order.
    pub fn model_names(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.name.as_str()).collect()
    }

    pub(crate) fn model_index(&self, name: &str) -> Option<usize> {
        self.models.iter().position(|m| m.name == name)
    }

    pub(crate) fn behaviour(&self, flat: usize) -> Option<&Behaviour> {
        let &(m, r) = self.behaviours.get(flat)?;
        match &self.models.get(m)?.rules.get(r)?.kind {
            RuleKind::Behaviour(b) => Some(b),
            RuleKind::Fit(_) => None,
        }
    }
}

/// FNV-1a over the canonical JSON of everything a score state's contents depend on, in
/// order: each model's name, each behaviour rule as written (kind, filters and `when`,
/// points, occurrence, `max_points`, window) with its effective decay, each threshold's
/// name, level, hysteresis and refire policy, and what counts as engagement and follow-up.
/// A state made for other rules (even under the same names) is refused instead of misread.
fn fingerprint(spec: &ScoringSpec) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |value: serde_json::Value| {
        let text = crate::wire::canonical_json(&value);
        for b in text.bytes().chain([0xff]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for m in &spec.models {
        eat(serde_json::json!({ "model": m.name }));
        for r in &m.rules {
            if let RuleSpec::Behaviour { decay, .. } = r {
                eat(serde_json::json!({ "rule": r, "decay": decay.unwrap_or(m.decay) }));
            }
        }
        for t in &m.thresholds {
            eat(serde_json::json!({
                "threshold": t.name, "at": t.at, "hysteresis": t.hysteresis, "refire": t.refire
            }));
        }
    }
    eat(serde_json::json!({
        "hotness": spec.hotness.as_ref().map(|h| &h.kinds),
        "engagement": spec.zombie.as_ref().map(|z| &z.engagement_kinds),
        "follow_ups": spec.zombie.as_ref().map(|z| &z.follow_up_kinds),
    }));
    h
}

fn compile_model(
    ms: &ModelSpec,
    earlier: &[Model],
    behaviour_base: usize,
    catalog: &Catalog,
) -> Model {
    // Validation has reported any problem already; conditions that failed it cannot reach
    // here, so the issues collected while compiling again are dropped.
    let mut dropped = Vec::new();
    let mut sink = Sink {
        prefix: "rule",
        issues: &mut dropped,
    };
    let groups: Vec<(String, Q)> = ms
        .groups
        .iter()
        .map(|g| (g.name.clone(), quantize(g.cap)))
        .collect();
    let rules = ms
        .rules
        .iter()
        .map(|r| {
            let group = r
                .group()
                .and_then(|g| groups.iter().position(|(n, _)| n == g));
            let kind = match r {
                RuleSpec::Behaviour {
                    activity,
                    filters,
                    when,
                    points,
                    occurrence,
                    max_points,
                    window_days,
                    decay,
                    ..
                } => RuleKind::Behaviour(Behaviour {
                    activity: activity.clone(),
                    filter: conditions::behaviour("", filters, when.as_ref(), catalog, &mut sink)
                        .ok()
                        .flatten(),
                    points: *points,
                    points_q: quantize(*points),
                    limit: match occurrence {
                        Occurrence::Every => u32::MAX,
                        Occurrence::Once => 1,
                        Occurrence::AtMost(n) => *n,
                    },
                    max_q: max_points.map(quantize),
                    window: window_days.map(|d| i64::from(d) * DAY),
                    decay: Decay::compile(decay.unwrap_or(ms.decay)),
                }),
                RuleSpec::Fit { points, .. } => RuleKind::Fit(Fit {
                    condition: conditions::fit_rule("", r, catalog, &mut sink)
                        .unwrap_or_else(Condition::never),
                    points_q: quantize(*points),
                }),
            };
            Rule {
                name: r.name().to_owned(),
                group,
                kind,
            }
        })
        .collect();
    Model {
        name: ms.name.clone(),
        rules,
        combine: ms
            .combine
            .iter()
            .filter_map(|w| {
                earlier
                    .iter()
                    .position(|m| m.name == w.model)
                    .map(|i| (i, w.weight))
            })
            .collect(),
        groups,
        cap: ms.cap.map(quantize),
        floor: ms.floor.map(quantize),
        grades: ms.grades.clone(),
        thresholds: ms.thresholds.clone(),
        behaviour_base,
    }
}
