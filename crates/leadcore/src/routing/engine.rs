//! Routing a lead: the rule chain tried in order, each matching rule's strategies in turn,
//! every rule and every passed-over rep recorded. A decision depends on the playbook, the
//! state, the lead (and its scores) and `now` only.

use super::decision::{
    Assignee, Decision, PassReason, PassedOver, RuleTrace, StrategyTrace, Unassigned,
    UnassignedCode,
};
use super::model::{Pool, Routing, Slot, Strategy};
use super::state::{RepCounters, RoutingState};
use crate::action::{ActionSource, EmittedAction};
use crate::condition::Context;
use crate::error::Result;
use crate::model::{FieldSource, Lead, ValueRef};
use chrono::{DateTime, NaiveDate, Utc};
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

/// What a decision changes in the state, applied only by the mutating calls.
#[derive(Debug, Default)]
struct Effect {
    rep: Option<usize>,
    value: i64,
    rotation: Option<(String, Vec<(usize, i64)>)>,
}

/// One strategy's outcome.
struct Pick {
    trace: StrategyTrace,
    chosen: Option<(Assignee, Effect)>,
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
        Ok(self.decide(state, facts.into(), now).0)
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
        let (decision, effect) = self.decide(state, facts.into(), now);
        self.apply(state, effect, now.date_naive());
        Ok(decision)
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
        let today = now.date_naive();
        Ok(leads
            .iter()
            .map(|lead| {
                let (decision, effect) = self.decide(state, RouteFacts::new(lead), now);
                self.apply(state, effect, today);
                decision
            })
            .collect())
    }

    fn apply(&self, state: &mut RoutingState, effect: Effect, today: NaiveDate) {
        if let Some(rep) = effect.rep.and_then(|r| self.reps.get(r)) {
            let c = state.reps.entry(rep.id.clone()).or_default();
            c.open_leads = c.open_leads.saturating_add(1);
            if c.day.is_some_and(|d| d >= today) {
                c.assigned_today = c.assigned_today.saturating_add(1);
            } else {
                c.day = Some(today);
                c.assigned_today = 1;
            }
            c.assigned_value = c.assigned_value.saturating_add(effect.value);
        }
        if let Some((key, updates)) = effect.rotation {
            let positions = state.rotations.entry(key).or_default();
            for (r, v) in updates {
                if let Some(rep) = self.reps.get(r) {
                    positions.insert(rep.id.clone(), v);
                }
            }
        }
    }

    fn decide(
        &self,
        state: &RoutingState,
        facts: RouteFacts<'_>,
        now: DateTime<Utc>,
    ) -> (Decision, Effect) {
        let lead = facts.lead;
        let mut cx = Context::new().record(lead);
        if let Some(scores) = facts.scores {
            cx = cx.scores(scores);
        }
        let run = Run {
            routing: self,
            state,
            lead,
            today: now.date_naive(),
        };
        let mut trace = Vec::new();
        let mut any_matched = false;
        for rule in &self.rules {
            if let Some(failure) = rule.when.as_ref().and_then(|c| c.explain(&cx)) {
                trace.push(RuleTrace {
                    rule: rule.name.clone(),
                    matched: false,
                    failure: Some(failure),
                    strategies: Vec::new(),
                });
                continue;
            }
            any_matched = true;
            let mut strategies = Vec::new();
            for slot in &rule.slots {
                let pick = run.pick(slot);
                strategies.push(pick.trace);
                if let Some((assignee, effect)) = pick.chosen {
                    trace.push(RuleTrace {
                        rule: rule.name.clone(),
                        matched: true,
                        failure: None,
                        strategies,
                    });
                    let (rep, queue) = match &assignee {
                        Assignee::Rep(r) => (Some(r.clone()), None),
                        Assignee::Queue(q) => (None, Some(q.clone())),
                    };
                    let source = ActionSource::Route {
                        rule: rule.name.clone(),
                        rep,
                        queue,
                    };
                    let decision = Decision {
                        lead_id: lead.id.clone(),
                        at: now,
                        assignee,
                        rule: Some(rule.name.clone()),
                        unassigned: None,
                        trace,
                        actions: EmittedAction::emit(&source, &rule.actions),
                    };
                    return (decision, effect);
                }
            }
            trace.push(RuleTrace {
                rule: rule.name.clone(),
                matched: true,
                failure: None,
                strategies,
            });
        }
        let unassigned = if self.rules.is_empty() {
            Unassigned {
                code: UnassignedCode::NoRules,
                message: "the playbook has no routing rules".to_owned(),
            }
        } else if any_matched {
            let names: Vec<&str> = trace
                .iter()
                .filter(|t| t.matched)
                .map(|t| t.rule.as_str())
                .collect();
            Unassigned {
                code: UnassignedCode::NoEligibleRep,
                message: format!(
                    "rules matched ({}) but none found an eligible rep",
                    names.join(", ")
                ),
            }
        } else {
            Unassigned {
                code: UnassignedCode::NoRuleMatched,
                message: format!("none of {} rules matched", self.rules.len()),
            }
        };
        let decision = Decision {
            lead_id: lead.id.clone(),
            at: now,
            assignee: Assignee::Queue(self.spec.unassignable_queue.clone()),
            rule: None,
            unassigned: Some(unassigned),
            trace,
            actions: Vec::new(),
        };
        (decision, Effect::default())
    }
}

