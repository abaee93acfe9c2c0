//! Pipeline metrics: merge of any partition equals one pass, group totals equal the overall
//! figures, hand-checked numbers, and bad input as typed errors (never NaN, never a panic).

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::analytics::{
    DealColumns, DealGroups, DealHistory, GroupedMetrics, MetricsSpec, Period, PipelineMetrics,
    PipelineMetricsInput, PipelineReport, PipelineStages, SliceKey, StageDef, StageEntry,
    StageEntryColumns,
};
use leadcore::{DealType, Money, StageKind};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap()
}

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

fn spec(qualified: Option<&str>) -> MetricsSpec {
    MetricsSpec::new(
        stages(),
        Period {
            from: t0() + Duration::days(30),
            to: t0() + Duration::days(200),
        },
        qualified,
    )
    .unwrap()
}

const NAMES: [&str; 5] = ["Prospecting", "Engaging", "Proposal", "Won", "Lost"];

/// Valid opportunities: a forward walk over the open stages, maybe closing, with gaps.
fn deal(mixed: bool) -> impl Strategy<Value = DealHistory> {
    (
        0u32..1000,
        0i64..250,
        proptest::collection::vec(0i64..40, 0..4),
        0u8..3,
        prop::option::of(0i64..100_000),
        0usize..3,
        0usize..3,
        any::<bool>(),
        0u8..3,
    )
        .prop_map(
            move |(id, start, gaps, close, amount, owner, office, eur, kind)| {
                let created = t0() + Duration::days(start);
                let mut at = created;
                let mut history = Vec::new();
                for (i, g) in gaps.iter().enumerate() {
                    at += Duration::days(*g);
                    history.push(StageEntry {
                        at,
                        stage: NAMES[i.min(2)].into(),
                    });
                }
                if !history.is_empty() && close > 0 {
                    at += Duration::days(3);
                    history.push(StageEntry {
                        at,
                        stage: NAMES[if close == 1 { 3 } else { 4 }].into(),
                    });
                }
                DealHistory {
                    id: format!("O{id}"),
                    owner: Some(["ann", "bob", "cy"][owner].into()),
                    office: (office > 0).then(|| ["", "East", "West"][office].into()),
                    kind: [DealType::NewBusiness, DealType::Upsell, DealType::CrossSell]
                        [kind as usize],
                    amount: amount.map(|a| Money::new(a, if eur && mixed { "EUR" } else { "USD" })),
                    created_at: Some(created),
                    stage: history.is_empty().then(|| "Prospecting".into()),
                    history,
                    ..Default::default()
                }
            },
        )
}

fn one_pass(spec: &MetricsSpec, deals: &[DealHistory]) -> PipelineMetrics {
    let mut m = PipelineMetrics::new(spec.clone());
    for d in deals {
        m.add(d).unwrap();
    }
    m
}

/// The report with the currency mix made harmless (finish refuses an average over two
/// currencies): compare the accumulator's report or its error.
fn report(m: &PipelineMetrics) -> Result<PipelineReport, String> {
    m.finish().map_err(|e| e.to_string())
}

