//! Per-lead scoring: a lead's score state, updated one event at a time, and the score card
//! computed from it at any `now`.

use super::batch::{MAX_TIME, MIN_TIME};
use super::evaluate::{Tally, evaluate, grade};
use super::explain::ScoreCard;
use super::model::Scoring;
use super::points::{Q, to_f64};
use super::signals::{insert_sorted, is_hot, zombie};
use super::spec::Refire;
use crate::action::{ActionSource, ActionSpec, EmittedAction};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Activity, Checked, FieldSource, Lead};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// The state format version this build reads and writes.
pub const SCORE_STATE_SCHEMA_VERSION: u32 = 1;

/// The counted activity times of one behaviour rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTimes {
    /// Model name.
    pub model: String,
    /// Rule name.
    pub rule: String,
    /// Unix seconds of matching activities, ascending.
    pub times: Vec<i64>,
}

/// Where a threshold stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdState {
    /// Model name.
    pub model: String,
    /// Threshold name.
    pub threshold: String,
    /// The score is at or above the threshold (and has not fallen below `at - hysteresis`).
    pub above: bool,
    /// How many times it fired up.
    pub fired: u32,
}

/// A lead's scoring state: what a host stores between events. Plain serde data; reading it
/// back checks that every time list is ascending and every time representable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawScoreState")]
pub struct ScoreState {
    /// Format version.
    pub schema_version: u32,
    /// The lead.
    pub lead_id: String,
    /// Times per behaviour rule, in the playbook's rule order.
    pub rules: Vec<RuleTimes>,
    /// Engagement times (for hotness and zombie detection), ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engagement: Vec<i64>,
    /// Follow-up times (for zombie detection), ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<i64>,
    /// Threshold positions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<ThresholdState>,
    /// The latest `now` thresholds were checked at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<DateTime<Utc>>,
    /// Fingerprint of the playbook's rule and threshold names this state was made for.
    pub layout: u64,
    /// The layout this state was made by or fully checked against (not data: never
    /// serialised, ignored by equality; a state read from JSON has none).
    #[serde(skip)]
    pub(crate) checked: Checked,
}

impl ScoreState {
    /// Serialises the state as canonical JSON.
    pub fn to_json(&self) -> String {
        crate::wire::canonical_json(self)
    }

    /// Reads a stored state, checking its format version and its times (ascending,
    /// representable), with the error's own code (`state.unsupported_version`,
    /// `input.invalid`). Check it against a playbook with [`Scoring::check_state`].
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json::<RawScoreState>(text, "score state").and_then(ScoreState::try_from)
    }
}

/// The wire form of a [`ScoreState`], checked before use.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScoreState {
    schema_version: u32,
    lead_id: String,
    rules: Vec<RuleTimes>,
    #[serde(default)]
    engagement: Vec<i64>,
    #[serde(default)]
    follow_ups: Vec<i64>,
    #[serde(default)]
    thresholds: Vec<ThresholdState>,
    #[serde(default)]
    checked_at: Option<DateTime<Utc>>,
    layout: u64,
}

impl TryFrom<RawScoreState> for ScoreState {
    type Error = Error;
    fn try_from(r: RawScoreState) -> Result<Self> {
        if r.schema_version != SCORE_STATE_SCHEMA_VERSION {
            return Err(Error::from(ErrorKind::UnsupportedVersion {
                what: "score state".to_owned(),
                found: r.schema_version,
                supported: SCORE_STATE_SCHEMA_VERSION,
            }));
        }
        let ok = |times: &[i64]| {
            times.windows(2).all(|w| w[0] <= w[1])
                && times.iter().all(|t| (MIN_TIME..=MAX_TIME).contains(t))
        };
        if !(r.rules.iter().all(|rt| ok(&rt.times)) && ok(&r.engagement) && ok(&r.follow_ups)) {
            return Err(Error::invalid_input(
                "score state: times must be ascending, representable instants".to_owned(),
            ));
        }
        Ok(ScoreState {
            schema_version: r.schema_version,
            lead_id: r.lead_id,
            rules: r.rules,
            engagement: r.engagement,
            follow_ups: r.follow_ups,
            thresholds: r.thresholds,
            checked_at: r.checked_at,
            layout: r.layout,
            checked: Checked::default(),
        })
    }
}

