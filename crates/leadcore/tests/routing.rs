//! Routing through the public API: the seed example, every strategy, the limits, the
//! trace, bad input located, range warnings.

use chrono::{DateTime, TimeZone, Utc};
use leadcore::routing::{
    Assignee, PassReason, PassedOver, RouteFacts, RoutingState, UnassignedCode,
};
use leadcore::{Lead, Playbook};
use std::collections::BTreeMap;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn playbook(routing: &str) -> Playbook {
    try_playbook(routing).unwrap()
}

fn try_playbook(routing: &str) -> leadcore::Result<Playbook> {
    let routing = routing
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    Playbook::from_yaml(&format!(
        "schema_version: 1\nfields:\n  deal_value: {{type: number}}\n  budget: {{type: number}}\n  segment: {{type: text}}\nlifecycle: {{name: lead, initial: New, stages: [{{name: New}}]}}\nscoring:\n  models: [{{name: lead}}]\nrouting:\n{routing}\n"
    ))
}

fn issues(routing: &str) -> Vec<(String, String)> {
    try_playbook(routing)
        .unwrap_err()
        .issues()
        .iter()
        .map(|i| (i.path.clone(), i.code.clone()))
        .collect()
}

fn lead(id: &str, employees: Option<u32>) -> Lead {
    let mut l = Lead::new(id);
    l.firmographics.employees = employees;
    l
}

const SEED: &str = r#"reps: [{id: A}, {id: B}, {id: C}]
rules:
  - {name: small, when: {field: employees, op: lt, value: 10}, assign: {rep: A}}
  - name: mid
    when: {field: employees, op: between, value: [11, 50]}
    assign: {rep: B}
    actions: [{kind: notify}, {kind: create_task, params: {task: call}}]
  - {name: large, when: {field: employees, op: ge, value: 50}, assign: {rep: C}}"#;

#[test]
fn the_seed_example_routes_a_20_employee_lead_to_b_with_a_notification_and_a_call_task() {
    let pb = playbook(SEED);
    let state = RoutingState::new();
    let d = pb
        .routing()
        .route(&state, &lead("L-20", Some(20)), now())
        .unwrap();
    assert_eq!(
        leadcore::wire::canonical_json(&d),
        concat!(
            r#"{"actions":[{"kind":"notify","rep":"B","rule":"mid","trigger":"route"},"#,
            r#"{"kind":"create_task","params":{"task":"call"},"rep":"B","rule":"mid","trigger":"route"}],"#,
            r#""assignee":{"rep":"B"},"at":"2026-03-02T09:00:00Z","lead_id":"L-20","rule":"mid","#,
            r#""trace":[{"failure":{"leaf":"","message":"field `employees` is 20, expected lt 10"},"matched":false,"rule":"small"},"#,
            r#"{"matched":true,"rule":"mid","strategies":[{"chosen":{"rep":"B"},"strategy":"rep"}]}]}"#
        )
    );
}

#[test]
fn the_seed_ranges_have_a_gap_at_10_and_an_overlap_at_50() {
    let pb = playbook(SEED);
    let w: Vec<(&str, &str, &str)> = pb
        .warnings()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str(), i.message.as_str()))
        .collect();
    assert_eq!(
        w,
        [
            (
                "routing.rules[1].when",
                "routing.range_gap",
                "no range rule on `employees` covers 10 (between rules `small` and `mid`): those leads go on to later rules or the unassignable queue"
            ),
            (
                "routing.rules[2].when",
                "routing.range_overlap",
                "rules `mid` and `large` both cover `employees` 50: `mid` comes first and takes those leads"
            ),
        ]
    );
    // A 10-employee lead indeed falls through every rule, and says so.
    let d = pb
        .routing()
        .route(&RoutingState::new(), &lead("L-10", Some(10)), now())
        .unwrap();
    assert_eq!(d.assignee, Assignee::Queue("unassigned".into()));
    assert_eq!(d.unassigned.unwrap().code, UnassignedCode::NoRuleMatched);
    assert_eq!(d.trace.len(), 3);
}