/// The deals as columns, their entries as a long table in an order set by `shuffle`.
fn columns(
    spec: &MetricsSpec,
    deals: &[DealHistory],
    shuffle: &[usize],
) -> (DealColumns, StageEntryColumns) {
    let mut currencies: Vec<String> = Vec::new();
    let mut cols = DealColumns::default();
    let mut rows: Vec<(u32, u32, i64)> = Vec::new();
    for (d, o) in deals.iter().enumerate() {
        cols.ids.push(o.id.clone());
        let code = o.amount.as_ref().map_or(0, |m| {
            currencies
                .iter()
                .position(|c| *c == m.currency)
                .unwrap_or_else(|| {
                    currencies.push(m.currency.clone());
                    currencies.len() - 1
                })
        });
        cols.amount.push(o.amount.as_ref().map(|m| m.minor));
        cols.currency.push(code as u32);
        cols.expansion.push(o.kind != DealType::NewBusiness);
        cols.created
            .push(o.created_at.map(|c| c.timestamp_micros()));
        cols.stage.push(
            o.stage
                .as_deref()
                .map(|s| spec.stages().index(s).unwrap() as u32),
        );
        for e in &o.history {
            rows.push((
                d as u32,
                spec.stages().index(&e.stage).unwrap() as u32,
                e.at.timestamp_micros(),
            ));
        }
    }
    cols.currencies = currencies;
    // Interleave deals (any order across deals), keeping each deal's rows in time order: a
    // stable sort by a random key per deal.
    rows.sort_by_key(|r| shuffle.get(r.0 as usize).copied().unwrap_or(0));
    let entries = StageEntryColumns {
        deal: rows.iter().map(|r| r.0).collect(),
        stage: rows.iter().map(|r| r.1).collect(),
        at: rows.iter().map(|r| r.2).collect(),
    };
    (cols, entries)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn columns_give_the_same_report_as_rows(
        deals in proptest::collection::vec(deal(true), 0..40),
        shuffle in proptest::collection::vec(0usize..5, 40),
        grouped in any::<bool>(),
        wide in any::<bool>(),
    ) {
        // Over 32 stages the columnar path groups rows by deal instead of streaming them.
        let spec = if wide {
            let mut defs: Vec<StageDef> = stages().stages().to_vec();
            defs.extend((0..66).map(|i| StageDef::new(format!("Extra{i}"), StageKind::Open)));
            MetricsSpec::new(
                PipelineStages::new("wide", defs).unwrap(),
                spec(None).period(),
                Some("Engaging"),
            )
            .unwrap()
        } else {
            spec(Some("Engaging"))
        };
        let whole = one_pass(&spec, &deals);
        let key: Vec<usize> = if grouped { (0..40).collect() } else { shuffle };
        let (cols, entries) = columns(&spec, &deals, &key);
        let mut m = PipelineMetrics::new(spec.clone());
        m.add_columns(&cols, &entries).unwrap();
        prop_assert_eq!(report(&m), report(&whole));
    }

    #[test]
    fn merge_of_any_partition_equals_one_pass(
        deals in proptest::collection::vec(deal(true), 0..40),
        cuts in proptest::collection::vec(0usize..40, 0..5),
        reverse in any::<bool>(),
    ) {
        let spec = spec(Some("Engaging"));
        let whole = one_pass(&spec, &deals);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(deals.len())).collect();
        cuts.push(0);
        cuts.push(deals.len());
        cuts.sort_unstable();
        let mut parts: Vec<PipelineMetrics> =
            cuts.windows(2).map(|w| one_pass(&spec, &deals[w[0]..w[1]])).collect();
        if reverse {
            parts.reverse();
        }
        let mut merged = PipelineMetrics::new(spec.clone());
        for p in parts {
            merged.merge(p).unwrap();
        }
        prop_assert_eq!(report(&merged), report(&whole));
    }

    #[test]
    fn group_totals_equal_the_overall_figures(
        deals in proptest::collection::vec(deal(false), 0..40),
        by in proptest::sample::select(vec![
            vec![SliceKey::Owner], vec![SliceKey::Office], vec![SliceKey::Kind],
            vec![SliceKey::Owner, SliceKey::Office],
        ]),
    ) {
        let spec = spec(None);
        let mut groups = GroupedMetrics::new(spec.clone(), by);
        for d in &deals {
            groups.add(d).unwrap();
        }
        let w = one_pass(&spec, &deals).finish().unwrap();
        let reports: Vec<PipelineReport> =
            groups.finish().unwrap().into_iter().map(|g| g.report).collect();
        let sum = |f: &dyn Fn(&PipelineReport) -> u64| reports.iter().map(f).sum::<u64>();
        prop_assert_eq!(sum(&|r| r.opportunities), deals.len() as u64);
        prop_assert_eq!(sum(&|r| r.win_rate.won), w.win_rate.won);
        prop_assert_eq!(sum(&|r| r.win_rate.lost), w.win_rate.lost);
        prop_assert_eq!(sum(&|r| r.win_rate.expansion.won), w.win_rate.expansion.won);
        prop_assert_eq!(sum(&|r| r.cycle.count), w.cycle.count);
        prop_assert_eq!(sum(&|r| r.open_qualified), w.open_qualified);
        let won_value: i64 = reports.iter().filter_map(|r| r.won_value.get("USD")).sum();
        prop_assert_eq!(won_value, w.won_value.get("USD").copied().unwrap_or(0));
        for (i, s) in w.stages.iter().enumerate() {
            let st = |f: &dyn Fn(&leadcore::analytics::StageMetrics) -> u64| {
                reports.iter().map(|r| f(&r.stages[i])).sum::<u64>()
            };
            prop_assert_eq!(st(&|x| x.entered), s.entered);
            prop_assert_eq!(st(&|x| x.in_stage), s.in_stage);
            prop_assert_eq!(st(&|x| x.dwell.count), s.dwell.count);
            prop_assert_eq!(st(&|x| x.converted.unwrap_or(0)), s.converted.unwrap_or(0));
            let v = |m: &std::collections::BTreeMap<String, i64>| m.get("USD").copied().unwrap_or(0);
            prop_assert_eq!(reports.iter().map(|r| v(&r.stages[i].value_in_stage)).sum::<i64>(), v(&s.value_in_stage));
            prop_assert_eq!(reports.iter().map(|r| v(&r.stages[i].value_entered)).sum::<i64>(), v(&s.value_entered));
        }
        // Every opportunity sits in at most one stage at the snapshot.
        prop_assert!(w.stages.iter().map(|s| s.in_stage).sum::<u64>() <= deals.len() as u64);
    }

    #[test]
    fn ratios_are_never_nan(deals in proptest::collection::vec(deal(true), 0..30)) {
        let m = one_pass(&spec(None), &deals);
        if let Ok(r) = m.finish() {
            let json = serde_json::to_string(&r).unwrap();
            prop_assert!(!json.contains("NaN") && !json.contains("inf"));
            for s in &r.stages {
                if let Some(c) = s.conversion_to_next {
                    prop_assert!((0.0..=1.0).contains(&c));
                }
            }
        }
    }
}

