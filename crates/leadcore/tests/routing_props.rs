//! Invariants of the routing engine: a rep never exceeds capacity or daily quota,
//! equal-weight round robin over always-eligible reps stays within one, decisions are
//! deterministic, a persisted state reloaded decides the same, and a batch equals
//! one-by-one routing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::routing::{Decision, RoutingState};
use leadcore::{Lead, Playbook};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
struct RepGen {
    weight: u32,
    capacity: u32,
    quota: Option<u32>,
    active: bool,
    territory: usize,
}

#[derive(Debug, Clone)]
struct RuleGen {
    /// Employees range: (op, value).
    when: Option<(usize, u32)>,
    strategy: usize,
    fallback: bool,
}

const OPS: [&str; 4] = ["lt", "le", "gt", "ge"];
const TERRITORIES: [&str; 3] = ["EU", "US", "APAC"];
const STRATEGIES: usize = 7;

#[derive(Debug, Clone)]
enum Step {
    Lead {
        employees: Option<u32>,
        value: Option<i64>,
        account: Option<usize>,
        region: Option<usize>,
        score: Option<f64>,
    },
    SetOpen(usize, u32),
    Closed(usize),
    NextDay,
}

fn rep() -> impl Strategy<Value = RepGen> {
    (
        1u32..4,
        1u32..12,
        proptest::option::of(1u32..8),
        proptest::bool::weighted(0.85),
        0usize..3,
    )
        .prop_map(|(weight, capacity, quota, active, territory)| RepGen {
            weight,
            capacity,
            quota,
            active,
            territory,
        })
}

fn rule() -> impl Strategy<Value = RuleGen> {
    (
        proptest::option::of((0usize..4, 0u32..100)),
        0usize..STRATEGIES,
        any::<bool>(),
    )
        .prop_map(|(when, strategy, fallback)| RuleGen {
            when,
            strategy,
            fallback,
        })
}

fn step(reps: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (
            proptest::option::of(0u32..120),
            proptest::option::of(0i64..1_000_000),
            proptest::option::of(0usize..4),
            proptest::option::of(0usize..3),
            proptest::option::of(0.0f64..100.0),
        )
            .prop_map(|(employees, value, account, region, score)| Step::Lead {
                employees,
                value,
                account,
                region,
                score
            }),
        1 => (0..reps, 0u32..15).prop_map(|(r, n)| Step::SetOpen(r, n)),
        1 => (0..reps).prop_map(Step::Closed),
        1 => Just(Step::NextDay),
    ]
}

fn strategy_yaml(s: usize, reps: usize) -> String {
    match s {
        0 => "{round_robin: {}}".to_owned(),
        1 => "{least_busy: {}}".to_owned(),
        2 => format!("{{rep: R{}}}", reps / 2),
        3 => "{balance_value: {field: deal_value}}".to_owned(),
        4 => "{win_rate: {top: 2}}".to_owned(),
        5 => "{account_owner: {}}".to_owned(),
        _ => "{round_robin: {pool: {territory_from: region}}}".to_owned(),
    }
}