/// Which way a threshold was crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Reached `at`.
    Up,
    /// Fell below `at - hysteresis`.
    Down,
}

/// Something the host should act on, emitted as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScoreSignal {
    /// A threshold was crossed.
    Threshold {
        /// Model.
        model: String,
        /// Threshold name.
        threshold: String,
        /// Up or down.
        direction: Direction,
        /// The score at the crossing.
        score: f64,
        /// When.
        at: DateTime<Utc>,
        /// Actions to carry out (a suggested lifecycle move is only a suggestion).
        actions: Vec<ActionSpec>,
    },
    /// The lead just became hot.
    Hot {
        /// When.
        at: DateTime<Utc>,
    },
}

impl Direction {
    /// `up` or `down`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

impl ScoreSignal {
    /// The signal's actions in the one emitted-action shape every engine uses (source:
    /// the threshold, its model and direction). A hot signal carries none.
    ///
    /// ```
    /// use leadcore::action::ActionSource;
    /// use leadcore::scoring::{Direction, ScoreSignal};
    /// let s = ScoreSignal::Threshold {
    ///     model: "lead".into(), threshold: "hot".into(), direction: Direction::Up, score: 120.0,
    ///     at: chrono::DateTime::UNIX_EPOCH,
    ///     actions: vec![serde_json::from_str(r#"{"kind": "notify"}"#).unwrap()],
    /// };
    /// let a = &s.emitted_actions()[0];
    /// assert_eq!(a.kind, "notify");
    /// assert!(matches!(&a.source, ActionSource::Threshold { direction, .. } if direction == "up"));
    /// ```
    pub fn emitted_actions(&self) -> Vec<EmittedAction> {
        match self {
            ScoreSignal::Threshold {
                model,
                threshold,
                direction,
                actions,
                ..
            } => EmittedAction::emit(
                &ActionSource::Threshold {
                    model: model.clone(),
                    threshold: threshold.clone(),
                    direction: direction.name().to_owned(),
                },
                actions,
            ),
            ScoreSignal::Hot { .. } => Vec::new(),
        }
    }
}

/// Where [`Scoring::record`] put an event: enough to take it back out.
pub(crate) struct Receipt {
    at: i64,
    /// The rules it went to, each with the latest time dropped to keep within its limit.
    flats: Vec<(usize, Option<i64>)>,
    engaged: bool,
    follow_up: bool,
}

impl Receipt {
    /// Removes the recorded event again. Equal times are indistinguishable, so removing one
    /// of them restores the lists exactly.
    fn undo(self, state: &mut ScoreState) {
        let remove = |times: &mut Vec<i64>, t: i64| {
            if let Ok(i) = times.binary_search(&t) {
                times.remove(i);
            }
        };
        for (flat, dropped) in self.flats {
            if let Some(r) = state.rules.get_mut(flat)
                && dropped != Some(self.at)
            {
                remove(&mut r.times, self.at);
                // The dropped time was the latest: it goes back at the end.
                r.times.extend(dropped);
            }
        }
        if self.engaged {
            remove(&mut state.engagement, self.at);
        }
        if self.follow_up {
            remove(&mut state.follow_ups, self.at);
        }
    }
}

pub(crate) fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

impl Scoring {
    /// An empty state for a lead.
    ///
    /// ```
    /// let pb = leadcore::Playbook::default_playbook();
    /// let state = pb.scoring().new_state("L-1");
    /// assert_eq!(state.lead_id, "L-1");
    /// ```
    pub fn new_state(&self, lead_id: impl Into<String>) -> ScoreState {
        ScoreState {
            schema_version: SCORE_STATE_SCHEMA_VERSION,
            lead_id: lead_id.into(),
            rules: self
                .behaviours
                .iter()
                .map(|&(m, r)| RuleTimes {
                    model: self.models[m].name.clone(),
                    rule: self.models[m].rules[r].name.clone(),
                    times: Vec::new(),
                })
                .collect(),
            engagement: Vec::new(),
            follow_ups: Vec::new(),
            thresholds: self
                .models
                .iter()
                .flat_map(|m| {
                    m.thresholds.iter().map(|t| ThresholdState {
                        model: m.name.clone(),
                        threshold: t.name.clone(),
                        above: false,
                        fired: 0,
                    })
                })
                .collect(),
            checked_at: None,
            layout: self.layout,
            checked: Checked::by(self.layout),
        }
    }

