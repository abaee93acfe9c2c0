//! A record's lifecycle state: where it is, the highest stage it reached, and its history.

use crate::error::{Error, ErrorKind, Result};
use crate::model::Actor;
use crate::model::Checked;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state format version this build reads and writes.
pub const STATE_SCHEMA_VERSION: u32 = 1;

/// One entry of a record's history: a move between stages (or the first entry).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Actor, Facts, Playbook, Role, TransitionRequest};
/// let pb = Playbook::default_playbook();
/// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let mut lead = pb.start("lead", "L-1", now).unwrap();
/// let mia = Actor::new("mia", Role::Marketing);
/// pb.transition(&mut lead, &TransitionRequest::new("MQL", mia, now), &Facts::new().score("lead", 250.0)).unwrap();
/// let last = lead.history().last().unwrap();
/// assert_eq!((last.from.as_deref(), last.to.as_str()), (Some("Suspect"), "MQL"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRecord {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Stage left; `None` for the record's first entry.
    pub from: Option<String>,
    /// Stage entered.
    pub to: String,
    /// Who moved it; `None` for the first entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// Why (lost, nurture, disqualified reasons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The lifecycle state of one record (a lead or an opportunity) in one pipeline.
///
/// The current stage and the highest stage reached are kept apart, so recycling a lead back
/// to an earlier stage does not corrupt funnels. The state is plain data: the host stores it
/// (JSON, any serde format) and hands it back; it round-trips without loss.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{LifecycleState, Playbook};
/// let pb = Playbook::default_playbook();
/// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let state = pb.start("lead", "L-1", now).unwrap();
/// assert_eq!(state.current(), "Suspect");
/// let json = serde_json::to_string(&state).unwrap();
/// let back: LifecycleState = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, state);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawState")]
pub struct LifecycleState {
    schema_version: u32,
    pipeline: String,
    record_id: String,
    current: String,
    highest: Option<String>,
    entered_at: DateTime<Utc>,
    history: Vec<TransitionRecord>,
    #[serde(skip)]
    verified: Checked,
}

/// How much time a record spent in one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDwell {
    /// The stage.
    pub stage: String,
    /// Total seconds spent there, over every visit (the current visit counts up to `now`).
    pub seconds: i64,
    /// How many times the record entered it.
    pub visits: u32,
}

impl LifecycleState {
    pub(crate) fn begin(
        pipeline: &str,
        record_id: &str,
        initial: &str,
        ranked: bool,
        now: DateTime<Utc>,
    ) -> Self {
        LifecycleState {
            schema_version: STATE_SCHEMA_VERSION,
            pipeline: pipeline.to_owned(),
            record_id: record_id.to_owned(),
            current: initial.to_owned(),
            highest: ranked.then(|| initial.to_owned()),
            entered_at: now,
            history: vec![TransitionRecord {
                at: now,
                from: None,
                to: initial.to_owned(),
                actor: None,
                reason: None,
            }],
            verified: Checked::default(),
        }
    }

    /// A state whose history starts with `first` kept as given (its actor and reason too),
    /// as a replay rebuilds it.
    pub(crate) fn begin_with(
        pipeline: &str,
        record_id: &str,
        first: TransitionRecord,
        ranked: bool,
    ) -> Self {
        LifecycleState {
            schema_version: STATE_SCHEMA_VERSION,
            pipeline: pipeline.to_owned(),
            record_id: record_id.to_owned(),
            current: first.to.clone(),
            highest: ranked.then(|| first.to.clone()),
            entered_at: first.at,
            history: vec![first],
            verified: Checked::default(),
        }
    }

    /// Whether this state is known to agree with the pipeline of this fingerprint.
    pub(crate) fn verified_for(&self, fingerprint: u64) -> bool {
        self.verified.is(fingerprint)
    }

    /// Notes that this state agrees with the pipeline of this fingerprint.
    pub(crate) fn mark_verified(&mut self, fingerprint: u64) {
        self.verified = Checked::by(fingerprint);
    }

    pub(crate) fn record(&mut self, rec: TransitionRecord, new_highest: Option<&str>) {
        if let Some(h) = new_highest {
            self.highest = Some(h.to_owned());
        }
        self.current.clone_from(&rec.to);
        self.entered_at = rec.at;
        self.history.push(rec);
    }

