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
            t.sum += q;
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
/// also builds the breakdowns.
pub(crate) fn evaluate(
    scoring: &Scoring,
    tally: &mut dyn FnMut(usize) -> Tally,
    record: Option<&dyn FieldSource>,
    scores: &mut [Q],
    mut explain: Option<&mut Vec<ModelScore>>,
) {
    for (m, model) in scoring.models.iter().enumerate() {
        let mut lines = explain
            .as_ref()
            .map(|_| Vec::with_capacity(model.rules.len()));
        let mut adjustments = Vec::new();
        let mut group_sums = vec![0 as Q; model.groups.len()];
        let mut total: Q = 0;
        let mut flat = model.behaviour_base;
        for rule in &model.rules {
            let (value, line) = match &rule.kind {
                RuleKind::Behaviour(b) => {
                    let t = tally(flat);
                    flat += 1;
                    let mut value = t.sum;
                    if let Some(max) = b.max_q
                        && value.abs() > max
                    {
                        let capped = max * value.signum();
                        adjustments.push((
                            AdjustmentKind::RuleCap,
                            rule.name.clone(),
                            capped - value,
                        ));
                        value = capped;
                    }
                    let line = (RuleType::Behaviour, t.count, t.sum, t.contributions);
                    (value, line)
                }
                RuleKind::Fit(f) => {
                    let hit = record.is_some_and(|r| f.matches(r));
                    let v = if hit { f.points_q } else { 0 };
                    (v, (RuleType::Fit, u32::from(hit), v, Vec::new()))
                }
            };
            match rule.group {
                Some(g) => group_sums[g] += value,
                None => total += value,
            }
            if let Some(lines) = lines.as_mut() {
                let (rule_type, occurrences, points, contributions) = line;
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
        for ((name, cap), sum) in model.groups.iter().zip(&group_sums) {
            let mut s = *sum;
            if s > *cap {
                adjustments.push((AdjustmentKind::GroupCap, name.clone(), cap - s));
                s = *cap;
            }
            total += s;
        }
        for &(other, weight) in &model.combine {
            let term = quantize(to_f64(scores[other]) * weight);
            adjustments.push((
                AdjustmentKind::Combined,
                scoring.models[other].name.clone(),
                term,
            ));
            total += term;
        }
        total = clamp_model(model, total, &mut adjustments);
        scores[m] = total;
        if let (Some(out), Some(rules)) = (explain.as_mut(), lines) {
            out.push(ModelScore {
                model: model.name.clone(),
                score: to_f64(total),
                grade: grade(model, total).map(str::to_owned),
                rules,
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

fn clamp_model(model: &Model, total: Q, adjustments: &mut Vec<(AdjustmentKind, String, Q)>) -> Q {
    if let Some(cap) = model.cap
        && total > cap
    {
        adjustments.push((AdjustmentKind::ModelCap, model.name.clone(), cap - total));
        return cap;
    }
    if let Some(floor) = model.floor
        && total < floor
    {
        adjustments.push((
            AdjustmentKind::ModelFloor,
            model.name.clone(),
            floor - total,
        ));
        return floor;
    }
    total
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
