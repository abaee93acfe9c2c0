//! Weighted pipeline: categories, per-currency sums, and roll-ups that conserve sums.

use chrono::NaiveDate;
use leadcore::Money;
use leadcore::forecast::{
    Category, CategoryMap, FiscalCalendar, ForecastDeal, Granularity, PeriodKey, WeightedPipeline,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn map() -> CategoryMap {
    CategoryMap::new(Category::Pipeline)
        .stage("Proposal", Category::BestCase)
        .stage("Negotiation", Category::Commit)
        .stage("Won", Category::Closed)
        .stage("Lost", Category::Omitted)
}

fn day(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(offset))
}

#[test]
fn categories_from_stage_and_override() {
    let mut wp =
        WeightedPipeline::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, map());
    let mut d = ForecastDeal::new("O1", Money::new(10_000, "USD"), day(10), "Discovery", 0.1);
    d.category_override = Some(Category::Commit);
    wp.add(&d).unwrap();
    wp.add(&ForecastDeal::new(
        "O2",
        Money::new(5_000, "USD"),
        day(20),
        "Won",
        1.0,
    ))
    .unwrap();
    wp.add(&ForecastDeal::new(
        "O3",
        Money::new(3_333, "USD"),
        day(100),
        "Proposal",
        0.5,
    ))
    .unwrap();
    let q1 = PeriodKey {
        year: 2026,
        granularity: Granularity::Quarter,
        index: 1,
    };
    let q2 = PeriodKey { index: 2, ..q1 };
    let commit = wp.total(q1, &[Category::Commit]).unwrap();
    assert_eq!(
        (
            commit.totals.count,
            commit.totals.amount,
            commit.totals.weighted
        ),
        (1, 10_000, 1_000)
    );
    assert_eq!(
        wp.total(q1, &[Category::Closed]).unwrap().totals.weighted,
        5_000
    );
    // 3 333 × 0.5 = 1 666.5, rounded half away from zero.
    assert_eq!(
        wp.total(q2, &[Category::BestCase]).unwrap().totals.weighted,
        1_667
    );
    let empty = wp.total(q2, &[Category::Omitted]).unwrap();
    assert_eq!((empty.currency, empty.totals.count), (None, 0));
    let json = serde_json::to_string(&wp).unwrap();
    let back: WeightedPipeline = serde_json::from_str(&json).unwrap();
    assert_eq!(back, wp);
}

#[test]
fn bad_deals_are_typed_errors_and_change_nothing() {
    let mut wp = WeightedPipeline::new(FiscalCalendar::new(1).unwrap(), Granularity::Period, map());
    for bad in [
        ForecastDeal::new("N", Money::new(-5, "USD"), day(1), "X", 0.5),
        ForecastDeal::new("P", Money::new(5, "USD"), day(1), "X", 1.5),
        ForecastDeal::new("Q", Money::new(5, "USD"), day(1), "X", f64::INFINITY),
        ForecastDeal::new("C", Money::new(5, ""), day(1), "X", 0.5),
    ] {
        assert_eq!(wp.add(&bad).unwrap_err().code(), "input.invalid");
    }
    wp.add(&ForecastDeal::new(
        "M",
        Money::new(i64::MAX, "USD"),
        day(1),
        "X",
        0.5,
    ))
    .unwrap();
    let before = wp.clone();
    assert!(
        wp.add(&ForecastDeal::new(
            "M2",
            Money::new(i64::MAX, "USD"),
            day(1),
            "X",
            0.5
        ))
        .is_err()
    );
    assert_eq!(wp, before);
    let other = WeightedPipeline::new(FiscalCalendar::new(2).unwrap(), Granularity::Period, map());
    assert!(wp.merge(&other).is_err());
}

fn deal_strategy() -> impl Strategy<Value = ForecastDeal> {
    (
        0i64..10_000_000,
        prop::sample::select(vec!["USD", "EUR", "JPY"]),
        0u32..900,
        prop::sample::select(vec!["Discovery", "Proposal", "Negotiation", "Won", "Lost"]),
        0.0f64..=1.0,
        prop::option::of(prop::sample::select(Category::ALL.to_vec())),
    )
        .prop_map(|(minor, cur, off, stage, p, ov)| {
            let mut d = ForecastDeal::new("D", Money::new(minor, cur), day(off), stage, p);
            d.category_override = ov;
            d
        })
}

proptest! {
    #[test]
    fn rollups_conserve_sums(deals in prop::collection::vec(deal_strategy(), 0..60), cut in 0usize..60) {
        let cal = FiscalCalendar::new(3).unwrap();
        let mut one = WeightedPipeline::new(cal, Granularity::Period, map());
        let mut quarters = WeightedPipeline::new(cal, Granularity::Quarter, map());
        let mut years = WeightedPipeline::new(cal, Granularity::Year, map());
        let mut expected: BTreeMap<String, (u64, i64, i64)> = BTreeMap::new();
        for d in &deals {
            one.add(d).unwrap();
            quarters.add(d).unwrap();
            years.add(d).unwrap();
            let e = expected.entry(d.amount.currency.clone()).or_default();
            *e = (e.0 + 1, e.1 + d.amount.minor, e.2 + d.weighted_minor().unwrap());
        }
        // Every level sums to the deals, per currency.
        for wp in [&one, &quarters, &years] {
            let mut got: BTreeMap<String, (u64, i64, i64)> = BTreeMap::new();
            for r in wp.rows() {
                let e = got.entry(r.currency.clone()).or_default();
                *e = (e.0 + r.totals.count, e.1 + r.totals.amount, e.2 + r.totals.weighted);
            }
            prop_assert_eq!(&got, &expected);
        }
        // Periods roll up into their quarter, cell by cell.
        for q in quarters.rows() {
            let from_periods: (u64, i64, i64) = one.rows().iter()
                .filter(|r| r.currency == q.currency && r.category == q.category && r.period.year == q.period.year
                    && (r.period.index - 1) / 3 + 1 == q.period.index)
                .fold((0, 0, 0), |a, r| (a.0 + r.totals.count, a.1 + r.totals.amount, a.2 + r.totals.weighted));
            prop_assert_eq!(from_periods, (q.totals.count, q.totals.amount, q.totals.weighted));
        }
        // Any partition, merged, equals one pass.
        let cut = cut.min(deals.len());
        let mut left = WeightedPipeline::new(cal, Granularity::Period, map());
        let mut right = left.clone();
        deals[..cut].iter().for_each(|d| left.add(d).unwrap());
        deals[cut..].iter().for_each(|d| right.add(d).unwrap());
        right.merge(&left).unwrap();
        prop_assert_eq!(right, one);
    }
}
