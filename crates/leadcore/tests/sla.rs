//! SLA clocks and statuses: the promises of the issue, each stated as a test.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::model::{Activity, ActivityKind};
use leadcore::sla::{SlaClock, SlaClockTable, SlaFacts, SlaState, StageChange};
use leadcore::{Lead, Playbook};
use proptest::prelude::*;

const PLAYBOOK: &str = r#"
schema_version: 1
lifecycle:
  name: lead
  initial: New
  stages: [{name: New}, {name: MQL}, {name: SRL}, {name: SQL}, {name: Nurture}]
  transitions:
    - {from: New, to: MQL}
    - {from: MQL, to: SRL}
    - {from: MQL, to: Nurture}
    - {from: SRL, to: SQL}
calendars:
  ny: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}, holidays: ["2026-07-03"]}
fields:
  web_lead: {type: bool}
sla:
  policies:
    - name: first_touch
      applies: {field: web_lead, op: eq, value: true}
      calendar: ny
      target: 5m
      due_soon: 2m
      stop: {activity: {kinds: [call, email_sent]}}
      escalations:
        - {actions: [{kind: notify, params: {to: manager}}]}
        - {after: 30m, actions: [{kind: reassign}]}
    - name: mql_handoff
      target: 4h
      start: {stage: [MQL]}
      stop: {stage: [SRL, SQL]}
      pause: {stage: [Nurture]}
    - name: week_one_calls
      target: 7d
      stop: {activity: {kinds: [call], min_count: 6}}
      attempts: [call]
"#;

fn pb() -> Playbook {
    Playbook::from_yaml(PLAYBOOK).unwrap()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn lead(created: DateTime<Utc>, web: bool) -> Lead {
    let mut l = Lead::new("L-1");
    l.created_at = Some(created);
    l.custom.insert("web_lead".into(), web.into());
    l
}

fn stage(at: DateTime<Utc>, s: &str) -> StageChange {
    StageChange {
        at,
        stage: s.into(),
    }
}

fn clock(pb: &Playbook, policy: &str, facts: SlaFacts<'_>, now: DateTime<Utc>) -> SlaClock {
    let i = pb
        .sla()
        .policy_names()
        .iter()
        .position(|p| *p == policy)
        .unwrap();
    pb.sla().clocks(facts, now).swap_remove(i)
}

#[test]
fn first_touch_counts_business_minutes_over_the_weekend() {
    let pb = pb();
    // Friday 2026-03-06 16:58 EST (21:58 UTC): 2 business minutes left that day, the other 3
    // on Monday from 09:00 EDT (DST began on Sunday): the deadline is Monday 13:03 UTC.
    let created = utc(2026, 3, 6, 21, 58);
    let l = lead(created, true);
    let c = clock(
        &pb,
        "first_touch",
        SlaFacts::new(&l),
        utc(2026, 3, 9, 12, 0),
    );
    let s = pb.sla().status(&c, utc(2026, 3, 7, 12, 0)).unwrap();
    assert_eq!(s.status, SlaState::Pending);
    assert_eq!(s.deadline, Some(utc(2026, 3, 9, 13, 3)));
    assert_eq!((s.elapsed_seconds, s.remaining_seconds), (120, 180));
    // Due soon from 2 minutes before: Monday 09:01 EDT.
    assert_eq!(s.next_change, Some(utc(2026, 3, 9, 13, 1)));
    let s = pb.sla().status(&c, utc(2026, 3, 9, 13, 2)).unwrap();
    assert_eq!(s.status, SlaState::DueSoon);
    assert_eq!(
        s.next_change,
        Some(utc(2026, 3, 9, 13, 3) + Duration::seconds(1))
    );
    // Late: the first step at once, the second 30 business minutes after the deadline.
    let s = pb.sla().status(&c, utc(2026, 3, 9, 13, 10)).unwrap();
    assert_eq!((s.status, s.escalation), (SlaState::Breached, 1));
    assert_eq!(
        s.next_change,
        Some(utc(2026, 3, 9, 13, 33) + Duration::seconds(1))
    );
    let kinds: Vec<&str> = s.actions.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["notify"]);
    let json = leadcore::wire::canonical_json(&s.actions[0]);
    assert_eq!(
        json,
        r#"{"kind":"notify","params":{"to":"manager"},"policy":"first_touch","step":0,"trigger":"sla"}"#
    );
    let s = pb.sla().status(&c, utc(2026, 3, 9, 14, 0)).unwrap();
    assert_eq!((s.escalation, s.actions.len(), s.next_change), (2, 2, None));
}

