//! Columnar batch scoring: arrays of lead index, kind, time and attributes in, one score per
//! lead and model out, bad rows reported per row.

mod plan;
mod rows;

use super::evaluate::{Tally, evaluate, evaluate_block, grade};
use super::model::{Decay, RuleKind, Scoring};
use super::points::{Factors, Q, to_f64};
use crate::columnar::{
    AttrColumn, AttrValues, BatchLeads, DictColumn, EventColumns, LeadRows, RawText, RowError,
};
use crate::error::{Error, Result};
use crate::model::{Activity, AttributeDef, FieldSource, FieldType, Lead};
use chrono::{DateTime, Utc};
use plan::Layout;
use rows::{Block, Part, RuleState, Scan, merge_part, slot_time};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Scores of a batch: `scores[lead * models.len() + m]`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::columnar::{DictColumn, EventColumns};
/// use leadcore::{Lead, Playbook, RowErrorReason};
/// let kinds = ["email_opened".to_owned()];
/// let events = EventColumns {
///     lead: &[0, 5],                                   // lead 5 does not exist
///     kind: DictColumn { codes: &[0, 0], dictionary: &kinds },
///     at: &[1_772_355_600; 2],                         // 2026-03-01 09:00 UTC
///     attrs: &[],
/// };
/// let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
/// let batch = Playbook::default_playbook().scoring().score_columns(&[Lead::new("A")], &events, now).unwrap();
/// assert_eq!(batch.score(0, "engagement"), Some(2.0));
/// assert_eq!((batch.row_errors[0].row, batch.row_errors[0].reason), (1, RowErrorReason::UnknownLead));
/// ```
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
const CHUNK_ROWS: usize = 16384;

/// How many rows (or leads) a stoppable batch runs between two calls of its `keep_going`
/// hook: about a millisecond of work.
pub const STOP_CHECK_ROWS: usize = 64 * CHUNK_ROWS;

/// Rows per piece handed to a thread of a parallel batch (8 chunks): half the 16 of before,
/// so the threads finish closer together. Measured within the noise (two threads on the
/// realistic fixture, 22 alternating pairs: median 62.7 -> 62.1 ms, 13 of 22 faster); a
/// quarter (4 chunks) was slower.
const PIECE_ROWS: usize = 8 * CHUNK_ROWS;
/// Leads per piece handed to a thread of a parallel batch.
const PIECE_LEADS: usize = 4096;

/// How far a stoppable batch has got, as its `keep_going` hook is told between chunks: a
/// host shows it (a progress bar) or stops the batch on it (a deadline).
///
/// The units are the batch's work: a row scanned by one pass over the rows (a pass serves
/// up to 64 behaviour rules), then a lead finished, summed over every thread. `done` only
/// grows, and equals `total` once all the work is done (the hook is not called then: the
/// batch returns).
///
/// ```
/// use leadcore::scoring::Progress;
/// let p = Progress::new(250, 1000);
/// assert_eq!((p.done, p.total), (250, 1000));
/// assert_eq!(p.fraction(), 0.25);
/// assert_eq!(Progress::new(0, 0).fraction(), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Progress {
    /// Units of work done so far.
    pub done: u64,
    /// Units of work in the whole batch.
    pub total: u64,
}

impl Progress {
    /// `done` of `total` units.
    pub fn new(done: u64, total: u64) -> Self {
        Progress { done, total }
    }

    /// The share done, 0 to 1 (1 for a batch with no work).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            (self.done as f64 / self.total as f64).min(1.0)
        }
    }
}

impl Scoring {
    /// Scores a columnar batch of events for `leads` at `now`, in one pass over the rows
    /// plus one per lead. Events after `now` do not count; events later than `now` plus the
    /// tolerance, at an unrepresentable time, for a lead index out of range, or with a
    /// built-in attribute value the activity cannot hold (a `seconds` outside 0..=2^32-1)
    /// become [`RowError`]s. An event lacking an attribute a rule filters on simply fails
    /// that filter. Gives exactly the scores [`Scoring::score`] gives each lead, whatever
    /// the order of the rows.
    pub fn score_columns(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        self.score_columns_until(leads, events, now, &mut |_| true)?
            .ok_or_else(|| Error::invalid_input("batch stopped".to_owned()))
    }