    /// Format version of this state.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }
    /// The pipeline the record runs in.
    pub fn pipeline(&self) -> &str {
        &self.pipeline
    }
    /// The record's id (lead or opportunity id).
    pub fn record_id(&self) -> &str {
        &self.record_id
    }
    /// The current stage.
    pub fn current(&self) -> &str {
        &self.current
    }
    /// The highest ranked stage ever reached (unchanged by recycling).
    pub fn highest(&self) -> Option<&str> {
        self.highest.as_deref()
    }
    /// When the record entered its current stage.
    pub fn entered_at(&self) -> DateTime<Utc> {
        self.entered_at
    }
    /// Every transition, oldest first; the first entry is the start.
    pub fn history(&self) -> &[TransitionRecord] {
        &self.history
    }

    /// Time spent in each stage the record visited, up to `now`, in order of first visit.
    ///
    /// A `now` before the record's last move is refused as
    /// [`ErrorKind::TimeWentBackwards`] (`lifecycle.time_went_backwards`), as a transition
    /// at that time would be: the last stage's dwell would be negative.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use leadcore::{Actor, Facts, Playbook, Role, TransitionRequest};
    /// let pb = Playbook::default_playbook();
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let mut s = pb.start("lead", "L-1", t0).unwrap();
    /// let marketer = Actor::new("mia", Role::Marketing);
    /// let req = TransitionRequest::new("MQL", marketer, t0 + Duration::hours(2));
    /// pb.transition(&mut s, &req, &Facts::new().score("lead", 120.0)).unwrap();
    /// let dwell = s.dwell(t0 + Duration::hours(5)).unwrap();
    /// assert_eq!((dwell[0].stage.as_str(), dwell[0].seconds), ("Suspect", 7200));
    /// assert_eq!((dwell[1].stage.as_str(), dwell[1].seconds), ("MQL", 10800));
    ///
    /// let err = s.dwell(t0 + Duration::hours(1)).unwrap_err();
    /// assert_eq!(err.code(), "lifecycle.time_went_backwards");
    /// ```
    pub fn dwell(&self, now: DateTime<Utc>) -> Result<Vec<StageDwell>> {
        if now < self.entered_at {
            return Err(Error::from(ErrorKind::TimeWentBackwards {
                last: self.entered_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                now: now.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            }));
        }
        let mut out: Vec<StageDwell> = Vec::new();
        let mut pos: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, rec) in self.history.iter().enumerate() {
            let until = self.history.get(i + 1).map_or(now, |n| n.at);
            let secs = (until - rec.at).num_seconds().max(0);
            let idx = *pos.entry(rec.to.as_str()).or_insert_with(|| {
                out.push(StageDwell {
                    stage: rec.to.clone(),
                    seconds: 0,
                    visits: 0,
                });
                out.len() - 1
            });
            out[idx].seconds += secs;
            out[idx].visits += 1;
        }
        Ok(out)
    }

    /// Serialises the state as canonical JSON (as every door writes it).
    pub fn to_json(&self) -> String {
        crate::wire::canonical_json(self)
    }

    /// Reads a state from JSON, checking its format version and internal consistency.
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json::<RawState>(text, "lifecycle state")
            .and_then(LifecycleState::try_from)
    }
}

/// The wire form, checked before it becomes a [`LifecycleState`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    schema_version: u32,
    pipeline: String,
    record_id: String,
    current: String,
    highest: Option<String>,
    entered_at: DateTime<Utc>,
    history: Vec<TransitionRecord>,
}

impl TryFrom<RawState> for LifecycleState {
    type Error = Error;
    fn try_from(r: RawState) -> Result<Self> {
        if r.schema_version != STATE_SCHEMA_VERSION {
            return Err(Error::from(ErrorKind::UnsupportedVersion {
                what: "state".to_owned(),
                found: r.schema_version,
                supported: STATE_SCHEMA_VERSION,
            }));
        }
        let consistent = r.history.last().is_some_and(|last| {
            last.to == r.current
                && last.at == r.entered_at
                && r.history.windows(2).all(|w| w[0].at <= w[1].at)
        });
        if !consistent {
            return Err(Error::invalid_input("lifecycle state: history does not end in the current stage, or is out of time order".to_owned()));
        }
        Ok(LifecycleState {
            schema_version: r.schema_version,
            pipeline: r.pipeline,
            record_id: r.record_id,
            current: r.current,
            highest: r.highest,
            entered_at: r.entered_at,
            history: r.history,
            verified: Checked::default(),
        })
    }
}
