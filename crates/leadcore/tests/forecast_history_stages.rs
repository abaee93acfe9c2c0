//! The historical model's stage-to-win probabilities, per-stage time to close and
//! close-date slips: histories where the right answer is known, typed errors, the model's
//! serde round trip, and properties over random histories.

use chrono::{Days, NaiveDate};
use leadcore::Money;
use leadcore::forecast::{
    FiscalCalendar, HISTORY_MODEL_VERSION, HistoricalDeal, HistoryModel, HistoryModelSpec, Outcome,
    StageVisit,
};
use proptest::prelude::*;

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 1, 1).unwrap()
}

fn at(n: u64) -> NaiveDate {
    day0() + Days::new(n)
}

fn cal() -> FiscalCalendar {
    FiscalCalendar::new(1).unwrap()
}

fn visit(stage: &str, entered: NaiveDate) -> StageVisit {
    StageVisit {
        stage: stage.into(),
        entered,
    }
}

fn deal(id: String, created: u64, close: Option<(u64, bool)>) -> HistoricalDeal {
    HistoricalDeal {
        id,
        owner: None,
        amount: Money::new(1000, "USD"),
        created: at(created),
        outcome: close.map(|(c, won)| Outcome {
            date: at(c),
            won,
            value: if won { 1000 } else { 0 },
        }),
        expected_close: None,
        stages: Vec::new(),
    }
}

/// 100 closed deals through `Qualify`; the 50 even ones went on to `Proposal` 5 days later
/// and 40 of those won; 5 of the 50 that stopped at `Qualify` won. Each closes 20 days
/// after creation. Plus one open deal in each stage.
fn funnel() -> Vec<HistoricalDeal> {
    let mut deals: Vec<HistoricalDeal> = (0..100u64)
        .map(|i| {
            let proposal = i % 2 == 0;
            let won = if proposal { i % 10 != 0 } else { i % 20 == 1 };
            let mut d = deal(format!("O{i}"), i, Some((i + 20, won)));
            d.stages.push(visit("Qualify", at(i)));
            if proposal {
                d.stages.push(visit("Proposal", at(i + 5)));
            }
            d
        })
        .collect();
    let mut q = deal("Q".into(), 140, None);
    q.stages.push(visit("Qualify", at(140)));
    let mut p = deal("P".into(), 140, None);
    p.stages.push(visit("Qualify", at(140)));
    p.stages.push(visit("Proposal", at(142)));
    deals.extend([q, p]);
    deals
}

#[test]
fn stage_to_win_probabilities_are_learned_and_shrunk_toward_the_overall_rate() {
    let deals = funnel();
    let spec = HistoryModelSpec::plain(); // stage_prior 10
    let m = HistoryModel::fit(&deals, at(150), &spec, cal()).unwrap();
    assert_eq!(m.closed(), (45, 100));
    let p = m.win_rate();
    assert_eq!(p, 0.45);
    let by = |s: &str| m.stages().iter().find(|r| r.stage == s).unwrap().clone();
    let (qual, prop) = (by("Qualify"), by("Proposal"));
    assert_eq!((prop.closed, prop.won, prop.open), (50, 40, 1));
    assert_eq!((qual.closed, qual.won, qual.open), (100, 45, 1));
    assert_eq!(prop.raw, Some(0.8));
    // (40 + 10 × 0.45) ÷ (50 + 10)
    assert!((prop.probability - 44.5 / 60.0).abs() < 1e-12, "{prop:?}");
    assert!((qual.probability - 0.45).abs() < 1e-12, "{qual:?}");
    // by name
    assert_eq!(m.stages()[0].stage, "Proposal");
    // a raw rate with no prior
    let raw = HistoryModel::fit(
        &deals,
        at(150),
        &HistoryModelSpec {
            stage_prior: 0.0,
            ..HistoryModelSpec::plain()
        },
        cal(),
    )
    .unwrap();
    assert_eq!(raw.stages()[0].probability, 0.8);
}