#[test]
fn real_valued_fields_have_interval_gaps() {
    let pb = playbook(&SEED.replace("employees", "budget"));
    let msgs: Vec<&str> = pb.warnings().iter().map(|i| i.message.as_str()).collect();
    assert!(msgs[0].contains("covers [10, 11) "), "{msgs:?}");
    assert!(msgs[1].contains("cover `budget` 50:"), "{msgs:?}");
}

#[test]
fn range_analysis_reads_all_of_bounds_ends_and_impossible_ranges() {
    let pb = playbook(
        r#"reps: [{id: A}]
rules:
  - {name: a, when: {all: [{field: employees, op: ge, value: 5}, {field: employees, op: lt, value: 20}]}, assign: {rep: A}}
  - {name: b, when: {field: employees, op: gt, value: 30}, assign: {rep: A}}
  - {name: c, when: {field: employees, op: between, value: [10.2, 10.8]}, assign: {rep: A}}
  - {name: d, when: {field: budget, op: lt, value: 3}, assign: {rep: A}}
  - {name: e, when: {field: budget, op: gt, value: 3}, assign: {rep: A}}
  - {name: f, when: {all: [{field: budget, op: lt, value: 3}, {field: region, op: eq, value: EU}]}, assign: {rep: A}}
  - {name: g, assign: {queue: unassigned}}
  - {name: h, assign: {rep: A}}"#,
    );
    let w: Vec<String> = pb
        .warnings()
        .iter()
        .map(|i| format!("{} {} {}", i.path, i.code, i.message))
        .collect();
    let text = w.join("\n");
    assert!(
        text.contains("routing.rules[2].when routing.range_empty"),
        "{text}"
    );
    assert!(text.contains("covers 0 to 4 (below rule `a`)"), "{text}");
    assert!(
        text.contains("covers 20 to 30 (between rules `a` and `b`)"),
        "{text}"
    );
    assert!(
        text.contains("covers 3 (between rules `d` and `e`)"),
        "{text}"
    );
    assert!(
        text.contains("routing.rules[7] routing.unreachable_rule"),
        "{text}"
    );
    assert_eq!(w.len(), 5, "{text}");
    // Warnings never make a playbook invalid, and it still routes.
    let d = pb
        .routing()
        .route(&RoutingState::new(), &lead("L", Some(3)), now())
        .unwrap();
    assert_eq!(d.rule.as_deref(), Some("g"));
}

#[test]
fn a_lead_missing_the_tested_field_falls_through_with_the_reason() {
    let pb = playbook(
        r#"reps: [{id: A}, {id: B}]
rules:
  - {name: small, when: {field: employees, op: lt, value: 10}, assign: {rep: A}}
  - {name: rest, assign: {rep: B}}"#,
    );
    let d = pb
        .routing()
        .route(&RoutingState::new(), &lead("L", None), now())
        .unwrap();
    assert_eq!(d.rep(), Some("B"));
    let first = &d.trace[0];
    assert!(!first.matched);
    assert_eq!(
        first.failure.as_ref().unwrap().message,
        "field `employees` is missing"
    );
}

