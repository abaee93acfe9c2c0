//! Batch scoring of an owned [`EventTable`] and of columns whose rows name their lead by id.

use super::batch::{BatchScores, STOP_CHECK_ROWS};
use super::explain::ScoreCard;
use super::model::Scoring;
use crate::columnar::{
    DictColumn, EncodedEvents, EventColumns, EventTable, RowErrorReason, lead_index,
};
use crate::error::{Error, Result};
use crate::model::{Activity, ActivityKind, Lead};
use chrono::{DateTime, Utc};

impl Scoring {
    /// Scores an [`EventTable`] for `leads` at `now`: events of unknown lead ids become row
    /// errors; everything else as [`Scoring::score_columns`].
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{Lead, Playbook};
    /// use leadcore::columnar::EventTable;
    /// let table: EventTable = serde_json::from_str(r#"{
    ///   "lead_id": ["A", "A", "B"],
    ///   "kind": ["trial_signup", "email_opened", "email_opened"],
    ///   "at": [1767225600, 1767225600, 1767225600]
    /// }"#).unwrap();
    /// let now = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
    /// let pb = Playbook::default_playbook();
    /// let out = pb.scoring().score_table(&[Lead::new("A"), Lead::new("B")], &table, now).unwrap();
    /// assert_eq!(out.score(0, "engagement"), Some(27.0));
    /// assert_eq!(out.score(1, "engagement"), Some(2.0));
    /// ```
    pub fn score_table(
        &self,
        leads: &[Lead],
        table: &EventTable,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        self.score_events(leads, &table.encode()?, now)
    }

    /// Scores owned, encoded events (from [`EventTable::encode`] or a reader such as
    /// `leadcore-arrow`): rows name their lead by id.
    pub fn score_events(
        &self,
        leads: &[Lead],
        events: &EncodedEvents,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        let attrs = events.attr_columns();
        self.score_columns_by_id(leads, events.lead_ids(), &events.with_attrs(&attrs), now)
    }

    /// [`Scoring::score_events`] that `keep_going` can stop between chunks (`Ok(None)`);
    /// see [`Scoring::score_columns_until`].
    pub fn score_events_until(
        &self,
        leads: &[Lead],
        events: &EncodedEvents,
        now: DateTime<Utc>,
        keep_going: &mut dyn FnMut(super::batch::Progress) -> bool,
    ) -> Result<Option<BatchScores>> {
        let attrs = events.attr_columns();
        self.score_columns_by_id_until(
            leads,
            events.lead_ids(),
            &events.with_attrs(&attrs),
            now,
            keep_going,
        )
    }

    /// [`Scoring::explain_events`] that `keep_going` can stop between chunks of rows and
    /// of leads (`Ok(None)`).
    pub fn explain_events_until(
        &self,
        leads: &[Lead],
        events: &EncodedEvents,
        now: DateTime<Utc>,
        keep_going: &mut dyn FnMut(super::batch::Progress) -> bool,
    ) -> Result<Option<Vec<ScoreCard>>> {
        let attrs = events.attr_columns();
        self.explain_columns_by_id_until(
            leads,
            events.lead_ids(),
            &events.with_attrs(&attrs),
            now,
            keep_going,
        )
    }

    /// Each lead's score card with its breakdown, from owned, encoded events (see
    /// [`Scoring::explain_columns_by_id`]).
    pub fn explain_events(
        &self,
        leads: &[Lead],
        events: &EncodedEvents,
        now: DateTime<Utc>,
    ) -> Result<Vec<ScoreCard>> {
        let attrs = events.attr_columns();
        self.explain_columns_by_id(leads, events.lead_ids(), &events.with_attrs(&attrs), now)
    }

    /// [`Scoring::score_columns`] with each row's lead given by id, as a dictionary column
    /// (`events.lead` is ignored): lead ids must be unique; a row whose id matches no lead,
    /// or has none, is an `unknown_lead` row error naming the id.
    pub fn score_columns_by_id(
        &self,
        leads: &[Lead],
        lead_ids: DictColumn<'_>,
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        self.score_columns_by_id_until(leads, lead_ids, events, now, &mut |_| true)?
            .ok_or_else(|| Error::invalid_input("batch stopped".to_owned()))
    }

