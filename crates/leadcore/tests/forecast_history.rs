//! The historical forecast model and the backtest: what they learn, their errors, and that
//! the simulation agrees with the expectation.

use chrono::{Days, NaiveDate};
use leadcore::Money;
use leadcore::forecast::{
    BacktestSpec, FiscalCalendar, HistoricalDeal, HistoryModel, HistoryModelSpec, Outcome, backtest,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> FiscalCalendar {
    FiscalCalendar::new(1).unwrap()
}

/// `n` deals created one a day from 1 Jan 2017, closing after `cycle(i)` days, won when
/// `won(i)`, amount 1,000.
fn history(n: u32, cycle: impl Fn(u32) -> u64, won: impl Fn(u32) -> bool) -> Vec<HistoricalDeal> {
    (0..n)
        .map(|i| {
            let created = d(2017, 1, 1) + Days::new(u64::from(i));
            let w = won(i);
            HistoricalDeal {
                id: format!("O{i}"),
                owner: Some(format!("rep{}", i % 3)),
                amount: Money::new(1000, "USD"),
                created,
                outcome: Some(Outcome {
                    date: created + Days::new(cycle(i)),
                    won: w,
                    value: if w { 1000 } else { 0 },
                }),
                expected_close: None,
                stages: vec![],
            }
        })
        .collect()
}

#[test]
fn learns_win_rate_and_time_to_close_with_open_deals_censored() {
    // 200 deals, each closes 30 days after creation, 3 in 4 won. As of day 150, deals
    // created in the last 30 days are still open: they must not count as "never closing".
    let deals = history(200, |_| 30, |i| i % 4 != 0);
    let as_of = d(2017, 1, 1) + Days::new(150);
    let model = HistoryModel::fit(&deals, as_of, &HistoryModelSpec::plain(), cal()).unwrap();
    let (won, closed) = model.closed();
    assert_eq!(closed, 120); // created on days 0..120 closed by day 150
    assert_eq!(won, 90);
    assert_eq!(model.win_rate(), 0.75);
    // The 30 open deals (ages 1..=30) all close within the next 30 days: each 1000 × 0.75.
    let w = model
        .forecast(&deals, as_of, as_of + Days::new(30), 100, 1)
        .unwrap();
    assert!((w.expected - 30.0 * 750.0).abs() < 1e-6, "{w:?}");
    // and none of them in a window that starts after they all closed
    let later = model
        .forecast(&deals, as_of + Days::new(31), as_of + Days::new(60), 100, 1)
        .unwrap();
    assert_eq!(later.expected, 0.0);
}

#[test]
fn deals_not_yet_created_add_the_trailing_flow() {
    let deals = history(200, |_| 10, |_| true);
    let as_of = d(2017, 1, 1) + Days::new(150);
    let spec = HistoryModelSpec {
        rate_spread: false,
        seasonality: false,
        ..HistoryModelSpec::default()
    };
    let model = HistoryModel::fit(&deals, as_of, &spec, cal()).unwrap();
    assert_eq!(model.creation_rate(), 1.0); // one a day over the trailing 91 days
    // A 30-day window: deals created on its first 20 days (ages ≤ 19 at its end... closing
    // at age 10) close inside it: 20 deals × 1000.
    let w = model
        .forecast(&deals, as_of, as_of + Days::new(30), 100, 1)
        .unwrap();
    assert!((w.from_new_deals - 20_000.0).abs() < 1e-6, "{w:?}");
    assert!((w.from_pipeline - 10_000.0).abs() < 1e-6, "{w:?}"); // the 10 open ones
}

#[test]
fn simulation_mean_converges_to_the_expectation_for_independent_deals() {
    // Cycles spread 5..65 days, 60% won: the plain model's trials are independent deals.
    let deals = history(400, |i| 5 + u64::from(i * 7 % 61), |i| i % 5 < 3);
    let as_of = d(2017, 1, 1) + Days::new(300);
    let model = HistoryModel::fit(&deals, as_of, &HistoryModelSpec::plain(), cal()).unwrap();
    let trials = 20_000;
    let w = model
        .forecast(&deals, as_of, as_of + Days::new(40), trials, 42)
        .unwrap();
    // Var of the total ≤ Σ amount² p(1-p) ≤ n_open × 1000² / 4
    let open = 65.0;
    let se = (open * 1000.0f64.powi(2) / 4.0).sqrt() / f64::from(trials).sqrt();
    assert!(w.expected > 0.0);
    assert!(
        (w.mean - w.expected).abs() < 4.0 * se,
        "mean {} expected {} se {se}",
        w.mean,
        w.expected
    );
    assert!(w.p10 <= w.p50 && w.p50 <= w.p90);
    // seeded: the same numbers again
    assert_eq!(
        w,
        model
            .forecast(&deals, as_of, as_of + Days::new(40), trials, 42)
            .unwrap()
    );
}

#[test]
fn rate_spread_widens_the_interval_and_keeps_the_expectation() {
    // win rates alternate by 30-day block: 90% then 30% (deals close the day they open)
    let deals = history(
        360,
        |_| 0,
        |i| {
            let month_even = (i / 30) % 2 == 0;
            if month_even { i % 10 != 0 } else { i % 10 < 3 }
        },
    );
    let as_of = d(2017, 1, 1) + Days::new(300);
    let flat = HistoryModelSpec {
        rate_spread: false,
        seasonality: false,
        ..HistoryModelSpec::default()
    };
    let spread = HistoryModelSpec {
        seasonality: false,
        ..HistoryModelSpec::default()
    };
    let a = HistoryModel::fit(&deals, as_of, &flat, cal()).unwrap();
    let b = HistoryModel::fit(&deals, as_of, &spread, cal()).unwrap();
    assert!(b.spreads().0 > 1.0, "{:?}", b.spreads());
    let to = as_of + Days::new(30);
    let wa = a.forecast(&deals, as_of, to, 4000, 3).unwrap();
    let wb = b.forecast(&deals, as_of, to, 4000, 3).unwrap();
    assert_eq!(wa.expected, wb.expected);
    assert!(wb.p90 - wb.p10 > 2 * (wa.p90 - wa.p10), "{wa:?} {wb:?}");
}

#[test]
fn bad_history_is_a_typed_error_naming_the_deal() {
    let base = history(50, |_| 10, |_| true);
    let as_of = d(2017, 3, 1);
    let fit = |deals: &[HistoricalDeal]| {
        HistoryModel::fit(deals, as_of, &HistoryModelSpec::default(), cal())
            .unwrap_err()
            .to_string()
    };
    let mut v = base.clone();
    v[3].outcome.as_mut().unwrap().date = d(2016, 12, 1);
    assert!(fit(&v).contains("O3") && fit(&v).contains("before its creation"));
    let mut v = base.clone();
    v[4].amount.minor = -1;
    assert!(fit(&v).contains("O4") && fit(&v).contains("negative"));
    let mut v = base.clone();
    v[5].amount.currency = "EUR".into();
    assert!(fit(&v).contains("O5") && fit(&v).contains("exchange rates"));
    let mut v = base.clone();
    let o = v[6].outcome.as_mut().unwrap();
    o.won = false;
    assert!(fit(&v).contains("O6"));
    // nothing closed yet
    let early = HistoryModel::fit(&base, d(2017, 1, 5), &HistoryModelSpec::default(), cal());
    assert!(early.unwrap_err().to_string().contains("nothing to learn"));
    // windows before the fit date or empty
    let model = HistoryModel::fit(&base, as_of, &HistoryModelSpec::default(), cal()).unwrap();
    assert!(
        model
            .forecast(&base, d(2017, 2, 1), d(2017, 4, 1), 10, 1)
            .is_err()
    );
    assert!(model.forecast(&base, as_of, as_of, 10, 1).is_err());
    assert!(model.forecast(&base, as_of, d(2017, 4, 1), 0, 1).is_err());
}

#[test]
fn backtest_scores_every_method_and_never_gives_nan() {
    let deals = history(400, |i| 5 + u64::from(i % 40), |i| i % 5 != 0);
    let spec: BacktestSpec = serde_json::from_str(
        r#"{"first": "2017-04-01", "count": 6, "window_months": 2, "trials": 300, "seed": 9}"#,
    )
    .unwrap();
    let r = backtest(&deals, &spec).unwrap();
    assert_eq!(r.rows.len(), 6 * 4);
    let methods: Vec<&str> = r.scores.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(
        methods,
        ["fixed_40", "win_rate", "plain_monte_carlo", "historical"]
    );
    for s in &r.scores {
        assert!(s.mape.is_some_and(f64::is_finite));
        for p in s.pinball.iter().flatten() {
            assert!(p.is_finite());
        }
    }
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("NaN") && !text.contains("null"), "{text}");
    // reps: three owners, expected and won both accounted
    assert_eq!(r.reps.len(), 3);
    // same spec, same report
    assert_eq!(r, backtest(&deals, &spec).unwrap());
    let bad: BacktestSpec =
        serde_json::from_str(r#"{"first": "2017-04-01", "count": 0, "window_months": 1}"#).unwrap();
    assert!(backtest(&deals, &bad).is_err());
}
