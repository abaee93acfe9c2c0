//! Routing decisions per second with 1,000 reps and 100 rules on one core: the lean batch
//! (`assign_batch_lean`, no trace) and the full trace (`route`, one lead at a time), on the
//! seeded, skewed fixture of `tests/routing_fixture` (the one `benches/routing_python.py`
//! rebuilds in Python).
//!
//! `cargo bench -p leadcore --bench routing`

#[path = "../tests/routing_fixture/mod.rs"]
mod routing_fixture;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadcore::routing::RoutingState;
use routing_fixture::{leads, now, playbook};
use std::hint::black_box;

fn routing(c: &mut Criterion) {
    let pb = playbook();
    let routing = pb.routing();
    let now = now();
    let batch = leads(100_000, 7);
    let mut g = c.benchmark_group("routing");
    g.sample_size(10);
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function("lean_batch_100k", |b| {
        b.iter(|| {
            let mut state = RoutingState::new();
            black_box(routing.assign_batch_lean(&mut state, &batch, now).unwrap())
        })
    });
    let few = &batch[..2_000];
    g.throughput(Throughput::Elements(few.len() as u64));
    g.bench_function("route_full_trace_2k", |b| {
        let state = RoutingState::new();
        b.iter(|| {
            for l in few {
                black_box(routing.route(&state, l, now).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, routing);
criterion_main!(benches);
