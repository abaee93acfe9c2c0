//! Routing a lead: the rule chain tried in order, each matching rule's strategies in turn.
//! A decision depends on the playbook, the state, the lead (and its scores) and `now` only.
//!
//! One algorithm ([`Routing::decide`]) serves every call, generic over where counters come
//! from ([`Ledger`]: the serde [`RoutingState`] looked up by id for one lead, or a
//! [`View`] of it indexed by rep for a batch) and over whether it writes the trace
//! (`FULL`): the lean batch builds no string and allocates nothing per lead once warm, and
//! the full trace is the same walk with the recording switched on, so both always agree.

use super::assignments::{Assignments, Placed};
use super::avail;
use super::decision::{
    Assignee, Decision, PassReason, PassedOver, RuleTrace, StrategyTrace, Unassigned,
    UnassignedCode,
};
use super::index;
use super::model::{Pool, Rep, Routing, Slot, Strategy};
use super::state::RoutingState;
use crate::action::{ActionSource, EmittedAction};
use crate::condition::Context;
use crate::error::Result;
use crate::model::{FieldSource, Lead, ValueRef};
use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// What a routing rule reads: the lead, and the scores supplied with it (for `score`
/// leaves). A `&Lead` converts into one.
///
/// ```
/// use leadcore::routing::RouteFacts;
/// use leadcore::Lead;
/// use std::collections::BTreeMap;
/// let lead = Lead::new("L-1");
/// let scores = BTreeMap::from([("lead".to_owned(), 82.0)]);
/// let facts = RouteFacts::new(&lead).scores(&scores);
/// assert_eq!(facts.lead().id, "L-1");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RouteFacts<'a> {
    lead: &'a Lead,
    scores: Option<&'a BTreeMap<String, f64>>,
}

impl<'a> RouteFacts<'a> {
    /// The facts of a lead, without scores.
    pub fn new(lead: &'a Lead) -> Self {
        RouteFacts { lead, scores: None }
    }
    /// Scores by model name, for `score` leaves.
    pub fn scores(mut self, scores: &'a BTreeMap<String, f64>) -> Self {
        self.scores = Some(scores);
        self
    }
    /// The lead.
    pub fn lead(&self) -> &'a Lead {
        self.lead
    }
}

impl<'a> From<&'a Lead> for RouteFacts<'a> {
    fn from(lead: &'a Lead) -> Self {
        RouteFacts::new(lead)
    }
}

/// What a decision reads of one rep's counters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    open: u32,
    /// Assigned on the rep's current day.
    today: u32,
    value: i64,
    /// The win rate, or -1 when none (or out of range).
    win_rate: f64,
}

/// Where a decision reads counters, availability and round-robin positions.
pub(crate) trait Ledger {
    fn counts(&self, routing: &Routing, r: usize) -> Counts;
    fn unavailable(&self, routing: &Routing, r: usize) -> Option<PassReason>;
    fn position(&self, routing: &Routing, slot: &Slot, r: usize) -> i64;
    fn state(&self) -> &RoutingState;
    /// Whether rep `r` can take a lead now: exactly when [`Routing::ineligible`] gives no
    /// reason.
    #[inline]
    fn eligible(&self, routing: &Routing, r: usize) -> bool
    where
        Self: Sized,
    {
        routing
            .ineligible(self, r, &self.counts(routing, r))
            .is_none()
    }
}

/// The day a rep's quota counts at `now`: local to the rep's zone, else UTC.
fn rep_today(rep: &Rep, now: DateTime<Utc>) -> NaiveDate {
    rep.days.as_ref().map_or(now.date_naive(), |d| d.date(now))
}

fn win_rate(w: Option<f64>) -> f64 {
    w.filter(|w| (0.0..=1.0).contains(w)).unwrap_or(-1.0)
}

/// The serde state itself, looked up by rep id (one lead at a time).
struct StateLedger<'a> {
    state: &'a RoutingState,
    now: DateTime<Utc>,
}

impl Ledger for StateLedger<'_> {
    fn counts(&self, routing: &Routing, r: usize) -> Counts {
        let Some(rep) = routing.reps.get(r) else {
            return Counts {
                open: 0,
                today: 0,
                value: 0,
                win_rate: -1.0,
            };
        };
        match self.state.reps.get(&rep.id) {
            None => Counts {
                open: 0,
                today: 0,
                value: 0,
                win_rate: -1.0,
            },
            Some(c) => Counts {
                open: c.open_leads,
                today: c.assigned_on(rep_today(rep, self.now)),
                value: c.assigned_value,
                win_rate: win_rate(c.win_rate),
            },
        }
    }

    fn unavailable(&self, routing: &Routing, r: usize) -> Option<PassReason> {
        let rep = routing.reps.get(r)?;
        let host = self
            .state
            .reps
            .get(&rep.id)
            .map_or(&[][..], |c| c.out_of_office.as_slice());
        avail::unavailable(
            rep.calendar.as_ref().map(|c| &*c.calendar),
            &rep.away,
            host,
            self.now,
        )
    }

    fn position(&self, routing: &Routing, slot: &Slot, r: usize) -> i64 {
        routing
            .reps
            .get(r)
            .and_then(|rep| self.state.rotations.get(&slot.key)?.get(&rep.id))
            .copied()
            .unwrap_or(0)
    }

    fn state(&self) -> &RoutingState {
        self.state
    }
}