fn d(day: i64) -> DateTime<Utc> {
    t0() + Duration::days(day)
}

fn entry(day: i64, stage: &str) -> StageEntry {
    StageEntry {
        at: d(day),
        stage: stage.into(),
    }
}

fn opp(id: &str, created: i64, history: Vec<StageEntry>, amount: Option<i64>) -> DealHistory {
    DealHistory {
        id: id.into(),
        created_at: Some(d(created)),
        amount: amount.map(|a| Money::new(a, "USD")),
        history,
        ..Default::default()
    }
}

#[test]
fn hand_checked_figures() {
    // Period: days 30..200. Four opportunities.
    let spec = spec(Some("Engaging"));
    let mut m = PipelineMetrics::new(spec);
    // A: P(35) E(45) W(65): won 1000, cycle 30 d; P dwell 10 d, E dwell 20 d.
    m.add(&opp(
        "A",
        35,
        vec![
            entry(35, "Prospecting"),
            entry(45, "Engaging"),
            entry(65, "Won"),
        ],
        Some(1000),
    ))
    .unwrap();
    // B: P(40) E(50) L(90): lost; P dwell 10, E dwell 40.
    m.add(&opp(
        "B",
        40,
        vec![
            entry(40, "Prospecting"),
            entry(50, "Engaging"),
            entry(90, "Lost"),
        ],
        Some(0),
    ))
    .unwrap();
    // C: P(50), never qualified, still in Prospecting with 500.
    m.add(&opp("C", 50, vec![entry(50, "Prospecting")], Some(500)))
        .unwrap();
    // D: P(10) before the period, E(100): open qualified, 2000 in Engaging.
    m.add(&opp(
        "D",
        10,
        vec![entry(10, "Prospecting"), entry(100, "Engaging")],
        Some(2000),
    ))
    .unwrap();
    let r = m.finish().unwrap();
    let p = &r.stages[0];
    assert_eq!((p.entered, p.in_stage, p.converted), (3, 1, Some(2)));
    assert_eq!(p.conversion_to_next, Some(2.0 / 3.0));
    assert_eq!(p.value_in_stage["USD"], 500);
    // Dwells ending in the period: A 10 d, B 10 d, D 90 d.
    assert_eq!(p.dwell.count, 3);
    assert_eq!(p.dwell.median_seconds, Some(10 * 86_400));
    assert_eq!(p.dwell.p90_seconds, Some(90 * 86_400));
    let e = &r.stages[1];
    assert_eq!((e.entered, e.in_stage, e.converted), (3, 1, Some(1)));
    assert_eq!(e.value_entered["USD"], 3000);
    assert_eq!(e.dwell.median_seconds, Some(20 * 86_400));
    assert_eq!(r.stages[2].conversion_to_next, None);
    assert_eq!((r.win_rate.won, r.win_rate.lost), (1, 1));
    assert_eq!(r.win_rate.rate, Some(0.5));
    assert_eq!(r.win_rate.new_business.rate, Some(0.5));
    assert_eq!(r.win_rate.expansion.rate, None);
    assert_eq!(r.average_deal_size, Some(Money::new(1000, "USD")));
    assert_eq!(r.cycle.mean_seconds, Some(30.0 * 86_400.0));
    assert_eq!(r.open_qualified, 1);
    let v = r.sales_velocity.unwrap();
    // 1 open × 0.5 × 1000 ÷ 30 d = 16.67 a day.
    assert_eq!(v.per_day, Money::new(17, "USD"));
    assert_eq!(v.stages.len(), 3);
    assert_eq!(v.stages[1].mean_dwell_days, Some(30.0));
}

