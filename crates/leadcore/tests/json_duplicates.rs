//! Issue 8, item 12: a JSON object that repeats a key is refused, with the path of the
//! repeat, in playbook loading and in every wire input (`leadcore::wire::from_json`, which
//! every door's JSON goes through); TOML and YAML refuse them already.

use leadcore::{ErrorKind, Format, LifecycleState, Playbook, TransitionInput};

const FIELD_TWICE: &str = r#"{"schema_version": 1,
  "fields": {"budget": {"type": "number"}, "budget": {"type": "text"}},
  "lifecycle": {"name": "lead", "initial": "A", "stages": [{"name": "A"}]}}"#;

#[test]
fn a_playbook_key_given_twice_is_a_parse_error_at_its_path() {
    let err = Playbook::from_json(FIELD_TWICE).unwrap_err();
    let ErrorKind::Parse(p) = err.into_kind() else {
        panic!("expected a parse error")
    };
    assert_eq!(
        (p.format.as_str(), p.path.as_str(), p.line),
        ("json", "fields.budget", Some(2))
    );
    assert_eq!(p.message, "duplicate key `budget`");

    // Deeper, in a list, and escaped the same way twice.
    let deep = r#"{"schema_version": 1, "lifecycle": {"name": "lead", "initial": "A",
      "stages": [{"name": "A"}, {"name": "B", "on_enter": [{"kind": "notify",
        "params": {"to": "x", "t\u006f": "y"}}]}]}}"#;
    let ErrorKind::Parse(p) = Playbook::from_json(deep).unwrap_err().into_kind() else {
        panic!("expected a parse error")
    };
    assert_eq!(p.path, "lifecycle.stages[1].on_enter[0].params.to");

    // TOML and YAML refuse the same playbook.
    let toml = "schema_version = 1\n[fields.budget]\ntype = \"number\"\n[fields.budget]\ntype = \"text\"\n";
    assert_eq!(
        Playbook::parse(toml, Format::Toml).unwrap_err().code(),
        "playbook.parse"
    );
    let yaml = "schema_version: 1\nfields:\n  budget: {type: number}\n  budget: {type: text}\n";
    assert_eq!(
        Playbook::parse(yaml, Format::Yaml).unwrap_err().code(),
        "playbook.parse"
    );
}

#[test]
fn a_wire_key_given_twice_is_refused_at_its_path() {
    // Before: the last value won and a score of 150 granted MQL.
    let input = r#"{"request": {"to": "MQL", "actor": {"id": "mia", "role": "marketing"},
        "now": "2026-01-05T09:00:00Z"}, "scores": {"lead": 10, "lead": 150}}"#;
    let err = TransitionInput::from_json(input).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert!(
        err.to_string()
            .starts_with("invalid input: transition input at `scores.lead`: duplicate key `lead`"),
        "{err}"
    );
    // The same keys once each are read.
    let once = input.replace(r#""lead": 10, "#, "");
    assert_eq!(
        TransitionInput::from_json(&once)
            .unwrap()
            .facts()
            .score_of("lead"),
        Some(150.0)
    );

    // A stored state (its structs refuse a field given twice themselves).
    let pb = Playbook::default_playbook();
    let state = pb
        .start("lead", "L-1", "2026-01-05T09:00:00Z".parse().unwrap())
        .unwrap();
    let json = state.to_json();
    for twice in [
        json.replacen("{\"current\"", "{\"current\":\"Won\",\"current\"", 1),
        json.replacen("\"from\":null", "\"from\":null,\"from\":null", 1),
    ] {
        let err = LifecycleState::from_json(&twice).unwrap_err();
        assert_eq!(err.code(), "input.invalid");
        assert!(err.to_string().contains("duplicate"), "{err}");
    }
    assert_eq!(LifecycleState::from_json(&json).unwrap(), state);
}
