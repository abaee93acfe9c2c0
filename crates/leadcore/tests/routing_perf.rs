//! Routing throughput with 1,000 reps and 100 rules (ignored by default; run in release):
//! `cargo test --release -p leadcore --test routing_perf -- --ignored --nocapture`.
// A measurement reads the wall clock; the core under test never does.
#![allow(clippy::disallowed_methods)]

use chrono::{TimeZone, Utc};
use leadcore::routing::RoutingState;
use leadcore::{Lead, Playbook};
use std::time::Instant;

const REGIONS: [&str; 5] = ["EU", "US", "APAC", "LATAM", "MEA"];

fn playbook() -> Playbook {
    let mut y = String::from(
        "schema_version: 1\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\nrouting:\n  teams:\n",
    );
    for t in 0..50 {
        y += &format!("    - {{id: T{t}}}\n");
    }
    y += "  reps:\n";
    for r in 0..1000 {
        y += &format!(
            "    - {{id: R{r}, team: T{}, territories: [{}], weight: {}}}\n",
            r % 50,
            REGIONS[r % 5],
            1 + r % 3
        );
    }
    y += "  rules:\n";
    // 99 rules: an industry and an employee band each, to a team's round robin; then a
    // catch-all least busy over every rep.
    for i in 0..99 {
        y += &format!(
            "    - {{name: r{i}, when: {{all: [{{field: industry, op: eq, value: I{}}}, {{field: employees, op: between, value: [{}, {}]}}]}}, assign: {{round_robin: {{pool: {{team: T{}}}}}}}}}\n",
            i % 33,
            (i / 33) * 100,
            (i / 33) * 100 + 99,
            i % 50
        );
    }
    y += "    - {name: rest, assign: {least_busy: {}}}\n";
    Playbook::from_yaml(&y).unwrap()
}

#[test]
#[ignore]
fn decisions_per_second_with_1000_reps_and_100_rules() {
    let pb = playbook();
    let routing = pb.routing();
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let leads: Vec<Lead> = (0..100_000)
        .map(|i| {
            let mut l = Lead::new(format!("L{i}"));
            l.firmographics.industry = Some(format!("I{}", (i * 7) % 40));
            l.firmographics.employees = Some((i * 13 % 400) as u32);
            l.firmographics.region = Some(REGIONS[i % 5].to_owned());
            l
        })
        .collect();
    let state = RoutingState::new();
    let t = Instant::now();
    let mut reps = 0usize;
    for l in &leads {
        reps += usize::from(routing.route(&state, l, now).unwrap().rep().is_some());
    }
    let route = t.elapsed();
    let mut state = RoutingState::new();
    let t = Instant::now();
    let decisions = routing.assign_batch(&mut state, &leads, now).unwrap();
    let batch = t.elapsed();
    let tried: usize = decisions.iter().map(|d| d.trace.len()).sum();
    println!(
        "route: {} leads in {:?} = {:.0}/s ({reps} to reps); assign_batch: {:?} = {:.0}/s; mean rules tried {:.1}",
        leads.len(),
        route,
        leads.len() as f64 / route.as_secs_f64(),
        batch,
        leads.len() as f64 / batch.as_secs_f64(),
        tried as f64 / leads.len() as f64
    );
}