    /// Checks that a (stored) state belongs to this playbook's rules and format version, and
    /// that it could have been made by them: every entry names the rule or threshold at its
    /// place, a rule without a window holds no more times than it can count, a threshold
    /// is above only once it has fired and after a check. Every call taking a state runs
    /// it; the per-rule part (O(rules + thresholds)) runs once per state in memory: a state
    /// made by [`Scoring::new_state`] or already checked by a call that changed it is not
    /// read again (a state read from JSON always is). A state is plain data: it cannot prove
    /// where it came from, so store it where its lead cannot write it.
    pub fn check_state(&self, state: &ScoreState) -> Result<()> {
        if state.schema_version != SCORE_STATE_SCHEMA_VERSION {
            return Err(Error::from(ErrorKind::UnsupportedVersion {
                what: "score state".to_owned(),
                found: state.schema_version,
                supported: SCORE_STATE_SCHEMA_VERSION,
            }));
        }
        // The layout fingerprint covers the compiled rules, thresholds and engagement kinds.
        if state.layout != self.layout
            || state.rules.len() != self.behaviours.len()
            || state.thresholds.len() != self.threshold_count
        {
            return Err(Error::invalid_input(
                "score state was made with another playbook's rules".to_owned(),
            ));
        }
        if state.checked.is(self.layout) {
            return Ok(());
        }
        // Per rule and threshold, in O(rules + thresholds): every entry where its rule is,
        // no more times than a rule without a window can ever count, flags that follow
        // from the counts.
        let forged = |what: String| Err(Error::invalid_input(format!("score state: {what}")));
        for (flat, (rt, &(m, r))) in state.rules.iter().zip(&self.behaviours).enumerate() {
            let model = &self.models[m];
            if rt.model != model.name || rt.rule != model.rules[r].name {
                return forged(format!(
                    "entry {flat} is `{}`/`{}`, where the playbook has `{}`/`{}`",
                    rt.model, rt.rule, model.name, model.rules[r].name
                ));
            }
            if let Some(b) = self.behaviour(flat)
                && b.window.is_none()
                && rt.times.len() > b.limit as usize
            {
                return forged(format!(
                    "rule `{}` of model `{}` holds {} times; it counts at most {}",
                    rt.rule,
                    rt.model,
                    rt.times.len(),
                    b.limit
                ));
            }
        }
        let declared = self
            .models
            .iter()
            .flat_map(|m| m.thresholds.iter().map(move |t| (&m.name, t)));
        for (ts, (model, t)) in state.thresholds.iter().zip(declared) {
            if ts.model != *model || ts.threshold != t.name {
                return forged(format!(
                    "threshold entry `{}`/`{}` where the playbook has `{model}`/`{}`",
                    ts.model, ts.threshold, t.name
                ));
            }
            let never_checked = state.checked_at.is_none() && (ts.above || ts.fired > 0);
            if (ts.above && ts.fired == 0) || never_checked {
                return forged(format!(
                    "threshold `{}` of model `{model}` is marked above (or fired) without \
                     having fired (or been checked)",
                    t.name
                ));
            }
        }
        Ok(())
    }

