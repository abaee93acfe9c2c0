//! The one place where rule tallies become model scores: rule caps, group caps, combined
//! models, model caps and floors, grades. Incremental, per-lead and batch scoring all end
//! here, so they cannot disagree.

use super::explain::{Adjustment, AdjustmentKind, Contribution, ModelScore, RuleScore, RuleType};
use super::model::{Behaviour, Decay, Model, RuleKind, Scoring};
use super::points::{MAX_SCORE_POINTS, Q, Wide, narrow, quantize_wide, snap, to_f64, wide_to_f64};
use crate::error::Error;
use crate::model::FieldSource;
use chrono::{DateTime, Utc};

/// The counted occurrences of one behaviour rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tally {
    /// The rule's raw points (before its cap), exact.
    pub sum: Wide,
    pub count: u32,
    pub contributions: Vec<Contribution>,
}

/// A score, or a rule's uncapped points, beyond ±2^43 points: which model, which rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Overflow {
    model: usize,
    rule: Option<usize>,
}

impl Overflow {
    /// The typed error for `lead`.
    pub(crate) fn error(&self, scoring: &Scoring, lead: &str) -> Error {
        let model = scoring.models.get(self.model);
        let name = model.map_or("", |m| m.name.as_str());
        let what = match self.rule.and_then(|r| model?.rules.get(r)) {
            Some(rule) => format!(
                "the points of rule `{}` (it has no max_points) in model `{name}`",
                rule.name
            ),
            None => format!("the score of model `{name}`"),
        };
        Error::invalid_input(format!(
            "lead `{lead}`: {what} would be beyond ±{MAX_SCORE_POINTS} points, \
             the largest score leadcore computes exactly; cap the rule or the model"
        ))
    }
}

impl Tally {
    /// Tallies `times` (sorted ascending) for a rule at `now`: the earliest `limit` times
    /// inside the window and not after `now`. Finds them by binary search; without
    /// `explain`, a rule whose occurrences all weigh the same (no decay, expiry) is summed
    /// in O(log n), so a prediction can evaluate it at many times.
    pub(crate) fn from_sorted(b: &Behaviour, times: &[i64], now: i64, explain: bool) -> Tally {
        let hi = times.partition_point(|&t| t <= now);
        let lo = b
            .window
            .map_or(0, |w| times.partition_point(|&t| t < now.saturating_sub(w)))
            .min(hi);
        let end = hi.min(lo.saturating_add(b.limit as usize));
        let counted = times.get(lo..end).unwrap_or_default();
        let count = counted.len() as u32;
        let weighed = match b.decay {
            Decay::None => counted.len(),
            // Expired occurrences weigh nothing and are the earliest.
            Decay::Expiry(limit) => {
                counted.len() - counted.partition_point(|&t| now.saturating_sub(t) >= limit)
            }
            _ => usize::MAX,
        };
        let mut t = Tally {
            count,
            ..Tally::default()
        };
        if weighed != usize::MAX {
            t.sum = b.count_points(weighed as u64);
        } else {
            t.sum = b.decayed_points(now, counted.iter().copied());
        }
        if explain {
            for &at in counted {
                let factor = b.factor(now.saturating_sub(at));
                t.contributions.push(Contribution {
                    at: DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default(),
                    raw_points: b.points,
                    decay_factor: factor,
                    points: b.points * factor,
                });
            }
        }
        t
    }
}