    /// [`Scoring::score_columns`] on `threads` threads (1: this thread only; at most one
    /// per [`STOP_CHECK_ROWS`] rows): the rows are cut into pieces of 131,072 that the
    /// threads take in turn, each thread scanning its pieces into its own lead blocks; the
    /// leads are finished in pieces taken the same way, each piece adding the other
    /// threads' blocks for its leads into the first's as it is finished. Taken in turn,
    /// the pieces keep the threads busy to the end when some rows cost more than others (a
    /// time-ordered log's recent rows fall inside more windows). Sums are exact, so the
    /// scores are the same bits on any number of threads, and the row errors come in row
    /// order. The core starts scoped threads of its own and
    /// returns once they are done; it keeps no pool.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::columnar::{DictColumn, EventColumns};
    /// use leadcore::{Lead, Playbook};
    /// let kinds = ["trial_signup".to_owned(), "email_opened".to_owned()];
    /// let events = EventColumns {
    ///     lead: &[0, 1, 0],
    ///     kind: DictColumn { codes: &[0, 1, 1], dictionary: &kinds },
    ///     at: &[1767225600; 3],
    ///     attrs: &[],
    /// };
    /// let now = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
    /// let pb = Playbook::default_playbook();
    /// let leads = [Lead::new("A"), Lead::new("B")];
    /// let one = pb.scoring().score_columns(&leads, &events, now).unwrap();
    /// let two = pb.scoring().score_columns_parallel(&leads, &events, now, 2).unwrap();
    /// assert_eq!(one, two);
    /// assert_eq!(one.score(0, "engagement"), Some(27.0));
    /// ```
    pub fn score_columns_parallel(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
        threads: usize,
    ) -> Result<BatchScores> {
        self.run_records(leads, events, now, threads, &mut |_| true)?
            .ok_or_else(|| Error::invalid_input("batch stopped".to_owned()))
    }