    /// An event later than `now` beyond the tolerance is bad.
    fn check_future(&self, event: &Activity, now: i64) -> Result<()> {
        let at = secs(event.at);
        if at > now.saturating_add(self.tolerance) {
            return Err(Error::from(ErrorKind::BadEvent {
                reason: crate::error::BadEventReason::InFuture,
                message: format!(
                    "activity at {} is after now ({})",
                    event.at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    DateTime::<Utc>::from_timestamp(now, 0)
                        .unwrap_or_default()
                        .to_rfc3339_opts(SecondsFormat::AutoSi, true)
                ),
            }));
        }
        Ok(())
    }

    /// Records an event without checking thresholds. O(1) amortised when events arrive in
    /// time order. On error (a state of another playbook, an event after `now` beyond the
    /// tolerance) the state is unchanged.
    pub fn record(
        &self,
        state: &mut ScoreState,
        event: &Activity,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.check_state(state)?;
        state.checked = Checked::by(self.layout);
        self.record_with(state, event, now, |_, _| {}).map(drop)
    }

    /// [`Scoring::record`], returning where the event went so that [`Receipt::undo`] can
    /// take it back out exactly. Checks everything before changing anything.
    fn record_receipt(
        &self,
        state: &mut ScoreState,
        event: &Activity,
        now: DateTime<Utc>,
    ) -> Result<Receipt> {
        self.check_state(state)?;
        state.checked = Checked::by(self.layout);
        self.record_checked(state, event, now)
    }

    /// [`Scoring::record`] on a state already checked, with a receipt that can take the
    /// event back out ([`Scoring::apply`] needs one; the batch paths use `record_with`).
    fn record_checked(
        &self,
        state: &mut ScoreState,
        event: &Activity,
        now: DateTime<Utc>,
    ) -> Result<Receipt> {
        let mut flats = Vec::new();
        let (engaged, follow_up) = self.record_with(state, event, now, |flat, dropped| {
            flats.push((flat, dropped))
        })?;
        Ok(Receipt {
            at: secs(event.at),
            flats,
            engaged,
            follow_up,
        })
    }

    /// Records an event into a checked state, telling `note` each rule it went to (with
    /// the time dropped to keep a rule without a window within its limit). Fails (an
    /// event after `now` beyond the tolerance) before changing anything; allocates nothing
    /// when events arrive in time order.
    pub(crate) fn record_with(
        &self,
        state: &mut ScoreState,
        event: &Activity,
        now: DateTime<Utc>,
        mut note: impl FnMut(usize, Option<i64>),
    ) -> Result<(bool, bool)> {
        let at = secs(event.at);
        self.check_future(event, secs(now))?;
        let (engaged, follow_up) = self.engagement_of(event);
        // Nothing below can fail. A rule without a window counts only its earliest `limit`
        // times, ever: it keeps no more (what `check_state` expects).
        let rules = self.by_kind.get(&event.kind).map_or(&[][..], Vec::as_slice);
        for &flat in rules {
            let Some(b) = self.behaviour(flat).filter(|b| b.matches(event)) else {
                continue;
            };
            let Some(r) = state.rules.get_mut(flat) else {
                continue;
            };
            insert_sorted(&mut r.times, at);
            let dropped = if b.window.is_none() && r.times.len() > b.limit as usize {
                r.times.pop()
            } else {
                None
            };
            note(flat, dropped);
        }
        if engaged {
            insert_sorted(&mut state.engagement, at);
        }
        if follow_up {
            insert_sorted(&mut state.follow_ups, at);
        }
        Ok((engaged, follow_up))
    }

    /// Records an event and checks thresholds and hotness at `now`: the incremental path.
    /// On error (an event after `now` beyond the tolerance, a missing attribute a rule
    /// filters on, `now` before the last check) the state is unchanged.
    pub fn apply(
        &self,
        state: &mut ScoreState,
        lead: &Lead,
        event: &Activity,
        now: DateTime<Utc>,
    ) -> Result<Vec<ScoreSignal>> {
        self.check_state(state)?;
        self.check_time(state, now)?;
        let was_hot = self.hot_at(state, secs(now));
        let receipt = self.record_receipt(state, event, now)?;
        // Thresholds are computed on the state with the event in it, then committed; if
        // they cannot be, the event is taken back out, so a failed call changes nothing.
        let (positions, mut signals) = match self.plan_thresholds(state, lead, now) {
            Ok(plan) => plan,
            Err(e) => {
                receipt.undo(state);
                return Err(e);
            }
        };
        state.thresholds = positions;
        state.checked_at = Some(now);
        if !was_hot && self.hot_at(state, secs(now)) {
            signals.push(ScoreSignal::Hot { at: now });
        }
        Ok(signals)
    }

