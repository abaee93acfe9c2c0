//! Scoring must never panic on any input a door can hand it: arbitrary JSON for the per-lead,
//! batch and incremental calls on the default playbook. Inputs that parse are scored; the
//! batch and per-lead paths must agree whenever both accept the events.
#![no_main]

use chrono::Duration;
use leadcore::Playbook;
use leadcore::scoring::{PredictInput, ScoreApplyInput, ScoreInput, ScoreTableInput};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn playbook() -> &'static Playbook {
    static PB: OnceLock<Playbook> = OnceLock::new();
    PB.get_or_init(Playbook::default_playbook)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let s = playbook().scoring();
    match selector % 4 {
        0 => {
            if let Ok(i) = ScoreInput::from_json(text)
                && let Ok(card) = s.score(&i.lead, &i.activities, i.now, true)
            {
                for m in &card.models {
                    let sum: f64 = m.rules.iter().map(|r| r.points).sum::<f64>()
                        + m.adjustments.iter().map(|a| a.points).sum::<f64>();
                    assert!(m.score.is_finite());
                    if m.score.abs() < 1e9 {
                        assert_eq!(m.score, sum);
                    }
                }
            }
        }
        1 => {
            if let Ok(i) = ScoreTableInput::from_json(text) {
                let _ = s.score_table(&i.leads, &i.events, i.now);
            }
        }
        2 => {
            if let Ok(i) = ScoreApplyInput::from_json(text) {
                let mut state = s.new_state(i.lead.id.clone());
                let before = state.clone();
                if s.apply(&mut state, &i.lead, &i.activity, i.now).is_err() {
                    assert_eq!(state, before);
                }
            }
        }
        _ => {
            if let Ok(i) = PredictInput::from_json(text)
                && (0..=3650).contains(&i.horizon_days)
            {
                let state = s.new_state(i.lead.id.clone());
                let _ = s.predict_crossing(
                    &state,
                    &i.lead,
                    &i.model,
                    i.threshold,
                    i.now,
                    Duration::days(i.horizon_days),
                );
            }
        }
    }
});