/// Computes every model's quantised score into `scores` (one per model). With `explain`,
/// also builds the breakdowns. Allocates nothing per call without `explain` (for up to 16
/// groups per model). Sums are exact ([`Wide`]); a score, or the raw points of a rule
/// without `max_points`, beyond ±2^43 points is an [`Overflow`].
pub(crate) fn evaluate<T: FnMut(usize) -> Tally + ?Sized>(
    scoring: &Scoring,
    tally: &mut T,
    record: Option<&dyn FieldSource>,
    scores: &mut [Q],
    mut explain: Option<&mut Vec<ModelScore>>,
) -> Result<(), Overflow> {
    for (m, model) in scoring.models.iter().enumerate() {
        let explaining = explain.is_some();
        let mut lines = Vec::new();
        // Caps, floors and combined terms; recorded only when explaining.
        let mut adjustments: Vec<(AdjustmentKind, String, Wide)> = Vec::new();
        let mut note = |kind, name: &str, q| {
            if explaining {
                adjustments.push((kind, name.to_owned(), q));
            }
        };
        let mut small = [0 as Wide; 16];
        let mut big = Vec::new();
        let group_sums: &mut [Wide] = if model.groups.len() <= small.len() {
            &mut small[..model.groups.len()]
        } else {
            big.resize(model.groups.len(), 0);
            &mut big
        };
        let mut total: Wide = 0;
        let mut flat = model.behaviour_base;
        for (r, rule) in model.rules.iter().enumerate() {
            let (value, rule_type, occurrences, points, contributions) = match &rule.kind {
                RuleKind::Behaviour(b) => {
                    let t = tally(flat);
                    flat += 1;
                    // No points: nothing to cap or add (most leads meet most rules never).
                    if t.sum == 0 && !explaining {
                        continue;
                    }
                    let Some((value, adjust)) = rule_value(b, t.sum) else {
                        return Err(Overflow {
                            model: m,
                            rule: Some(r),
                        });
                    };
                    if let Some(adjust) = adjust {
                        note(AdjustmentKind::RuleCap, &rule.name, adjust);
                    }
                    (value, RuleType::Behaviour, t.count, t.sum, t.contributions)
                }
                RuleKind::Fit(f) => {
                    let hit = record.is_some_and(|r| f.matches(r));
                    let v = if hit { Wide::from(f.points_q) } else { 0 };
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
                    points: wide_to_f64(points),
                    contributions,
                });
            }
        }
        for ((name, cap), sum) in model.groups.iter().zip(group_sums.iter()) {
            let (s, adjust) = group_value(*sum, *cap);
            if let Some(adjust) = adjust {
                note(AdjustmentKind::GroupCap, name, adjust);
            }
            total = total.saturating_add(s);
        }
        for &(other, weight) in &model.combine {
            let term = quantize_wide(to_f64(scores[other]) * weight);
            note(AdjustmentKind::Combined, &scoring.models[other].name, term);
            total = total.saturating_add(term);
        }
        let (total, adjust) = model_value(model, total);
        if let Some((kind, adjust)) = adjust {
            note(kind, &model.name, adjust);
        }
        let Some(total) = narrow(total) else {
            return Err(Overflow {
                model: m,
                rule: None,
            });
        };
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
                        points: wide_to_f64(points),
                    })
                    .collect(),
            });
        }
    }
    Ok(())
}

/// A behaviour rule's value from its raw points `sum`: capped at its `max_points` (with the
/// cap's adjustment, an exact `f64`), or `None` where uncapped raw points are beyond a score.
#[inline]
fn rule_value(b: &Behaviour, sum: Wide) -> Option<(Wide, Option<Wide>)> {
    match b.max_q {
        Some(max) if sum.unsigned_abs() > max.unsigned_abs() => {
            let (value, adjust) = capped(max, sum);
            Some((value, Some(adjust)))
        }
        // Uncapped raw points count as they are: they must be a score.
        None if narrow(sum).is_none() => None,
        _ => Some((sum, None)),
    }
}

/// Raw points `sum` beyond a rule's `max` (in magnitude) as the rule counts them, and the
/// adjustment.
#[inline]
fn capped(max: Q, sum: Wide) -> (Wide, Wide) {
    let capped = max.abs() * sum.signum();
    let adjust = snap(capped.saturating_sub(sum));
    // Raw points beyond a score (saturated) are not known exactly: the cap is all that is.
    let value = match narrow(sum) {
        Some(v) => v.saturating_add(adjust),
        None => capped,
    };
    (value, adjust)
}

/// A group's value from the sum of its rules: capped at `cap`, with the cap's adjustment.
#[inline]
fn group_value(sum: Wide, cap: Wide) -> (Wide, Option<Wide>) {
    if sum > cap {
        let adjust = snap(cap.saturating_sub(sum));
        (sum.saturating_add(adjust), Some(adjust))
    } else {
        (sum, None)
    }
}

/// A model's total after its cap or floor, with the adjustment made. Every entry so far is
/// an exact `f64`; a cap or floor adds one more, so the score stays the exact sum of what the
/// breakdown shows (rounded once).
#[inline]
fn model_value(model: &Model, total: Wide) -> (Wide, Option<(AdjustmentKind, Wide)>) {
    if let Some(cap) = model.cap
        && total > cap
    {
        let adjust = snap(cap.saturating_sub(total));
        (
            total.saturating_add(adjust),
            Some((AdjustmentKind::ModelCap, adjust)),
        )
    } else if let Some(floor) = model.floor
        && total < floor
    {
        let adjust = snap(floor.saturating_sub(total));
        (
            total.saturating_add(adjust),
            Some((AdjustmentKind::ModelFloor, adjust)),
        )
    } else {
        (total, None)
    }
}

