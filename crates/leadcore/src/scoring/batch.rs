//! Columnar batch scoring: arrays of lead index, kind, time and attributes in, one score per
//! lead and model out, bad rows reported per row.

use super::evaluate::{Tally, evaluate, grade};
use super::model::Scoring;
use super::points::{Q, to_f64};
use crate::columnar::{AttrColumn, AttrValues, EventColumns, RowError, RowErrorReason};
use crate::condition::RowCondition;
use crate::error::{Error, Result};
use crate::model::{Activity, ActivityKind, AttributeDef, FieldType, Lead};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

    /// One model's scores and grades as columns, one row per lead (what the Arrow and
    /// DataFrame outputs are made of).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{EventTable, Lead, Playbook};
    /// let table: EventTable = serde_json::from_str(
    ///     r#"{"lead_id": ["A"], "kind": ["trial_signup"], "at": [1767225600]}"#).unwrap();
    /// let now = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
    /// let pb = Playbook::default_playbook();
    /// let out = pb.scoring().score_table(&[Lead::new("A"), Lead::new("B")], &table, now).unwrap();
    /// let (scores, grades) = out.model_column("engagement").unwrap();
    /// assert_eq!(scores, [25.0, 0.0]);
    /// assert_eq!(grades, [None, None]);
    /// ```
    pub fn model_column(&self, model: &str) -> Option<(Vec<f64>, Vec<Option<&str>>)> {
        let m = self.models.iter().position(|n| n == model)?;
        let width = self.models.len();
        let scores = self.scores.iter().skip(m).step_by(width).copied().collect();
        let grades = self
            .grades
            .iter()
            .skip(m)
            .step_by(width)
            .map(Option::as_deref)
            .collect();
        Some((scores, grades))
    }
}

/// The range of Unix seconds an event time may take (what `chrono` represents).
pub(crate) const MIN_TIME: i64 = -8_334_601_228_800;
/// See [`MIN_TIME`].
pub(crate) const MAX_TIME: i64 = 8_210_266_876_799;

/// Rows per chunk between update passes.
const CHUNK_ROWS: usize = 1024;

/// How many rows (or leads) a stoppable batch runs between two calls of its `keep_going`
/// hook: about a millisecond of work.
pub const STOP_CHECK_ROWS: usize = 16 * CHUNK_ROWS;

/// One pending change to a lead's block: a quantised term, or a time for a limited rule.
struct Update {
    lead: u32,
    flat: u32,
    value: i64,
}

/// Occurrence limits up to this many are kept inline in the lead's block.
const INLINE_LIMIT: u32 = 8;

/// Where a rule's running state lives in a lead's block.
#[derive(Clone, Copy)]
enum Placement {
    /// A running sum at the rule's index.
    Sum,
    /// A count then `limit` times, from this index.
    Inline(usize),
    /// Times in the side table, this slot.
    Side(usize),
}

/// A behaviour rule reduced to what the row loop reads.
struct HotRule {
    window_start: i64,
    placement: Placement,
    limit: u32,
    constant: Option<Q>,
}

impl Scoring {
    /// Scores a columnar batch of events for `leads` at `now`, in one pass over the rows
    /// plus one per lead. Events after `now` do not count; events later than `now` plus the
    /// tolerance, at an unrepresentable time, for a lead index out of range, or with a
    /// built-in attribute value the activity cannot hold (a `seconds` outside 0..=2^32-1)
    /// become [`RowError`]s. An event lacking an attribute a rule filters on simply fails
    /// that filter. Gives exactly the scores [`Scoring::score`] gives each lead.
    pub fn score_columns(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        self.score_columns_until(leads, events, now, &mut || true)?
            .ok_or_else(|| Error::invalid_input("batch stopped".to_owned()))
    }

