//! The lean batch decides exactly as the full trace one lead at a time (same assignee,
//! rule and reason, same state after), and no rep is ever assigned while off hours or out
//! of office, with calendars in several zones, holidays and absences in the playbook and
//! in the routing state.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::routing::RoutingState;
use leadcore::time::{Calendar, CalendarSpec};
use leadcore::{Lead, Playbook};
use proptest::prelude::*;

const ZONES: [&str; 3] = ["America/New_York", "Europe/Berlin", "Australia/Sydney"];
const REGIONS: [&str; 3] = ["EU", "US", "APAC"];

#[derive(Debug, Clone)]
struct RepGen {
    calendar: Option<usize>,
    zone: Option<usize>,
    away: Option<(i64, i64)>,
    capacity: u32,
    quota: Option<u32>,
    weight: u32,
    region: usize,
}

fn rep() -> impl Strategy<Value = RepGen> {
    (
        proptest::option::weighted(0.7, 0usize..2),
        proptest::option::weighted(0.3, 0usize..3),
        proptest::option::weighted(0.2, (0i64..7 * 96, 1i64..200)),
        1u32..15,
        proptest::option::of(1u32..6),
        1u32..4,
        0usize..3,
    )
        .prop_map(
            |(calendar, zone, away, capacity, quota, weight, region)| RepGen {
                calendar,
                zone,
                away,
                capacity,
                quota,
                weight,
                region,
            },
        )
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
}

/// Quarter hours after `start`.
fn at(q: i64) -> DateTime<Utc> {
    start() + Duration::minutes(15 * q)
}

fn calendar_spec(c: usize) -> String {
    match c {
        0 => r#"{time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}, holidays: ["2026-03-04"]}"#.into(),
        _ => r#"{time_zone: Europe/Berlin, hours: {mon-thu: ["08:00-12:00", "13:00-18:00"], fri: ["08:00-14:00"]}}"#.into(),
    }
}

fn playbook(reps: &[RepGen], strategies: &[usize]) -> Playbook {
    let mut y = format!(
        "schema_version: 1\nfields: {{deal_value: {{type: number}}}}\nlifecycle: {{name: lead, initial: New, stages: [{{name: New}}]}}\ncalendars:\n  c0: {}\n  c1: {}\nrouting:\n  queues: [{{name: overflow}}]\n  reps:\n",
        calendar_spec(0),
        calendar_spec(1)
    );
    for (i, r) in reps.iter().enumerate() {
        let mut extra = String::new();
        if let Some(c) = r.calendar {
            extra += &format!(", calendar: c{c}");
        }
        if let Some(z) = r.zone {
            extra += &format!(", time_zone: {}", ZONES[z]);
        }
        if let Some((from, len)) = r.away {
            extra += &format!(
                ", out_of_office: [{{from: \"{}\", to: \"{}\"}}]",
                at(from).to_rfc3339(),
                at(from + len).to_rfc3339()
            );
        }
        if let Some(q) = r.quota {
            extra += &format!(", daily_quota: {q}");
        }
        y += &format!(
            "    - {{id: R{i}, capacity: {}, weight: {}, territories: [{}]{extra}}}\n",
            r.capacity, r.weight, REGIONS[r.region]
        );
    }
    y += "  rules:\n";
    for (i, s) in strategies.iter().enumerate() {
        let (when, assign) = match s {
            0 => (
                "{field: employees, op: lt, value: 50}",
                "{round_robin: {}}".to_owned(),
            ),
            1 => (
                "{field: region, op: in, value: [EU, US]}",
                "{least_busy: {}}".to_owned(),
            ),
            2 => (
                "{field: employees, op: ge, value: 20}",
                format!("{{rep: R{}}}", i % reps.len()),
            ),
            3 => (
                "{field: region, op: eq, value: APAC}",
                "{balance_value: {field: deal_value}}".to_owned(),
            ),
            4 => (
                "{field: employees, op: between, value: [10, 80]}",
                "{win_rate: {top: 2}}".to_owned(),
            ),
            _ => (
                "{field: region, op: exists}",
                "{round_robin: {pool: {territory_from: region}}}".to_owned(),
            ),
        };
        y += &format!(
            "    - {{name: r{i}, when: {when}, assign: {assign}, fallback: [{{least_busy: {{}}}}]}}\n"
        );
    }
    Playbook::from_yaml(&y).unwrap_or_else(|e| panic!("{e}\n{y}"))
}

