//! Columnar batch scoring: arrays of lead index, kind, time and attributes in, one score per
//! lead and model out, bad rows reported per row.

use super::evaluate::{Tally, evaluate, grade};
use super::model::Scoring;
use super::points::{Q, to_f64};
use crate::error::{Error, Result};
use crate::lifecycle::compare_values;
use crate::model::{ActivityKind, FieldValue, Lead};
use crate::playbook::CompareOp;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The code marking a missing value in a [`DictColumn`].
pub const NULL_CODE: u32 = u32::MAX;

/// A dictionary-encoded string column: row `i` holds `dictionary[codes[i]]`, or nothing when
/// the code is [`NULL_CODE`].
#[derive(Debug, Clone, Copy)]
pub struct DictColumn<'a> {
    /// One code per row.
    pub codes: &'a [u32],
    /// The distinct values.
    pub dictionary: &'a [String],
}

/// Activity events as columns. Every column has one entry per row.
#[derive(Debug, Clone, Copy)]
pub struct EventColumns<'a> {
    /// Index of the row's lead in the `leads` slice.
    pub lead: &'a [u32],
    /// Activity kind names.
    pub kind: DictColumn<'a>,
    /// Unix seconds.
    pub at: &'a [i64],
    /// Page of web visits.
    pub page: Option<DictColumn<'a>>,
    /// Seconds on page / duration; negative means missing.
    pub seconds: Option<&'a [i64]>,
    /// Campaign.
    pub campaign: Option<DictColumn<'a>>,
    /// Form id.
    pub form_id: Option<DictColumn<'a>>,
    /// Content id.
    pub content_id: Option<DictColumn<'a>>,
}

/// A row the batch could not use, and why. The rest of the batch is scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Row number.
    pub row: usize,
    /// `unknown_lead`, `in_future`, `missing_attribute`.
    pub reason: String,
    /// What is wrong.
    pub message: String,
}

/// Scores of a batch: `scores[lead * models.len() + m]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchScores {
    /// Model names, the column order of `scores`.
    pub models: Vec<String>,
    /// Lead-major scores.
    pub scores: Vec<f64>,
    /// Lead-major grades (`None` where a model has no bands or the score is in none).
    pub grades: Vec<Option<String>>,
    /// Rows that were not counted.
    pub row_errors: Vec<RowError>,
}

impl BatchScores {
    /// The score of lead `lead` in model `model`.
    pub fn score(&self, lead: usize, model: &str) -> Option<f64> {
        let m = self.models.iter().position(|n| n == model)?;
        self.scores.get(lead * self.models.len() + m).copied()
    }
}

/// A filter compiled against the batch: per-dictionary-entry results for string attributes.
enum ColumnTest<'a> {
    Dict {
        col: DictColumn<'a>,
        hits: Vec<bool>,
        attr: String,
    },
    Seconds {
        col: &'a [i64],
        op: CompareOp,
        value: FieldValue,
    },
    Missing(String),
}