    /// Whether an event counts as engagement (hotness, zombie) and as a follow-up (zombie).
    fn engagement_of(&self, event: &Activity) -> (bool, bool) {
        let spec = &self.spec;
        let engaged = spec
            .hotness
            .as_ref()
            .is_some_and(|h| h.kinds.contains(&event.kind))
            || spec
                .zombie
                .as_ref()
                .is_some_and(|z| z.engagement_kinds.contains(&event.kind));
        let follow_up = spec
            .zombie
            .as_ref()
            .is_some_and(|z| z.follow_up_kinds.contains(&event.kind));
        (engaged, follow_up)
    }

    fn check_time(&self, state: &ScoreState, now: DateTime<Utc>) -> Result<()> {
        match state.checked_at {
            Some(last) if now < last => Err(Error::from(ErrorKind::TimeWentBackwards {
                last: last.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                now: now.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            })),
            _ => Ok(()),
        }
    }

    fn hot_at(&self, state: &ScoreState, now: i64) -> bool {
        self.spec
            .hotness
            .as_ref()
            .is_some_and(|h| is_hot(h, &state.engagement, now))
    }

    /// Checks thresholds at `now` (decay can carry a score down between events) and returns
    /// the crossings. On error (a state of another playbook, `now` before the last check, a
    /// threshold whose fired count cannot grow) the state is unchanged.
    pub fn check_thresholds(
        &self,
        state: &mut ScoreState,
        lead: &Lead,
        now: DateTime<Utc>,
    ) -> Result<Vec<ScoreSignal>> {
        let (positions, signals) = self.plan_thresholds(state, lead, now)?;
        state.thresholds = positions;
        state.checked_at = Some(now);
        Ok(signals)
    }

    /// The threshold positions and crossings at `now`, computed without changing `state`.
    fn plan_thresholds(
        &self,
        state: &ScoreState,
        lead: &Lead,
        now: DateTime<Utc>,
    ) -> Result<(Vec<ThresholdState>, Vec<ScoreSignal>)> {
        self.check_state(state)?;
        self.check_time(state, now)?;
        let scores = self.scores_q(state, Some(lead), secs(now))?;
        let mut positions = state.thresholds.clone();
        let mut signals = Vec::new();
        let mut slots = positions.iter_mut();
        for (m, model) in self.models.iter().enumerate() {
            for t in &model.thresholds {
                let Some(ts) = slots.next() else {
                    return Err(Error::invalid_input(
                        "score state has fewer thresholds than the playbook".to_owned(),
                    ));
                };
                let score = to_f64(scores[m]);
                let (direction, actions) = if !ts.above && score >= t.at {
                    ts.above = true;
                    if t.refire == Refire::OncePerLead && ts.fired > 0 {
                        continue;
                    }
                    ts.fired = ts.fired.checked_add(1).ok_or_else(|| {
                        Error::invalid_input(format!(
                            "score state: threshold `{}` of model `{}` has fired {} times \
                             already; its count cannot grow",
                            t.name,
                            model.name,
                            u32::MAX
                        ))
                    })?;
                    (Direction::Up, &t.on_up)
                } else if ts.above && score < t.at - t.hysteresis {
                    ts.above = false;
                    if t.refire == Refire::OncePerLead && ts.fired > 1 {
                        continue;
                    }
                    (Direction::Down, &t.on_down)
                } else {
                    continue;
                };
                signals.push(ScoreSignal::Threshold {
                    model: model.name.clone(),
                    threshold: t.name.clone(),
                    direction,
                    score,
                    at: now,
                    actions: actions.clone(),
                });
            }
        }
        Ok((positions, signals))
    }

