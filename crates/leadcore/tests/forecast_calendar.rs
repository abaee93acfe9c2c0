//! Fiscal calendars against hand-checked dates.

use chrono::{NaiveDate, Weekday};
use leadcore::forecast::{FiscalCalendar, Granularity, PeriodKey, WeekPattern};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn key(year: i32, granularity: Granularity, index: u8) -> PeriodKey {
    PeriodKey {
        year,
        granularity,
        index,
    }
}

#[test]
fn calendar_months_from_january() {
    let cal = FiscalCalendar::new(1).unwrap();
    let f = cal.period_of(d(2026, 5, 20)).unwrap();
    assert_eq!((f.year, f.quarter, f.period, f.week), (2026, 2, 5, 20));
    assert_eq!(
        (f.period_start, f.period_end),
        (d(2026, 5, 1), d(2026, 5, 31))
    );
    assert_eq!(
        cal.bounds(key(2026, Granularity::Year, 1)).unwrap(),
        (d(2026, 1, 1), d(2026, 12, 31))
    );
    assert_eq!(
        cal.bounds(key(2024, Granularity::Period, 2)).unwrap(),
        (d(2024, 2, 1), d(2024, 2, 29))
    );
}

#[test]
fn fiscal_year_named_after_the_year_it_ends() {
    let cal = FiscalCalendar::new(2).unwrap();
    let jan = cal.period_of(d(2026, 1, 31)).unwrap();
    assert_eq!((jan.year, jan.quarter, jan.period), (2026, 4, 12));
    let feb = cal.period_of(d(2026, 2, 1)).unwrap();
    assert_eq!(
        (feb.year, feb.quarter, feb.period, feb.week),
        (2027, 1, 1, 1)
    );
    assert_eq!(
        cal.bounds(key(2027, Granularity::Quarter, 4)).unwrap(),
        (d(2026, 11, 1), d(2027, 1, 31))
    );
    let oct = FiscalCalendar::new(10).unwrap();
    assert_eq!(
        oct.bounds(key(2026, Granularity::Year, 1)).unwrap(),
        (d(2025, 10, 1), d(2026, 9, 30))
    );
}

#[test]
fn four_four_five_with_a_53_week_year() {
    // 1 Jan 2026 is a Thursday: FY2026 starts Monday 29 Dec 2025; 1 Jan 2027 is a Friday:
    // FY2027 starts Monday 4 Jan 2027. FY2026 has 371 days = 53 weeks; period 12 (weeks 48-53) takes six.
    let cal = FiscalCalendar::new(1)
        .unwrap()
        .with_weeks(WeekPattern::W445, Weekday::Mon);
    assert_eq!(
        cal.bounds(key(2026, Granularity::Period, 1)).unwrap(),
        (d(2025, 12, 29), d(2026, 1, 25))
    );
    assert_eq!(
        cal.bounds(key(2026, Granularity::Period, 2)).unwrap(),
        (d(2026, 1, 26), d(2026, 2, 22))
    );
    assert_eq!(
        cal.bounds(key(2026, Granularity::Period, 3)).unwrap(),
        (d(2026, 2, 23), d(2026, 3, 29))
    );
    assert_eq!(
        cal.bounds(key(2026, Granularity::Quarter, 4)).unwrap(),
        (d(2026, 9, 28), d(2027, 1, 3))
    );
    assert_eq!(
        cal.bounds(key(2026, Granularity::Period, 12)).unwrap(),
        (d(2026, 11, 23), d(2027, 1, 3))
    );
    let last = cal.period_of(d(2026, 12, 31)).unwrap();
    assert_eq!((last.year, last.period, last.week), (2026, 12, 53));
    let first = cal.period_of(d(2025, 12, 29)).unwrap();
    assert_eq!((first.year, first.period, first.week), (2026, 1, 1));
    assert_eq!(cal.period_of(d(2027, 1, 3)).unwrap().year, 2026);
    let next = cal.period_of(d(2027, 1, 4)).unwrap();
    assert_eq!((next.year, next.period, next.week), (2027, 1, 1));
}

#[test]
fn four_five_four_and_five_four_four() {
    // 1 Jan 2024 is a Monday: FY2024 starts that day.
    let w454 = FiscalCalendar::new(1)
        .unwrap()
        .with_weeks(WeekPattern::W454, Weekday::Mon);
    assert_eq!(
        w454.bounds(key(2024, Granularity::Period, 2)).unwrap(),
        (d(2024, 1, 29), d(2024, 3, 3))
    );
    assert_eq!(
        w454.bounds(key(2024, Granularity::Quarter, 1)).unwrap(),
        (d(2024, 1, 1), d(2024, 3, 31))
    );
    let w544 = FiscalCalendar::new(1)
        .unwrap()
        .with_weeks(WeekPattern::W544, Weekday::Mon);
    assert_eq!(
        w544.bounds(key(2024, Granularity::Period, 1)).unwrap(),
        (d(2024, 1, 1), d(2024, 2, 4))
    );
    assert_eq!(w544.period_of(d(2024, 2, 5)).unwrap().period, 2);
}

#[test]
fn every_day_falls_in_exactly_its_period() {
    for cal in [
        FiscalCalendar::new(1).unwrap(),
        FiscalCalendar::new(7).unwrap(),
        FiscalCalendar::new(2)
            .unwrap()
            .with_weeks(WeekPattern::W445, Weekday::Sun),
        FiscalCalendar::new(12)
            .unwrap()
            .with_weeks(WeekPattern::W544, Weekday::Sat),
    ] {
        let mut day = d(2019, 1, 1);
        while day < d(2031, 1, 1) {
            let f = cal.period_of(day).unwrap();
            assert!(f.period_start <= day && day <= f.period_end, "{day} {f:?}");
            let (s, e) = cal
                .bounds(key(f.year, Granularity::Period, f.period))
                .unwrap();
            assert_eq!((s, e), (f.period_start, f.period_end));
            assert!((1..=53).contains(&f.week));
            day = day.succ_opt().unwrap();
        }
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    assert_eq!(FiscalCalendar::new(0).unwrap_err().code(), "input.invalid");
    let cal = FiscalCalendar::new(1).unwrap();
    assert!(cal.bounds(key(2026, Granularity::Quarter, 5)).is_err());
    assert!(cal.period_of(NaiveDate::MAX).is_err());
    let bad: FiscalCalendar = serde_json::from_str(r#"{"start_month": 13}"#).unwrap();
    assert!(bad.period_of(d(2026, 1, 1)).is_err());
    let ok: FiscalCalendar =
        serde_json::from_str(r#"{"start_month": 1, "weeks": "4-4-5", "week_start": "Sun"}"#)
            .unwrap();
    assert_eq!(ok.weeks, Some(WeekPattern::W445));
}