#[test]
fn the_simulation_uses_the_open_deals_current_stage() {
    let deals = funnel();
    let spec = HistoryModelSpec {
        stage_prior: 0.0,
        ..HistoryModelSpec::plain()
    };
    let m = HistoryModel::fit(&deals, at(150), &spec, cal()).unwrap();
    // Both open deals are 10 days old and close at age 20: inside [150, 170).
    let w = m.forecast(&deals, at(150), at(170), 20_000, 3).unwrap();
    // Proposal 0.8 and Qualify 0.45: not 2 × 0.45
    assert!(
        (w.from_pipeline - 1000.0 * (0.8 + 0.45)).abs() < 1e-9,
        "{w:?}"
    );
    assert!((w.mean - w.expected).abs() < 0.02 * w.expected, "{w:?}");
    // A deal without visits keeps the overall rate.
    let mut bare = deals.clone();
    for d in bare.iter_mut().filter(|d| d.outcome.is_none()) {
        d.stages.clear();
    }
    let w = m.forecast(&bare, at(150), at(170), 100, 3).unwrap();
    assert!((w.from_pipeline - 900.0).abs() < 1e-9, "{w:?}");
}

#[test]
fn a_stage_with_no_closed_deal_gets_the_overall_rate() {
    let mut deals = funnel();
    deals
        .last_mut()
        .unwrap()
        .stages
        .push(visit("Negotiation", at(145)));
    let m = HistoryModel::fit(&deals, at(150), &HistoryModelSpec::default(), cal()).unwrap();
    let n = m
        .stages()
        .iter()
        .find(|s| s.stage == "Negotiation")
        .unwrap();
    assert_eq!((n.closed, n.open, n.raw), (0, 1, None));
    assert_eq!(n.probability, m.win_rate());
    assert!(!n.own_timing);
    // a visit after the fit date is not known then
    let later = HistoryModel::fit(&deals, at(145), &HistoryModelSpec::default(), cal()).unwrap();
    assert!(later.stages().iter().all(|s| s.stage != "Negotiation"));
}

#[test]
fn time_to_close_follows_the_stage_when_it_has_enough_closes() {
    // Every deal enters `Contract` 25 days after creation and closes 5 days after that.
    // The pooled curve says "closes at age 30"; a deal that entered Contract late (age 40)
    // would never close by it, but closes 5 days after entering by the stage's curve.
    let mut deals: Vec<HistoricalDeal> = (0..60u64)
        .map(|i| {
            let mut d = deal(format!("O{i}"), i, Some((i + 30, true)));
            d.stages = vec![visit("Open", at(i)), visit("Contract", at(i + 25))];
            d
        })
        .collect();
    let mut late = deal("L".into(), 100, None);
    late.stages = vec![visit("Open", at(100)), visit("Contract", at(140))];
    deals.push(late);
    let m = HistoryModel::fit(&deals, at(142), &HistoryModelSpec::plain(), cal()).unwrap();
    let contract = m.stages().iter().find(|s| s.stage == "Contract").unwrap();
    assert!(contract.own_timing, "{contract:?}");
    let w = m.forecast(&deals, at(142), at(150), 100, 1).unwrap();
    assert!((w.from_pipeline - 1000.0).abs() < 1e-9, "{w:?}");
    // Fewer closes than min_stage_closes: the pooled curve (age 42 > 30: no close).
    let spec = HistoryModelSpec {
        min_stage_closes: 1000,
        ..HistoryModelSpec::plain()
    };
    let pooled = HistoryModel::fit(&deals, at(142), &spec, cal()).unwrap();
    assert!(pooled.stages().iter().all(|s| !s.own_timing));
    let w = pooled.forecast(&deals, at(142), at(150), 100, 1).unwrap();
    assert_eq!(w.from_pipeline, 0.0);
}

/// 100 closed deals created one a day, expected to close 10 days after creation, each
/// closing exactly `slip` days later than expected; all won.
fn slipping(slip: u64) -> Vec<HistoricalDeal> {
    (0..100u64)
        .map(|i| {
            let mut d = deal(format!("O{i}"), i, Some((i + 10 + slip, true)));
            d.expected_close = Some(at(i + 10));
            d
        })
        .collect()
}