#[derive(Debug, Clone, Copy)]
struct ViewRep {
    open: u32,
    assigned_today: u32,
    day: Option<NaiveDate>,
    value: i64,
    win_rate: f64,
    touched: bool,
}

/// A routing state compiled for one batch at one `now`: counters, availability and each
/// rep's current day by rep index, round-robin positions by (rotation key, rep index).
/// Written back into the serde state when the batch is done.
pub(crate) struct View<'a> {
    state: &'a RoutingState,
    reps: Vec<ViewRep>,
    today: Vec<NaiveDate>,
    away: Vec<Option<PassReason>>,
    /// By rep index: whether the rep can take a lead now (kept current as counters
    /// change).
    ok: Vec<bool>,
    /// By rotation key id; empty until the key is used, then one entry per rep.
    positions: Vec<Vec<Option<i64>>>,
}

/// What a batch changed, to write back.
struct ViewChanges {
    reps: Vec<ViewRep>,
    positions: Vec<Vec<Option<i64>>>,
}

impl<'a> View<'a> {
    fn new(routing: &Routing, state: &'a RoutingState, now: DateTime<Utc>) -> Self {
        let mut reps = Vec::with_capacity(routing.reps.len());
        let mut today = Vec::with_capacity(routing.reps.len());
        let mut away = Vec::with_capacity(routing.reps.len());
        for rep in &routing.reps {
            let c = state.reps.get(&rep.id);
            reps.push(ViewRep {
                open: c.map_or(0, |c| c.open_leads),
                assigned_today: c.map_or(0, |c| c.assigned_today),
                day: c.and_then(|c| c.day),
                value: c.map_or(0, |c| c.assigned_value),
                win_rate: win_rate(c.and_then(|c| c.win_rate)),
                touched: false,
            });
            today.push(rep_today(rep, now));
            away.push(avail::unavailable(
                rep.calendar.as_ref().map(|c| &*c.calendar),
                &rep.away,
                c.map_or(&[][..], |c| c.out_of_office.as_slice()),
                now,
            ));
        }
        let positions = routing
            .rotation_keys
            .iter()
            .map(|key| match state.rotations.get(key) {
                None => Vec::new(),
                Some(p) => routing
                    .reps
                    .iter()
                    .map(|rep| p.get(&rep.id).copied())
                    .collect(),
            })
            .collect();
        let mut view = View {
            state,
            reps,
            today,
            away,
            ok: Vec::new(),
            positions,
        };
        view.ok = (0..routing.reps.len())
            .map(|r| {
                routing
                    .ineligible(&view, r, &view.counts(routing, r))
                    .is_none()
            })
            .collect();
        view
    }

    fn apply(&mut self, routing: &Routing, out: &Outcome, updates: &[(usize, i64)]) {
        if let Placed::Rep(r) = out.placed
            && let (Some(v), Some(&today)) =
                (self.reps.get_mut(r as usize), self.today.get(r as usize))
        {
            v.open = v.open.saturating_add(1);
            if v.day.is_some_and(|d| d >= today) {
                v.assigned_today = v.assigned_today.saturating_add(1);
            } else {
                v.day = Some(today);
                v.assigned_today = 1;
            }
            v.value = v.value.saturating_add(out.value);
            v.touched = true;
            let r = r as usize;
            let ok = routing
                .ineligible(&*self, r, &self.counts(routing, r))
                .is_none();
            if let Some(slot) = self.ok.get_mut(r) {
                *slot = ok;
            }
        }
        if let Some(p) = out.rotation.and_then(|k| self.positions.get_mut(k)) {
            if p.is_empty() {
                p.resize(self.reps.len(), None);
            }
            for &(r, v) in updates {
                if let Some(slot) = p.get_mut(r) {
                    *slot = Some(v);
                }
            }
        }
    }

    fn finish(self) -> ViewChanges {
        ViewChanges {
            reps: self.reps,
            positions: self.positions,
        }
    }
}

impl ViewChanges {
    fn write(self, routing: &Routing, state: &mut RoutingState) {
        for (rep, v) in routing.reps.iter().zip(&self.reps) {
            if v.touched {
                let c = state.reps.entry(rep.id.clone()).or_default();
                c.open_leads = v.open;
                c.assigned_today = v.assigned_today;
                c.day = v.day;
                c.assigned_value = v.value;
            }
        }
        for (key, p) in routing.rotation_keys.iter().zip(self.positions) {
            if p.iter().all(Option::is_none) {
                continue;
            }
            let positions = state.rotations.entry(key.clone()).or_default();
            for (rep, v) in routing.reps.iter().zip(p) {
                if let Some(v) = v {
                    positions.insert(rep.id.clone(), v);
                }
            }
        }
    }
}