/// The rep's working hours as the test reads them: the calendar spec in the rep's zone.
fn available(pb: &Playbook, r: &RepGen, host_away: Option<(i64, i64)>, now: DateTime<Utc>) -> bool {
    let away = [r.away, host_away]
        .into_iter()
        .flatten()
        .any(|(from, len)| at(from) <= now && now < at(from + len));
    let open = r.calendar.is_none_or(|c| {
        let mut spec: CalendarSpec = pb.calendars().spec(&format!("c{c}")).unwrap().clone();
        if let Some(z) = r.zone {
            spec.time_zone = ZONES[z].to_owned();
        }
        Calendar::new(&spec).unwrap().is_open(now)
    });
    !away && open
}

#[derive(Debug, Clone)]
struct LeadGen {
    employees: Option<u32>,
    region: Option<usize>,
    value: Option<i64>,
}

fn lead() -> impl Strategy<Value = LeadGen> {
    (
        proptest::option::weighted(0.9, 0u32..120),
        proptest::option::weighted(0.9, 0usize..3),
        proptest::option::of(0i64..100_000),
    )
        .prop_map(|(employees, region, value)| LeadGen {
            employees,
            region,
            value,
        })
}

fn make(i: usize, g: &LeadGen) -> Lead {
    let mut l = Lead::new(format!("L{i}"));
    l.firmographics.employees = g.employees;
    l.firmographics.region = g.region.map(|r| REGIONS[r].to_owned());
    if let Some(v) = g.value {
        l.custom.insert("deal_value".into(), v.into());
    }
    l
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn lean_batch_equals_full_one_by_one_and_never_picks_an_unavailable_rep(
        reps in proptest::collection::vec(rep(), 1..6),
        strategies in proptest::collection::vec(0usize..6, 1..6),
        leads in proptest::collection::vec(lead(), 1..60),
        now_q in 0i64..7 * 96,
        host_away in proptest::option::of((0usize..6, 0i64..7 * 96, 1i64..200)),
        open in proptest::collection::vec(0u32..10, 6),
    ) {
        let pb = playbook(&reps, &strategies);
        let routing = pb.routing();
        let now = at(now_q);
        let mut state = RoutingState::new();
        for (r, n) in open.iter().enumerate().take(reps.len()) {
            state.set_open_leads(&format!("R{r}"), *n);
            state.set_win_rate(&format!("R{r}"), f64::from(*n) / 10.0).unwrap();
        }
        if let Some((r, from, len)) = host_away {
            state.set_out_of_office(&format!("R{}", r % reps.len()), at(from), at(from + len)).unwrap();
        }
        let leads: Vec<Lead> = leads.iter().enumerate().map(|(i, g)| make(i, g)).collect();
        let mut one = state.clone();
        let mut decisions = Vec::new();
        for l in &leads {
            decisions.push(routing.assign(&mut one, l, now).unwrap());
        }
        let mut lean_state = state.clone();
        let lean = routing.assign_batch_lean(&mut lean_state, &leads, now).unwrap();
        prop_assert_eq!(&lean_state, &one);
        prop_assert_eq!(lean.len(), decisions.len());
        let names = routing.rule_names();
        for (i, d) in decisions.iter().enumerate() {
            prop_assert_eq!(&routing.assignee(lean.placed[i]), &d.assignee);
            prop_assert_eq!(lean.rule[i].map(|r| names[r as usize]), d.rule.as_deref());
            prop_assert_eq!(&lean.unassigned[i], &d.unassigned);
            if let Some(rep) = d.rep() {
                let k: usize = rep[1..].parse().unwrap();
                let host = host_away.filter(|(r, _, _)| r % reps.len() == k).map(|(_, f, l)| (f, l));
                prop_assert!(available(&pb, &reps[k], host, now), "{rep} assigned while unavailable at {now}");
            }
        }
        let mut full_state = state.clone();
        let full = routing.assign_batch(&mut full_state, &leads, now).unwrap();
        prop_assert_eq!(&full, &decisions);
        prop_assert_eq!(&full_state, &one);
    }
}