#[test]
fn a_touch_in_time_meets_and_a_late_one_breaches() {
    let pb = pb();
    let created = utc(2026, 3, 2, 14, 0); // Monday 09:00 EST
    let l = lead(created, true);
    let early = [Activity::new(
        ActivityKind::Call,
        created + Duration::minutes(4),
    )];
    let c = clock(
        &pb,
        "first_touch",
        SlaFacts::new(&l).activities(&early),
        created + Duration::hours(2),
    );
    let s = pb.sla().status(&c, created + Duration::hours(2)).unwrap();
    assert_eq!(
        (s.status, s.elapsed_seconds, s.next_change),
        (SlaState::Met, 240, None)
    );
    let late = [Activity::new(
        ActivityKind::EmailSent,
        created + Duration::minutes(50),
    )];
    let c = clock(
        &pb,
        "first_touch",
        SlaFacts::new(&l).activities(&late),
        created + Duration::hours(2),
    );
    assert_eq!(c.breached_at, Some(created + Duration::minutes(5)));
    let s = pb.sla().status(&c, created + Duration::hours(2)).unwrap();
    // Stopped late: breached, both steps were reached before the stop, no actions now.
    assert_eq!(
        (s.status, s.escalation, s.actions.len()),
        (SlaState::Breached, 2, 0)
    );
    assert_eq!(s.elapsed_seconds, 50 * 60);
}

#[test]
fn a_lead_the_policy_does_not_cover_is_not_applicable() {
    let pb = pb();
    let l = lead(utc(2026, 3, 2, 14, 0), false);
    let c = clock(&pb, "first_touch", SlaFacts::new(&l), utc(2026, 3, 3, 0, 0));
    let s = pb.sla().status(&c, utc(2026, 3, 3, 0, 0)).unwrap();
    assert_eq!(s.status, SlaState::NotApplicable);
}

#[test]
fn mql_handoff_starts_on_the_stage_and_pauses_in_nurture() {
    let pb = pb();
    let t0 = utc(2026, 3, 2, 9, 0);
    let l = lead(t0, false);
    let stages = [
        stage(t0, "New"),
        stage(t0 + Duration::hours(1), "MQL"),
        stage(t0 + Duration::hours(2), "Nurture"),
        stage(t0 + Duration::hours(10), "MQL"),
        stage(t0 + Duration::hours(12), "SRL"),
    ];
    let facts = SlaFacts::new(&l).stages(&stages);
    // Before the MQL stage the clock has not started.
    let c = clock(&pb, "mql_handoff", facts, t0 + Duration::minutes(30));
    assert_eq!(
        pb.sla()
            .status(&c, t0 + Duration::minutes(30))
            .unwrap()
            .status,
        SlaState::NotStarted
    );
    // In nurture: paused after 1 h, no deadline.
    let now = t0 + Duration::hours(5);
    let c = clock(&pb, "mql_handoff", facts, now);
    let s = pb.sla().status(&c, now).unwrap();
    assert_eq!(
        (s.status, s.elapsed_seconds, s.deadline),
        (SlaState::Paused, 3600, None)
    );
    // Back in MQL: the 8 paused hours push the deadline to 1 h + 8 h + 4 h after the start.
    let now = t0 + Duration::hours(11);
    let c = clock(&pb, "mql_handoff", facts, now);
    let s = pb.sla().status(&c, now).unwrap();
    assert_eq!(s.status, SlaState::Pending);
    assert_eq!(s.elapsed_seconds, 2 * 3600);
    assert_eq!(s.deadline, Some(t0 + Duration::hours(13)));
    // Handed to sales after 3 h of counted time: met.
    let now = t0 + Duration::hours(20);
    let c = clock(&pb, "mql_handoff", facts, now);
    let s = pb.sla().status(&c, now).unwrap();
    assert_eq!((s.status, s.elapsed_seconds), (SlaState::Met, 3 * 3600));
}