#[test]
fn bad_input_is_a_typed_error_and_changes_nothing() {
    let spec = spec(None);
    let mut m = PipelineMetrics::new(spec.clone());
    let before = m.clone();
    let unknown = opp("X", 0, vec![entry(40, "Demo")], None);
    assert_eq!(
        m.add(&unknown).unwrap_err().code(),
        "lifecycle.unknown_stage"
    );
    let early = opp(
        "Y",
        50,
        vec![entry(40, "Prospecting"), entry(45, "Won")],
        None,
    );
    let err = m.add(&early).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert!(err.to_string().contains("before its creation"), "{err}");
    let negative = opp("Z", 0, vec![entry(40, "Won")], Some(-5));
    assert!(
        m.add(&negative)
            .unwrap_err()
            .to_string()
            .contains("negative amount")
    );
    let backwards = opp(
        "W",
        0,
        vec![entry(40, "Prospecting"), entry(39, "Won")],
        None,
    );
    assert!(
        m.add(&backwards)
            .unwrap_err()
            .to_string()
            .contains("before the entry")
    );
    let mismatch = DealHistory {
        stage: Some("Won".into()),
        ..opp("V", 0, vec![entry(40, "Prospecting")], None)
    };
    assert_eq!(m.add(&mismatch).unwrap_err().code(), "input.invalid");
    assert_eq!(m, before);
    // An empty period is refused up front.
    let empty = Period {
        from: d(5),
        to: d(5),
    };
    assert_eq!(
        MetricsSpec::new(stages(), empty, None).unwrap_err().code(),
        "input.invalid"
    );
    // Mixed currencies in won deals: refused at finish, never summed.
    m.add(&opp("A", 0, vec![entry(40, "Won")], Some(100)))
        .unwrap();
    let mut eur = opp("B", 0, vec![entry(41, "Won")], None);
    eur.amount = Some(Money::new(100, "EUR"));
    m.add(&eur).unwrap();
    let err = m.finish().unwrap_err();
    assert!(
        err.to_string().contains("mixed currencies (EUR, USD)"),
        "{err}"
    );
    // Merging accumulators of different specs is refused.
    let other = PipelineMetrics::new(
        MetricsSpec::new(
            stages(),
            Period {
                from: d(0),
                to: d(1),
            },
            None,
        )
        .unwrap(),
    );
    assert_eq!(m.merge(other).unwrap_err().code(), "input.invalid");
}

#[test]
fn bad_columns_are_typed_errors_and_change_nothing() {
    let spec = spec(None);
    let deals = vec![
        opp(
            "A",
            0,
            vec![entry(40, "Engaging"), entry(50, "Won")],
            Some(100),
        ),
        opp("B", 0, vec![entry(45, "Engaging")], Some(5)),
    ];
    let (cols, entries) = columns(&spec, &deals, &[0, 1]);
    let mut m = PipelineMetrics::new(spec.clone());
    let empty = report(&m);
    let err = |c: &DealColumns, e: &StageEntryColumns| {
        let mut m = m.clone();
        let e = m.add_columns(c, e).unwrap_err();
        assert_eq!(report(&m), empty, "changed by a refused batch");
        e.to_string()
    };
    let mut e = entries.clone();
    e.at.swap(0, 1); // A's entries out of order
    assert!(err(&cols, &e).contains("`A`"), "{}", err(&cols, &e));
    let mut e = entries.clone();
    e.deal[0] = 7;
    assert!(err(&cols, &e).contains("deal 7 of 2"));
    let mut e = entries.clone();
    e.stage[0] = 9;
    assert!(err(&cols, &e).contains("stage 9 of 5"));
    let mut c = cols.clone();
    c.amount[1] = Some(-3);
    assert!(err(&c, &entries).contains("`B`: negative amount"));
    let mut c = cols.clone();
    c.created[0] = Some(d(45).timestamp_micros());
    assert!(err(&c, &entries).contains("before its creation"));
    let mut c = cols.clone();
    c.expansion.push(true);
    assert!(
        err(&c, &entries).contains("`expansion` has 3 values for 3 deals")
            || err(&c, &entries).contains("ids")
    );
    let mut e = entries.clone();
    e.at.pop();
    assert!(err(&cols, &e).contains("differ in length"));
    m.add_columns(&cols, &entries).unwrap();
    assert_eq!(m.finish().unwrap().win_rate.won, 1);
}

