//! Playbook parsing and validation must never panic, whatever the bytes; a playbook that
//! loads must survive a walk through its own stages.
#![no_main]

use chrono::{TimeZone, Utc};
use leadcore::{Actor, Facts, Format, Playbook, Role, TransitionRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = match selector % 3 {
        0 => Format::Json,
        1 => Format::Toml,
        _ => Format::Yaml,
    };
    let Ok(pb) = Playbook::parse(text, format) else {
        return;
    };
    // A valid playbook round-trips through its own JSON.
    assert_eq!(Playbook::from_json(&pb.to_json()).ok().as_ref(), Some(&pb));
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let pipeline = pb.lifecycle();
    let Ok(mut state) = pb.start(pipeline.name(), "F-1", now) else {
        return;
    };
    let names: Vec<String> = pipeline
        .stages()
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    for (i, to) in names.iter().enumerate() {
        let role = [Role::Marketing, Role::Sdr, Role::Ae][i % 3];
        let req = TransitionRequest::new(to.clone(), Actor::new("f", role), now);
        let before = state.clone();
        if pb
            .transition(&mut state, &req, &Facts::new().score("lead", 1e3))
            .is_err()
        {
            assert_eq!(state, before);
        }
    }
});
