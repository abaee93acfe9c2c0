//! Bottlenecks: hand-checked numbers, merge of any partition in any order equals one pass,
//! and bad input as typed errors that change nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::analytics::{
    BottleneckReason, BottleneckReport, BottleneckSpec, Bottlenecks, DealHistory, Period,
    PipelineStages, StageDef, StageEntry,
};
use leadcore::{Money, StageKind};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn d(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap() + Duration::days(day)
}

const DAY: i64 = 86_400;
const NAMES: [&str; 5] = ["Prospecting", "Engaging", "Proposal", "Won", "Lost"];

fn stages() -> PipelineStages {
    PipelineStages::new(
        "deals",
        vec![
            StageDef::new("Prospecting", StageKind::Open),
            StageDef::new("Engaging", StageKind::Open),
            StageDef::new("Proposal", StageKind::Open),
            StageDef::new("Won", StageKind::Won),
            StageDef::new("Lost", StageKind::Lost),
        ],
    )
    .unwrap()
}

/// Period days 30..40; baseline days 0..30 (three periods, snapshots at days 30, 20, 10).
fn spec() -> BottleneckSpec {
    BottleneckSpec::new(
        stages(),
        Period {
            from: d(30),
            to: d(40),
        },
    )
    .unwrap()
}

fn deal(id: &str, path: &[(i64, &str)], amount: Option<Money>) -> DealHistory {
    DealHistory {
        id: id.into(),
        amount,
        history: path
            .iter()
            .map(|&(day, s)| StageEntry {
                at: d(day),
                stage: s.into(),
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn hand_checked_figures() {
    let spec = spec()
        .closest(3)
        .leak_after("Prospecting", Duration::days(5))
        .unwrap();
    let mut b = Bottlenecks::new(spec);
    let mut deals = vec![
        // Proposal: P1 there since day 5 (in it at snapshots 10, 20, 30: baseline sum 3, average 1).
        deal("P1", &[(5, "Proposal")], None),
        // Engaging baseline stays: 2 days each, ending on days 2, 12, 22.
        deal("B1", &[(0, "Engaging"), (2, "Won")], None),
        deal("B2", &[(10, "Engaging"), (12, "Won")], None),
        deal("B3", &[(20, "Engaging"), (22, "Lost")], None), // lost in the baseline: not counted
        // Engaging stays in the period: 5, 5, 5, 5, 7 days.
        deal("E1", &[(30, "Engaging"), (35, "Won")], None),
        deal("E2", &[(30, "Engaging"), (35, "Won")], None),
        deal("E3", &[(30, "Engaging"), (35, "Won")], None),
        deal("E4", &[(30, "Engaging"), (35, "Won")], None),
        deal(
            "E5",
            &[(30, "Engaging"), (37, "Lost")],
            Some(Money::new(700, "USD")),
        ),
        // Lost from Prospecting (a 2-day stay in the period), and lost with no open stage before.
        deal(
            "L2",
            &[(31, "Prospecting"), (33, "Lost")],
            Some(Money::new(100, "EUR")),
        ),
        deal("L3", &[(32, "Lost")], None),
        // Open at day 40: K1 20 days in Prospecting (threshold 5 days: a leak), K2 2 days.
        deal("K1", &[(20, "Prospecting")], None),
        deal("K2", &[(38, "Prospecting")], None),
        // G1: 7 days in Engaging, over its baseline p90 dwell (2 days): a leak.
        deal("G1", &[(33, "Engaging")], None),
    ];
    // Five more in Proposal, entered on days 31..35.
    for k in 2..=6 {
        deals.push(deal(&format!("P{k}"), &[(29 + k, "Proposal")], None));
    }
    for o in &deals {
        b.add(o).unwrap();
    }
    let r = b.finish().unwrap();
    assert_eq!(r.deals, 19);
    assert_eq!(
        r.baseline,
        Period {
            from: d(0),
            to: d(30)
        }
    );
    assert_eq!(r.bottlenecks, ["Engaging", "Proposal"]);
    let row = |name: &str| r.stages.iter().find(|s| s.stage == name).unwrap();

    // Prospecting: K1, K2 now (2) over a baseline average of 1/3 (K1 at day 30): 6x, but 2 < 5.
    let p = row("Prospecting");
    assert_eq!(p.in_stage, 2);
    assert_eq!(p.baseline_in_stage, 1.0 / 3.0);
    assert_eq!(p.accumulation, Some(6.0));
    assert_eq!(p.dwell.median_seconds, Some(2 * DAY)); // L2
    assert_eq!(p.leak_threshold_seconds, Some(5 * DAY)); // given
    assert!(!p.bottleneck && p.reasons.is_empty());

    // Engaging: median 5 days (3rd of 5) against 2: 2.5x over 5 stays; nothing in it before.
    let e = row("Engaging");
    assert_eq!(
        (e.in_stage, e.baseline_in_stage, e.accumulation),
        (1, 0.0, None)
    );
    assert_eq!(e.dwell.count, 5);
    assert_eq!(e.dwell.p90_seconds, Some(7 * DAY));
    assert_eq!(e.baseline_dwell.count, 3);
    assert_eq!(e.dwell_ratio, Some(2.5));
    assert_eq!(e.leak_threshold_seconds, Some(2 * DAY)); // baseline p90
    assert_eq!(
        e.reasons,
        [BottleneckReason::Slow {
            median_seconds: 5 * DAY,
            baseline_median_seconds: 2 * DAY,
            ratio: 2.5
        }]
    );

    // Proposal: six now against an average of one.
    let pr = row("Proposal");
    assert_eq!(
        pr.reasons,
        [BottleneckReason::Accumulating {
            in_stage: 6,
            baseline_average: 1.0,
            ratio: 6.0
        }]
    );
    assert_eq!(pr.leak_threshold_seconds, None); // no baseline stay, no threshold

    // Lost in the period: L2 from Prospecting, E5 from Engaging, L3 from nowhere.
    let lost: Vec<_> = r
        .lost_at_stage
        .iter()
        .map(|l| (l.stage.as_deref(), l.count, l.value.clone()))
        .collect();
    assert_eq!(
        lost,
        [
            (
                Some("Prospecting"),
                1,
                BTreeMap::from([("EUR".into(), 100)])
            ),
            (Some("Engaging"), 1, BTreeMap::from([("USD".into(), 700)])),
            (Some("Proposal"), 0, BTreeMap::new()),
            (None, 1, BTreeMap::new()),
        ]
    );

    // Leaks, longest first.
    let leaks: Vec<_> = r
        .leaks
        .iter()
        .map(|l| (l.id.as_str(), l.stage.as_str(), l.days_in_stage))
        .collect();
    assert_eq!(leaks, [("K1", "Prospecting", 20), ("G1", "Engaging", 7)]);

    // Closest: Proposal first, longest there first.
    let closest: Vec<_> = r
        .closest_to_closing
        .iter()
        .map(|c| (c.id.as_str(), c.days_in_stage))
        .collect();
    assert_eq!(
        closest,
        [("P1", Some(35)), ("P2", Some(9)), ("P3", Some(8))]
    );

    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["stages"][2]["reasons"][0]["reason"], "accumulating");
}

#[test]
fn ties_are_broken_by_id_and_the_baseline_length_is_configurable() {
    let spec = spec().baseline_periods(1).unwrap().min_count(1);
    assert_eq!(
        spec.baseline(),
        Period {
            from: d(20),
            to: d(30)
        }
    );
    let mut b = Bottlenecks::new(spec);
    for id in ["C", "A", "B"] {
        b.add(&deal(id, &[(25, "Engaging")], None)).unwrap();
    }
    let r = b.finish().unwrap();
    let ids: Vec<_> = r.closest_to_closing.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C"]);
    // 3 now over 3 at day 30: no accumulation.
    assert_eq!(r.stages[1].accumulation, Some(1.0));
    assert!(r.bottlenecks.is_empty());
}

#[test]
fn bad_input_is_a_typed_error_and_changes_nothing() {
    let mut b = Bottlenecks::new(spec());
    b.add(&deal("OK", &[(31, "Engaging")], None)).unwrap();
    let before = b.finish().unwrap();
    let bad = [
        (deal("U", &[(31, "Nope")], None), "lifecycle.unknown_stage"),
        (
            deal("O", &[(33, "Engaging"), (31, "Proposal")], None),
            "input.invalid",
        ),
        (
            deal("N", &[(31, "Engaging")], Some(Money::new(-1, "USD"))),
            "input.invalid",
        ),
        (
            DealHistory {
                created_at: Some(d(32)),
                ..deal("C", &[(31, "Engaging")], None)
            },
            "input.invalid",
        ),
        (
            DealHistory {
                stage: Some("Proposal".into()),
                ..deal("S", &[(31, "Engaging")], None)
            },
            "input.invalid",
        ),
    ];
    for (o, code) in bad {
        let e = b.add(&o).unwrap_err();
        assert_eq!(e.code(), code, "{}", o.id);
        if code == "input.invalid" {
            assert!(e.to_string().contains(&format!("`{}`", o.id)), "{e}");
        }
    }
    assert_eq!(b.finish().unwrap(), before);

    let e = BottleneckSpec::new(
        stages(),
        Period {
            from: d(3),
            to: d(3),
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "input.invalid");
    assert!(spec().factor(f64::INFINITY).is_err());
    assert!(spec().factor(-1.0).is_err());
    assert!(spec().baseline_periods(0).is_err());
    assert!(spec().baseline_periods(1001).is_err());
    assert!(spec().leak_after("Won", Duration::days(1)).is_err());
    let mut a = Bottlenecks::new(spec());
    assert!(a.merge(Bottlenecks::new(spec().closest(1))).is_err());
}

#[test]
fn nothing_added_is_a_report_without_nan() {
    let r = Bottlenecks::new(spec()).finish().unwrap();
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("NaN"));
    assert_eq!(r.stages.len(), 3);
    assert!(r.leaks.is_empty() && r.closest_to_closing.is_empty());
    assert_eq!(r.lost_at_stage.len(), 3);
}

/// Valid opportunities: a forward walk over the open stages, maybe closing, some undated.
fn any_deal() -> impl Strategy<Value = DealHistory> {
    (
        0u32..30,
        0i64..60,
        proptest::collection::vec(0i64..8, 0..4),
        0u8..3,
        prop::option::of((0i64..1000, any::<bool>())),
        0u8..4,
    )
        .prop_map(|(id, start, gaps, close, amount, undated)| {
            let mut at = d(start);
            let mut history = Vec::new();
            for (i, g) in gaps.iter().enumerate() {
                at += Duration::days(*g);
                history.push(StageEntry {
                    at,
                    stage: NAMES[i.min(2)].into(),
                });
            }
            if !history.is_empty() && close > 0 {
                at += Duration::days(2);
                history.push(StageEntry {
                    at,
                    stage: NAMES[if close == 1 { 3 } else { 4 }].into(),
                });
            }
            let (history, stage) = if undated == 0 {
                (Vec::new(), Some(NAMES[usize::from(close)].to_owned()))
            } else {
                (history, None)
            };
            DealHistory {
                id: format!("O{id}"),
                amount: amount.map(|(m, eur)| Money::new(m, if eur { "EUR" } else { "USD" })),
                history,
                stage,
                ..Default::default()
            }
        })
}

fn one_pass(spec: &BottleneckSpec, deals: &[DealHistory]) -> Bottlenecks {
    let mut b = Bottlenecks::new(spec.clone());
    for o in deals {
        b.add(o).unwrap();
    }
    b
}

fn report(b: &Bottlenecks) -> Result<BottleneckReport, String> {
    b.finish().map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn merge_of_any_partition_in_any_order_equals_one_pass(
        (deals, shuffled) in proptest::collection::vec(any_deal(), 0..40)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        cuts in proptest::collection::vec(0usize..40, 0..5),
        reverse in any::<bool>(),
    ) {
        let spec = spec().min_count(2).closest(5)
            .leak_after("Prospecting", Duration::days(3)).unwrap();
        let whole = one_pass(&spec, &deals);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(shuffled.len())).collect();
        cuts.push(0);
        cuts.push(shuffled.len());
        cuts.sort_unstable();
        let mut parts: Vec<Bottlenecks> =
            cuts.windows(2).map(|w| one_pass(&spec, &shuffled[w[0]..w[1]])).collect();
        if reverse {
            parts.reverse();
        }
        let mut merged = Bottlenecks::new(spec.clone());
        for p in parts {
            merged.merge(p).unwrap();
        }
        let (a, b) = (report(&merged), report(&whole));
        prop_assert_eq!(&a, &b);
        if let Ok(r) = a {
            prop_assert!(!serde_json::to_string(&r).unwrap().contains("NaN"));
        }
    }
}