    /// [`Scoring::score_columns_parallel`] that can be stopped, as
    /// [`Scoring::score_columns_until`]: `keep_going` is called on this thread only,
    /// between chunks; the other threads stop at their next chunk once it says stop.
    pub fn score_columns_parallel_until(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<BatchScores>> {
        self.run_records(leads, events, now, threads, keep_going)
    }

    /// [`Scoring::score_columns`] that can be stopped: `keep_going` is called between
    /// chunks of rows (every [`STOP_CHECK_ROWS`] rows) and of leads, with the
    /// [`Progress`] so far; once it returns `false` the batch stops and gives `Ok(None)`,
    /// its inputs untouched. The hook is how
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
    /// let stopped = pb.scoring().score_events_until(&leads, &events, now, &mut |_| false).unwrap();
    /// assert!(stopped.is_none());
    /// let mut seen = Vec::new();
    /// let done = pb.scoring().score_events_until(&leads, &events, now, &mut |p| { seen.push(p); true }).unwrap();
    /// assert_eq!(done.unwrap().score(0, "engagement"), Some(25.0));
    /// // One pass over the one row, then the one lead: told before each chunk.
    /// assert_eq!(seen.iter().map(|p| (p.done, p.total)).collect::<Vec<_>>(), [(0, 2), (1, 2)]);
    /// ```
    pub fn score_columns_until(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
        keep_going: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<BatchScores>> {
        self.run_records(leads, events, now, 1, keep_going)
    }

    /// [`Scoring::score_columns_parallel_until`] with the leads given as
    /// [`BatchLeads`] (records, or only their number and ids) and each row's lead as
    /// [`LeadRows`] (indices, or integer keys read a block of rows at a time): what a door
    /// holding integer lead ids and leads with no fields scores through, with no index
    /// column and no lead record made. `events.lead` is not read (`rows` stands for it).
    /// `raw` gives text columns (`kind`, attributes) as their producer holds them
    /// ([`RawText`]: keys of any width with Arrow's validity or pandas' -1): each key is
    /// read where the batch reads it (the rows of the kinds whose rules filter on the
    /// column), with its validity bit, and checked there, with no copy of the column. A key
    /// outside its dictionary where a rule reads it fails the batch, as a code outside its
    /// dictionary there does in `events`; one no rule reads changes no score and is not
    /// looked at.
    /// The same scores as [`Scoring::score_columns`] for the same leads and rows.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::columnar::{BatchLeads, DictColumn, EventColumns, LeadRows};
    /// use leadcore::{Lead, Playbook};
    /// let kinds = ["trial_signup".to_owned(), "email_opened".to_owned()];
    /// let events = EventColumns {
    ///     lead: &[],
    ///     kind: DictColumn { codes: &[0, 1, 1], dictionary: &kinds },
    ///     at: &[1767225600; 3],
    ///     attrs: &[],
    /// };
    /// let now = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
    /// let pb = Playbook::default_playbook();
    /// let id = |i: usize| (1000 + i).to_string();
    /// let leads = BatchLeads::Bare { count: 2, id: &id };
    /// let rows = LeadRows::Run { keys: &[1000, 1001, 1000], first: 1000 };
    /// let out = pb.scoring().score_rows(leads, rows, &events, &[], now, 1, &mut |_| true).unwrap().unwrap();
    /// let by_index = EventColumns { lead: &[0, 1, 0], ..events };
    /// let records = [Lead::new("1000"), Lead::new("1001")];
    /// assert_eq!(out, pb.scoring().score_columns(&records, &by_index, now).unwrap());
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn score_rows(
        &self,
        leads: BatchLeads<'_>,
        rows: LeadRows<'_>,
        events: &EventColumns<'_>,
        raw: &[RawText<'_>],
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<BatchScores>> {
        for (i, r) in raw.iter().enumerate() {
            let text = r.column == "kind"
                || events
                    .attrs
                    .iter()
                    .any(|c| c.name == r.column && matches!(c.values, AttrValues::Text(_)));
            if !text {
                return Err(Error::invalid_input(format!(
                    "raw keys of `{}`, which is no text column of the events",
                    r.column
                )));
            }
            if raw[..i].iter().any(|o| o.column == r.column) {
                return Err(Error::invalid_input(format!(
                    "raw keys of `{}` given twice",
                    r.column
                )));
            }
            if let Some(v) = r.valid
                && v.bytes.len() * 8 < v.offset + r.len()
            {
                return Err(Error::invalid_input(format!(
                    "validity of `{}` is shorter than its {} rows",
                    r.column,
                    r.len()
                )));
            }
        }
        // Row tests read columns row by row: raw columns are made codes first (the passes'
        // masks read them a chunk at a time).
        let tested = !raw.is_empty()
            && plan::Pass::plan(self, events, &[], now.timestamp())
                .iter()
                .any(|p| p.tested != 0);
        if !tested {
            return self.run(leads, rows, events, raw, now, threads, keep_going);
        }
        // (A key outside its dictionary becomes a code past it, checked where it is read.)
        let mut owned: Vec<(&str, Vec<u32>)> = Vec::with_capacity(raw.len());
        for r in raw {
            owned.push((r.column, (0..r.len()).map(|row| r.code(row)).collect()));
        }
        let codes_of = |name: &str| owned.iter().find(|(n, _)| *n == name).map(|(_, c)| &c[..]);
        let mut attrs: Vec<AttrColumn<'_>> = events.attrs.to_vec();
        for c in &mut attrs {
            if let (AttrValues::Text(d), Some(codes)) = (c.values, codes_of(c.name)) {
                c.values = AttrValues::Text(DictColumn {
                    codes,
                    dictionary: d.dictionary,
                });
            }
        }
        let events = EventColumns {
            kind: DictColumn {
                codes: codes_of("kind").unwrap_or(events.kind.codes),
                dictionary: events.kind.dictionary,
            },
            attrs: &attrs,
            ..*events
        };
        self.run(leads, rows, &events, &[], now, threads, keep_going)
    }

    /// [`Scoring::run`] for lead records and rows indexing them (`events.lead`).
    fn run_records(
        &self,
        leads: &[Lead],
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<BatchScores>> {
        let (leads, rows) = (BatchLeads::Records(leads), LeadRows::Index(events.lead));
        self.run(leads, rows, events, &[], now, threads, keep_going)
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        leads: BatchLeads<'_>,
        lead_rows: LeadRows<'_>,
        events: &EventColumns<'_>,
        raw: &[RawText<'_>],
        now: DateTime<Utc>,
        threads: usize,
        keep_going: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<BatchScores>> {
        events.check_shape_raw(raw)?;
        let rows = events.at.len();
        if lead_rows.len() != rows {
            return Err(Error::invalid_input(format!(
                "event columns have different lengths: `lead` has {}, `at` has {rows}",
                lead_rows.len()
            )));
        }
        let now_s = now.timestamp();
        let layout = Layout::new(self);

        // Built-in attribute columns whose values the activity may be unable to hold (a
        // `seconds` beyond 0..=2^32-1, a number in a text attribute): such a row is a
        // `bad_value` row error, as the same activity is refused by `score` and `record`.
        // Text in a text attribute always fits, and is not looked at; the others are looked
        // at a chunk at a time, as the chunk is scanned.
        let checked: Vec<(&AttrColumn<'_>, &AttributeDef)> = events
            .attrs
            .iter()
            .filter_map(|c| Some((c, Activity::attribute_def(c.name)?)))
            .filter(|(c, def)| !always_fits(c, def))
            .collect();
        let scan = Scan {
            scoring: self,
            events,
            lead_rows,
            raw,
            layout: &layout,
            checked: &checked,
            n_leads: leads.len(),
            now: now_s,
            horizon: now_s.saturating_add(self.tolerance),
        };

        // Rows: pieces taken in turn by the threads, each into its own blocks.
        let threads = threads.clamp(1, rows.div_ceil(STOP_CHECK_ROWS).max(1));
        let passes = self.behaviours.len().div_ceil(plan::RULES_PER_PASS) as u64;
        let row_units = passes * rows as u64;
        let tracker = Tracker {
            done: AtomicU64::new(0),
            total: row_units + leads.len() as u64,
        };
        let Some(runs) = fan_out(
            &pieces(rows, threads, PIECE_ROWS),
            threads,
            &tracker,
            |run| passes * run.len() as u64,
            keep_going,
            || scan.begin(),
            |run, _, piece, hook| scan.scan_piece(run, piece, hook),
        )?
        else {
            return Ok(None);
        };
        let mut blocks = runs.into_iter().map(|r| r.block);
        let Some(mut block) = blocks.next() else {
            return Ok(None);
        };
        // The other threads' states are added into the first's piece by piece of leads, as
        // each piece is finished: one pass over them, while the piece's state is in cache.
        let mut others: Vec<Block> = blocks.collect();
        for other in &mut others {
            block.row_errors.append(&mut other.row_errors);
            block.take_old(other);
        }
        block.sort_old();
        if threads > 1 {
            // each thread's pieces in turn: the rows' order again
            block.row_errors.sort_by_key(|e| e.row);
        }
        // A counting rule's points for the counts it can reach (up to 255), computed once
        // (each is a rounding through `f64`).
        let tables: Vec<Vec<Q>> = (0..self.behaviours.len())
            .map(|flat| {
                let Some(b) = self.behaviour(flat) else {
                    return Vec::new();
                };
                let top = match &block.rules[flat] {
                    RuleState::Count(_) => b.limit.min(COUNT_TABLE),
                    RuleState::Tiny(n, _) => b.limit.min(u32::from(*n)),
                    _ => return Vec::new(),
                };
                (0..=top).map(|n| b.count_points(u64::from(n))).collect()
            })
            .collect();
        // Leads: finished in runs too (each allocating only its rules' list and grades),
        // each run into its own part of the scores and grades, taken by the thread that
        // takes the run.
        let n_models = self.models.len();
        let lead_pieces = pieces(leads.len(), threads, PIECE_LEADS);
        // Each piece's state: every rule's part for the piece's leads.
        let per = lead_pieces.first().map_or(1, |p| p.len().max(1));
        let piece_states: Vec<Mutex<Option<Vec<Part<'_>>>>> = block
            .pieces(lead_pieces.len(), per)
            .into_iter()
            .map(|s| Mutex::new(Some(s)))
            .collect();
        let mut scores = vec![0.0; leads.len() * n_models];
        let mut grades: Vec<Option<String>> = vec![None; leads.len() * n_models];
        let outs: Vec<Mutex<Option<Out<'_>>>> = {
            let (mut s, mut g) = (&mut scores[..], &mut grades[..]);
            lead_pieces
                .iter()
                .map(|piece| {
                    let n = piece.len() * n_models;
                    let (here, rest) = std::mem::take(&mut s).split_at_mut(n);
                    s = rest;
                    let (here_g, rest_g) = std::mem::take(&mut g).split_at_mut(n);
                    g = rest_g;
                    Mutex::new(Some((here, here_g)))
                })
                .collect()
        };
        let finished = fan_out(
            &lead_pieces,
            threads,
            &tracker,
            |run| run.len() as u64,
            keep_going,
            || (),
            |_, i, piece, hook| {
                // Each piece is taken once, so its part is there (a lock is held only to
                // take it, so none is poisoned).
                let taken = |i| Error::invalid_input(format!("leads' run {i} taken twice"));
                let out = outs
                    .get(i)
                    .and_then(|o| o.lock().unwrap_or_else(PoisonError::into_inner).take())
                    .ok_or_else(|| taken(i))?;
                let mut parts = piece_states
                    .get(i)
                    .and_then(|o| o.lock().unwrap_or_else(PoisonError::into_inner).take())
                    .ok_or_else(|| taken(i))?;
                for (flat, part) in parts.iter_mut().enumerate() {
                    for other in &others {
                        if let Some(theirs) = other.rules.get(flat) {
                            merge_part(part, theirs, piece.clone());
                        }
                    }
                }
                // Each behaviour rule and its state over the piece's leads.
                let prepared: Vec<Option<Rule<'_>>> = (0..self.behaviours.len())
                    .map(|flat| {
                        Some(Rule {
                            b: self.behaviour(flat)?,
                            state: Prepared::of(parts.get(flat)?, &tables[flat]),
                        })
                    })
                    .collect();
                self.finish(&leads, piece, &prepared, now_s, hook, out)
            },
        )?;
        drop(outs);
        drop(piece_states);
        if finished.is_none() {
            return Ok(None);
        }
        Ok(Some(BatchScores {
            models: self.models.iter().map(|m| m.name.clone()).collect(),
            scores,
            grades,
            row_errors: block.row_errors,
        }))
    }

    /// Scores leads `range` from its rules' merged state (`prepared`, by flat index, each
    /// state starting at the range's first lead) into
    /// `out` (lead-major, the range's scores and grades): a block of [`FINISH_LEADS`] leads
    /// at a time, each rule's raw points over the block first (one pass over the rule's
    /// state, without a branch on its kind per lead), then the block's models from them
    /// rule by rule ([`evaluate_block`]; lead by lead through [`evaluate`] where a score
    /// would overflow, for the error). `false` if `keep_going` said stop.
    fn finish(
        &self,
        leads: &BatchLeads<'_>,
        range: Range<usize>,
        prepared: &[Option<Rule<'_>>],
        now: i64,
        keep_going: &mut dyn FnMut(u64) -> bool,
        out: Out<'_>,
    ) -> Result<bool> {
        let n_models = self.models.len();
        let n_rules = prepared.len();
        let range = range.start..range.end.min(leads.len());
        let (scores, grades) = out;
        // Per rule, per lead of the block: its raw points (rule-major).
        let mut sums: Vec<Q> = vec![0; n_rules * FINISH_LEADS];
        // Per model, per lead of the block: its score (model-major).
        let mut block_scores: Vec<Q> = vec![0; n_models * FINISH_LEADS];
        let mut work = Vec::new();
        let mut times = Vec::new();
        let first = range.start;
        // Bare leads: records made only where a fit rule may read them (with their ids).
        let reads_lead = self
            .models
            .iter()
            .any(|m| m.rules.iter().any(|r| matches!(r.kind, RuleKind::Fit(_))));
        let mut bare: Vec<Lead> = Vec::new();
        let mut start = range.start;
        while start < range.end {
            let block = start..range.end.min(start + FINISH_LEADS);
            let n = block.len();
            // Asked whether to go on where a lead at a multiple of STOP_CHECK_ROWS comes up.
            if block.start.next_multiple_of(STOP_CHECK_ROWS) < block.end
                && !keep_going((block.start - first) as u64)
            {
                return Ok(false);
            }
            for (flat, rule) in prepared.iter().enumerate() {
                let column = &mut sums[flat * FINISH_LEADS..][..n];
                match rule {
                    // The piece's state starts at its first lead.
                    Some(rule) => rule.tally(
                        block.start - first..block.end - first,
                        now,
                        column,
                        &mut times,
                    ),
                    None => column.fill(0),
                }
            }
            if let BatchLeads::Bare { id, .. } = *leads {
                bare.clear();
                if reads_lead {
                    bare.extend(block.clone().map(|l| Lead::new(id(l))));
                } else {
                    bare.push(Lead::default());
                }
            }
            let record = |j: usize| -> &dyn FieldSource {
                match *leads {
                    BatchLeads::Records(all) => &all[block.start + j],
                    BatchLeads::Bare { .. } => &bare[j.min(bare.len() - 1)],
                }
            };
            let tallies = |flat: usize| &sums[flat * FINISH_LEADS..][..n];
            if !evaluate_block(self, &tallies, &record, n, &mut block_scores, &mut work) {
                // Some score overflows: which one, lead by lead, as every other path says it.
                let mut scores_q = vec![0 as Q; n_models];
                for (j, l) in block.clone().enumerate() {
                    let mut tally = |flat: usize| Tally {
                        sum: tallies(flat)[j],
                        ..Tally::default()
                    };
                    evaluate(self, &mut tally, Some(record(j)), &mut scores_q, None)
                        .map_err(|o| o.error(self, &leads.id(l)))?;
                    for (m, &q) in scores_q.iter().enumerate() {
                        block_scores[m * n + j] = q;
                    }
                }
            }
            let at = (block.start - first) * n_models;
            let lead_major = scores[at..at + n * n_models]
                .chunks_exact_mut(n_models)
                .zip(grades[at..at + n * n_models].chunks_exact_mut(n_models));
            for (j, (scores, grades)) in lead_major.enumerate() {
                for (m, (score, grade_out)) in scores.iter_mut().zip(grades).enumerate() {
                    let q = block_scores[m * n + j];
                    *score = to_f64(q);
                    *grade_out = grade(&self.models[m], q).map(str::to_owned);
                }
            }
            start = block.end;
        }
        Ok(true)
    }
}

/// Leads whose rule tallies [`Scoring::finish`] takes at a time.
const FINISH_LEADS: usize = 128;

impl Rule<'_> {
    /// The rule's raw points for each lead of `leads` into `out`, as [`Tally::from_sorted`]
    /// would give them from the lead's times (`times`: a buffer).
    fn tally(&self, leads: Range<usize>, now: i64, out: &mut [Q], times: &mut Vec<i64>) {
        let b = self.b;
        // `n` occurrences that weigh fully (0 points for none).
        let counted = |n: u32, table: &[Q]| {
            let n = n.min(b.limit);
            table
                .get(n as usize)
                .copied()
                .unwrap_or_else(|| b.count_points(u64::from(n)))
        };
        let sorted = |times: &mut Vec<i64>| {
            times.sort_unstable();
            Tally::from_sorted(b, times, now, false).sum
        };
        match self.state {
            Prepared::Count(counts, table) => {
                // No branch on a count of 0 (its entry is 0): which leads met a rule is too
                // irregular to predict.
                for (o, &n) in out.iter_mut().zip(&counts[leads]) {
                    *o = counted(n, table);
                }
            }
            Prepared::Tiny(counts, table) => {
                for (o, &n) in out.iter_mut().zip(&counts[leads]) {
                    *o = counted(u32::from(n), table);
                }
            }
            Prepared::Factors(sums) => {
                // Without a branch too (0 points for no factor).
                for (o, &s) in out.iter_mut().zip(&sums[leads]) {
                    *o = Factors(s).points(b.points);
                }
            }
            Prepared::Earliest(width, all, old, first) => {
                let slots = all[leads.start * width..leads.end * width].chunks_exact(width);
                // The leads' old times, in lead order (usually none).
                let mut old = &old[old.partition_point(|e| (e.0 as usize) < first + leads.start)..];
                // A slot holds exactly the times the rule counts (the rows were in its window
                // and not after `now`, the earliest `limit` of them kept): where each weighs
                // its own decay factor, summed exactly, their sum is the same in any order, so
                // it is taken from the slot as it is, without sorting the times.
                let factored = matches!(b.decay, Decay::HalfLife(_) | Decay::Step { .. });
                for (lead, (o, slot)) in (first + leads.start..).zip(out.iter_mut().zip(slots)) {
                    let here = old.partition_point(|e| e.0 as usize == lead);
                    let (mine, rest) = old.split_at(here);
                    old = rest;
                    *o = if slot.first().is_none_or(|&v| v == 0) && mine.is_empty() {
                        0
                    } else if factored && mine.is_empty() {
                        let counted = slot.iter().take_while(|&&v| v != 0);
                        b.decayed_points(now, counted.map(|&v| slot_time(now, v)))
                    } else {
                        times.clear();
                        times.extend(
                            slot.iter()
                                .take_while(|&&v| v != 0)
                                .map(|&v| slot_time(now, v)),
                        );
                        times.extend(mine.iter().map(|e| e.1));
                        sorted(times)
                    };
                }
            }
            Prepared::Side(lists) => {
                for (o, list) in out.iter_mut().zip(&lists[leads]) {
                    times.clear();
                    times.extend_from_slice(list);
                    *o = sorted(times);
                }
            }
        }
    }
}

/// Counts up to this many have their points looked up when a batch finishes its leads (a
/// one-byte count's: up to where it stops).
const COUNT_TABLE: u32 = 255;

/// A behaviour rule as [`Scoring::finish`] reads it: the rule, and its state over the leads.
struct Rule<'b> {
    b: &'b crate::scoring::model::Behaviour,
    state: Prepared<'b>,
}

/// A rule's state over the leads, with a counting rule's points per count.
#[derive(Clone, Copy)]
enum Prepared<'b> {
    Count(&'b [u32], &'b [Q]),
    Tiny(&'b [u8], &'b [Q]),
    Factors(&'b [u128]),
    /// A slot's width, the slots, the leads' times too old for a slot (sorted by lead)
    /// and the first lead.
    Earliest(usize, &'b [u32], &'b [(u32, i64)], usize),
    Side(&'b [Vec<i64>]),
}

impl<'b> Prepared<'b> {
    /// A rule's state over a piece of leads, to read, with its points per count (`table`,
    /// read by the counting rules).
    fn of(part: &'b Part<'_>, table: &'b [Q]) -> Self {
        match part {
            Part::Count(c) => Prepared::Count(c, table),
            Part::Tiny(_, c) => Prepared::Tiny(c, table),
            Part::Factors(s) => Prepared::Factors(s),
            Part::Earliest(w, a, old, first) => Prepared::Earliest(*w, a, old, *first),
            Part::Side(_, lists) => Prepared::Side(lists),
        }
    }
}

/// A run of leads' part of a batch's scores and grades, lead-major, to write.
type Out<'a> = (&'a mut [f64], &'a mut [Option<String>]);

/// Work done over every thread, and the batch's total, in [`Progress`] units.
struct Tracker {
    done: AtomicU64,
    total: u64,
}

/// Hands `pieces` out in turn (an atomic counter) to `threads` workers: this thread, with
/// `keep_going`, and scoped threads that stop at their next check once `keep_going` has said
/// stop. Each worker folds the pieces it takes into an accumulator made by `start`;
/// `work(acc, piece index, piece, hook)` gives `false` if it stopped. `work`'s hook takes
/// the units its piece has done so far (`units` of the piece once complete), which add up in
/// `tracker`; `keep_going` is told the sum. Taken in turn, the pieces balance the threads
/// whatever the work per piece (a time-ordered log's recent rows hit more rules than its old
/// ones). Gives the workers' accumulators, or the error of the earliest piece that failed
/// (every earlier piece was taken before it and is run to its end, so that is the error one
/// thread would give), or `None` if a worker stopped (or panicked, which would be a bug: its
/// part would be lost).
#[allow(clippy::too_many_arguments)]
fn fan_out<A: Send>(
    pieces: &[Range<usize>],
    threads: usize,
    tracker: &Tracker,
    units: impl Fn(&Range<usize>) -> u64 + Sync,
    keep_going: &mut dyn FnMut(Progress) -> bool,
    start: impl Fn() -> A + Sync,
    work: impl Fn(&mut A, usize, Range<usize>, &mut dyn FnMut(u64) -> bool) -> Result<bool> + Sync,
) -> Result<Option<Vec<A>>> {
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    // Adds a worker's units since its last report; gives the batch's sum.
    let report = |last: &mut u64, now: u64| {
        let sum = tracker.done.fetch_add(now - *last, Ordering::Relaxed) + now - *last;
        *last = now;
        sum
    };
    // One worker: pieces until none is left, it stops, or one fails (with its index).
    let worker =
        |hook: &mut dyn FnMut(u64) -> bool| -> std::result::Result<Option<A>, (usize, Error)> {
            let mut acc = start();
            let (mut finished, mut last) = (0, 0);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(piece) = pieces.get(i) else {
                    return Ok(Some(acc));
                };
                let go = work(&mut acc, i, piece.clone(), &mut |now| {
                    let sum = report(&mut last, finished + now);
                    hook(sum)
                })
                .map_err(|e| (i, e))?;
                if !go {
                    return Ok(None);
                }
                finished += units(piece);
                report(&mut last, finished);
            }
        };
    let mut done = Vec::with_capacity(threads.max(1));
    std::thread::scope(|s| {
        let (worker, stop) = (&worker, &stop);
        let workers: Vec<_> = (1..threads)
            .map(|_| s.spawn(move || worker(&mut |_| !stop.load(Ordering::Relaxed))))
            .collect();
        done.push(worker(&mut |sum| {
            let go = keep_going(Progress::new(sum, tracker.total));
            if !go {
                stop.store(true, Ordering::Relaxed);
            }
            go
        }));
        for w in workers {
            done.push(w.join().unwrap_or(Ok(None)));
        }
    });
    let failed = done
        .iter_mut()
        .filter_map(|d| match d {
            Err((i, e)) => Some((
                *i,
                std::mem::replace(e, Error::invalid_input(String::new())),
            )),
            _ => None,
        })
        .min_by_key(|(i, _)| *i);
    if let Some((_, e)) = failed {
        return Err(e);
    }
    Ok(done
        .into_iter()
        .map(|d| d.ok().flatten())
        .collect::<Option<Vec<A>>>())
}

/// `0..n` as one piece for one thread; for more, pieces of `size` (at most `n` of them).
fn pieces(n: usize, threads: usize, size: usize) -> Vec<Range<usize>> {
    if threads <= 1 {
        return std::iter::once(0..n).collect();
    }
    (0..n.div_ceil(size.max(1)))
        .map(|i| i * size..n.min((i + 1) * size))
        .collect()
}

/// Whether every value of a built-in attribute's column is one the activity can hold
/// whatever the values: text in a text attribute, booleans in a boolean one, integers in a
/// number attribute of any range.
fn always_fits(col: &AttrColumn<'_>, def: &AttributeDef) -> bool {
    matches!(
        (&col.values, def.field_type, def.int_range),
        (AttrValues::Text(_), FieldType::Text, _)
            | (AttrValues::Bool(_), FieldType::Bool, _)
            | (AttrValues::Int(_), FieldType::Number, None)
    )
}

/// Whether every value of rows `rows` of a built-in attribute's column is one the activity
/// can hold, found without a row-by-row check: [`always_fits`], or integers within a
/// whole-number attribute's range (one vectorisable pass).
fn column_fits(col: &AttrColumn<'_>, def: &AttributeDef, rows: Range<usize>) -> bool {
    if always_fits(col, def) {
        return true;
    }
    match (&col.values, def.field_type, def.int_range) {
        (AttrValues::Int(c), FieldType::Number, Some((lo, hi))) => {
            let (values, valid) = (&c.values[rows.clone()], c.valid.map(|v| &v[rows]));
            // A range of 2^k values: a value is inside when its offset from `lo` has no bit
            // above the k-th (and, or and subtraction on 64-bit lanes, which vectorise with
            // the baseline instructions; 64-bit comparisons do not).
            let span = hi.wrapping_sub(lo) as u64;
            if span.wrapping_add(1).is_power_of_two() {
                all_inside(values, valid, |v| v.wrapping_sub(lo) as u64 & !span)
            } else {
                all_inside(values, valid, |v| u64::from((v < lo) | (v > hi)))
            }
        }
        _ => false,
    }
}

/// Whether `outside(v)` is 0 for every value that is set: a block of values at a time, each
/// block one branch-free fold (it vectorises; a short-circuiting `all` over the column does
/// not). The values are folded without their validity first (what a null slot holds is
/// usually inside too, and a fold over the values alone is the faster one); only where that
/// finds a value outside is the validity read.
fn all_inside(values: &[i64], valid: Option<&[bool]>, outside: impl Fn(i64) -> u64) -> bool {
    let inside = |b: &[i64]| b.iter().fold(0, |a, &v| a | outside(v)) == 0;
    match valid {
        None => values.chunks(4096).all(inside),
        Some(valid) => values.chunks(4096).zip(valid.chunks(4096)).all(|(b, ok)| {
            inside(b)
                || b.iter().zip(ok).fold(0, |a, (&v, &ok)| {
                    a | (outside(v) & u64::from(ok).wrapping_neg())
                }) == 0
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The pieces tile the work; every piece is worked exactly once, by whichever thread
        /// takes it; the error given is the earliest failing piece's (what one thread would
        /// give); progress only grows and ends at the total; a stop leaves no result or a
        /// whole one.
        #[test]
        fn pieces_are_each_worked_once_and_the_earliest_error_wins(
            n in 0usize..5000,
            size in 1usize..700,
            threads in 1usize..5,
            failing in proptest::collection::btree_set(0usize..16, 0..3),
            stop_after in proptest::option::of(0usize..6),
        ) {
            let ranges = pieces(n, threads, size);
            let mut at = 0;
            for r in &ranges {
                prop_assert_eq!(r.start, at);
                prop_assert!(!r.is_empty() || n == 0);
                at = r.end;
            }
            prop_assert_eq!(at, n);
            let tracker = Tracker { done: AtomicU64::new(0), total: n as u64 };
            let mut seen = Vec::new();
            let out = fan_out(
                &ranges,
                threads,
                &tracker,
                |r| r.len() as u64,
                &mut |p| {
                    seen.push(p.done);
                    stop_after.is_none_or(|k| seen.len() <= k)
                },
                Vec::new,
                |worked: &mut Vec<usize>, i, piece, hook| {
                    if !hook(0) || !hook(piece.len() as u64 / 2) {
                        return Ok(false);
                    }
                    if failing.contains(&i) {
                        return Err(Error::invalid_input(format!("piece {i}")));
                    }
                    worked.push(i);
                    Ok(true)
                },
            );
            prop_assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress went back: {:?}", seen);
            let all: Vec<usize> = (0..ranges.len()).collect();
            match out {
                Err(e) => {
                    // Told to stop, the pieces before the failing one may not all have run:
                    // any failing piece's error then; else the first one's.
                    let expected: Vec<usize> = match stop_after {
                        Some(_) => failing.iter().copied().collect(),
                        None => failing.iter().copied().take(1).collect(),
                    };
                    let message = e.to_string();
                    prop_assert!(
                        expected.iter().any(|i| message.contains(&format!("piece {i}"))),
                        "{} (failing {:?})",
                        message,
                        failing
                    );
                }
                Ok(Some(worked)) => {
                    prop_assert!(failing.iter().all(|&i| i >= ranges.len()));
                    let mut worked: Vec<usize> = worked.into_iter().flatten().collect();
                    worked.sort_unstable();
                    prop_assert_eq!(worked, all);
                    prop_assert_eq!(tracker.done.load(Ordering::Relaxed), n as u64);
                }
                Ok(None) => prop_assert!(stop_after.is_some(), "stopped though never told to"),
            }
        }
    }
}