#[test]
fn a_pause_after_the_deadline_does_not_undo_the_breach() {
    let pb = pb();
    let t0 = utc(2026, 3, 2, 9, 0);
    let l = lead(t0, false);
    let stages = [stage(t0, "MQL"), stage(t0 + Duration::hours(6), "Nurture")];
    let now = t0 + Duration::hours(7);
    let c = clock(&pb, "mql_handoff", SlaFacts::new(&l).stages(&stages), now);
    assert_eq!(c.breached_at, Some(t0 + Duration::hours(4)));
    let s = pb.sla().status(&c, now).unwrap();
    assert_eq!(
        (s.status, s.deadline),
        (SlaState::Breached, Some(t0 + Duration::hours(4)))
    );
}

#[test]
fn week_one_needs_six_calls_and_calls_before_the_start_do_not_count() {
    let pb = pb();
    let t0 = utc(2026, 3, 2, 9, 0);
    let l = lead(t0, false);
    let calls: Vec<Activity> = (0..6)
        .map(|d| {
            Activity::new(
                ActivityKind::Call,
                t0 + Duration::days(d) + Duration::hours(1),
            )
        })
        .collect();
    let now = t0 + Duration::days(10);
    let c = clock(
        &pb,
        "week_one_calls",
        SlaFacts::new(&l).activities(&calls),
        now,
    );
    let s = pb.sla().status(&c, now).unwrap();
    assert_eq!((s.status, s.stopped_at), (SlaState::Met, Some(calls[5].at)));
    let c = clock(
        &pb,
        "week_one_calls",
        SlaFacts::new(&l).activities(&calls[..5]),
        now,
    );
    let s = pb.sla().status(&c, now).unwrap();
    assert_eq!(
        (s.status, s.deadline),
        (SlaState::Breached, Some(t0 + Duration::days(7)))
    );
    // The handoff clock starts at MQL: a call made before it does not stop "follow up".
    let yaml = PLAYBOOK.replace(
        "stop: {stage: [SRL, SQL]}",
        "stop: {activity: {kinds: [call]}}",
    );
    let pb = Playbook::from_yaml(&yaml).unwrap();
    let stages = [stage(t0 + Duration::hours(2), "MQL")];
    let early = [Activity::new(ActivityKind::Call, t0 + Duration::hours(1))];
    let now = t0 + Duration::hours(3);
    let c = clock(
        &pb,
        "mql_handoff",
        SlaFacts::new(&l).stages(&stages).activities(&early),
        now,
    );
    let s = pb.sla().status(&c, now).unwrap();
    assert_eq!((s.status, s.elapsed_seconds), (SlaState::Pending, 3600));
}

#[test]
fn bad_sla_sections_are_located_playbook_errors() {
    let yaml = PLAYBOOK
        .replace("calendar: ny", "calendar: nyc")
        .replace("due_soon: 2m", "due_soon: 10m")
        .replace(
            "- {after: 30m, actions: [{kind: reassign}]}",
            "- {after: 30m, actions: [{kind: reassign}]}\n        - {after: 10m, actions: []}",
        )
        .replace("start: {stage: [MQL]}", "start: {stage: [MQl]}")
        .replace(
            "applies: {field: web_lead, op: eq, value: true}",
            "applies: {activity: {kinds: [call]}}",
        );
    let err = Playbook::from_yaml(&yaml).unwrap_err();
    let got: Vec<(String, String)> = err
        .issues()
        .iter()
        .map(|i| (i.path.clone(), i.code.clone()))
        .collect();
    let want = [
        ("sla.policies[0].calendar", "sla.unknown_calendar"),
        ("sla.policies[0].due_soon", "sla.due_soon_too_long"),
        (
            "sla.policies[0].escalations[2].after",
            "sla.escalation_order",
        ),
        (
            "sla.policies[0].escalations[2].actions",
            "sla.empty_escalation",
        ),
        (
            "sla.policies[0].applies.activity",
            "sla.condition_leaf_not_allowed",
        ),
        ("sla.policies[1].start.stage[0]", "sla.unknown_stage"),
    ];
    for (path, code) in want {
        assert!(
            got.iter().any(|(p, c)| p == path && c == code),
            "{path} {code} not in {got:?}"
        );
    }
    let msg = err
        .issues()
        .iter()
        .find(|i| i.code == "sla.unknown_stage")
        .unwrap();
    assert!(
        msg.message.contains("did you mean `MQL`"),
        "{}",
        msg.message
    );
}