#[test]
fn every_deal_slipping_30_days_moves_the_mass_into_the_next_period() {
    let mut deals = slipping(30);
    // Open at day 150: created day 115 (age 35), expected to close on day 151.
    let mut open = deal("X".into(), 115, None);
    open.expected_close = Some(at(151));
    deals.push(open);
    let spec = HistoryModelSpec::plain();
    let m = HistoryModel::fit(&deals, at(150), &spec, cal()).unwrap();
    let s = m.slips().unwrap();
    assert_eq!(
        (s.count, s.used, s.p10, s.p50, s.p90),
        (100, true, 30, 30, 30)
    );
    assert_eq!(s.mean_days, 30.0);
    // The curve (every deal closes at age 40) would close it on day 155, in the first
    // window; its expected close plus the 30-day slip puts it on day 181, in the second.
    let first = m.forecast(&deals, at(150), at(180), 2000, 1).unwrap();
    let second = m.forecast(&deals, at(180), at(210), 2000, 1).unwrap();
    assert_eq!((first.from_pipeline, second.from_pipeline), (0.0, 1000.0));
    assert_eq!((first.p90, second.p10), (0, 1000));
    // Without enough slips the curve decides.
    let few = HistoryModelSpec {
        min_slips: 101,
        ..HistoryModelSpec::plain()
    };
    let m = HistoryModel::fit(&deals, at(150), &few, cal()).unwrap();
    assert!(!m.slips().unwrap().used);
    let first = m.forecast(&deals, at(150), at(180), 100, 1).unwrap();
    assert_eq!(first.from_pipeline, 1000.0);
}

#[test]
fn a_slip_is_drawn_given_the_deal_is_still_open() {
    // Slips of 0, 10, 20 and 30 days, 25 deals each.
    let mut deals: Vec<HistoricalDeal> = (0..100u64)
        .map(|i| {
            let slip = 10 * (i % 4);
            let mut d = deal(format!("O{i}"), i, Some((i + 10 + slip, true)));
            d.expected_close = Some(at(i + 10));
            d
        })
        .collect();
    // Expected 15 days before the fit date: only the 20- and 30-day slips leave it open
    // then: it closes on day 155 or 165, one half each.
    let mut overdue = deal("late".into(), 120, None);
    overdue.expected_close = Some(at(135));
    // Expected 40 days before: no slip is that long; the curve (closes by age 40, it is 50
    // days old) says it never closes.
    let mut lost = deal("lost".into(), 100, None);
    lost.expected_close = Some(at(110));
    deals.extend([overdue, lost]);
    let m = HistoryModel::fit(&deals, at(150), &HistoryModelSpec::plain(), cal()).unwrap();
    let s = m.slips().unwrap();
    assert_eq!((s.p10, s.p25, s.p50, s.p75, s.p90), (0, 0, 10, 20, 30));
    let w = m.forecast(&deals, at(150), at(160), 100, 1).unwrap();
    assert_eq!(w.from_pipeline, 500.0);
    let w = m.forecast(&deals, at(160), at(400), 100, 1).unwrap();
    assert_eq!(w.from_pipeline, 500.0);
}

#[test]
fn bad_stage_visits_and_expected_closes_are_typed_errors_naming_the_deal() {
    let base = funnel();
    let fit = |deals: &[HistoricalDeal]| {
        HistoryModel::fit(deals, at(150), &HistoryModelSpec::plain(), cal()).unwrap_err()
    };
    type Edit = Box<dyn Fn(&mut HistoricalDeal)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|d| d.expected_close = Some(at(0))),
            "expected to close",
        ),
        (
            Box::new(|d| d.stages.insert(0, visit("Qualify", at(0)))),
            "before its creation",
        ),
        (
            Box::new(|d| d.stages.push(visit("Proposal", at(130)))),
            "after its close",
        ),
        (
            Box::new(|d| d.stages.push(visit("Proposal", at(3)))),
            "before its creation or the stage before",
        ),
        (Box::new(|d| d.stages.push(visit(" ", at(8)))), "blank"),
    ];
    for (edit, says) in cases {
        let mut deals = base.clone();
        edit(&mut deals[5]);
        let e = fit(&deals);
        assert_eq!(e.code(), "input.invalid");
        assert!(
            e.to_string().contains("O5") && e.to_string().contains(says),
            "{e}"
        );
    }
    let bad_prior = HistoryModelSpec {
        stage_prior: f64::NAN,
        ..HistoryModelSpec::plain()
    };
    let e = HistoryModel::fit(&base, at(150), &bad_prior, cal()).unwrap_err();
    assert_eq!(e.code(), "input.invalid");
}

