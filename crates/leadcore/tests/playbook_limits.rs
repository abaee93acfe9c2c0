//! Issue 8, item 4: playbook size limits are typed errors in every format, and loading is
//! about linear within them (a 100,000-stage playbook once aborted the process: the pipeline
//! allocated stages² transition slots, and reachability was O(stages × transitions)).

use chrono::{TimeZone, Utc};
use leadcore::playbook::limits;
use leadcore::{Actor, Facts, Format, Playbook, PlaybookSpec, Role, TransitionRequest};
use std::time::{Duration, Instant};

/// A chain S0 -> S1 -> ... of `n` stages, with `skips` more moves forward from each stage
/// (S3 -> S5, S6, ...), a wildcard from anywhere to `Lost`, in `format`.
fn chain(n: usize, skips: usize, back_moves: &str, format: Format) -> String {
    let stages: Vec<String> = (0..n).map(|i| format!("S{i}")).collect();
    let moves: Vec<(String, String)> = (0..n)
        .flat_map(|i| {
            (i + 1..=i + 1 + skips)
                .filter(move |&j| j < n)
                .map(move |j| (i, j))
        })
        .map(|(i, j)| (format!("S{i}"), format!("S{j}")))
        .chain([("*".to_owned(), "Lost".to_owned())])
        .collect();
    match format {
        Format::Json => format!(
            r#"{{"schema_version": 1, "lifecycle": {{"name": "lead", "initial": "S0", "back_moves": "{back_moves}",
               "stages": [{}, {{"name": "Lost", "kind": "lost"}}], "transitions": [{}]}}}}"#,
            stages
                .iter()
                .map(|s| format!(r#"{{"name": "{s}"}}"#))
                .collect::<Vec<_>>()
                .join(", "),
            moves
                .iter()
                .map(|(f, t)| format!(r#"{{"from": "{f}", "to": "{t}"}}"#))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Format::Toml => {
            let mut out = format!(
                "schema_version = 1\n[lifecycle]\nname = \"lead\"\ninitial = \"S0\"\nback_moves = \"{back_moves}\"\n"
            );
            for s in &stages {
                out += &format!("[[lifecycle.stages]]\nname = \"{s}\"\n");
            }
            out += "[[lifecycle.stages]]\nname = \"Lost\"\nkind = \"lost\"\n";
            for (f, t) in &moves {
                out += &format!("[[lifecycle.transitions]]\nfrom = \"{f}\"\nto = \"{t}\"\n");
            }
            out
        }
        Format::Yaml => {
            let mut out = format!(
                "schema_version: 1\nlifecycle:\n  name: lead\n  initial: S0\n  back_moves: {back_moves}\n  stages:\n"
            );
            for s in &stages {
                out += &format!("    - name: {s}\n");
            }
            out += "    - {name: Lost, kind: lost}\n  transitions:\n";
            for (f, t) in &moves {
                out += &format!("    - {{from: \"{f}\", to: {t}}}\n");
            }
            out
        }
        _ => unreachable!(),
    }
}

/// A test may read the clock to time the core; the core itself never does.
#[allow(clippy::disallowed_methods)]
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

#[test]
fn a_hundred_thousand_stages_is_a_typed_error_in_every_format() {
    for format in [Format::Json, Format::Toml, Format::Yaml] {
        let text = chain(100_000, 0, "forbid", format);
        let (result, took) = timed(|| Playbook::parse(&text, format));
        let err = result.unwrap_err();
        eprintln!("{format}: 100,000 stages refused in {took:?}");
        assert_eq!(err.code(), "playbook.invalid", "{format}: {err}");
        let issues: Vec<(&str, &str)> = err
            .issues()
            .iter()
            .map(|i| (i.path.as_str(), i.code.as_str()))
            .collect();
        assert_eq!(
            issues,
            [
                ("(root)", "playbook.too_large"),
                ("lifecycle.stages", "pipeline.too_many_stages"),
                ("lifecycle.transitions", "pipeline.too_many_transitions"),
            ],
            "{format}"
        );
        // Parsing included, in a debug build on a shared core: generous.
        assert!(took < Duration::from_secs(60), "{format}: {took:?}");
    }
    // Validation alone, once parsed.
    let spec: PlaybookSpec =
        serde_json::from_str(&chain(100_000, 0, "allow", Format::Json)).unwrap();
    let (result, took) = timed(|| Playbook::from_spec(spec));
    eprintln!("100,000 stages: validation refused them in {took:?}");
    assert_eq!(result.unwrap_err().issues().len(), 3);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn every_list_has_a_limit_at_its_path() {
    let guard = r#"{"check": "actor_role", "name": "g", "roles": ["sdr"]}"#;
    let action = r#"{"kind": "notify"}"#;
    let many = |item: &str, n: usize| vec![item; n].join(", ");
    let json = format!(
        r#"{{"schema_version": 1,
            "lifecycle": {{"name": "lead", "initial": "A",
              "stages": [{{"name": "A", "entry_guards": [{}], "on_enter": [{}], "on_exit": [{}]}}, {{"name": "B"}}],
              "transitions": [{{"from": "A", "to": "B", "guards": [{}], "actions": [{}]}}]}},
            "pipelines": [{}]}}"#,
        many(guard, limits::MAX_GUARDS + 1),
        many(action, limits::MAX_ACTIONS + 1),
        many(action, limits::MAX_ACTIONS + 1),
        many(guard, limits::MAX_GUARDS + 1),
        many(action, limits::MAX_ACTIONS + 1),
        (0..=limits::MAX_PIPELINES)
            .map(|i| format!(r#"{{"name": "p{i}", "initial": "X", "stages": [{{"name": "X"}}]}}"#))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let err = Playbook::from_json(&json).unwrap_err();
    let issues: Vec<(&str, &str)> = err
        .issues()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        issues,
        [
            ("pipelines", "playbook.too_many_pipelines"),
            ("lifecycle.stages[0].entry_guards", "guard.too_many"),
            ("lifecycle.stages[0].on_enter", "action.too_many"),
            ("lifecycle.stages[0].on_exit", "action.too_many"),
            ("lifecycle.transitions[0].guards", "guard.too_many"),
            ("lifecycle.transitions[0].actions", "action.too_many"),
        ]
    );
}

#[test]
fn a_large_allowed_playbook_loads_fast_and_runs() {
    let n = limits::MAX_STAGES - 1; // and the Lost stage
    let skips = limits::MAX_TRANSITIONS / n - 1;
    for back_moves in ["forbid", "allow"] {
        for format in [Format::Json, Format::Yaml] {
            let text = chain(n, skips, back_moves, format);
            let spec: PlaybookSpec =
                leadcore::wire::from_json(&chain(n, skips, back_moves, Format::Json), "spec")
                    .unwrap();
            assert!(spec.lifecycle.transitions.len() > limits::MAX_TRANSITIONS * 9 / 10);
            let (pb, took) = timed(|| Playbook::from_spec(spec));
            eprintln!(
                "back_moves {back_moves}: {} stages, {} transitions validated and built in {took:?}",
                n + 1,
                pb.as_ref().unwrap().lifecycle().transitions().len()
            );
            assert!(took < Duration::from_secs(2), "{took:?}");
            let (pb, took) = timed(|| Playbook::parse(&text, format));
            let pb = pb.unwrap();
            eprintln!("  parsed from {format} and loaded in {took:?}");
            assert!(took < Duration::from_secs(20), "{took:?}");
            let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
            let mut s = pb.start("lead", "L", t0).unwrap();
            let actor = Actor::new("a", Role::Sdr);
            for i in 1..n {
                let req = TransitionRequest::new(format!("S{i}"), actor.clone(), t0);
                pb.transition(&mut s, &req, &Facts::new()).unwrap();
            }
            // The wildcard, and the back-move policy, across the whole pipeline.
            let back = TransitionRequest::new("S0", actor.clone(), t0);
            assert_eq!(
                pb.check(&s, &back, &Facts::new()).is_ok(),
                back_moves == "allow"
            );
            let lost = TransitionRequest::new("Lost", actor.clone(), t0);
            pb.transition(&mut s, &lost, &Facts::new()).unwrap();
            assert_eq!(s.history().len(), n + 1);
        }
    }
}