    /// [`Scoring::score_columns_by_id`] that `keep_going` can stop between chunks
    /// (`Ok(None)`); see [`Scoring::score_columns_until`].
    pub fn score_columns_by_id_until(
        &self,
        leads: &[Lead],
        lead_ids: DictColumn<'_>,
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
        keep_going: &mut dyn FnMut(super::batch::Progress) -> bool,
    ) -> Result<Option<BatchScores>> {
        let lead = lead_index(leads, lead_ids)?;
        let Some(mut out) = self.score_columns_until(
            leads,
            &EventColumns {
                lead: &lead,
                ..*events
            },
            now,
            keep_going,
        )?
        else {
            return Ok(None);
        };
        for e in &mut out.row_errors {
            if e.reason == RowErrorReason::UnknownLead {
                e.message = match lead_ids.get(e.row) {
                    Some(id) => format!("no lead with id `{id}`"),
                    None => "the event has no lead id".to_owned(),
                };
            }
        }
        Ok(Some(out))
    }
}

impl Scoring {
    /// Each lead's score card with its full breakdown, from the same columns
    /// [`Scoring::score_columns_by_id`] scores: every row it counts is recorded (rows it
    /// reports as errors are left out, as it leaves them out), so the cards' scores equal
    /// the batch's.
    pub fn explain_columns_by_id(
        &self,
        leads: &[Lead],
        lead_ids: DictColumn<'_>,
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ScoreCard>> {
        self.explain_columns_by_id_until(leads, lead_ids, events, now, &mut |_| true)?
            .ok_or_else(|| Error::invalid_input("batch stopped".to_owned()))
    }

    /// [`Scoring::explain_columns_by_id`] that `keep_going` can stop between chunks of
    /// rows and of leads (`Ok(None)`).
    pub fn explain_columns_by_id_until(
        &self,
        leads: &[Lead],
        lead_ids: DictColumn<'_>,
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
        keep_going: &mut dyn FnMut(super::batch::Progress) -> bool,
    ) -> Result<Option<Vec<ScoreCard>>> {
        events.check()?;
        let lead = lead_index(leads, lead_ids)?;
        let kinds: Vec<ActivityKind> = events
            .kind
            .dictionary
            .iter()
            .map(|k| ActivityKind::parse(k))
            .collect();
        let mut states: Vec<_> = leads.iter().map(|l| self.new_state(l.id.clone())).collect();
        let total = (lead.len() + leads.len()) as u64;
        let progress = |done: usize| super::batch::Progress::new(done as u64, total);
        // Rows recorded lead by lead in time order: a state keeps its times sorted, and
        // rows out of order would make each insertion a shift (quadratic for a lead with
        // many events). The cards do not depend on the order.
        let mut order: Vec<usize> = (0..lead.len()).collect();
        order.sort_by_key(|&row| (lead[row], events.at.get(row).copied().unwrap_or(0)));
        for (done, &row) in order.iter().enumerate() {
            if done % STOP_CHECK_ROWS == 0 && !keep_going(progress(done)) {
                return Ok(None);
            }
            let l = lead[row];
            let (Some(state), Some(kind), Some(at)) = (
                states.get_mut(l as usize),
                events
                    .kind
                    .codes
                    .get(row)
                    .and_then(|&c| kinds.get(c as usize)),
                events
                    .at
                    .get(row)
                    .and_then(|&t| DateTime::<Utc>::from_timestamp(t, 0)),
            ) else {
                continue;
            };
            let mut a = Activity::new(kind.clone(), at);
            let mut fits = true;
            for col in events.attrs {
                let value = col.values.get(row);
                match col.name.strip_prefix("attrs.") {
                    Some(key) => {
                        if let Some(v) = value {
                            a.attrs.insert(key.to_owned(), v.to_owned_value());
                        }
                    }
                    None => {
                        if let Some(def) = Activity::attribute_def(col.name) {
                            // A value the activity cannot hold is a row the batch reports.
                            fits &= def.set(&mut a, value).is_ok();
                        }
                    }
                }
            }
            // A row the core refuses here is one the batch reports as a row error.
            if fits {
                let _ = self.record_with(state, &a, now, |_, _| {});
            }
        }
        let mut cards = Vec::with_capacity(leads.len());
        for (i, (l, s)) in leads.iter().zip(&states).enumerate() {
            if i % STOP_CHECK_ROWS == 0 && !keep_going(progress(lead.len() + i)) {
                return Ok(None);
            }
            cards.push(self.card(s, l, now, true)?);
        }
        Ok(Some(cards))
    }
}