#[test]
fn a_model_round_trips_and_refuses_another_version_or_broken_curves() {
    let mut deals = funnel();
    for (i, d) in deals.iter_mut().enumerate() {
        d.expected_close = Some(d.created + Days::new(i as u64 % 7));
    }
    let m = HistoryModel::fit(&deals, at(150), &HistoryModelSpec::default(), cal()).unwrap();
    assert_eq!(m.version(), HISTORY_MODEL_VERSION);
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["version"], HISTORY_MODEL_VERSION);
    let back: HistoryModel = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, m);
    let mut old = json.clone();
    old["version"] = 1.into();
    let e = serde_json::from_value::<HistoryModel>(old).unwrap_err();
    assert!(e.to_string().contains("version"), "{e}");
    for (field, value) in [
        ("survival", serde_json::json!([])),
        ("win_rate", serde_json::json!(1.5)),
        ("slips", serde_json::json!([3, 1])),
    ] {
        let mut broken = json.clone();
        broken[field] = value;
        assert!(serde_json::from_value::<HistoryModel>(broken).is_err());
    }
}

fn random_history() -> impl Strategy<Value = (Vec<HistoricalDeal>, u64)> {
    let one = (
        0u64..200,                                              // created
        proptest::option::of((0u64..80, any::<bool>())),        // (cycle, won)
        proptest::collection::vec((0usize..4, 0u64..40), 0..4), // visits: (stage, after)
        proptest::option::of(0u64..60),                         // expected close after creation
    );
    (proptest::collection::vec(one, 1..60), 1u64..260).prop_map(|(rows, as_of)| {
        let names = ["A", "B", "C", "D"];
        let deals = rows
            .into_iter()
            .enumerate()
            .map(|(i, (created, close, visits, expected))| {
                let mut d = deal(
                    format!("O{i}"),
                    created,
                    close.map(|(c, w)| (created + c, w)),
                );
                let end = close.map(|(c, _)| created + c);
                let mut last = created;
                for (s, after) in visits {
                    let e = (last + after).min(end.unwrap_or(u64::MAX));
                    d.stages.push(visit(names[s], at(e)));
                    last = e;
                }
                d.expected_close = expected.map(|x| at(created + x));
                d
            })
            .collect();
        (deals, as_of)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn stage_probabilities_are_probabilities_and_the_model_round_trips(
        (deals, as_of) in random_history(),
        prior in 0.0f64..50.0,
    ) {
        let spec = HistoryModelSpec { stage_prior: prior, min_slips: 3, min_stage_closes: 3, ..HistoryModelSpec::default() };
        let Ok(m) = HistoryModel::fit(&deals, at(as_of), &spec, cal()) else {
            // only when nothing closed before the fit date
            prop_assert!(deals.iter().all(|d| d.outcome.as_ref().is_none_or(|o| o.date >= at(as_of)) || d.created >= at(as_of)));
            return Ok(());
        };
        for s in m.stages() {
            prop_assert!((0.0..=1.0).contains(&s.probability), "{s:?}");
            prop_assert!(s.won <= s.closed);
            if s.closed == 0 {
                prop_assert_eq!(s.probability, m.win_rate());
            }
        }
        let back: HistoryModel = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        prop_assert_eq!(&back, &m);
        let w = m.forecast(&deals, at(as_of), at(as_of + 45), 200, 9).unwrap();
        for x in [w.expected, w.mean, w.from_pipeline, w.from_new_deals, w.season] {
            prop_assert!(x.is_finite() && x >= 0.0, "{w:?}");
        }
        prop_assert!(w.p10 <= w.p50 && w.p50 <= w.p90);
    }

    #[test]
    fn a_huge_prior_shrinks_every_stage_to_the_overall_rate((deals, as_of) in random_history()) {
        let spec = HistoryModelSpec { stage_prior: 1e9, ..HistoryModelSpec::plain() };
        if let Ok(m) = HistoryModel::fit(&deals, at(as_of), &spec, cal()) {
            for s in m.stages() {
                prop_assert!((s.probability - m.win_rate()).abs() < 1e-6, "{s:?}");
            }
        }
    }
}