fn playbook(reps: &[RepGen], rules: &[RuleGen]) -> Playbook {
    let mut y = String::from(
        "schema_version: 1\nfields: {deal_value: {type: number}}\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\nscoring: {models: [{name: lead}]}\nrouting:\n  queues: [{name: overflow}]\n  reps:\n",
    );
    for (i, r) in reps.iter().enumerate() {
        y += &format!(
            "    - {{id: R{i}, weight: {}, capacity: {}, active: {}, territories: [{}]{}}}\n",
            r.weight,
            r.capacity,
            r.active,
            TERRITORIES[r.territory],
            r.quota
                .map(|q| format!(", daily_quota: {q}"))
                .unwrap_or_default()
        );
    }
    y += "  rules:\n";
    for (i, r) in rules.iter().enumerate() {
        let when = r
            .when
            .map(|(op, v)| format!(", when: {{field: employees, op: {}, value: {v}}}", OPS[op]))
            .unwrap_or_default();
        let hot = if i == 0 {
            ", when: {score: {model: lead, value: 90}}".to_owned()
        } else {
            when
        };
        let fallback = if r.fallback {
            ", fallback: [{round_robin: {}}, {queue: overflow}]"
        } else {
            ""
        };
        y += &format!(
            "    - {{name: r{i}{hot}, assign: {}{fallback}}}\n",
            strategy_yaml(r.strategy, reps.len())
        );
    }
    Playbook::from_yaml(&y).unwrap_or_else(|e| panic!("{e}\n{y}"))
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn make_lead(i: usize, step: &Step) -> (Lead, BTreeMap<String, f64>) {
    let mut lead = Lead::new(format!("L{i}"));
    let mut scores = BTreeMap::new();
    if let Step::Lead {
        employees,
        value,
        account,
        region,
        score,
    } = step
    {
        lead.firmographics.employees = *employees;
        if let Some(v) = value {
            lead.custom.insert("deal_value".into(), (*v).into());
        }
        lead.account_id = account.map(|a| format!("ACC{a}"));
        lead.firmographics.region = region.map(|r| TERRITORIES[r].to_owned());
        if let Some(s) = score {
            scores.insert("lead".to_owned(), *s);
        }
    }
    (lead, scores)
}

fn seeded_state(reps: usize) -> RoutingState {
    let mut state = RoutingState::new();
    for a in 0..4 {
        state.set_account_owner(&format!("ACC{a}"), &format!("R{}", a % (reps + 1)));
    }
    for r in 0..reps {
        state
            .set_win_rate(&format!("R{r}"), (r as f64 * 0.37) % 1.0)
            .unwrap();
    }
    state
}

fn world() -> impl Strategy<Value = (Vec<RepGen>, Vec<RuleGen>, Vec<Step>)> {
    (
        proptest::collection::vec(rep(), 1..6),
        proptest::collection::vec(rule(), 1..6),
    )
        .prop_flat_map(|(reps, rules)| {
            let n = reps.len();
            (
                Just(reps),
                Just(rules),
                proptest::collection::vec(step(n), 1..80),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn limits_hold_decisions_are_deterministic_and_survive_persistence(
        (reps, rules, steps) in world()
    ) {
        let pb = playbook(&reps, &rules);
        let routing = pb.routing();
        let mut state = seeded_state(reps.len());
        let mut now = start();
        for (i, step) in steps.iter().enumerate() {
            match step {
                Step::SetOpen(r, n) => state.set_open_leads(&format!("R{r}"), *n),
                Step::Closed(r) => state.lead_closed(&format!("R{r}")),
                Step::NextDay => now += Duration::days(1),
                Step::Lead { .. } => {
                    let (lead, scores) = make_lead(i, step);
                    let facts = leadcore::RouteFacts::new(&lead).scores(&scores);
                    let first = routing.route(&state, facts, now).unwrap();
                    prop_assert_eq!(&routing.route(&state, facts, now).unwrap(), &first);
                    let reloaded = RoutingState::from_json(&state.to_json()).unwrap();
                    prop_assert_eq!(&reloaded, &state);
                    prop_assert_eq!(&routing.route(&reloaded, facts, now).unwrap(), &first);
                    let before = state.clone();
                    let assigned = routing.assign(&mut state, facts, now).unwrap();
                    prop_assert_eq!(&assigned, &first);
                    if let Some(rep) = assigned.rep() {
                        let k: usize = rep[1..].parse().unwrap();
                        let spec = &reps[k];
                        let was = before.counters(rep);
                        let is = state.counters(rep);
                        prop_assert!(spec.active);
                        prop_assert!(was.open_leads < spec.capacity);
                        prop_assert!(is.open_leads <= spec.capacity);
                        if let Some(q) = spec.quota {
                            prop_assert!(is.assigned_on(now.date_naive()) <= q);
                        }
                    } else {
                        prop_assert_eq!(&state, &before);
                    }
                }
            }
        }
    }

    #[test]
    fn a_batch_equals_one_by_one(
        (reps, rules, steps) in world(), split in 0usize..80
    ) {
        let pb = playbook(&reps, &rules);
        let routing = pb.routing();
        let leads: Vec<Lead> = steps.iter().enumerate().map(|(i, s)| make_lead(i, s).0).collect();
        let now = start();
        let mut one = seeded_state(reps.len());
        let singles: Vec<Decision> = leads
            .iter()
            .map(|l| routing.assign(&mut one, l, now).unwrap())
            .collect();
        let mut batch = seeded_state(reps.len());
        let split = split.min(leads.len());
        let mut batched = routing.assign_batch(&mut batch, &leads[..split], now).unwrap();
        batched.extend(routing.assign_batch(&mut batch, &leads[split..], now).unwrap());
        prop_assert_eq!(batched, singles);
        prop_assert_eq!(batch, one);
    }

    #[test]
    fn equal_weight_round_robin_over_always_eligible_reps_stays_within_one(
        reps in 1usize..8, batches in proptest::collection::vec(0usize..200, 1..6)
    ) {
        let mut y = String::from(
            "schema_version: 1\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\nrouting:\n  capacity: 1000000\n  reps:\n",
        );
        for r in 0..reps {
            y += &format!("    - {{id: R{r}}}\n");
        }
        y += "  rules: [{name: all, assign: {round_robin: {}}}]\n";
        let pb = Playbook::from_yaml(&y).unwrap();
        let mut state = RoutingState::new();
        let mut counts = vec![0u32; reps];
        for (n, size) in batches.into_iter().enumerate() {
            let leads: Vec<Lead> = (0..size).map(|i| Lead::new(format!("L{n}-{i}"))).collect();
            for d in pb.routing().assign_batch(&mut state, &leads, start()).unwrap() {
                counts[d.rep().unwrap()[1..].parse::<usize>().unwrap()] += 1;
            }
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            prop_assert!(hi - lo <= 1, "{:?}", counts);
        }
    }
}