/// [`evaluate`] for a block of `n` leads at once, without explaining: `tallies(flat)` gives
/// behaviour rule `flat`'s raw points for each of the leads, `record(j)` lead `j`'s record;
/// each model's scores go to `scores[m * n..][..n]`. The same steps in the same order for
/// each lead, taken rule by rule over the block (a batch's leads meet most rules never: a
/// rule's zeros are skipped in a tight loop, not one call per lead and rule). `false` where
/// a lead's score would be an [`Overflow`]: [`evaluate`] then gives which, lead by lead.
pub(crate) fn evaluate_block<'r>(
    scoring: &Scoring,
    tallies: &dyn Fn(usize) -> &'r [Wide],
    record: &dyn Fn(usize) -> &'r dyn FieldSource,
    n: usize,
    scores: &mut [Q],
    work: &mut Vec<Wide>,
) -> bool {
    for (m, model) in scoring.models.iter().enumerate() {
        // Each rule adds less than 2^116 in magnitude (a score, or a configured cap or
        // points), so fewer than 2^11 of them sum without overflow and without saturating.
        if model.rules.len() >= 1 << 11 {
            return false;
        }
        work.clear();
        work.resize(n * (1 + model.groups.len()), 0);
        let (total, groups) = work.split_at_mut(n);
        let mut flat = model.behaviour_base;
        for rule in &model.rules {
            let into = match rule.group {
                Some(g) => &mut groups[g * n..(g + 1) * n],
                None => &mut total[..],
            };
            match &rule.kind {
                RuleKind::Behaviour(b) => {
                    let sums = tallies(flat);
                    flat += 1;
                    // As `rule_value`, without its `Option`s (which the compiler made a
                    // round trip through memory), one loop per kind of rule. No branch on a
                    // zero sum (it adds nothing): which leads met a rule is too irregular
                    // to predict.
                    match b.max_q {
                        Some(max) => {
                            let top = max.unsigned_abs();
                            for (to, &sum) in into.iter_mut().zip(sums) {
                                let value = if sum.unsigned_abs() > top {
                                    capped(max, sum).0
                                } else {
                                    sum
                                };
                                *to = to.wrapping_add(value);
                            }
                        }
                        None => {
                            // Overflow is rare: looked for once over the block.
                            let mut within = true;
                            for (to, &sum) in into.iter_mut().zip(sums) {
                                within &= narrow(sum).is_some();
                                *to = to.wrapping_add(sum);
                            }
                            if !within {
                                return false;
                            }
                        }
                    }
                }
                RuleKind::Fit(f) => {
                    for (j, to) in into.iter_mut().enumerate() {
                        if f.matches(record(j)) {
                            *to = to.wrapping_add(Wide::from(f.points_q));
                        }
                    }
                }
            }
        }
        for (g, (_, cap)) in model.groups.iter().enumerate() {
            for (to, &sum) in total.iter_mut().zip(&groups[g * n..(g + 1) * n]) {
                *to = to.saturating_add(group_value(sum, *cap).0);
            }
        }
        let (before, rest) = scores.split_at_mut(m * n);
        for &(other, weight) in &model.combine {
            for (to, &q) in total.iter_mut().zip(&before[other * n..(other + 1) * n]) {
                *to = to.saturating_add(quantize_wide(to_f64(q) * weight));
            }
        }
        for (out, &t) in rest[..n].iter_mut().zip(total.iter()) {
            let Some(t) = narrow(model_value(model, t).0) else {
                return false;
            };
            *out = t;
        }
    }
    true
}