#[test]
fn bad_input_is_located() {
    let got = issues(
        r#"teams: [{id: t1}, {id: t1}]
capacity: 0
reps:
  - {id: A, team: nope, capacity: -5, weight: 0, daily_quota: 0}
  - {id: A}
  - {id: B, territories: [EU]}
queues: [{name: q1}]
rules:
  - {name: r1, when: {field: shoe_size, op: eq, value: 1}, assign: {rep: Z}}
  - name: r1
    assign: {queue: nowhere}
    fallback:
      - {round_robin: {pool: {reps: []}}}
      - {least_busy: {pool: {team: ghost}}}
      - {round_robin: {pool: {territory: APAC}}}
      - {balance_value: {field: segment}}
      - {win_rate: {top: 0, pool: {territory_from: employees}}}
      - {least_busy: {pool: {reps: [A, Q]}}}"#,
    );
    let want = [
        ("routing.capacity", "routing.invalid_capacity"),
        ("routing.teams[1].id", "routing.duplicate_team"),
        ("routing.reps[0].team", "routing.unknown_team"),
        ("routing.reps[0].weight", "routing.invalid_weight"),
        ("routing.reps[0].capacity", "routing.invalid_capacity"),
        ("routing.reps[0].daily_quota", "routing.invalid_quota"),
        ("routing.reps[1].id", "routing.duplicate_rep"),
        ("routing.rules[0].when.field", "routing.unknown_field"),
        ("routing.rules[0].assign.rep", "routing.unknown_rep"),
        ("routing.rules[1].name", "routing.duplicate_rule"),
        ("routing.rules[1].assign.queue", "routing.unknown_queue"),
        (
            "routing.rules[1].fallback[0].round_robin.pool.reps",
            "routing.empty_pool",
        ),
        (
            "routing.rules[1].fallback[1].least_busy.pool.team",
            "routing.unknown_team",
        ),
        (
            "routing.rules[1].fallback[2].round_robin.pool",
            "routing.empty_pool",
        ),
        (
            "routing.rules[1].fallback[3].balance_value.field",
            "routing.field_type",
        ),
        (
            "routing.rules[1].fallback[4].win_rate.pool.territory_from",
            "routing.field_type",
        ),
        (
            "routing.rules[1].fallback[4].win_rate.top",
            "routing.invalid_value",
        ),
        (
            "routing.rules[1].fallback[5].least_busy.pool.reps[1]",
            "routing.unknown_rep",
        ),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn round_robin_is_weighted_smooth_and_skips_the_ineligible() {
    let pb = playbook(
        r#"reps: [{id: A, weight: 2}, {id: B}, {id: C, active: false}]
rules: [{name: all, assign: {round_robin: {}}}]"#,
    );
    let mut state = RoutingState::new();
    let leads: Vec<Lead> = (0..6).map(|i| lead(&format!("L{i}"), None)).collect();
    let got: Vec<String> = pb
        .routing()
        .assign_batch(&mut state, &leads, now())
        .unwrap()
        .iter()
        .map(|d| d.rep().unwrap().to_owned())
        .collect();
    assert_eq!(got, ["A", "B", "A", "A", "B", "A"]);
    let d = pb
        .routing()
        .route(&state, &lead("L6", None), now())
        .unwrap();
    assert_eq!(
        d.trace[0].strategies[0].passed_over,
        [PassedOver {
            rep: "C".into(),
            reason: PassReason::Inactive
        }]
    );
}

#[test]
fn a_batch_of_1000_over_3_equal_reps_is_334_333_333() {
    let pb = playbook(
        "reps: [{id: A}, {id: B}, {id: C}]\nrules: [{name: all, assign: {round_robin: {}}}]",
    );
    let mut state = RoutingState::new();
    let leads: Vec<Lead> = (0..1000).map(|i| lead(&format!("L{i}"), None)).collect();
    let decisions = pb
        .routing()
        .assign_batch(&mut state, &leads, now())
        .unwrap();
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for d in &decisions {
        *counts.entry(d.rep().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(
        counts.values().copied().collect::<Vec<_>>(),
        [334, 333, 333]
    );
    assert_eq!(state.counters("A").open_leads, 334);
}

#[test]
fn capacity_and_daily_quota_are_limits_with_reasons_and_quotas_reset_each_day() {
    let pb = playbook(
        r#"capacity: 3
reps: [{id: A, daily_quota: 2}, {id: B}]
queues: [{name: overflow}]
rules: [{name: all, assign: {rep: A}, fallback: [{rep: B}, {queue: overflow}]}]"#,
    );
    let mut state = RoutingState::new();
    let r = pb.routing();
    let who = |s: &mut RoutingState, at| r.assign(s, &lead("L", None), at).unwrap();
    assert_eq!(who(&mut state, now()).rep(), Some("A"));
    assert_eq!(who(&mut state, now()).rep(), Some("A"));
    let d = who(&mut state, now());
    assert_eq!(d.rep(), Some("B"));
    assert_eq!(
        d.trace[0].strategies[0].passed_over[0].reason,
        PassReason::QuotaUsed {
            assigned: 2,
            quota: 2
        }
    );
    // Next day: A's quota is fresh, but A now holds 2 open leads of 3.
    let tomorrow = now() + chrono::Duration::days(1);
    assert_eq!(who(&mut state, tomorrow).rep(), Some("A"));
    let d = who(&mut state, tomorrow);
    assert_eq!(d.rep(), Some("B"));
    assert_eq!(
        d.trace[0].strategies[0].passed_over[0].reason,
        PassReason::AtCapacity {
            open: 3,
            capacity: 3
        }
    );
    // A lagging worker (yesterday's `now`) sees today's counters, never a fresh quota.
    assert_eq!(state.counters("A").assigned_on(now().date_naive()), 1);
    assert_eq!(who(&mut state, tomorrow).rep(), Some("B"));
    let d = who(&mut state, tomorrow);
    assert_eq!(d.assignee, Assignee::Queue("overflow".into()));
    assert_eq!(d.rule.as_deref(), Some("all"));
    // The host closes leads: A takes leads again.
    state.set_open_leads("A", 0);
    assert_eq!(who(&mut state, tomorrow).rep(), Some("A"));
}

#[test]
fn least_busy_balance_value_and_win_rate() {
    let pb = playbook(
        r#"reps: [{id: A}, {id: B}, {id: C}]
rules:
  - {name: hot, when: {score: {model: lead, value: 80}}, assign: {win_rate: {top: 2}}}
  - {name: valued, when: {field: deal_value, op: exists}, assign: {balance_value: {field: deal_value}}}
  - {name: rest, assign: {least_busy: {}}}"#,
    );
    let r = pb.routing();
    let mut state = RoutingState::new();
    state.set_open_leads("A", 5);
    state.set_open_leads("B", 2);
    state.set_open_leads("C", 3);
    assert_eq!(
        r.route(&state, &lead("L", None), now()).unwrap().rep(),
        Some("B")
    );
    let mut big = lead("V1", None);
    big.custom.insert("deal_value".into(), 90_000.into());
    let mut small = lead("V2", None);
    small.custom.insert("deal_value".into(), 1_000.into());
    // No value assigned yet: the fewest open leads breaks the tie.
    assert_eq!(r.assign(&mut state, &big, now()).unwrap().rep(), Some("B"));
    assert_eq!(
        r.assign(&mut state, &small, now()).unwrap().rep(),
        Some("C")
    );
    assert_eq!(
        r.assign(&mut state, &small, now()).unwrap().rep(),
        Some("A")
    );
    assert_eq!(
        r.assign(&mut state, &small, now()).unwrap().rep(),
        Some("C")
    );
    assert_eq!(state.counters("B").assigned_value, 90_000);
    state.set_win_rate("A", 0.2).unwrap();
    state.set_win_rate("C", 0.4).unwrap();
    state.set_win_rate("B", 0.3).unwrap();
    let scores = BTreeMap::from([("lead".to_owned(), 95.0)]);
    let hot = lead("H", None);
    let facts = RouteFacts::new(&hot).scores(&scores);
    let got: Vec<String> = (0..4)
        .map(|_| {
            r.assign(&mut state, facts, now())
                .unwrap()
                .rep()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(got, ["C", "B", "C", "B"]);
    // Without its score, the hot rule's leaf says what was missing.
    let d = r.route(&state, &hot, now()).unwrap();
    assert_eq!(
        d.trace[0].failure.as_ref().unwrap().message,
        "score `lead` was not supplied"
    );
}

#[test]
fn account_owners_win_and_fall_back_when_the_owner_cannot_take_it() {
    let pb = playbook(
        r#"reps: [{id: A, capacity: 1}, {id: B}]
rules:
  - {name: owner, assign: {account_owner: {}}, fallback: [{rep: B}]}"#,
    );
    let r = pb.routing();
    let mut state = RoutingState::new();
    state.set_account_owner("ACME", "A");
    state.set_domain_owner("Globex.com", "A");
    state.set_domain_owner("ghost.io", "Z");
    let mut by_account = lead("L1", None);
    by_account.account_id = Some("ACME".into());
    let d = r.assign(&mut state, &by_account, now()).unwrap();
    assert_eq!(d.rep(), Some("A"));
    assert_eq!(
        d.trace[0].strategies[0].note.as_deref(),
        Some("account `ACME` is owned by `A`")
    );
    let mut by_domain = lead("L2", None);
    by_domain.contact.email = Some("ceo@GLOBEX.com".into());
    let d = r.assign(&mut state, &by_domain, now()).unwrap();
    assert_eq!(d.rep(), Some("B"));
    assert_eq!(
        d.trace[0].strategies[0].passed_over[0].reason,
        PassReason::AtCapacity {
            open: 1,
            capacity: 1
        }
    );
    let mut ghost = lead("L3", None);
    ghost.contact.email = Some("x@ghost.io".into());
    let d = r.route(&state, &ghost, now()).unwrap();
    assert_eq!(
        d.trace[0].strategies[0].passed_over[0].reason,
        PassReason::UnknownRep
    );
    let d = r.route(&state, &lead("L4", None), now()).unwrap();
    assert_eq!(
        d.trace[0].strategies[0].note.as_deref(),
        Some("the lead has no account_id and no e-mail domain")
    );
}

#[test]
fn pods_and_territories() {
    let pb = playbook(
        r#"teams: [{id: smb}, {id: ent}]
reps:
  - {id: A, team: smb, territories: [EU]}
  - {id: B, team: smb, territories: [US]}
  - {id: C, team: ent, territories: [EU, US]}
rules:
  - {name: enterprise, when: {field: segment, op: eq, value: enterprise}, assign: {round_robin: {pool: {team: ent}}}}
  - {name: regional, assign: {round_robin: {pool: {team: smb, territory_from: region}}}}"#,
    );
    let r = pb.routing();
    let state = RoutingState::new();
    let mut l = lead("L", None);
    l.custom.insert("segment".into(), "enterprise".into());
    assert_eq!(r.route(&state, &l, now()).unwrap().rep(), Some("C"));
    let mut l = lead("L", None);
    l.firmographics.region = Some("US".into());
    let d = r.route(&state, &l, now()).unwrap();
    assert_eq!(d.rep(), Some("B"));
    assert_eq!(
        d.trace[1].strategies[0].note.as_deref(),
        Some("1 of 2 reps in the pool cover `US` (field `region`)")
    );
    let d = r.route(&state, &lead("L", None), now()).unwrap();
    assert_eq!(d.unassigned.unwrap().code, UnassignedCode::NoEligibleRep);
}

#[test]
fn route_changes_nothing_and_a_bad_state_is_refused_untouched() {
    let pb = playbook(SEED);
    let r = pb.routing();
    let mut state = RoutingState::new();
    let before = state.clone();
    r.route(&state, &lead("L", Some(3)), now()).unwrap();
    assert_eq!(state, before);
    state.schema_version = 7;
    let snapshot = state.clone();
    let err = r
        .assign(&mut state, &lead("L", Some(3)), now())
        .unwrap_err();
    assert_eq!(err.code(), "state.unsupported_version");
    assert_eq!(state, snapshot);
    let err = r
        .assign_batch(&mut state, &[lead("L", Some(3))], now())
        .unwrap_err();
    assert_eq!(err.code(), "state.unsupported_version");
    assert_eq!(state, snapshot);
}

#[test]
fn no_rules_means_the_unassignable_queue_with_the_reason() {
    let pb = Playbook::default_playbook();
    let d = pb
        .routing()
        .route(&RoutingState::new(), &lead("L", None), now())
        .unwrap();
    assert_eq!(d.assignee, Assignee::Queue("unassigned".into()));
    assert_eq!(d.unassigned.unwrap().code, UnassignedCode::NoRules);
}

#[test]
fn a_playbook_with_routing_round_trips() {
    let pb = playbook(SEED);
    assert_eq!(Playbook::from_json(&pb.to_json()).unwrap(), pb);
    let toml_text = toml::to_string(pb.spec()).unwrap();
    assert_eq!(Playbook::from_toml(&toml_text).unwrap(), pb);
}

#[test]
fn availability_inputs_are_located() {
    let text = r#"schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
calendars:
  office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
routing:
  reps:
    - {id: A, calendar: nowhere}
    - {id: B, calendar: office, time_zone: Europe/Berlni}
    - {id: C, out_of_office: [{from: "2026-03-09T00:00:00Z", to: "2026-03-02T00:00:00Z"}]}
  rules: [{name: all, assign: {round_robin: {}}}]
"#;
    let err = Playbook::from_yaml(text).unwrap_err();
    let got: Vec<(String, String)> = err
        .issues()
        .iter()
        .map(|i| (i.path.clone(), i.code.clone()))
        .collect();
    let want = [
        ("routing.reps[0].calendar", "routing.unknown_calendar"),
        ("routing.reps[1].time_zone", "calendar.unknown_time_zone"),
        (
            "routing.reps[2].out_of_office[0]",
            "calendar.invalid_out_of_office",
        ),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    let tz = err
        .issues()
        .iter()
        .find(|i| i.path.ends_with("time_zone"))
        .unwrap();
    assert!(
        tz.message.contains(leadcore::time::tzdb_version()),
        "{}",
        tz.message
    );
}

#[test]
fn a_rep_off_hours_or_away_is_passed_over_and_quotas_count_local_days() {
    use chrono::TimeZone;
    use leadcore::routing::{Assignee, PassReason};
    let pb = Playbook::from_yaml(
        r#"schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
calendars:
  office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
routing:
  queues: [{name: later}]
  reps:
    - {id: NY, calendar: office, daily_quota: 1}
    - {id: TYO, time_zone: Asia/Tokyo, daily_quota: 1}
  rules:
    - {name: ny, assign: {rep: NY}, fallback: [{rep: TYO}, {queue: later}]}
"#,
    )
    .unwrap();
    let r = pb.routing();
    let at = |d, h, m| Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap();
    let mut state = RoutingState::new();
    // Monday 07:00 New York: NY is off hours until 09:00 (14:00 UTC); TYO (21:00) takes it.
    let d = r
        .assign(&mut state, &lead("L1", None), at(2, 12, 0))
        .unwrap();
    assert_eq!(d.assignee, Assignee::Rep("TYO".into()));
    assert_eq!(
        d.trace[0].strategies[0].passed_over[0].reason,
        PassReason::OffHours {
            next_open: Some(at(2, 14, 0))
        }
    );
    // 14:59 UTC is still Monday in Tokyo (23:59): TYO's quota of 1 is used; NY works.
    let d = r
        .assign(&mut state, &lead("L2", None), at(2, 14, 59))
        .unwrap();
    assert_eq!(d.assignee, Assignee::Rep("NY".into()));
    // 15:00 UTC is Tuesday in Tokyo: a fresh quota there, while NY's Monday is used up.
    let d = r
        .assign(&mut state, &lead("L3", None), at(2, 15, 0))
        .unwrap();
    assert_eq!(d.assignee, Assignee::Rep("TYO".into()));
    assert_eq!(
        state.counters("TYO").day,
        chrono::NaiveDate::from_ymd_opt(2026, 3, 3)
    );
    // The host marks NY away: passed over with the end of the absence.
    state
        .set_out_of_office("NY", at(3, 0, 0), at(4, 0, 0))
        .unwrap();
    let d = r.route(&state, &lead("L4", None), at(3, 15, 0)).unwrap();
    assert_eq!(
        d.trace[0].strategies[0].passed_over[0].reason,
        PassReason::OutOfOffice { until: at(4, 0, 0) }
    );
    let back = RoutingState::from_json(&state.to_json()).unwrap();
    assert_eq!(back, state);
}
