//! The one place where rule tallies become model scores: rule caps, group caps, combined
//! models, model caps and floors, grades. Incremental, per-lead and batch scoring all end
//! here, so they cannot disagree.

use super::explain::{Adjustment, AdjustmentKind, Contribution, ModelScore, RuleScore, RuleType};
use super::model::{Behaviour, Model, RuleKind, Scoring};
use super::points::{Q, quantize, to_f64};
use crate::model::FieldSource;
use chrono::{DateTime, Utc};

/// The counted occurrences of one behaviour rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tally {
    pub sum: Q,
    pub count: u32,
    pub contributions: Vec<Contribution>,
}

impl Tally {
    /// Tallies `times` (sorted ascending) for a rule at `now`.
    pub(crate) fn from_sorted(b: &Behaviour, times: &[i64], now: i64, explain: bool) -> Tally {
        let mut t = Tally::default();
        for &at in times {
            if at > now {
                break;
            }
            if !b.eligible(at, now) {
                continue;
            }
            if t.count >= b.limit {
                break;
            }
            let (factor, q) = b.term(now.saturating_sub(at));
            t.sum = t.sum.saturating_add(q);
            t.count += 1;
            if explain {
                t.contributions.push(Contribution {
                    at: DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default(),
                    raw_points: b.points,
                    decay_factor: factor,
                    points: to_f64(q),
                });
            }
        }
        t
    }
}

/// Computes every model's quantised score into `scores` (one per model). With `explain`,
/// also builds the breakdowns. Allocates nothing per call without `explain` (for up to 16
/// groups per model).
pub(crate) fn evaluate(
    scoring: &Scoring,
    tally: &mut dyn FnMut(usize) -> Tally,
    record: Option<&dyn FieldSource>,
    scores: &mut [Q],
    mut explain: Option<&mut Vec<ModelScore>>,
) {
    for (m, model) in scoring.models.iter().enumerate() {
        let explaining = explain.is_some();
        let mut lines = Vec::new();
        // Caps, floors and combined terms; recorded only when explaining.
        let mut adjustments: Vec<(AdjustmentKind, String, Q)> = Vec::new();
        let mut note = |kind, name: &str, q| {
            if explaining {
                adjustments.push((kind, name.to_owned(), q));
            }
        };
        let mut small = [0 as Q; 16];
        let mut big = Vec::new();
        let group_sums: &mut [Q] = if model.groups.len() <= small.len() {
            &mut small[..model.groups.len()]
        } else {
            big.resize(model.groups.len(), 0);
            &mut big
        };
        let mut total: Q = 0;
        let mut flat = model.behaviour_base;
        for rule in &model.rules {
            let (value, rule_type, occurrences, points, contributions) = match &rule.kind {
                RuleKind::Behaviour(b) => {
                    let t = tally(flat);
                    flat += 1;
                    let mut value = t.sum;
                    if let Some(max) = b.max_q
                        && value.unsigned_abs() > max.unsigned_abs()
                    {
                        let capped = max * value.signum();
                        note(
                            AdjustmentKind::RuleCap,
                            &rule.name,
                            capped.saturating_sub(value),
                        );
                        value = capped;
                    }
                    (value, RuleType::Behaviour, t.count, t.sum, t.contributions)
                }
                RuleKind::Fit(f) => {
                    let hit = record.is_some_and(|r| f.matches(r));
                    let v = if hit { f.points_q } else { 0 };
                    (v, RuleType::Fit, u32::from(hit), v, Vec::new())
                }
            };
            match rule.group {
                Some(g) => group_sums[g] = group_sums[g].saturating_add(value),
                None => total = total.saturating_add(value),
            }
            if explaining {
                lines.push(RuleScore {
                    rule: rule.name.clone(),
                    rule_type,
                    group: rule.group.map(|g| model.groups[g].0.clone()),
                    occurrences,
                    points: to_f64(points),
                    contributions,
                });
            }
        }
        for ((name, cap), sum) in model.groups.iter().zip(group_sums.iter()) {
            let mut s = *sum;
            if s > *cap {
                note(AdjustmentKind::GroupCap, name, cap.saturating_sub(s));
                s = *cap;
            }
            total = total.saturating_add(s);
        }
        for &(other, weight) in &model.combine {
            let term = quantize(to_f64(scores[other]) * weight);
            note(AdjustmentKind::Combined, &scoring.models[other].name, term);
            total = total.saturating_add(term);
        }
        if let Some(cap) = model.cap
            && total > cap
        {
            note(
                AdjustmentKind::ModelCap,
                &model.name,
                cap.saturating_sub(total),
            );
            total = cap;
        } else if let Some(floor) = model.floor
            && total < floor
        {
            note(
                AdjustmentKind::ModelFloor,
                &model.name,
                floor.saturating_sub(total),
            );
            total = floor;
        }
        scores[m] = total;
        if let Some(out) = explain.as_mut() {
            out.push(ModelScore {
                model: model.name.clone(),
                score: to_f64(total),
                grade: grade(model, total).map(str::to_owned),
                rules: lines,
                adjustments: adjustments
                    .into_iter()
                    .map(|(kind, name, points)| Adjustment {
                        kind,
                        name,
                        points: to_f64(points),
                    })
                    .collect(),
            });
        }
    }
}

/// The grade band a quantised score falls in.
pub(crate) fn grade(model: &Model, score: Q) -> Option<&str> {
    let s = to_f64(score);
    model
        .grades
        .iter()
        .find(|b| b.min.is_none_or(|m| s >= m) && b.max.is_none_or(|m| s < m))
        .map(|b| b.grade.as_str())
}
