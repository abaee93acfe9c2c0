//! The playbook's lifecycle calls: each picks the pipeline by name (or by the state's
//! pipeline) and hands the work to [`Pipeline`].

use super::Playbook;
use crate::error::Result;
use crate::lifecycle::{
    Facts, LifecycleState, ReplayOptions, TransitionOutcome, TransitionRecord, TransitionRequest,
};
use chrono::{DateTime, Utc};

#[cfg(doc)]
use crate::lifecycle::Pipeline;

impl Playbook {
    /// Starts a record in a pipeline's initial stage at `now`.
    pub fn start(
        &self,
        pipeline: &str,
        record_id: impl AsRef<str>,
        now: DateTime<Utc>,
    ) -> Result<LifecycleState> {
        Ok(self.pipeline(pipeline)?.start(record_id, now))
    }

    /// Checks a transition without applying it: `Ok(())` exactly when
    /// [`Playbook::transition`] would succeed.
    pub fn check(
        &self,
        state: &LifecycleState,
        request: &TransitionRequest,
        facts: &Facts<'_>,
    ) -> Result<()> {
        self.pipeline(state.pipeline())?
            .check(state, request, facts)
    }

    /// Moves a record. On success the state is updated and the outcome lists the actions to
    /// carry out; on failure the state is left exactly as it was and the error says why
    /// (every failing guard, by name).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{Actor, Facts, Playbook, Role, TransitionRequest};
    /// let pb = Playbook::default_playbook();
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let mut lead = pb.start("lead", "L-1", now).unwrap();
    ///
    /// // A score alone never makes an MQL: a sales rep is refused, whatever the score.
    /// let sdr = Actor::new("sam", Role::Sdr);
    /// let err = pb
    ///     .transition(&mut lead, &TransitionRequest::new("MQL", sdr, now), &Facts::new().score("lead", 250.0))
    ///     .unwrap_err();
    /// assert_eq!(err.code(), "lifecycle.guard_failed");
    /// assert_eq!(err.failed_guards()[0].guard, "marketing_only");
    /// assert_eq!(lead.current(), "Suspect");
    ///
    /// let mia = Actor::new("mia", Role::Marketing);
    /// let out = pb
    ///     .transition(&mut lead, &TransitionRequest::new("MQL", mia, now), &Facts::new().score("lead", 250.0))
    ///     .unwrap();
    /// assert_eq!(out.actions[0].kind, "notify");
    /// assert_eq!(lead.current(), "MQL");
    /// ```
    pub fn transition(
        &self,
        state: &mut LifecycleState,
        request: &TransitionRequest,
        facts: &Facts<'_>,
    ) -> Result<TransitionOutcome> {
        self.pipeline(state.pipeline())?
            .transition(state, request, facts)
    }

    /// Rebuilds a state from its history, checking every entry against the pipeline first;
    /// replaying a state's history gives back an equal state.
    ///
    /// The first entry must be a start (`from: None`) into the pipeline's initial stage.
    /// Each later entry must move from the stage the record is in (`from`), to a stage of
    /// the pipeline, by a declared transition (or a back-move the pipeline allows), not out
    /// of a terminal stage nor into the same stage, no earlier than the entry before; its
    /// reason must satisfy the target stage (`require_reason`, `reasons`), and its actor the
    /// `actor_role` guards of the transition and of the target stage.
    ///
    /// Guards on facts a history does not hold (fields, activities, scores) cannot be
    /// checked again and are taken as having held. For imported data whose guards and
    /// reasons were approved elsewhere, see [`Playbook::replay_with`] and
    /// [`ReplayOptions::trust_history`].
    ///
    /// Every bad entry is reported at once, with its index, as
    /// [`ErrorKind::InvalidHistory`](crate::ErrorKind::InvalidHistory) (`lifecycle.invalid_history`); an empty history is
    /// `input.invalid`, an unknown pipeline `lifecycle.unknown_pipeline`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::{Actor, Facts, Playbook, Role, TransitionRequest};
    /// let pb = Playbook::default_playbook();
    /// # let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let mut s = pb.start("lead", "L-1", now).unwrap();
    /// let req = TransitionRequest::new("Nurture", Actor::new("mia", Role::Marketing), now)
    ///     .with_reason("not ready");
    /// pb.transition(&mut s, &req, &Facts::new()).unwrap();
    /// let again = pb.replay("lead", "L-1", s.history()).unwrap();
    /// assert_eq!(again, s);
    ///
    /// // A history claiming a move the playbook never allows is refused, entry by entry.
    /// let mut forged = s.history().to_vec();
    /// forged[1].to = "Won".into();
    /// forged[1].reason = None;
    /// let err = pb.replay("lead", "L-1", &forged).unwrap_err();
    /// assert_eq!(err.code(), "lifecycle.invalid_history");
    /// assert_eq!(err.history_entries()[0].index, 1);
    /// assert_eq!(err.history_entries()[0].code, "history.undeclared");
    /// ```
    pub fn replay(
        &self,
        pipeline: &str,
        record_id: &str,
        history: &[TransitionRecord],
    ) -> Result<LifecycleState> {
        self.replay_with(pipeline, record_id, history, &ReplayOptions::default())
    }

    /// [`Playbook::replay`] with options: with [`ReplayOptions::trust_history`], reasons and
    /// `actor_role` guards are not checked and the first entry may enter any stage, but
    /// unknown stages and moves the pipeline does not allow are still refused.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use leadcore::{Actor, Playbook, ReplayOptions, Role, TransitionRecord};
    /// let pb = Playbook::default_playbook();
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let entry = |at, from: Option<&str>, to: &str, role: Option<Role>| TransitionRecord {
    ///     at,
    ///     from: from.map(str::to_owned),
    ///     to: to.to_owned(),
    ///     actor: role.map(|r| Actor::new("crm-import", r)),
    ///     reason: None,
    /// };
    /// // Imported from a CRM where a system account promoted the lead.
    /// let history = [
    ///     entry(t0, None, "Suspect", None),
    ///     entry(t0 + Duration::days(1), Some("Suspect"), "MQL", Some(Role::System)),
    /// ];
    /// let err = pb.replay("lead", "L-9", &history).unwrap_err();
    /// assert_eq!(err.history_entries()[0].code, "history.guard_failed");
    ///
    /// let trusted = ReplayOptions::new().trust_history(true);
    /// let state = pb.replay_with("lead", "L-9", &history, &trusted).unwrap();
    /// assert_eq!(state.current(), "MQL");
    /// ```
    pub fn replay_with(
        &self,
        pipeline: &str,
        record_id: &str,
        history: &[TransitionRecord],
        options: &ReplayOptions,
    ) -> Result<LifecycleState> {
        self.pipeline(pipeline)?.replay(record_id, history, options)
    }
}