    /// Quantised scores of every model at `now`.
    pub(crate) fn scores_q(
        &self,
        state: &ScoreState,
        lead: Option<&dyn FieldSource>,
        now: i64,
    ) -> Result<Vec<Q>> {
        let mut scores = vec![0; self.models.len()];
        let mut tally = |flat: usize| match (self.behaviour(flat), state.rules.get(flat)) {
            (Some(b), Some(rt)) => Tally::from_sorted(b, &rt.times, now, false),
            _ => Tally::default(),
        };
        evaluate(self, &mut tally, lead, &mut scores, None)
            .map_err(|o| o.error(self, &state.lead_id))?;
        Ok(scores)
    }

    /// The score card of a state at `now`, with the full breakdown when `explain`.
    pub fn card(
        &self,
        state: &ScoreState,
        lead: &Lead,
        now: DateTime<Utc>,
        explain: bool,
    ) -> Result<ScoreCard> {
        self.check_state(state)?;
        let t = secs(now);
        let mut scores = vec![0; self.models.len()];
        let mut models = Vec::with_capacity(self.models.len());
        let mut tally = |flat: usize| match (self.behaviour(flat), state.rules.get(flat)) {
            (Some(b), Some(rt)) => Tally::from_sorted(b, &rt.times, t, explain),
            _ => Tally::default(),
        };
        evaluate(self, &mut tally, Some(lead), &mut scores, Some(&mut models))
            .map_err(|o| o.error(self, &state.lead_id))?;
        Ok(ScoreCard {
            lead_id: state.lead_id.clone(),
            at: now,
            models,
            hot: self.hot_at(state, t),
            zombie: self
                .spec
                .zombie
                .as_ref()
                .and_then(|z| zombie(z, &state.engagement, &state.follow_ups, t)),
        })
    }

    /// Scores a lead from its activities at `now`, with the breakdown: the per-lead path.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{Activity, ActivityKind, Lead, Playbook};
    /// let pb = Playbook::default_playbook();
    /// let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    /// let lead_b = [
    ///     { let mut a = Activity::new(ActivityKind::WebVisit, t); a.page = Some("/pricing".into()); a },
    ///     Activity::new(ActivityKind::EmailOpened, t),
    ///     Activity::new(ActivityKind::EmailOpened, t),
    /// ];
    /// let card = pb.scoring().score(&Lead::new("B"), &lead_b, t, true).unwrap();
    /// assert_eq!(card.score("engagement"), Some(19.0));
    /// ```
    pub fn score(
        &self,
        lead: &Lead,
        activities: &[Activity],
        now: DateTime<Utc>,
        explain: bool,
    ) -> Result<ScoreCard> {
        // Every event is checked and its times gathered, then each list sorted once: events
        // in any order cost n log n (inserting each in place was quadratic newest-first).
        let mut state = self.new_state(lead.id.clone());
        let t = secs(now);
        for a in activities {
            let at = secs(a.at);
            self.check_future(a, t)?;
            for &flat in self.by_kind.get(&a.kind).map_or(&[][..], Vec::as_slice) {
                if self.behaviour(flat).is_some_and(|b| b.matches(a))
                    && let Some(r) = state.rules.get_mut(flat)
                {
                    r.times.push(at);
                }
            }
            let (engaged, follow_up) = self.engagement_of(a);
            if engaged {
                state.engagement.push(at);
            }
            if follow_up {
                state.follow_ups.push(at);
            }
        }
        for (flat, r) in state.rules.iter_mut().enumerate() {
            r.times.sort_unstable();
            if let Some(b) = self.behaviour(flat)
                && b.window.is_none()
            {
                r.times.truncate(b.limit as usize);
            }
        }
        state.engagement.sort_unstable();
        state.follow_ups.sort_unstable();
        self.card(&state, lead, now, explain)
    }

    /// The grade a score of `model` gets.
    pub fn grade(&self, model: &str, score: f64) -> Option<&str> {
        let m = self.models.get(self.model_index(model)?)?;
        grade(m, super::points::quantize(score))
    }
}