#[test]
fn nothing_added_is_an_empty_report_without_nan() {
    let g = GroupedMetrics::new(spec(None), vec![]);
    let r = &g.finish().unwrap()[0].report;
    assert_eq!(r.opportunities, 0);
    assert_eq!(r.win_rate.rate, None);
    assert_eq!(r.sales_velocity, None);
    assert!(r.stages.iter().all(|s| s.conversion_to_next.is_none()));
    let grouped = GroupedMetrics::new(spec(None), vec![SliceKey::Owner]);
    assert!(grouped.finish().unwrap().is_empty());
}

#[test]
fn stages_from_the_playbook_deal_pipeline() {
    let pb = leadcore::Playbook::default_playbook();
    let p = &pb.pipelines()[0];
    let input = PipelineMetricsInput::from_json(&format!(
        r#"{{"pipeline":"{}","period":{{"from":"2017-01-01T00:00:00Z","to":"2018-01-01T00:00:00Z"}},"opportunities":[]}}"#,
        p.name()
    ))
    .unwrap();
    let out = input.run(Some(p)).unwrap();
    assert_eq!(out.groups[0].report.stages.len(), p.stages().len());
    assert_eq!(input.run(None).unwrap_err().code(), "input.invalid");
}

/// The groups of `deals` under `by`, as [`DealGroups`] (first-seen order).
fn groups_of(deals: &[DealHistory], by: &[SliceKey]) -> DealGroups {
    let mut g = DealGroups::default();
    for o in deals {
        let key: Vec<Option<String>> = by.iter().map(|k| k.value(o).map(str::to_owned)).collect();
        let i = g.keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            g.keys.push(key);
            g.keys.len() - 1
        });
        g.of.push(i as u32);
    }
    g
}

fn grouped_rows(spec: &MetricsSpec, by: &[SliceKey], deals: &[DealHistory]) -> GroupedMetrics {
    let mut g = GroupedMetrics::new(spec.clone(), by.to_vec());
    for d in deals {
        g.add(d).unwrap();
    }
    g
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn grouped_columns_give_the_same_reports_as_grouped_rows(
        deals in proptest::collection::vec(deal(false), 0..40),
        shuffle in proptest::collection::vec(0usize..5, 40),
        keys in proptest::sample::subsequence(vec![SliceKey::Owner, SliceKey::Office, SliceKey::Kind], 0..=3),
    ) {
        let spec = spec(Some("Engaging"));
        let rows = grouped_rows(&spec, &keys, &deals);
        let (cols, entries) = columns(&spec, &deals, &shuffle);
        let mut g = GroupedMetrics::new(spec.clone(), keys.clone());
        g.add_columns(&cols, &groups_of(&deals, &keys), &entries).unwrap();
        prop_assert_eq!(g.finish().map_err(|e| e.to_string()), rows.finish().map_err(|e| e.to_string()));
    }
}

#[test]
fn grouped_columns_report_the_row_paths_error_for_the_first_deal_at_fault() {
    let spec = spec(None);
    let good = opp("A", 0, vec![entry(40, "Prospecting")], Some(5));
    let faults = [
        opp("N", 0, vec![entry(40, "Won")], Some(-5)),
        opp(
            "E",
            50,
            vec![entry(40, "Prospecting"), entry(45, "Won")],
            None,
        ),
        DealHistory {
            stage: Some("Won".into()),
            ..opp("V", 0, vec![entry(40, "Prospecting")], None)
        },
        opp(
            "W",
            0,
            vec![entry(40, "Prospecting"), entry(39, "Won")],
            None,
        ),
    ];
    for bad in faults {
        // the fault, then a second one later: the first deal at fault is named
        let deals = vec![good.clone(), bad.clone(), faults_last()];
        let mut rows = GroupedMetrics::new(spec.clone(), vec![SliceKey::Owner]);
        let want = deals.iter().try_for_each(|d| rows.add(d)).unwrap_err();
        // the columns keep each deal's rows as given (W's are out of time order)
        let (cols, entries) = columns(&spec, &deals, &[0, 0, 0]);
        let mut g = GroupedMetrics::new(spec.clone(), vec![SliceKey::Owner]);
        let before = g.clone();
        let got = g
            .add_columns(&cols, &groups_of(&deals, &[SliceKey::Owner]), &entries)
            .unwrap_err();
        assert_eq!(
            (got.code(), got.to_string()),
            (want.code(), want.to_string())
        );
        assert_eq!(g, before);
    }
}

fn faults_last() -> DealHistory {
    opp("Z", 0, vec![entry(40, "Won")], Some(-1))
}