impl Ledger for View<'_> {
    #[inline]
    fn counts(&self, _: &Routing, r: usize) -> Counts {
        match (self.reps.get(r), self.today.get(r)) {
            (Some(v), Some(&today)) => Counts {
                open: v.open,
                today: if v.day.is_some_and(|d| d >= today) {
                    v.assigned_today
                } else {
                    0
                },
                value: v.value,
                win_rate: v.win_rate,
            },
            _ => Counts {
                open: 0,
                today: 0,
                value: 0,
                win_rate: -1.0,
            },
        }
    }

    #[inline]
    fn unavailable(&self, _: &Routing, r: usize) -> Option<PassReason> {
        self.away.get(r).cloned().flatten()
    }

    #[inline]
    fn position(&self, _: &Routing, slot: &Slot, r: usize) -> i64 {
        self.positions
            .get(slot.key_id)
            .and_then(|p| p.get(r).copied().flatten())
            .unwrap_or(0)
    }

    fn state(&self) -> &RoutingState {
        self.state
    }

    #[inline]
    fn eligible(&self, _: &Routing, r: usize) -> bool {
        self.ok.get(r).copied().unwrap_or(true)
    }
}

/// Buffers one decision works in, reused across a batch.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Eligible candidates of the strategy being tried.
    cand: Vec<usize>,
    /// Candidates with their win rates (the `win_rate` strategy).
    ranked: Vec<(usize, f64)>,
    /// The rules the index leaves to try.
    rules: Vec<u64>,
    /// New round-robin positions (rep index, position) of the chosen strategy.
    updates: Vec<(usize, i64)>,
    /// Rules whose condition held.
    matched: Vec<usize>,
}

/// What a decision picked, by index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    placed: Placed,
    rule: Option<usize>,
    /// The rotation key whose positions `Scratch::updates` holds.
    rotation: Option<usize>,
    value: i64,
    unassigned: Option<UnassignedCode>,
}

/// One strategy's pick.
struct Picked {
    placed: Placed,
    rotation: Option<usize>,
    value: i64,
}

/// What a lead's conditions read: the lead and its scores.
fn context<'a>(facts: RouteFacts<'a>) -> Context<'a> {
    let cx = Context::new().record(facts.lead);
    match facts.scores {
        Some(scores) => cx.scores(scores),
        None => cx,
    }
}

