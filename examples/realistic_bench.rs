//! Times leadcore's batch scoring on the realistic fixture of issue 12
//! (`benches/realistic.rs`): `score_columns` on one thread, `score_columns_parallel` on two,
//! in alternation, best of `RUNS`; checks the two give the same bits and the same result for
//! the rows shuffled, and times the shuffled rows too.
//!
//! `cargo run --release --example realistic_bench -- [EVENTS] [LEADS] [RUNS]`

#[path = "../benches/realistic.rs"]
mod realistic;

use chrono::DateTime;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args.next().map_or(10_000_000, |s| s.parse().unwrap());
    let leads: usize = args.next().map_or(100_000, |s| s.parse().unwrap());
    let runs: usize = args.next().map_or(7, |s| s.parse().unwrap());
    let pb = realistic::playbook();
    let f = realistic::Realistic::generate(events, leads);
    let now = DateTime::from_timestamp(realistic::NOW, 0).unwrap();
    let attrs = f.attrs();
    let cols = f.columns(&attrs);
    let s = pb.scoring();

    // Memory: the input columns, and the peak resident set of one batch above them (the
    // peak is reset first through /proc/self/clear_refs, Linux only).
    // PROFILE=N: only score N times (for `perf record`), then stop; on THREADS threads
    // (default one).
    if let Some(n) = std::env::var("PROFILE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let threads = std::env::var("THREADS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1);
        for _ in 0..n {
            let scores = if threads > 1 {
                s.score_columns_parallel(&f.leads, &cols, now, threads)
            } else {
                s.score_columns(&f.leads, &cols, now)
            };
            std::hint::black_box(scores.unwrap());
        }
        return;
    }
    let input = f.lead.len() * 4
        + f.kind.len() * 4
        + f.at.len() * 8
        + f.page.len() * 4
        + f.seconds.len() * 8
        + f.seconds_valid.len()
        + f.campaign.len() * 4
        + f.form.len() * 4
        + f.content.len() * 4;
    let status = |key: &str| -> Option<usize> {
        let text = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = text.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace()
            .nth(1)?
            .parse::<usize>()
            .ok()
            .map(|kb| kb * 1024)
    };
    let before = status("VmRSS:");
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let scored = s.score_columns(&f.leads, &cols, now).unwrap();
    if let (Some(before), Some(peak), true) = (before, status("VmHWM:"), reset) {
        println!(
            "memory: input columns {:.0} MB; resident before {:.0} MB, peak during one batch {:.0} MB: the batch adds {:.0} MB ({:.2}x the input columns at peak)",
            input as f64 / 1e6,
            before as f64 / 1e6,
            peak as f64 / 1e6,
            peak.saturating_sub(before) as f64 / 1e6,
            (input + peak.saturating_sub(before)) as f64 / input as f64
        );
    }
    drop(scored);
    let (mut one, mut two) = (f64::INFINITY, f64::INFINITY);
    let mut reference = None;
    for _ in 0..runs {
        let t = Instant::now();
        let a = s.score_columns(&f.leads, &cols, now).unwrap();
        one = one.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let b = s.score_columns_parallel(&f.leads, &cols, now, 2).unwrap();
        two = two.min(t.elapsed().as_secs_f64());
        assert_eq!(a, b, "two threads give other bits");
        reference = Some(a);
    }
    let rate = |t: f64| events as f64 / t / 1e6;
    println!(
        "in time order: one thread {one:.4} s ({:.1} M events/s), two threads {two:.4} s ({:.1} M events/s, {:.2}x)",
        rate(one),
        rate(two),
        one / two
    );

    // The same rows in random order.
    let shuffled = f.shuffled(0x5EED);
    let attrs = shuffled.attrs();
    let cols = shuffled.columns(&attrs);
    let mut best = f64::INFINITY;
    for _ in 0..runs.min(3) {
        let t = Instant::now();
        let c = s.score_columns(&shuffled.leads, &cols, now).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(
            Some(&c),
            reference.as_ref(),
            "shuffled rows give other scores"
        );
    }
    println!(
        "in random order: one thread {best:.4} s ({:.1} M events/s, {:.2}x the time-ordered time)",
        rate(best),
        best / one
    );
}
