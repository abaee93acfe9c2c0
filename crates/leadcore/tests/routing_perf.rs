//! Routing throughput with 1,000 reps and 100 rules on the benchmark fixture (ignored by
//! default; run in release):
//! `cargo test --release -p leadcore --test routing_perf -- --ignored --nocapture`.
//! The criterion figures: `cargo bench -p leadcore --bench routing`.
// A measurement reads the wall clock; the core under test never does.
#![allow(clippy::disallowed_methods)]

mod routing_fixture;

use leadcore::routing::RoutingState;
use routing_fixture::{leads, now, playbook};
use std::time::Instant;

#[test]
#[ignore]
fn decisions_per_second_with_1000_reps_and_100_rules() {
    let pb = playbook();
    let routing = pb.routing();
    let now = now();
    let leads = leads(200_000, 7);
    let state = RoutingState::new();
    let n_route = 20_000;
    let t = Instant::now();
    let mut tried = 0usize;
    for l in &leads[..n_route] {
        tried += routing.route(&state, l, now).unwrap().trace.len();
    }
    let route = t.elapsed();
    let mut full_state = RoutingState::new();
    let t = Instant::now();
    let full = routing.assign_batch(&mut full_state, &leads, now).unwrap();
    let batch = t.elapsed();
    let mut lean_state = RoutingState::new();
    let t = Instant::now();
    let lean = routing
        .assign_batch_lean(&mut lean_state, &leads, now)
        .unwrap();
    let lean_time = t.elapsed();
    assert_eq!(full_state, lean_state);
    for (i, d) in full.iter().enumerate() {
        assert_eq!(routing.assignee(lean.placed[i]), d.assignee);
    }
    let to_reps = full.iter().filter(|d| d.rep().is_some()).count();
    println!(
        "route (full trace, one by one): {n_route} leads in {route:?} = {:.0}/s, mean rules tried {:.1}\n\
         assign_batch (full trace): {} leads in {batch:?} = {:.0}/s\n\
         assign_batch_lean: {} leads in {lean_time:?} = {:.0}/s ({to_reps} to reps)",
        n_route as f64 / route.as_secs_f64(),
        tried as f64 / n_route as f64,
        leads.len(),
        leads.len() as f64 / batch.as_secs_f64(),
        leads.len(),
        leads.len() as f64 / lean_time.as_secs_f64(),
    );
}

/// The lean batch alone, repeated (for a profiler).
#[test]
#[ignore]
fn lean_batch_only() {
    let pb = playbook();
    let leads = leads(100_000, 7);
    for _ in 0..5 {
        let mut state = RoutingState::new();
        let t = Instant::now();
        let got = pb
            .routing()
            .assign_batch_lean(&mut state, &leads, now())
            .unwrap();
        let e = t.elapsed();
        println!(
            "assign_batch_lean: {} leads in {e:?} = {:.0}/s",
            got.len(),
            got.len() as f64 / e.as_secs_f64()
        );
    }
}
