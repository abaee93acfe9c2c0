//! Analytics and forecasting must never panic on any input a door can hand them, and never
//! put a NaN or an infinity in a result: arbitrary JSON for the wire forms of pipeline
//! metrics, bottlenecks, lead and activity metrics, the forecast, the history model, the
//! backtest and the roll-up. Inputs that parse are run (simulations capped at a few hundred
//! trials and the backtest at a few windows, to keep each run short: their size is not what
//! is fuzzed).
#![no_main]

use leadcore::analytics::{
    ActivityMetricsInput, BottleneckInput, LeadMetricsInput, PipelineMetricsInput,
};
use leadcore::forecast::{BacktestInput, ForecastInput, HistoryForecastInput, RollupInput};
use libfuzzer_sys::fuzz_target;

/// Debug text of a result: no NaN and no infinity in any figure.
fn finite<T: std::fmt::Debug>(out: &T) {
    let text = format!("{out:?}");
    for bad in ["NaN", "inf"] {
        for before in [": ", "(", "[", ", "] {
            for sign in ["", "-"] {
                let pattern = format!("{before}{sign}{bad}");
                assert!(!text.contains(&pattern), "{pattern} in {text}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match selector % 7 {
        0 => {
            if let Ok(i) = PipelineMetricsInput::from_json(text)
                && let Ok(out) = i.run(None)
            {
                finite(&out);
            }
        }
        1 => {
            if let Ok(i) = BottleneckInput::from_json(text)
                && let Ok(out) = i.run(None)
            {
                finite(&out);
            }
        }
        2 => {
            if let Ok(i) = LeadMetricsInput::from_json(text)
                && let Ok(out) = i.run()
            {
                finite(&out);
            }
            if let Ok(i) = ActivityMetricsInput::from_json(text)
                && let Ok(out) = i.run()
            {
                finite(&out);
            }
        }
        3 => {
            if let Ok(mut i) = ForecastInput::from_json(text) {
                if let Some(mc) = &mut i.monte_carlo {
                    mc.trials = mc.trials.min(300);
                }
                if let Ok(out) = i.run(1) {
                    finite(&out);
                }
            }
        }
        4 => {
            if let Ok(mut i) = HistoryForecastInput::from_json(text) {
                i.trials = i.trials.min(300);
                i.windows.truncate(4);
                if let Ok(out) = i.run() {
                    finite(&out);
                }
            }
        }
        5 => {
            if let Ok(mut i) = BacktestInput::from_json(text) {
                i.spec.trials = i.spec.trials.min(100);
                i.spec.count = i.spec.count.min(3);
                if let Ok(out) = i.run() {
                    finite(&out);
                }
            }
        }
        _ => {
            if let Ok(i) = RollupInput::from_json(text)
                && let Ok(out) = i.run()
            {
                finite(&out);
            }
        }
    }
});