/// Minutes after creation with a kind or stage index.
type Marks = Vec<(u32, u8)>;

fn arb_timeline() -> impl Strategy<Value = (Marks, Marks, u32)> {
    // Minutes after the lead's creation: activities (call/email/visit) and stage changes.
    (
        prop::collection::vec((0u32..20_000, 0u8..3), 0..8),
        prop::collection::vec((0u32..20_000, 0u8..5), 0..6),
        0u32..30_000,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The batch path gives every clock the status the one-by-one path gives; the status
    /// holds up to `next_change` and differs from it on; a running clock's elapsed and
    /// remaining time add up to the target.
    #[test]
    fn statuses_are_consistent((acts, stages, now_min) in arb_timeline(), created_min in 0u32..10_000, web in any::<bool>()) {
        let pb = pb();
        let base = utc(2026, 3, 1, 0, 0) + Duration::minutes(i64::from(created_min));
        let l = lead(base, web);
        let kinds = [ActivityKind::Call, ActivityKind::EmailSent, ActivityKind::WebVisit];
        let acts: Vec<Activity> = acts
            .iter()
            .map(|&(m, k)| Activity::new(kinds[usize::from(k)].clone(), base + Duration::minutes(i64::from(m))))
            .collect();
        let names = ["New", "MQL", "SRL", "SQL", "Nurture"];
        let mut stages: Vec<StageChange> = stages
            .iter()
            .map(|&(m, s)| stage(base + Duration::minutes(i64::from(m)), names[usize::from(s)]))
            .collect();
        stages.sort_by_key(|s| s.at);
        let now = base + Duration::minutes(i64::from(now_min));
        let facts = SlaFacts::new(&l).activities(&acts).stages(&stages);
        let clocks = pb.sla().clocks(facts, now);
        for c in &clocks {
            let s = pb.sla().status(c, now).unwrap();
            let table = SlaClockTable::from_clocks([c]);
            let cols = pb.sla().status_columns(&c.policy, table.columns(), now).unwrap();
            prop_assert_eq!(cols.state(0), Some(s.status));
            prop_assert_eq!(cols.elapsed_seconds[0], s.elapsed_seconds);
            prop_assert_eq!(cols.deadline[0], s.deadline.map_or(leadcore::columnar::NULL_TIME, |d| d.timestamp()));
            prop_assert!(s.elapsed_seconds >= 0 && s.remaining_seconds >= 0);
            if matches!(s.status, SlaState::Pending | SlaState::DueSoon) {
                let target = pb.spec().sla.policies.iter().find(|p| p.name == c.policy).unwrap().target.seconds();
                prop_assert_eq!(s.elapsed_seconds + s.remaining_seconds, target);
            }
            if let Some(next) = s.next_change {
                prop_assert!(next > now);
                let before = pb.sla().status(c, next - Duration::seconds(1)).unwrap();
                prop_assert_eq!((before.status, before.escalation), (s.status, s.escalation));
                let after = pb.sla().status(c, next).unwrap();
                prop_assert_ne!((after.status, after.escalation), (s.status, s.escalation));
            }
        }
    }
}
