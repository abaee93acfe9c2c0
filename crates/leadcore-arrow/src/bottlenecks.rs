//! A bottleneck report out as Arrow record batches: a row per open stage, the losses by
//! stage, the leaks and the deals closest to closing.

use crate::lead_history::Columns;
use crate::{Result, invalid};
use arrow_array::RecordBatch;
use leadcore::Money;
use leadcore::analytics::{BottleneckReason, BottleneckReport};

fn amount(m: Option<&Money>) -> (Option<i64>, Option<String>) {
    match m {
        Some(m) => (Some(m.minor), Some(m.currency.clone())),
        None => (None, None),
    }
}

/// A bottleneck report as named record batches, in order:
/// - `stages`: a row per open stage, in pipeline order: `stage`, `bottleneck`,
///   `accumulating`, `slow` (booleans: flagged, and why), `in_stage`, `baseline_in_stage`
///   (the baseline's average), `accumulation`, `dwell_count`, `dwell_mean_s`,
///   `dwell_median_s`, `dwell_p90_s`, `baseline_dwell_count`, `baseline_dwell_median_s`,
///   `baseline_dwell_p90_s`, `dwell_ratio`, `leak_threshold_s`;
/// - `lost_at_stage`: a row per open stage (then one with a null `stage` for losses with no
///   open stage before them, when there are some): `stage`, `count`, `currency` (null when
///   no lost deal has an amount), `value` (minor units); losses from one stage in more than
///   one currency are `input.invalid` (one value column cannot hold two currencies);
/// - `leaks`: longest in stage first: `opportunity_id`, `stage`, `owner`, `in_stage_s`,
///   `days_in_stage`, `threshold_s`, `amount`, `currency`;
/// - `closest`: the open deals closest to closing: `opportunity_id`, `stage`, `owner`,
///   `in_stage_s`, `days_in_stage` (null: entry unknown), `amount`, `currency`.
///
/// ```
/// use leadcore::analytics::BottleneckInput;
/// let input = BottleneckInput::from_json(r#"{"stages":["Open"],"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},
///   "opportunities":[{"id":"A","stage":"Open","amount":{"minor":500,"currency":"USD"}}]}"#).unwrap();
/// let batches = leadcore_arrow::bottleneck_batches(&input.run(None).unwrap()).unwrap();
/// let names: Vec<&str> = batches.iter().map(|b| b.0).collect();
/// assert_eq!(names, ["stages", "lost_at_stage", "leaks", "closest"]);
/// assert_eq!(batches[3].1.num_rows(), 1);
/// ```
pub fn bottleneck_batches(r: &BottleneckReport) -> Result<Vec<(&'static str, RecordBatch)>> {
    let mut s = Columns::default();
    let rows = &r.stages;
    let reason = |f: fn(&BottleneckReason) -> bool| -> Vec<bool> {
        rows.iter().map(|x| x.reasons.iter().any(f)).collect()
    };
    s.text(
        "stage",
        rows.iter().map(|x| Some(x.stage.clone())).collect(),
    );
    s.flag("bottleneck", rows.iter().map(|x| x.bottleneck).collect());
    s.flag(
        "accumulating",
        reason(|r| matches!(r, BottleneckReason::Accumulating { .. })),
    );
    s.flag(
        "slow",
        reason(|r| matches!(r, BottleneckReason::Slow { .. })),
    );
    s.count("in_stage", rows.iter().map(|x| x.in_stage).collect());
    s.float(
        "baseline_in_stage",
        rows.iter().map(|x| Some(x.baseline_in_stage)).collect(),
    );
    s.float(
        "accumulation",
        rows.iter().map(|x| x.accumulation).collect(),
    );
    s.count("dwell_count", rows.iter().map(|x| x.dwell.count).collect());
    s.float(
        "dwell_mean_s",
        rows.iter().map(|x| x.dwell.mean_seconds).collect(),
    );
    s.int(
        "dwell_median_s",
        rows.iter().map(|x| x.dwell.median_seconds).collect(),
    );
    s.int(
        "dwell_p90_s",
        rows.iter().map(|x| x.dwell.p90_seconds).collect(),
    );
    s.count(
        "baseline_dwell_count",
        rows.iter().map(|x| x.baseline_dwell.count).collect(),
    );
    s.int(
        "baseline_dwell_median_s",
        rows.iter()
            .map(|x| x.baseline_dwell.median_seconds)
            .collect(),
    );
    s.int(
        "baseline_dwell_p90_s",
        rows.iter().map(|x| x.baseline_dwell.p90_seconds).collect(),
    );
    s.float("dwell_ratio", rows.iter().map(|x| x.dwell_ratio).collect());
    s.int(
        "leak_threshold_s",
        rows.iter().map(|x| x.leak_threshold_seconds).collect(),
    );

    let mut l = Columns::default();
    let mut currency = Vec::new();
    let mut value = Vec::new();
    for x in &r.lost_at_stage {
        let mut it = x.value.iter();
        let first = it.next();
        if it.next().is_some() {
            return Err(invalid(format!(
                "deals lost from {} in mixed currencies ({}) and no exchange rates: filter by currency",
                x.stage
                    .as_deref()
                    .map_or_else(|| "no open stage".to_owned(), |s| format!("`{s}`")),
                x.value.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        currency.push(first.map(|(c, _)| c.clone()));
        value.push(first.map(|(_, v)| *v));
    }
    l.text(
        "stage",
        r.lost_at_stage.iter().map(|x| x.stage.clone()).collect(),
    );
    l.count("count", r.lost_at_stage.iter().map(|x| x.count).collect());
    l.text("currency", currency);
    l.int("value", value);

    let mut k = Columns::default();
    let (amounts, currencies): (Vec<_>, Vec<_>) =
        r.leaks.iter().map(|x| amount(x.amount.as_ref())).unzip();
    k.text(
        "opportunity_id",
        r.leaks.iter().map(|x| Some(x.id.clone())).collect(),
    );
    k.text(
        "stage",
        r.leaks.iter().map(|x| Some(x.stage.clone())).collect(),
    );
    k.text("owner", r.leaks.iter().map(|x| x.owner.clone()).collect());
    k.int(
        "in_stage_s",
        r.leaks.iter().map(|x| Some(x.seconds_in_stage)).collect(),
    );
    k.int(
        "days_in_stage",
        r.leaks.iter().map(|x| Some(x.days_in_stage)).collect(),
    );
    k.int(
        "threshold_s",
        r.leaks.iter().map(|x| Some(x.threshold_seconds)).collect(),
    );
    k.int("amount", amounts);
    k.text("currency", currencies);

    let mut c = Columns::default();
    let deals = &r.closest_to_closing;
    let (amounts, currencies): (Vec<_>, Vec<_>) =
        deals.iter().map(|x| amount(x.amount.as_ref())).unzip();
    c.text(
        "opportunity_id",
        deals.iter().map(|x| Some(x.id.clone())).collect(),
    );
    c.text(
        "stage",
        deals.iter().map(|x| Some(x.stage.clone())).collect(),
    );
    c.text("owner", deals.iter().map(|x| x.owner.clone()).collect());
    c.int(
        "in_stage_s",
        deals.iter().map(|x| x.seconds_in_stage).collect(),
    );
    c.int(
        "days_in_stage",
        deals.iter().map(|x| x.days_in_stage).collect(),
    );
    c.int("amount", amounts);
    c.text("currency", currencies);

    Ok(vec![
        ("stages", s.finish("bottleneck stages")?),
        ("lost_at_stage", l.finish("lost at stage")?),
        ("leaks", k.finish("leaks")?),
        ("closest", c.finish("closest to closing")?),
    ])
}
