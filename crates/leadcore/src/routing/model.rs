//! A validated routing section, compiled: reps by index, pools resolved, conditions
//! compiled once.

use super::avail::{LocalDays, RepCalendar};
use super::index::RuleIndex;
use super::prefilter::{Prefilter, RuleGuards};
use super::spec::{DEFAULT_CAPACITY, PoolSpec, RoutingSpec, StrategySpec};
use super::state::RoutingState;
use super::validate::strategy_key;
use crate::action::ActionSpec;
use crate::condition::compile::Sink;
use crate::condition::{Condition, Scope};
use crate::error::Issue;
use crate::model::{Catalog, RecordKind};
use crate::time::{Calendar, Calendars};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What routing rules may read: the lead's fields and the scores supplied with it.
pub(crate) fn condition_scope() -> Scope {
    Scope {
        scores: true,
        ..Scope::record(RecordKind::Lead)
    }
}

/// The declared reps a pool's fixed selectors (`reps`, `team`, `territory`) keep, in
/// declaration order.
pub(crate) fn pool_members(spec: &RoutingSpec, pool: &PoolSpec) -> Vec<usize> {
    let chains = super::spec::territory_chains(spec);
    // A rep's territory `t` lies in the selected one when the selection is on its chain.
    let within = |t: &String, sel: &String| {
        t == sel
            || chains
                .get(t.as_str())
                .is_some_and(|c| c.contains(&sel.as_str()))
    };
    spec.reps
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            pool.reps.as_ref().is_none_or(|ids| ids.contains(&r.id))
                && pool
                    .team
                    .as_ref()
                    .is_none_or(|t| r.team.as_ref() == Some(t))
                && pool
                    .territory
                    .as_ref()
                    .is_none_or(|sel| r.territories.iter().any(|t| within(t, sel)))
        })
        .map(|(i, _)| i)
        .collect()
}

/// A rep, compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rep {
    pub id: String,
    /// Territory ids (into [`Routing::territories`]), sorted.
    pub territories: Vec<u32>,
    pub weight: i64,
    pub capacity: u32,
    pub quota: Option<u32>,
    pub active: bool,
    /// The working hours (the named calendar, read in the rep's zone), shared.
    pub calendar: Option<RepCalendar>,
    /// The zone whose days quotas count (the rep's `time_zone`, else its calendar's).
    pub days: Option<Arc<LocalDays>>,
    /// The spec's out-of-office periods, sorted.
    pub away: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// A pool: its fixed members, narrowed per lead by `territory_from`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pool {
    pub members: Vec<usize>,
    pub territory_from: Option<String>,
    /// With `territory_from`: by territory id, the members covering that territory (in
    /// pool order); empty otherwise.
    pub covering: Vec<Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Strategy {
    Rep(usize),
    /// A queue, by index into [`Routing::queues`].
    Queue(usize),
    RoundRobin(Pool),
    LeastBusy(Pool),
    BalanceValue {
        pool: Pool,
        field: String,
    },
    WinRate {
        pool: Pool,
        top: usize,
    },
    AccountOwner,
}

/// A strategy and the key of its round-robin positions in the routing state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Slot {
    pub key: String,
    /// Index of `key` among the distinct rotation keys (positions of a compiled state).
    pub key_id: usize,
    pub name: &'static str,
    pub strategy: Strategy,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    pub name: String,
    pub when: Option<Condition>,
    /// Necessary checks of `when`, cheap to run first.
    pub guards: RuleGuards,
    /// `assign`, then each fallback.
    pub slots: Vec<Slot>,
    pub actions: Vec<ActionSpec>,
}

/// A validated routing section, compiled: who gets each lead ([`Routing::route`]), with
/// the warnings found while building it (gaps and overlaps of range rules).
///
/// ```
/// use leadcore::Playbook;
/// let pb = Playbook::from_yaml(r#"
/// schema_version: 1
/// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
/// routing:
///   reps: [{id: A}, {id: B}]
///   rules: [{name: everyone, assign: {round_robin: {}}}]
/// "#).unwrap();
/// assert_eq!(pb.routing().rep_ids(), ["A", "B"]);
/// assert!(pb.warnings().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    pub(crate) spec: RoutingSpec,
    pub(crate) reps: Vec<Rep>,
    /// Each rep's weight, by rep index (read per candidate of a rotation).
    pub(crate) weights: Vec<i64>,
    pub(crate) index: BTreeMap<String, usize>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) warnings: Vec<Issue>,
    /// Queue names: the declared ones, then the unassignable queue when undeclared.
    pub(crate) queues: Vec<String>,
    /// Index of the unassignable queue in `queues`.
    pub(crate) unassignable: usize,
    /// Territory ids by name.
    pub(crate) territories: BTreeMap<String, u32>,
    /// Per territory id: its chain of ids up the tree (itself first; just itself without a
    /// tree).
    pub(crate) chains: Vec<Vec<u32>>,
    /// Distinct rotation keys (one per rule or fallback).
    pub(crate) rotation_keys: Vec<String>,
    /// The fields the rules' guards read.
    pub(crate) prefilter: Prefilter,
    /// Which rules can match a lead, by its guarded values.
    pub(crate) rule_index: RuleIndex,
}