/// Leads whose rule candidates are found together before any is decided (their reads
/// overlap in memory).
const CHUNK: usize = 64;

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Routing {
    /// Decides who gets `lead` at `now` without changing anything: the same state, lead
    /// and `now` always give the same decision. Fails only on a state this build cannot
    /// use (`state.unsupported_version`, `input.invalid`).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::routing::Assignee;
    /// use leadcore::{Lead, Playbook};
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
    /// routing:
    ///   reps: [{id: A}, {id: B}, {id: C}]
    ///   rules:
    ///     - {name: small, when: {field: employees, op: lt, value: 10}, assign: {rep: A}}
    ///     - {name: mid, when: {field: employees, op: between, value: [11, 50]}, assign: {rep: B},
    ///        actions: [{kind: notify}, {kind: create_task, params: {task: call}}]}
    ///     - {name: large, when: {field: employees, op: ge, value: 50}, assign: {rep: C}}
    /// "#).unwrap();
    /// let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let mut lead = Lead::new("L-20");
    /// lead.firmographics.employees = Some(20);
    /// let state = pb.routing().new_state();
    /// let d = pb.routing().route(&state, &lead, now).unwrap();
    /// assert_eq!(d.assignee, Assignee::Rep("B".into()));
    /// assert_eq!(d.trace[0].failure.as_ref().unwrap().message, "field `employees` is 20, expected lt 10");
    /// assert_eq!(d.actions.len(), 2);
    /// // The chain leaves 10 uncovered and overlaps at 50: the playbook says so.
    /// let codes: Vec<&str> = pb.warnings().iter().map(|w| w.code.as_str()).collect();
    /// assert_eq!(codes, ["routing.range_gap", "routing.range_overlap"]);
    /// ```
    pub fn route<'a>(
        &self,
        state: &RoutingState,
        facts: impl Into<RouteFacts<'a>>,
        now: DateTime<Utc>,
    ) -> Result<Decision> {
        state.check()?;
        let facts = facts.into();
        let mut scratch = Scratch::default();
        let mut trace = Vec::new();
        let ledger = StateLedger { state, now };
        let out = self.decide::<_, true>(&ledger, facts, &mut scratch, &mut trace);
        Ok(self.decision(facts.lead, now, &out, trace, &scratch.matched))
    }

    /// [`Routing::route`], then records the assignment in `state` (the rep's open leads,
    /// today's count, assigned value, the round-robin position). On an error the state is
    /// left as it was.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{Lead, Playbook};
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
    /// routing:
    ///   reps: [{id: A, capacity: 1}, {id: B}]
    ///   rules: [{name: all, assign: {round_robin: {}}}]
    /// "#).unwrap();
    /// let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let mut state = pb.routing().new_state();
    /// let reps: Vec<String> = (0..3)
    ///     .map(|i| pb.routing().assign(&mut state, &Lead::new(format!("L-{i}")), now).unwrap())
    ///     .map(|d| d.rep().unwrap().to_owned())
    ///     .collect();
    /// assert_eq!(reps, ["A", "B", "B"]);   // A holds 1 open lead: at capacity
    /// assert_eq!(state.counters("B").assigned_today, 2);
    /// ```
    pub fn assign<'a>(
        &self,
        state: &mut RoutingState,
        facts: impl Into<RouteFacts<'a>>,
        now: DateTime<Utc>,
    ) -> Result<Decision> {
        state.check()?;
        let facts = facts.into();
        let mut scratch = Scratch::default();
        let mut trace = Vec::new();
        let out =
            self.decide::<_, true>(&StateLedger { state, now }, facts, &mut scratch, &mut trace);
        self.apply(state, &out, &scratch.updates, now);
        Ok(self.decision(facts.lead, now, &out, trace, &scratch.matched))
    }

    /// Assigns many leads, in order, exactly as one [`Routing::assign`] after another (so
    /// a batch is as fair as one-by-one routing: 1,000 leads over 3 equal reps give
    /// 334/333/333). On an error nothing is assigned and the state is left as it was.
    pub fn assign_batch(
        &self,
        state: &mut RoutingState,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> Result<Vec<Decision>> {
        state.check()?;
        let mut view = View::new(self, state, now);
        let mut scratch = Scratch::default();
        let decisions = leads
            .iter()
            .map(|lead| {
                let mut trace = Vec::new();
                let out =
                    self.decide::<_, true>(&view, RouteFacts::new(lead), &mut scratch, &mut trace);
                view.apply(self, &out, &scratch.updates);
                self.decision(lead, now, &out, trace, &scratch.matched)
            })
            .collect();
        view.finish().write(self, state);
        Ok(decisions)
    }

    /// [`Routing::assign_batch`] without the trace: the same assignments, in columns of
    /// indexes (the rep, queue and rule of each lead, and why a lead went to the
    /// unassignable queue), with the same changes to `state`. Nothing is allocated per lead
    /// but the reason of a lead no rule places. On an error nothing is assigned.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::routing::Placed;
    /// use leadcore::{Lead, Playbook};
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
    /// routing:
    ///   reps: [{id: A}, {id: B}, {id: C}]
    ///   rules: [{name: all, assign: {round_robin: {}}}]
    /// "#).unwrap();
    /// let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let leads: Vec<Lead> = (0..1000).map(|i| Lead::new(format!("L{i}"))).collect();
    /// let mut state = pb.routing().new_state();
    /// let got = pb.routing().assign_batch_lean(&mut state, &leads, now).unwrap();
    /// let a = got.placed.iter().filter(|p| **p == Placed::Rep(0)).count();
    /// assert_eq!((a, got.rule[0]), (334, Some(0)));
    /// assert_eq!(pb.routing().placed_name(got.placed[1]), "B");
    /// assert_eq!(state.counters("C").open_leads, 333);
    /// ```
    pub fn assign_batch_lean(
        &self,
        state: &mut RoutingState,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> Result<Assignments> {
        self.assign_facts_lean(state, leads.iter().map(RouteFacts::new), now)
    }

    /// [`Routing::assign_batch_lean`] over leads with their scores (for `score` leaves).
    pub fn assign_facts_lean<'a>(
        &self,
        state: &mut RoutingState,
        facts: impl IntoIterator<Item = RouteFacts<'a>>,
        now: DateTime<Utc>,
    ) -> Result<Assignments> {
        state.check()?;
        let mut facts = facts.into_iter();
        let mut view = View::new(self, state, now);
        let mut scratch = Scratch::default();
        let mut out = Assignments::with_capacity(facts.size_hint().0);
        let words = self.rule_index.words();
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut candidates = Vec::with_capacity(CHUNK * words);
        loop {
            chunk.clear();
            chunk.extend(facts.by_ref().take(CHUNK));
            if chunk.is_empty() {
                break;
            }
            // The field reads of a chunk first, independent of each other.
            candidates.clear();
            for f in &chunk {
                self.rule_index
                    .candidates(&self.prefilter.values(f.lead), &mut candidates);
            }
            for (i, f) in chunk.iter().enumerate() {
                let rules = candidates.get(i * words..(i + 1) * words).unwrap_or(&[]);
                let o = self.decide_lean(&view, *f, rules, &mut scratch);
                view.apply(self, &o, &scratch.updates);
                out.placed.push(o.placed);
                out.rule.push(o.rule.map(idx));
                out.unassigned
                    .push(o.unassigned.map(|c| self.unassigned(c, &scratch.matched)));
            }
        }
        view.finish().write(self, state);
        Ok(out)
    }

    /// The rep id or queue name an [`Assignments`] row names.
    pub fn placed_name(&self, placed: Placed) -> &str {
        match placed {
            Placed::Rep(r) => self.reps.get(r as usize).map_or("", |r| r.id.as_str()),
            Placed::Queue(q) => self.queues.get(q as usize).map_or("", String::as_str),
        }
    }

    /// The [`Assignee`] an [`Assignments`] row names.
    pub fn assignee(&self, placed: Placed) -> Assignee {
        let name = self.placed_name(placed).to_owned();
        match placed {
            Placed::Rep(_) => Assignee::Rep(name),
            Placed::Queue(_) => Assignee::Queue(name),
        }
    }

    fn apply(
        &self,
        state: &mut RoutingState,
        out: &Outcome,
        updates: &[(usize, i64)],
        now: DateTime<Utc>,
    ) {
        if let Placed::Rep(r) = out.placed
            && let Some(rep) = self.reps.get(r as usize)
        {
            let today = rep_today(rep, now);
            let c = state.reps.entry(rep.id.clone()).or_default();
            c.open_leads = c.open_leads.saturating_add(1);
            if c.day.is_some_and(|d| d >= today) {
                c.assigned_today = c.assigned_today.saturating_add(1);
            } else {
                c.day = Some(today);
                c.assigned_today = 1;
            }
            c.assigned_value = c.assigned_value.saturating_add(out.value);
        }
        if let Some(key) = out.rotation.and_then(|k| self.rotation_keys.get(k)) {
            let positions = state.rotations.entry(key.clone()).or_default();
            for &(r, v) in updates {
                if let Some(rep) = self.reps.get(r) {
                    positions.insert(rep.id.clone(), v);
                }
            }
        }
    }

    fn unassigned(&self, code: UnassignedCode, matched: &[usize]) -> Unassigned {
        let message = match code {
            UnassignedCode::NoRules => "the playbook has no routing rules".to_owned(),
            UnassignedCode::NoEligibleRep => {
                let names: Vec<&str> = matched
                    .iter()
                    .filter_map(|&i| self.rules.get(i))
                    .map(|r| r.name.as_str())
                    .collect();
                format!(
                    "rules matched ({}) but none found an eligible rep",
                    names.join(", ")
                )
            }
            UnassignedCode::NoRuleMatched => {
                format!("none of {} rules matched", self.rules.len())
            }
        };
        Unassigned { code, message }
    }

    fn decision(
        &self,
        lead: &Lead,
        now: DateTime<Utc>,
        out: &Outcome,
        trace: Vec<RuleTrace>,
        matched: &[usize],
    ) -> Decision {
        let assignee = self.assignee(out.placed);
        let rule = out.rule.and_then(|r| self.rules.get(r));
        let actions = match rule {
            Some(rule) if !rule.actions.is_empty() => {
                let (rep, queue) = match &assignee {
                    Assignee::Rep(r) => (Some(r.clone()), None),
                    Assignee::Queue(q) => (None, Some(q.clone())),
                };
                let source = ActionSource::Route {
                    rule: rule.name.clone(),
                    rep,
                    queue,
                };
                EmittedAction::emit(&source, &rule.actions)
            }
            _ => Vec::new(),
        };
        Decision {
            lead_id: lead.id.clone(),
            at: now,
            assignee,
            rule: rule.map(|r| r.name.clone()),
            unassigned: out.unassigned.map(|c| self.unassigned(c, matched)),
            trace,
            actions,
        }
    }

    /// The rule chain, tried in order. With `FULL`, every rule tried and every candidate
    /// passed over goes to `trace`; without, only the rules the index leaves are tried
    /// (the same first match), nothing is recorded and nothing allocated.
    pub(crate) fn decide<L: Ledger, const FULL: bool>(
        &self,
        ledger: &L,
        facts: RouteFacts<'_>,
        scratch: &mut Scratch,
        trace: &mut Vec<RuleTrace>,
    ) -> Outcome {
        let lead = facts.lead;
        let values = self.prefilter.values(lead);
        if !FULL {
            let mut rules = std::mem::take(&mut scratch.rules);
            rules.clear();
            self.rule_index.candidates(&values, &mut rules);
            let out = self.decide_lean(ledger, facts, &rules, scratch);
            scratch.rules = rules;
            return out;
        }
        let cx = context(facts);
        scratch.matched.clear();
        for (ri, rule) in self.rules.iter().enumerate() {
            let holds = rule.guards.pass(&values)
                && (rule.guards.exact || rule.when.as_ref().is_none_or(|w| w.holds(&cx)));
            if !holds && let Some(when) = &rule.when {
                trace.push(RuleTrace {
                    rule: rule.name.clone(),
                    matched: false,
                    failure: when.explain(&cx),
                    strategies: Vec::new(),
                });
                continue;
            }
            if let Some(out) = self.try_rule::<L, FULL>(ledger, lead, ri, scratch, trace) {
                return out;
            }
        }
        self.unplaced(&scratch.matched)
    }

    /// The walk without the trace over `candidates`, the rules the index leaves for the
    /// lead (every other rule fails one of its guards): the first of them whose condition
    /// holds and whose strategies place the lead is the one the full walk finds.
    fn decide_lean<L: Ledger>(
        &self,
        ledger: &L,
        facts: RouteFacts<'_>,
        candidates: &[u64],
        scratch: &mut Scratch,
    ) -> Outcome {
        let lead = facts.lead;
        scratch.matched.clear();
        let mut values = None;
        let mut cx = None;
        for ri in index::each(candidates) {
            let Some(rule) = self.rules.get(ri) else {
                continue;
            };
            let holds = self.rule_index.sure(ri) || {
                let values = values.get_or_insert_with(|| self.prefilter.values(lead));
                rule.guards.pass(values)
                    && (rule.guards.exact
                        || rule
                            .when
                            .as_ref()
                            .is_none_or(|w| w.holds(cx.get_or_insert_with(|| context(facts)))))
            };
            if holds
                && let Some(out) =
                    self.try_rule::<L, false>(ledger, lead, ri, scratch, &mut Vec::new())
            {
                return out;
            }
        }
        self.unplaced(&scratch.matched)
    }

    /// The outcome of a lead no rule places.
    fn unplaced(&self, matched: &[usize]) -> Outcome {
        let code = if self.rules.is_empty() {
            UnassignedCode::NoRules
        } else if matched.is_empty() {
            UnassignedCode::NoRuleMatched
        } else {
            UnassignedCode::NoEligibleRep
        };
        Outcome {
            placed: Placed::Queue(idx(self.unassignable)),
            rule: None,
            rotation: None,
            value: 0,
            unassigned: Some(code),
        }
    }

    /// Rule `ri`, whose condition holds: its strategies in turn. The outcome when one
    /// places the lead; with `FULL`, the rule's trace is recorded either way.
    fn try_rule<L: Ledger, const FULL: bool>(
        &self,
        ledger: &L,
        lead: &Lead,
        ri: usize,
        scratch: &mut Scratch,
        trace: &mut Vec<RuleTrace>,
    ) -> Option<Outcome> {
        let rule = self.rules.get(ri)?;
        scratch.matched.push(ri);
        let mut strategies = Vec::new();
        for slot in &rule.slots {
            let mut st = StrategyTrace {
                strategy: if FULL {
                    slot.name.to_owned()
                } else {
                    String::new()
                },
                chosen: None,
                passed_over: Vec::new(),
                note: None,
            };
            let picked = self.pick::<L, FULL>(ledger, lead, slot, scratch, &mut st);
            if FULL {
                st.chosen = picked.as_ref().map(|p| self.assignee(p.placed));
                strategies.push(st);
            }
            if let Some(p) = picked {
                if FULL {
                    trace.push(RuleTrace {
                        rule: rule.name.clone(),
                        matched: true,
                        failure: None,
                        strategies,
                    });
                }
                return Some(Outcome {
                    placed: p.placed,
                    rule: Some(ri),
                    rotation: p.rotation,
                    value: p.value,
                    unassigned: None,
                });
            }
        }
        if FULL {
            trace.push(RuleTrace {
                rule: rule.name.clone(),
                matched: true,
                failure: None,
                strategies,
            });
        }
        None
    }

    fn id(&self, r: usize) -> String {
        self.reps
            .get(r)
            .map(|rep| rep.id.clone())
            .unwrap_or_default()
    }

    /// Why rep `r` cannot take a lead now, if it cannot.
    #[inline]
    pub(crate) fn ineligible<L: Ledger>(
        &self,
        ledger: &L,
        r: usize,
        c: &Counts,
    ) -> Option<PassReason> {
        let rep = self.reps.get(r)?;
        if !rep.active {
            return Some(PassReason::Inactive);
        }
        if let Some(reason) = ledger.unavailable(self, r) {
            return Some(reason);
        }
        if c.open >= rep.capacity {
            return Some(PassReason::AtCapacity {
                open: c.open,
                capacity: rep.capacity,
            });
        }
        match rep.quota {
            Some(quota) if c.today >= quota => Some(PassReason::QuotaUsed {
                assigned: c.today,
                quota,
            }),
            _ => None,
        }
    }

    /// The pool's eligible members with their counters, in pool order, into
    /// `scratch.cand`; with `FULL`, the ineligible ones go to the trace.
    fn eligible<L: Ledger, const FULL: bool>(
        &self,
        ledger: &L,
        lead: &Lead,
        pool: &Pool,
        scratch: &mut Scratch,
        st: &mut StrategyTrace,
    ) {
        scratch.cand.clear();
        let territory = match &pool.territory_from {
            None => None,
            Some(field) => match lead.field_ref(field) {
                Some(ValueRef::Text(t)) if !t.trim().is_empty() => Some(t),
                _ => {
                    if FULL {
                        st.note =
                            Some(format!("field `{field}` is missing: no territory to match"));
                    }
                    return;
                }
            },
        };
        let Some(territory) = territory else {
            for &r in &pool.members {
                self.consider::<L, FULL>(ledger, r, scratch, st);
            }
            return;
        };
        let field = pool.territory_from.as_deref().unwrap_or_default();
        // The lead's territory, then each above it in the tree, until a level has an
        // eligible rep.
        let chain: &[u32] = match self.territories.get(territory) {
            Some(&id) => self.chains.get(id as usize).map_or(&[], Vec::as_slice),
            None => &[],
        };
        for (level, &tid) in chain.iter().enumerate() {
            let members = pool
                .covering
                .get(tid as usize)
                .map_or(&[][..], Vec::as_slice);
            let covering = members.len();
            for &r in members {
                self.consider::<L, FULL>(ledger, r, scratch, st);
            }
            let found = !scratch.cand.is_empty();
            if FULL && (found || level + 1 == chain.len()) {
                let name = self.territory_name(tid);
                st.note = Some(if level == 0 {
                    format!(
                        "{covering} of {} reps in the pool cover `{territory}` (field `{field}`)",
                        pool.members.len()
                    )
                } else {
                    format!(
                        "no eligible rep covers `{territory}` (field `{field}`): {covering} of {} reps in the pool cover `{name}`, {level} level(s) up",
                        pool.members.len()
                    )
                });
            }
            if found {
                return;
            }
        }
        if FULL && chain.is_empty() {
            st.note = Some(format!(
                "0 of {} reps in the pool cover `{territory}` (field `{field}`)",
                pool.members.len()
            ));
        }
    }

    /// Rep `r` as a candidate: into `scratch.cand` when eligible, else (with `FULL`) into
    /// the trace with the reason.
    fn consider<L: Ledger, const FULL: bool>(
        &self,
        ledger: &L,
        r: usize,
        scratch: &mut Scratch,
        st: &mut StrategyTrace,
    ) {
        if !FULL {
            if ledger.eligible(self, r) {
                scratch.cand.push(r);
            }
            return;
        }
        match self.ineligible(ledger, r, &ledger.counts(self, r)) {
            Some(reason) => st.passed_over.push(PassedOver {
                rep: self.id(r),
                reason,
            }),
            None => scratch.cand.push(r),
        }
    }

    /// A territory's name by id.
    fn territory_name(&self, id: u32) -> &str {
        self.territories
            .iter()
            .find(|(_, v)| **v == id)
            .map_or("", |(k, _)| k.as_str())
    }

    /// Smooth weighted round robin over `scratch.cand` (in its order): each adds its
    /// weight to its position, the highest (first on ties) is chosen and gives back the
    /// total. The new positions go to `scratch.updates`.
    fn rotate<L: Ledger>(&self, ledger: &L, slot: &Slot, scratch: &mut Scratch) -> usize {
        scratch.updates.clear();
        let mut total: i64 = 0;
        let mut best = 0;
        for (i, &r) in scratch.cand.iter().enumerate() {
            let weight = self.weights.get(r).copied().unwrap_or(1);
            total += weight;
            let p = ledger.position(self, slot, r).saturating_add(weight);
            if scratch.updates.get(best).is_some_and(|b| p > b.1) {
                best = i;
            }
            scratch.updates.push((r, p));
        }
        let chosen = scratch.updates.get(best).map_or(0, |u| u.0);
        if let Some(u) = scratch.updates.get_mut(best) {
            u.1 = u.1.saturating_sub(total);
        }
        chosen
    }

    fn pick<L: Ledger, const FULL: bool>(
        &self,
        ledger: &L,
        lead: &Lead,
        slot: &Slot,
        scratch: &mut Scratch,
        st: &mut StrategyTrace,
    ) -> Option<Picked> {
        let rep = |r: usize| Picked {
            placed: Placed::Rep(idx(r)),
            rotation: None,
            value: 0,
        };
        match &slot.strategy {
            Strategy::Queue(q) => Some(Picked {
                placed: Placed::Queue(idx(*q)),
                rotation: None,
                value: 0,
            }),
            Strategy::Rep(r) => match self.ineligible(ledger, *r, &ledger.counts(self, *r)) {
                Some(reason) => {
                    if FULL {
                        st.passed_over.push(PassedOver {
                            rep: self.id(*r),
                            reason,
                        });
                    }
                    None
                }
                None => Some(rep(*r)),
            },
            Strategy::RoundRobin(pool) => {
                self.eligible::<L, FULL>(ledger, lead, pool, scratch, st);
                (!scratch.cand.is_empty()).then(|| {
                    let r = self.rotate(ledger, slot, scratch);
                    Picked {
                        rotation: Some(slot.key_id),
                        ..rep(r)
                    }
                })
            }
            Strategy::LeastBusy(pool) => {
                self.eligible::<L, FULL>(ledger, lead, pool, scratch, st);
                let best = scratch
                    .cand
                    .iter()
                    .map(|&r| (r, ledger.counts(self, r).open))
                    .min_by_key(|&(_, open)| open)?;
                if FULL {
                    st.note = Some(format!(
                        "fewest open leads ({}) of {} eligible",
                        best.1,
                        scratch.cand.len()
                    ));
                }
                Some(rep(best.0))
            }
            Strategy::BalanceValue { pool, field } => {
                self.eligible::<L, FULL>(ledger, lead, pool, scratch, st);
                let value = match lead.field_ref(field) {
                    Some(ValueRef::Int(i)) => Some(i),
                    Some(ValueRef::Float(f)) if f.is_finite() => Some(f.round() as i64),
                    _ => None,
                };
                let best = scratch
                    .cand
                    .iter()
                    .map(|&r| (r, ledger.counts(self, r)))
                    .min_by_key(|(_, c)| (c.value, c.open))?;
                if FULL {
                    let n = scratch.cand.len();
                    st.note = Some(match value {
                        Some(_) => {
                            format!("least value assigned ({}) of {n} eligible", best.1.value)
                        }
                        None => format!(
                            "field `{field}` is missing: counted as 0; least value assigned ({}) of {n} eligible",
                            best.1.value
                        ),
                    });
                }
                Some(Picked {
                    value: value.unwrap_or(0),
                    ..rep(best.0)
                })
            }
            Strategy::WinRate { pool, top } => {
                self.eligible::<L, FULL>(ledger, lead, pool, scratch, st);
                // The `top` best win rates first (a rep without one last), ties in pool
                // order: a stable selection, in place.
                let cand = &mut scratch.ranked;
                cand.clear();
                cand.extend(
                    scratch
                        .cand
                        .iter()
                        .map(|&r| (r, ledger.counts(self, r).win_rate)),
                );
                let k = (*top).min(cand.len());
                for i in 0..k {
                    let mut best = i;
                    for j in i + 1..cand.len() {
                        if cand[j].1.total_cmp(&cand[best].1) == Ordering::Greater {
                            best = j;
                        }
                    }
                    cand[i..=best].rotate_right(1);
                }
                cand.truncate(k);
                scratch.cand.clear();
                scratch.cand.extend(cand.iter().map(|&(r, _)| r));
                if scratch.cand.is_empty() {
                    return None;
                }
                let r = self.rotate(ledger, slot, scratch);
                if FULL {
                    let ids: Vec<String> = scratch.cand.iter().map(|&r| self.id(r)).collect();
                    st.note = Some(format!("best win rates: {}", ids.join(", ")));
                }
                Some(Picked {
                    rotation: Some(slot.key_id),
                    ..rep(r)
                })
            }
            Strategy::AccountOwner => self.owner::<L, FULL>(ledger, lead, st),
        }
    }

    fn owner<L: Ledger, const FULL: bool>(
        &self,
        ledger: &L,
        lead: &Lead,
        st: &mut StrategyTrace,
    ) -> Option<Picked> {
        let state = ledger.state();
        let account = lead.account_id.as_deref().filter(|a| !a.trim().is_empty());
        let domain = lead
            .contact
            .email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.trim())
            .filter(|d| !d.is_empty());
        let by_account = account.and_then(|a| state.account_owners.get(a).map(|o| (o, a)));
        let domain_lower = match (by_account, domain) {
            (None, Some(d)) => Some(d.to_lowercase()),
            _ => None,
        };
        let by_domain = domain_lower
            .as_deref()
            .and_then(|d| state.domain_owners.get(d).map(|o| (o, d)));
        let Some(owner) = by_account.or(by_domain).map(|(o, _)| o) else {
            if FULL {
                let domain = domain.map(str::to_lowercase);
                st.note = Some(match (account, &domain) {
                    (None, None) => "the lead has no account_id and no e-mail domain".to_owned(),
                    (Some(a), None) => format!("no owner on record for account `{a}`"),
                    (None, Some(d)) => format!("no owner on record for domain `{d}`"),
                    (Some(a), Some(d)) => {
                        format!("no owner on record for account `{a}` nor domain `{d}`")
                    }
                });
            }
            return None;
        };
        if FULL {
            st.note = Some(match (by_account, by_domain) {
                (Some((o, a)), _) => format!("account `{a}` is owned by `{o}`"),
                (None, Some((o, d))) => format!("domain `{d}` is owned by `{o}`"),
                (None, None) => String::new(),
            });
        }
        let Some(&r) = self.index.get(owner) else {
            if FULL {
                st.passed_over.push(PassedOver {
                    rep: owner.clone(),
                    reason: PassReason::UnknownRep,
                });
            }
            return None;
        };
        match self.ineligible(ledger, r, &ledger.counts(self, r)) {
            Some(reason) => {
                if FULL {
                    st.passed_over.push(PassedOver {
                        rep: owner.clone(),
                        reason,
                    });
                }
                None
            }
            None => Some(Picked {
                placed: Placed::Rep(idx(r)),
                rotation: None,
                value: 0,
            }),
        }
    }
}