/// One decision in progress.
struct Run<'a> {
    routing: &'a Routing,
    state: &'a RoutingState,
    lead: &'a Lead,
    today: NaiveDate,
}

const NO_COUNTERS: RepCounters = RepCounters {
    open_leads: 0,
    assigned_today: 0,
    day: None,
    assigned_value: 0,
    win_rate: None,
};

impl<'a> Run<'a> {
    fn counters(&self, r: usize) -> &'a RepCounters {
        self.routing
            .reps
            .get(r)
            .and_then(|rep| self.state.reps.get(&rep.id))
            .unwrap_or(&NO_COUNTERS)
    }

    fn id(&self, r: usize) -> String {
        self.routing
            .reps
            .get(r)
            .map(|rep| rep.id.clone())
            .unwrap_or_default()
    }

    /// Why rep `r` cannot take a lead now, if it cannot. (Working hours, time zones,
    /// holidays and out-of-office periods join here with `time/` calendars.)
    fn ineligible(&self, r: usize, c: &RepCounters) -> Option<PassReason> {
        let rep = self.routing.reps.get(r)?;
        if !rep.active {
            return Some(PassReason::Inactive);
        }
        if c.open_leads >= rep.capacity {
            return Some(PassReason::AtCapacity {
                open: c.open_leads,
                capacity: rep.capacity,
            });
        }
        let assigned = c.assigned_on(self.today);
        match rep.quota {
            Some(quota) if assigned >= quota => Some(PassReason::QuotaUsed { assigned, quota }),
            _ => None,
        }
    }

    /// The pool's eligible members with their counters, in pool order; the ineligible ones
    /// go to `passed`.
    fn eligible(
        &self,
        pool: &Pool,
        passed: &mut Vec<PassedOver>,
        note: &mut Option<String>,
    ) -> Vec<(usize, &'a RepCounters)> {
        let territory = match &pool.territory_from {
            None => None,
            Some(field) => match self.lead.field_ref(field) {
                Some(ValueRef::Text(t)) if !t.trim().is_empty() => Some(t),
                _ => {
                    *note = Some(format!("field `{field}` is missing: no territory to match"));
                    return Vec::new();
                }
            },
        };
        let mut out = Vec::new();
        let mut covering = 0usize;
        for &r in &pool.members {
            if let Some(t) = territory
                && !self
                    .routing
                    .reps
                    .get(r)
                    .is_some_and(|rep| rep.territories.iter().any(|x| x == t))
            {
                continue;
            }
            covering += 1;
            let c = self.counters(r);
            match self.ineligible(r, c) {
                Some(reason) => passed.push(PassedOver {
                    rep: self.id(r),
                    reason,
                }),
                None => out.push((r, c)),
            }
        }
        if let (Some(t), Some(field)) = (territory, &pool.territory_from) {
            *note = Some(format!(
                "{covering} of {} reps in the pool cover `{t}` (field `{field}`)",
                pool.members.len()
            ));
        }
        out
    }

    /// Smooth weighted round robin over `eligible` (in pool order): each adds its weight
    /// to its position, the highest (first on ties) is chosen and gives back the total.
    fn rotate(&self, key: &str, eligible: &[usize]) -> (usize, Vec<(usize, i64)>) {
        let positions = self.state.rotations.get(key);
        let total: i64 = eligible
            .iter()
            .filter_map(|&r| self.routing.reps.get(r))
            .map(|rep| rep.weight)
            .sum();
        let mut updates: Vec<(usize, i64)> = eligible
            .iter()
            .map(|&r| {
                let rep = self.routing.reps.get(r);
                let current = rep
                    .and_then(|rep| positions.and_then(|p| p.get(&rep.id)))
                    .copied()
                    .unwrap_or(0);
                (r, current.saturating_add(rep.map_or(1, |rep| rep.weight)))
            })
            .collect();
        let mut best = 0;
        for (i, u) in updates.iter().enumerate() {
            if updates.get(best).is_some_and(|b| u.1 > b.1) {
                best = i;
            }
        }
        let chosen = updates.get(best).map_or(0, |u| u.0);
        if let Some(u) = updates.get_mut(best) {
            u.1 = u.1.saturating_sub(total);
        }
        (chosen, updates)
    }

    fn pick(&self, slot: &Slot) -> Pick {
        let mut passed = Vec::new();
        let mut note = None;
        let rep_effect = |r: usize| Effect {
            rep: Some(r),
            ..Effect::default()
        };
        let chosen: Option<(usize, Effect)> = match &slot.strategy {
            Strategy::Queue(q) => {
                return Pick {
                    trace: StrategyTrace {
                        strategy: slot.name.to_owned(),
                        chosen: Some(Assignee::Queue(q.clone())),
                        passed_over: Vec::new(),
                        note: None,
                    },
                    chosen: Some((Assignee::Queue(q.clone()), Effect::default())),
                };
            }
            Strategy::Rep(r) => match self.ineligible(*r, self.counters(*r)) {
                Some(reason) => {
                    passed.push(PassedOver {
                        rep: self.id(*r),
                        reason,
                    });
                    None
                }
                None => Some((*r, rep_effect(*r))),
            },
            Strategy::RoundRobin(pool) => {
                let eligible: Vec<usize> = self
                    .eligible(pool, &mut passed, &mut note)
                    .into_iter()
                    .map(|(r, _)| r)
                    .collect();
                (!eligible.is_empty()).then(|| {
                    let (r, updates) = self.rotate(&slot.key, &eligible);
                    (
                        r,
                        Effect {
                            rep: Some(r),
                            value: 0,
                            rotation: Some((slot.key.clone(), updates)),
                        },
                    )
                })
            }
            Strategy::LeastBusy(pool) => {
                let eligible = self.eligible(pool, &mut passed, &mut note);
                let best = eligible.iter().min_by_key(|(_, c)| c.open_leads);
                if let Some((_, c)) = best {
                    note = Some(format!(
                        "fewest open leads ({}) of {} eligible",
                        c.open_leads,
                        eligible.len()
                    ));
                }
                best.map(|&(r, _)| (r, rep_effect(r)))
            }
            Strategy::BalanceValue { pool, field } => {
                let eligible = self.eligible(pool, &mut passed, &mut note);
                let value = match self.lead.field_ref(field) {
                    Some(ValueRef::Int(i)) => Some(i),
                    Some(ValueRef::Float(f)) if f.is_finite() => Some(f.round() as i64),
                    _ => None,
                };
                let best = eligible
                    .iter()
                    .min_by_key(|(_, c)| (c.assigned_value, c.open_leads));
                if let Some((_, c)) = best {
                    note = Some(match value {
                        Some(_) => format!(
                            "least value assigned ({}) of {} eligible",
                            c.assigned_value,
                            eligible.len()
                        ),
                        None => format!(
                            "field `{field}` is missing: counted as 0; least value assigned ({}) of {} eligible",
                            c.assigned_value,
                            eligible.len()
                        ),
                    });
                }
                best.map(|&(r, _)| {
                    (
                        r,
                        Effect {
                            rep: Some(r),
                            value: value.unwrap_or(0),
                            rotation: None,
                        },
                    )
                })
            }
            Strategy::WinRate { pool, top } => {
                let mut ranked = self.eligible(pool, &mut passed, &mut note);
                // Best win rate first (a rep without one last); stable, so ties keep pool order.
                let rate = |c: &RepCounters| {
                    c.win_rate
                        .filter(|w| (0.0..=1.0).contains(w))
                        .unwrap_or(-1.0)
                };
                ranked.sort_by(|a, b| rate(b.1).total_cmp(&rate(a.1)));
                ranked.truncate(*top);
                let eligible: Vec<usize> = ranked.into_iter().map(|(r, _)| r).collect();
                (!eligible.is_empty()).then(|| {
                    let (r, updates) = self.rotate(&slot.key, &eligible);
                    let ids: Vec<String> = eligible.iter().map(|&r| self.id(r)).collect();
                    note = Some(format!("best win rates: {}", ids.join(", ")));
                    (
                        r,
                        Effect {
                            rep: Some(r),
                            value: 0,
                            rotation: Some((slot.key.clone(), updates)),
                        },
                    )
                })
            }
            Strategy::AccountOwner => self.owner(&mut passed, &mut note),
        };
        let chosen = chosen.map(|(r, e)| (Assignee::Rep(self.id(r)), e));
        Pick {
            trace: StrategyTrace {
                strategy: slot.name.to_owned(),
                chosen: chosen.as_ref().map(|c| c.0.clone()),
                passed_over: passed,
                note,
            },
            chosen,
        }
    }

    fn owner(
        &self,
        passed: &mut Vec<PassedOver>,
        note: &mut Option<String>,
    ) -> Option<(usize, Effect)> {
        let account = self
            .lead
            .account_id
            .as_deref()
            .filter(|a| !a.trim().is_empty());
        let domain = self
            .lead
            .contact
            .email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.trim().to_lowercase())
            .filter(|d| !d.is_empty());
        let found = account
            .and_then(|a| {
                self.state
                    .account_owners
                    .get(a)
                    .map(|o| (o, format!("account `{a}`")))
            })
            .or_else(|| {
                domain.as_ref().and_then(|d| {
                    self.state
                        .domain_owners
                        .get(d)
                        .map(|o| (o, format!("domain `{d}`")))
                })
            });
        let Some((owner, by)) = found else {
            *note = Some(match (account, &domain) {
                (None, None) => "the lead has no account_id and no e-mail domain".to_owned(),
                (Some(a), None) => format!("no owner on record for account `{a}`"),
                (None, Some(d)) => format!("no owner on record for domain `{d}`"),
                (Some(a), Some(d)) => {
                    format!("no owner on record for account `{a}` nor domain `{d}`")
                }
            });
            return None;
        };
        *note = Some(format!("{by} is owned by `{owner}`"));
        let Some(&r) = self.routing.index.get(owner) else {
            passed.push(PassedOver {
                rep: owner.clone(),
                reason: PassReason::UnknownRep,
            });
            return None;
        };
        match self.ineligible(r, self.counters(r)) {
            Some(reason) => {
                passed.push(PassedOver {
                    rep: owner.clone(),
                    reason,
                });
                None
            }
            None => Some((
                r,
                Effect {
                    rep: Some(r),
                    ..Effect::default()
                },
            )),
        }
    }
}