impl Default for Routing {
    fn default() -> Self {
        Routing::build(
            &RoutingSpec::default(),
            &Catalog::default(),
            &Calendars::default(),
        )
    }
}

/// The named calendar read in `zone` (its own zone when none or the same): the shared
/// compiled one, or a copy of its spec in the rep's zone.
fn rep_calendar(calendars: &Calendars, name: &str, zone: Option<&str>) -> Option<RepCalendar> {
    let spec = calendars.spec(name)?;
    let calendar = match zone {
        Some(z) if z != spec.time_zone => {
            let mut copy = spec.clone();
            copy.time_zone = z.to_owned();
            Arc::new(Calendar::new(&copy).ok()?)
        }
        _ => Arc::clone(calendars.get(name)?),
    };
    Some(RepCalendar {
        name: name.to_owned(),
        calendar,
    })
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

impl Routing {
    /// Compiles a section the validator accepted (against the same catalog), with the
    /// playbook's named calendars: one compiled calendar per distinct (calendar, rep time
    /// zone), shared by every rep working it.
    pub(crate) fn build(spec: &RoutingSpec, catalog: &Catalog, calendars: &Calendars) -> Self {
        let default_capacity = if spec.capacity >= 1 {
            spec.capacity
        } else {
            DEFAULT_CAPACITY
        };
        let mut territories: BTreeMap<String, u32> = BTreeMap::new();
        let names = spec
            .territories
            .iter()
            .map(|t| &t.id)
            .chain(spec.reps.iter().flat_map(|r| &r.territories));
        for t in names {
            let next = u32::try_from(territories.len()).unwrap_or(u32::MAX);
            territories.entry(t.clone()).or_insert(next);
        }
        let tree = super::spec::territory_chains(spec);
        let mut chains: Vec<Vec<u32>> = vec![Vec::new(); territories.len()];
        for (name, &id) in &territories {
            chains[id as usize] = match tree.get(name.as_str()) {
                Some(chain) => chain
                    .iter()
                    .filter_map(|t| territories.get(*t).copied())
                    .collect(),
                None => vec![id],
            };
        }
        let mut compiled: BTreeMap<(String, Option<String>), Option<RepCalendar>> = BTreeMap::new();
        let mut zones: BTreeMap<String, Option<Arc<LocalDays>>> = BTreeMap::new();
        let reps: Vec<Rep> = spec
            .reps
            .iter()
            .map(|r| {
                let calendar = r.calendar.as_ref().and_then(|name| {
                    compiled
                        .entry((name.clone(), r.time_zone.clone()))
                        .or_insert_with(|| rep_calendar(calendars, name, r.time_zone.as_deref()))
                        .clone()
                });
                let zone = r
                    .time_zone
                    .clone()
                    .or_else(|| calendar.as_ref().map(|c| c.calendar.time_zone().to_owned()));
                let days = zone.and_then(|z| {
                    zones
                        .entry(z.clone())
                        .or_insert_with(|| LocalDays::new(&z).map(Arc::new))
                        .clone()
                });
                let mut ids: Vec<u32> = r
                    .territories
                    .iter()
                    .filter_map(|t| territories.get(t).copied())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                let mut away: Vec<(DateTime<Utc>, DateTime<Utc>)> = r
                    .out_of_office
                    .iter()
                    .filter(|o| o.from < o.to)
                    .map(|o| (o.from, o.to))
                    .collect();
                away.sort_unstable();
                Rep {
                    id: r.id.clone(),
                    territories: ids,
                    weight: r.weight.max(1),
                    capacity: clamp_u32(r.capacity.unwrap_or(default_capacity)),
                    quota: r.daily_quota.map(clamp_u32),
                    active: r.active,
                    calendar,
                    days,
                    away,
                }
            })
            .collect();
        let weights = reps.iter().map(|r| r.weight).collect();
        let mut index = BTreeMap::new();
        for (i, r) in reps.iter().enumerate() {
            index.entry(r.id.clone()).or_insert(i);
        }
        let mut queues: Vec<String> = Vec::new();
        for q in &spec.queues {
            if !queues.contains(&q.name) {
                queues.push(q.name.clone());
            }
        }
        let unassignable = match queues.iter().position(|q| *q == spec.unassignable_queue) {
            Some(i) => i,
            None => {
                queues.push(spec.unassignable_queue.clone());
                queues.len() - 1
            }
        };
        let pool = |p: &PoolSpec| {
            let members = pool_members(spec, p);
            let covering = match p.territory_from {
                None => Vec::new(),
                Some(_) => (0..territories.len())
                    .map(|tid| {
                        let tid = u32::try_from(tid).unwrap_or(u32::MAX);
                        members
                            .iter()
                            .copied()
                            .filter(|&r| {
                                reps.get(r)
                                    .is_some_and(|rep| rep.territories.binary_search(&tid).is_ok())
                            })
                            .collect()
                    })
                    .collect(),
            };
            Pool {
                members,
                territory_from: p.territory_from.clone(),
                covering,
            }
        };
        let compile = |s: &StrategySpec| match s {
            StrategySpec::Rep(id) => index
                .get(id)
                .map_or(Strategy::Queue(unassignable), |&i| Strategy::Rep(i)),
            StrategySpec::Queue(q) => {
                Strategy::Queue(queues.iter().position(|n| n == q).unwrap_or(unassignable))
            }
            StrategySpec::RoundRobin { pool: p } => Strategy::RoundRobin(pool(p)),
            StrategySpec::LeastBusy { pool: p } => Strategy::LeastBusy(pool(p)),
            StrategySpec::BalanceValue { pool: p, field } => Strategy::BalanceValue {
                pool: pool(p),
                field: field.clone(),
            },
            StrategySpec::WinRate { pool: p, top } => Strategy::WinRate {
                pool: pool(p),
                top: usize::try_from((*top).max(1)).unwrap_or(usize::MAX),
            },
            StrategySpec::AccountOwner {} => Strategy::AccountOwner,
        };
        let mut ignored = Vec::new();
        let mut rotation_keys: Vec<String> = Vec::new();
        let mut prefilter = Prefilter::default();
        let rules: Vec<Rule> = spec
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut sink = Sink {
                    prefix: "routing",
                    issues: &mut ignored,
                };
                let when = r.when.as_ref().map(|w| {
                    Condition::compile_in(
                        w,
                        catalog,
                        condition_scope(),
                        &format!("routing.rules[{i}].when"),
                        &mut sink,
                    )
                    // Unreachable for a validated spec: such a rule never matches.
                    .unwrap_or_else(Condition::never)
                });
                let slots = std::iter::once(&r.assign)
                    .chain(&r.fallback)
                    .enumerate()
                    .map(|(k, s)| {
                        let key = if k == 0 {
                            r.name.clone()
                        } else {
                            format!("{}.fallback[{}]", r.name, k - 1)
                        };
                        let key_id = match rotation_keys.iter().position(|x| *x == key) {
                            Some(i) => i,
                            None => {
                                rotation_keys.push(key.clone());
                                rotation_keys.len() - 1
                            }
                        };
                        Slot {
                            key,
                            key_id,
                            name: strategy_key(s),
                            strategy: compile(s),
                        }
                    })
                    .collect();
                Rule {
                    name: r.name.clone(),
                    guards: prefilter.guards(when.as_ref()),
                    when,
                    slots,
                    actions: r.actions.clone(),
                }
            })
            .collect();
        prefilter.seal();
        let guards: Vec<&RuleGuards> = rules.iter().map(|r| &r.guards).collect();
        let rule_index = RuleIndex::build(&guards, |slot| prefilter.dict_len(slot));
        let warnings = super::ranges::warnings(spec, catalog);
        Routing {
            spec: spec.clone(),
            reps,
            weights,
            index,
            rules,
            warnings,
            queues,
            unassignable,
            territories,
            chains,
            rotation_keys,
            prefilter,
            rule_index,
        }
    }

    /// The queue names an [`Assignments`](super::Assignments) row may name by index: the
    /// declared queues in order, then the unassignable queue when it is not declared.
    ///
    /// ```
    /// let pb = leadcore::Playbook::default_playbook();
    /// assert_eq!(pb.routing().queue_names(), ["unassigned"]);
    /// ```
    pub fn queue_names(&self) -> &[String] {
        &self.queues
    }

    /// The spec it was built from.
    pub fn spec(&self) -> &RoutingSpec {
        &self.spec
    }

    /// What looks wrong without making the playbook invalid: gaps and overlaps between
    /// range rules on the same field (`routing.range_gap`, `routing.range_overlap`), rules
    /// that can never match (`routing.range_empty`) or never be reached
    /// (`routing.unreachable_rule`).
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// The reps' ids, in declaration order.
    pub fn rep_ids(&self) -> Vec<&str> {
        self.reps.iter().map(|r| r.id.as_str()).collect()
    }

    /// The rule names, in chain order.
    pub fn rule_names(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.name.as_str()).collect()
    }

    /// A fresh routing state (no lead assigned yet).
    ///
    /// ```
    /// let state = leadcore::Playbook::default_playbook().routing().new_state();
    /// assert!(state.reps.is_empty());
    /// ```
    pub fn new_state(&self) -> RoutingState {
        RoutingState::new()
    }

    /// The queue leads no rule places go to.
    pub fn unassignable_queue(&self) -> &str {
        &self.spec.unassignable_queue
    }
}