impl Scoring {
    /// Scores a columnar batch of events for `leads` at `now`, in one pass over the rows
    /// plus one per lead. Events after `now` do not count; events later than `now` plus the
    /// tolerance, for a lead index out of range, or lacking an attribute a matching rule
    /// filters on become [`RowError`]s. Gives exactly the scores [`Scoring::score`] gives
    /// each lead.
    pub fn score_columns(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        let rows = events.lead.len();
        let lengths = [
            Some(events.kind.codes.len()),
            Some(events.at.len()),
            events.page.map(|c| c.codes.len()),
            events.seconds.map(<[i64]>::len),
            events.campaign.map(|c| c.codes.len()),
            events.form_id.map(|c| c.codes.len()),
            events.content_id.map(|c| c.codes.len()),
        ];
        if lengths.iter().flatten().any(|&l| l != rows) {
            return Err(Error::InvalidInput {
                message: "event columns have different lengths".to_owned(),
            });
        }
        let now_s = now.timestamp();
        let n_rules = self.behaviours.len();
        let n_leads = leads.len();

        // Kind code -> flat behaviour rules, and each rule's filters against the columns.
        let kind_rules: Vec<&[usize]> = events
            .kind
            .dictionary
            .iter()
            .map(|k| {
                self.by_kind
                    .get(&ActivityKind::parse(k))
                    .map_or(&[][..], Vec::as_slice)
            })
            .collect();
        let tests: Vec<Vec<ColumnTest<'_>>> = (0..n_rules)
            .map(|flat| self.column_tests(flat, events))
            .collect();
        let limited: Vec<Option<usize>> = {
            let mut next = 0;
            (0..n_rules)
                .map(|f| {
                    self.behaviour(f).filter(|b| b.limit != u32::MAX).map(|_| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        };
        let n_limited = limited.iter().flatten().count();

        let mut sums: Vec<Q> = vec![0; n_leads * n_rules];
        let mut counts: Vec<u32> = vec![0; n_leads * n_rules];
        let mut kept: Vec<Vec<i64>> = vec![Vec::new(); n_leads * n_limited];
        let mut row_errors = Vec::new();
        let horizon = now_s.saturating_add(self.tolerance);

        for row in 0..rows {
            let lead = events.lead[row] as usize;
            let at = events.at[row];
            if lead >= n_leads {
                row_errors.push(RowError {
                    row,
                    reason: "unknown_lead".to_owned(),
                    message: format!("lead index {lead} is not among the {n_leads} leads"),
                });
                continue;
            }
            let Some(rules) = kind_rules.get(events.kind.codes[row] as usize) else {
                continue; // a NULL or unscored kind
            };
            if at > horizon {
                row_errors.push(RowError {
                    row,
                    reason: "in_future".to_owned(),
                    message: format!("event at {at} is after now ({now_s})"),
                });
                continue;
            }
            if rules.is_empty() || at > now_s {
                continue;
            }
            let mut matched = [0usize; 16];
            let mut n_matched = 0;
            let mut missing = None;
            for &flat in *rules {
                match passes(&tests[flat], row) {
                    Ok(true) if n_matched < matched.len() => {
                        matched[n_matched] = flat;
                        n_matched += 1;
                    }
                    Ok(true) => {
                        // More than 16 rules on one kind: fall back to applying at once.
                        self.count(
                            flat,
                            lead,
                            at,
                            now_s,
                            &limited,
                            n_limited,
                            &mut sums,
                            &mut counts,
                            &mut kept,
                        );
                    }
                    Ok(false) => {}
                    Err(attr) => {
                        missing = Some((flat, attr.to_owned()));
                        break;
                    }
                }
            }
            if let Some((flat, attr)) = missing {
                row_errors.push(RowError {
                    row,
                    reason: "missing_attribute".to_owned(),
                    message: format!(
                        "event lacks `{attr}`, which rule `{}` filters on",
                        self.behaviours
                            .get(flat)
                            .map_or("", |&(m, r)| self.models[m].rules[r].name.as_str())
                    ),
                });
                continue;
            }
            for &flat in &matched[..n_matched] {
                self.count(
                    flat,
                    lead,
                    at,
                    now_s,
                    &limited,
                    n_limited,
                    &mut sums,
                    &mut counts,
                    &mut kept,
                );
            }
        }

        let n_models = self.models.len();
        let mut scores_q = vec![0 as Q; n_models];
        let mut scores = Vec::with_capacity(n_leads * n_models);
        let mut grades = Vec::with_capacity(n_leads * n_models);
        for (l, lead) in leads.iter().enumerate() {
            let base = l * n_rules;
            let mut tally = |flat: usize| match (limited[flat], self.behaviour(flat)) {
                (Some(slot), Some(b)) => {
                    let times = &mut kept[l * n_limited + slot];
                    times.sort_unstable();
                    Tally::from_sorted(b, times, now_s, false)
                }
                _ => Tally {
                    sum: sums[base + flat],
                    count: counts[base + flat],
                    contributions: Vec::new(),
                },
            };
            evaluate(self, &mut tally, Some(lead), &mut scores_q, None);
            for (m, &q) in scores_q.iter().enumerate() {
                scores.push(to_f64(q));
                grades.push(grade(&self.models[m], q).map(str::to_owned));
            }
        }
        Ok(BatchScores {
            models: self.models.iter().map(|m| m.name.clone()).collect(),
            scores,
            grades,
            row_errors,
        })
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn count(
        &self,
        flat: usize,
        lead: usize,
        at: i64,
        now: i64,
        limited: &[Option<usize>],
        n_limited: usize,
        sums: &mut [Q],
        counts: &mut [u32],
        kept: &mut [Vec<i64>],
    ) {
        let Some(b) = self.behaviour(flat) else {
            return;
        };
        if !b.eligible(at, now) {
            return;
        }
        match limited[flat] {
            Some(slot) => keep_earliest(&mut kept[lead * n_limited + slot], at, b.limit),
            None => {
                let i = lead * self.behaviours.len() + flat;
                sums[i] += b.term(now - at).1;
                counts[i] += 1;
            }
        }
    }

    fn column_tests<'a>(&self, flat: usize, events: &EventColumns<'a>) -> Vec<ColumnTest<'a>> {
        let Some(b) = self.behaviour(flat) else {
            return Vec::new();
        };
        b.filters
            .iter()
            .map(|f| {
                let dict = match f.attr.as_str() {
                    "page" => Some(events.page),
                    "campaign" => Some(events.campaign),
                    "form_id" => Some(events.form_id),
                    "content_id" => Some(events.content_id),
                    _ => None,
                };
                match (dict, f.attr.as_str(), events.seconds) {
                    (Some(Some(col)), _, _) => ColumnTest::Dict {
                        col,
                        hits: col
                            .dictionary
                            .iter()
                            .map(|v| compare_values(&FieldValue::Text(v.clone()), f.op, &f.value))
                            .collect(),
                        attr: f.attr.clone(),
                    },
                    (None, "seconds", Some(col)) => ColumnTest::Seconds {
                        col,
                        op: f.op,
                        value: f.value.clone(),
                    },
                    _ => ColumnTest::Missing(f.attr.clone()),
                }
            })
            .collect()
    }
}

/// Whether a row passes a rule's compiled filters; `Err(attr)` when it lacks one.
fn passes<'t>(tests: &'t [ColumnTest<'_>], row: usize) -> Result<bool, &'t str> {
    for t in tests {
        let ok = match t {
            ColumnTest::Dict { col, hits, attr } => match col.codes.get(row) {
                Some(&NULL_CODE) | None => return Err(attr),
                Some(&c) => hits.get(c as usize).copied().unwrap_or(false),
            },
            ColumnTest::Seconds { col, op, value } => match col.get(row) {
                Some(&v) if v >= 0 => compare_values(&FieldValue::Int(v), *op, value),
                _ => return Err("seconds"),
            },
            ColumnTest::Missing(attr) => return Err(attr),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Keeps the `limit` earliest times.
fn keep_earliest(times: &mut Vec<i64>, t: i64, limit: u32) {
    if (times.len() as u32) < limit {
        times.push(t);
        return;
    }
    if let Some((i, &latest)) = times.iter().enumerate().max_by_key(|&(_, v)| *v)
        && t < latest
    {
        times[i] = t;
    }
}
