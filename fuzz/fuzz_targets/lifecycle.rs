//! Stored lifecycle states and wire inputs must never panic nor be trusted unchecked: any
//! state text (a line), then any transition input (the rest), against the default playbook.
//! A state the playbook refuses is refused by transition, check and the funnel alike, and a
//! refused transition leaves the state as it was; dwell and the funnel take any `now`.
#![no_main]

use leadcore::{Funnel, LifecycleState, Playbook, TransitionInput};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn playbook() -> &'static Playbook {
    static PB: OnceLock<Playbook> = OnceLock::new();
    PB.get_or_init(Playbook::default_playbook)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pb = playbook();
    let (state_text, input_text) = text.split_once('\n').unwrap_or((text, ""));
    let Ok(mut state) = LifecycleState::from_json(state_text) else {
        return;
    };
    let Ok(pipeline) = pb.pipeline(state.pipeline()) else {
        return;
    };
    let verified = pipeline.verify(&state);
    let Ok(input) = TransitionInput::from_json(input_text) else {
        return;
    };
    let now = input.request.now;
    let facts = input.facts();
    let checked = pb.check(&state, &input.request, &facts);
    let before = state.clone();
    match pb.transition(&mut state, &input.request, &facts) {
        Ok(_) => assert!(verified.is_ok() && checked.is_ok()),
        Err(e) => {
            assert_eq!(state, before, "a refused transition changed the state");
            assert_eq!(checked.err(), Some(e));
        }
    }
    let _ = state.dwell(now);
    let funnel = Funnel::compute(pipeline, std::slice::from_ref(&state), now);
    if verified.is_err() {
        assert!(
            funnel.is_err(),
            "the funnel counted a state the playbook refuses"
        );
    }
});