/// Bounds of every model's score over a stretch of time in which each behaviour rule's raw
/// points move monotonically (no event enters, leaves or steps): `ends(flat)` gives the
/// rule's raw points at the stretch's two ends. Mirrors [`evaluate`] step by step; every
/// step (sums, rule and group caps, combined terms of either sign, model caps and floors)
/// is monotone, so the bounds hold at every time in between. Not checked for overflow:
/// the point evaluations that follow are.
pub(crate) fn evaluate_bounds(
    scoring: &Scoring,
    ends: &mut dyn FnMut(usize) -> (Wide, Wide),
    record: Option<&dyn FieldSource>,
    bounds: &mut Vec<(Wide, Wide)>,
) {
    bounds.clear();
    for model in &scoring.models {
        let mut groups = vec![(0 as Wide, 0 as Wide); model.groups.len()];
        let (mut lo, mut hi): (Wide, Wide) = (0, 0);
        let mut flat = model.behaviour_base;
        for rule in &model.rules {
            let (a, b) = match &rule.kind {
                RuleKind::Behaviour(beh) => {
                    let (x, y) = ends(flat);
                    flat += 1;
                    let (a, b) = (x.min(y), x.max(y));
                    match beh.max_q.map(|m| m.saturating_abs()) {
                        Some(max) => (a.clamp(-max, max), b.clamp(-max, max)),
                        None => (a, b),
                    }
                }
                RuleKind::Fit(f) => {
                    let v = if record.is_some_and(|r| f.matches(r)) {
                        Wide::from(f.points_q)
                    } else {
                        0
                    };
                    (v, v)
                }
            };
            match rule.group.and_then(|g| groups.get_mut(g)) {
                Some(g) => {
                    g.0 = g.0.saturating_add(a);
                    g.1 = g.1.saturating_add(b);
                }
                None => {
                    lo = lo.saturating_add(a);
                    hi = hi.saturating_add(b);
                }
            }
        }
        for ((_, cap), (a, b)) in model.groups.iter().zip(&groups) {
            lo = lo.saturating_add((*a).min(*cap));
            hi = hi.saturating_add((*b).min(*cap));
        }
        for &(other, weight) in &model.combine {
            let (a, b) = bounds.get(other).copied().unwrap_or_default();
            let x = quantize_wide(wide_to_f64(a) * weight);
            let y = quantize_wide(wide_to_f64(b) * weight);
            lo = lo.saturating_add(x.min(y));
            hi = hi.saturating_add(x.max(y));
        }
        // As `evaluate`: above the cap gives the cap, else below the floor gives the floor
        // (validation keeps floor <= cap).
        let clamp = |v: Wide| {
            let v = model.cap.map_or(v, |c| v.min(Wide::from(c)));
            model.floor.map_or(v, |f| v.max(Wide::from(f)))
        };
        bounds.push((clamp(lo), clamp(hi)));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One model `m` with these rules (JSON, so that every feature set runs the test).
    fn scoring(rules: &str) -> Scoring {
        let json = format!(
            r#"{{"schema_version": 1,
                "lifecycle": {{"name": "lead", "initial": "New", "stages": [{{"name": "New"}}]}},
                "scoring": {{"models": [{{"name": "m", "rules": [{rules}]}}]}}}}"#
        );
        crate::Playbook::from_json(&json).unwrap().scoring().clone()
    }

    fn run(s: &Scoring, sums: &[Wide]) -> Result<Q, Overflow> {
        let mut scores = vec![0; s.models.len()];
        let mut tally = |flat: usize| Tally {
            sum: sums[flat],
            ..Tally::default()
        };
        evaluate(s, &mut tally, None, &mut scores, None).map(|()| scores[0])
    }

    #[test]
    fn raw_points_beyond_a_score_are_an_overflow_unless_capped() {
        let s = scoring(
            r#"{"type": "behaviour", "name": "up", "activity": "web_visit", "points": 1000000},
               {"type": "behaviour", "name": "down", "activity": "email_opened", "points": -1000000}"#,
        );
        // A saturated sum offset by a large negative rule: the total would look in range,
        // but the rule's points are not known exactly.
        let pinned = Wide::MAX;
        let err = run(&s, &[pinned, -pinned + (1 << 80)]).unwrap_err();
        assert_eq!(err.rule, Some(0));
        // Sums below the bound add up exactly.
        let big = quantize_wide(8.0e12);
        assert_eq!(run(&s, &[big, -big + 5]), Ok(5));

        let capped = scoring(
            r#"{"type": "behaviour", "name": "up", "activity": "web_visit", "points": 1000000, "max_points": 100}"#,
        );
        assert_eq!(run(&capped, &[pinned]), Ok(quantize_wide(100.0)));
        assert_eq!(run(&capped, &[big]), Ok(quantize_wide(100.0)));
    }
}