    /// [`Scoring::score_columns`] that can be stopped: `keep_going` is called between
    /// chunks of rows (every [`STOP_CHECK_ROWS`] rows) and of leads; once it returns
    /// `false` the batch stops and gives `Ok(None)`, its inputs untouched. The hook is how
    /// a host checks for Ctrl-C or a deadline; the core itself reads no clock and holds no
    /// global state.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{EventTable, Lead, Playbook};
    /// let table: EventTable = serde_json::from_str(
    ///     r#"{"lead_id": ["A"], "kind": ["trial_signup"], "at": [1767225600]}"#).unwrap();
    /// let events = table.encode().unwrap();
    /// let now = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
    /// let pb = Playbook::default_playbook();
    /// let leads = [Lead::new("A")];
    /// let stopped = pb.scoring().score_events_until(&leads, &events, now, &mut || false).unwrap();
    /// assert!(stopped.is_none());
    /// let done = pb.scoring().score_events_until(&leads, &events, now, &mut || true).unwrap();
    /// assert_eq!(done.unwrap().score(0, "engagement"), Some(25.0));
    /// ```
    pub fn score_columns_until(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
        keep_going: &mut dyn FnMut() -> bool,
    ) -> Result<Option<BatchScores>> {
        events.check_shape()?;
        let rows = events.at.len();
        if events.lead.len() != rows {
            return Err(Error::invalid_input(format!(
                "event columns have different lengths: `lead` has {}, `at` has {rows}",
                events.lead.len()
            )));
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
        let tests: Vec<Option<RowCondition<'_>>> = (0..n_rules)
            .map(|flat| {
                self.behaviour(flat)
                    .and_then(|b| b.filter.as_ref())
                    .map(|c| RowCondition::compile(c, events))
            })
            .collect();

        // Per-lead block: one sum per rule, then for each rule with an occurrence limit a
        // count and its earliest `limit` times, inline (limits above INLINE_LIMIT keep their
        // times on the side). One event touches one lead's block only.
        let mut stride = n_rules;
        let mut side_slots = 0;
        let placement: Vec<Placement> = (0..n_rules)
            .map(|f| match self.behaviour(f).map(|b| b.limit) {
                Some(limit) if limit != u32::MAX && limit <= INLINE_LIMIT => {
                    let at = stride;
                    stride += 1 + limit as usize;
                    Placement::Inline(at)
                }
                Some(limit) if limit != u32::MAX => {
                    side_slots += 1;
                    Placement::Side(side_slots - 1)
                }
                _ => Placement::Sum,
            })
            .collect();

        // Everything the row loop needs, flat and by value.
        let hot: Vec<HotRule> = (0..n_rules)
            .map(|flat| {
                let b = self.behaviour(flat);
                HotRule {
                    window_start: b.and_then(|b| b.window).map_or(i64::MIN, |w| now_s - w),
                    placement: placement[flat],
                    limit: b.map_or(0, |b| b.limit),
                    constant: b
                        .and_then(|b| (b.decay == super::model::Decay::None).then_some(b.points_q)),
                }
            })
            .collect();

        // Built-in attribute columns whose values the activity may be unable to hold (a
        // `seconds` beyond 0..=2^32-1, a number in a text attribute): such a row is a
        // `bad_value` row error, as the same activity is refused by `score` and `record`.
        // Text in a text attribute always fits, and is not looked at.
        let checked: Vec<(&AttrColumn<'_>, &AttributeDef)> = events
            .attrs
            .iter()
            .filter_map(|c| Some((c, Activity::attribute_def(c.name)?)))
            .filter(|(c, def)| !column_fits(c, def))
            .collect();
        let mut scratch = Activity::new(ActivityKind::Call, DateTime::UNIX_EPOCH);

        let mut blocks: Vec<i64> = vec![0; n_leads * stride];
        let mut side: Vec<Vec<i64>> = vec![Vec::new(); n_leads * side_slots];
        let mut row_errors = Vec::new();
        let horizon = now_s.saturating_add(self.tolerance);
        let mut matched: Vec<usize> = Vec::with_capacity(n_rules);

        let mut process = |row: usize, updates: &mut Vec<Update>| {
            let lead = events.lead[row] as usize;
            let at = events.at[row];
            if lead >= n_leads {
                row_errors.push(RowError {
                    row,
                    reason: RowErrorReason::UnknownLead,
                    message: format!("lead index {lead} is not among the {n_leads} leads"),
                });
                return;
            }
            let code = events.kind.codes[row];
            let Some(&rules) = kind_rules.get(code as usize) else {
                row_errors.push(RowError {
                    row,
                    reason: RowErrorReason::BadValue,
                    message: if code == crate::columnar::NULL_CODE {
                        "the event has no kind".to_owned()
                    } else {
                        format!(
                            "kind code {code} is outside its dictionary of {}",
                            kind_rules.len()
                        )
                    },
                });
                return;
            };
            if !(MIN_TIME..=MAX_TIME).contains(&at) {
                row_errors.push(RowError {
                    row,
                    reason: RowErrorReason::InvalidTime,
                    message: if at == crate::columnar::NULL_TIME {
                        "the event has no time".to_owned()
                    } else {
                        format!("event time {at} is not a representable instant")
                    },
                });
                return;
            }
            if at > horizon {
                row_errors.push(RowError {
                    row,
                    reason: RowErrorReason::InFuture,
                    message: format!("event at {at} is after now ({now_s})"),
                });
                return;
            }
            for (col, def) in &checked {
                if let Err(why) = def.set(&mut scratch, col.values.get(row)) {
                    row_errors.push(RowError {
                        row,
                        reason: RowErrorReason::BadValue,
                        message: format!("event column `{}`: {why}", col.name),
                    });
                    return;
                }
            }
            if rules.is_empty() || at > now_s {
                return;
            }
            matched.clear();
            for &flat in rules {
                if tests[flat].as_ref().is_none_or(|t| t.test(row)) {
                    matched.push(flat);
                }
            }
            for &flat in &matched {
                let h = &hot[flat];
                if at < h.window_start {
                    continue;
                }
                let value = match (h.placement, h.constant) {
                    (Placement::Sum, Some(q)) => q,
                    (Placement::Sum, None) => self
                        .behaviour(flat)
                        .map_or(0, |b| b.term(now_s.saturating_sub(at)).1),
                    _ => at,
                };
                updates.push(Update {
                    lead: lead as u32,
                    flat: flat as u32,
                    value,
                });
            }
        };

        // Rows are read in chunks; their updates are applied after each chunk in one tight
        // loop, so the cache misses on lead blocks (leads arrive at random) overlap.
        let apply = |updates: &mut Vec<Update>, blocks: &mut [i64], side: &mut [Vec<i64>]| {
            for u in updates.drain(..) {
                let (lead, flat) = (u.lead as usize, u.flat as usize);
                let h = &hot[flat];
                match h.placement {
                    Placement::Sum => {
                        let v = &mut blocks[lead * stride + flat];
                        *v = v.saturating_add(u.value);
                    }
                    Placement::Inline(slot) => {
                        let at = lead * stride + slot;
                        keep_inline(&mut blocks[at..=at + h.limit as usize], u.value)
                    }
                    Placement::Side(i) => {
                        keep_earliest(&mut side[lead * side_slots + i], u.value, h.limit)
                    }
                }
            }
        };
        let mut updates: Vec<Update> = Vec::with_capacity(CHUNK_ROWS * 2);
        for start in (0..rows).step_by(CHUNK_ROWS) {
            if start % STOP_CHECK_ROWS == 0 && !keep_going() {
                return Ok(None);
            }
            for row in start..rows.min(start + CHUNK_ROWS) {
                process(row, &mut updates);
            }
            apply(&mut updates, &mut blocks, &mut side);
        }
        for t in tests.iter().flatten() {
            t.bad_code()?;
        }

        let n_models = self.models.len();
        let mut scores_q = vec![0 as Q; n_models];
        let mut scores = Vec::with_capacity(n_leads * n_models);
        let mut grades = Vec::with_capacity(n_leads * n_models);
        let mut times = Vec::new();
        for (l, lead) in leads.iter().enumerate() {
            if l % STOP_CHECK_ROWS == 0 && !keep_going() {
                return Ok(None);
            }
            let block = &blocks[l * stride..(l + 1) * stride];
            let mut tally = |flat: usize| {
                let Some(b) = self.behaviour(flat) else {
                    return Tally::default();
                };
                times.clear();
                match placement[flat] {
                    Placement::Sum => {
                        return Tally {
                            // A running sum pinned at the i64 bounds reads as beyond a
                            // score, as the exact sum would.
                            sum: block[flat].into(),
                            count: 0,
                            contributions: Vec::new(),
                        };
                    }
                    Placement::Inline(at) => {
                        let n = block[at] as usize;
                        times.extend_from_slice(&block[at + 1..at + 1 + n]);
                    }
                    Placement::Side(i) => times.extend_from_slice(&side[l * side_slots + i]),
                }
                times.sort_unstable();
                Tally::from_sorted(b, &times, now_s, false)
            };
            evaluate(self, &mut tally, Some(lead), &mut scores_q, None)
                .map_err(|o| o.error(self, &lead.id))?;
            for (m, &q) in scores_q.iter().enumerate() {
                scores.push(to_f64(q));
                grades.push(grade(&self.models[m], q).map(str::to_owned));
            }
        }
        Ok(Some(BatchScores {
            models: self.models.iter().map(|m| m.name.clone()).collect(),
            scores,
            grades,
            row_errors,
        }))
    }
}

/// Whether every value of a built-in attribute's column is one the activity can hold, found
/// without a row-by-row check: text in a text attribute, booleans in a boolean one, and
/// integers within a whole-number attribute's range (one vectorisable pass).
fn column_fits(col: &AttrColumn<'_>, def: &AttributeDef) -> bool {
    match (&col.values, def.field_type, def.int_range) {
        (AttrValues::Text(_), FieldType::Text, _) | (AttrValues::Bool(_), FieldType::Bool, _) => {
            true
        }
        (AttrValues::Int(c), FieldType::Number, Some((lo, hi))) => match c.valid {
            None => c.values.iter().all(|v| (lo..=hi).contains(v)),
            Some(valid) => c
                .values
                .iter()
                .zip(valid)
                .all(|(v, ok)| !ok | (lo..=hi).contains(v)),
        },
        (AttrValues::Int(_), FieldType::Number, None) => true,
        _ => false,
    }
}

/// Keeps the earliest times in `slot = [count, t1, .., t_limit]`.
fn keep_inline(slot: &mut [i64], t: i64) {
    let Some((count, times)) = slot.split_first_mut() else {
        return;
    };
    let n = *count as usize;
    if n < times.len() {
        times[n] = t;
        *count += 1;
        return;
    }
    if let Some(latest) = times.iter_mut().max()
        && t < *latest
    {
        *latest = t;
    }
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
