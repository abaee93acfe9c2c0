//! Business calendars (`leadcore::time`): hand-computed answers across the 2026 DST changes
//! in America/New_York (Mar 8 / Nov 1), Europe/Berlin (Mar 29 / Oct 25) and
//! Australia/Sydney (Apr 5 / Oct 4); holidays and time away; located validation issues; a
//! brute-force oracle over a whole year; and properties (additive, never negative,
//! `add_business` inverts `business_seconds_between`).

use chrono::{DateTime, Duration as ChronoDuration, TimeZone, Utc};
use leadcore::time::{Calendar, CalendarSpec, tzdb_version, validate};
use proptest::prelude::*;

const H: i64 = 3600;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn spec(json: &str) -> CalendarSpec {
    serde_json::from_str(json).unwrap()
}

fn calendar(json: &str) -> Calendar {
    Calendar::new(&spec(json)).unwrap()
}

fn office(zone: &str) -> Calendar {
    calendar(&format!(
        r#"{{"time_zone": "{zone}", "hours": {{"mon-fri": ["09:00-17:00"]}}}}"#
    ))
}

fn around_the_clock(zone: &str) -> Calendar {
    calendar(&format!(
        r#"{{"time_zone": "{zone}", "hours": {{"mon-sun": ["00:00-24:00"]}}}}"#
    ))
}

/// Friday 16:00 local to Monday 10:00 local over a DST weekend is 2 h of 09:00-17:00 work,
/// whatever the wall clock did on Sunday; the UTC instants are worked out by hand.
#[test]
fn friday_afternoon_to_monday_morning_across_each_dst_change() {
    let cases = [
        // New York, spring forward Sun Mar 8 (EST -5 -> EDT -4).
        (
            "America/New_York",
            utc(2026, 3, 6, 21, 0),
            utc(2026, 3, 9, 14, 0),
        ),
        // New York, fall back Sun Nov 1 (EDT -4 -> EST -5).
        (
            "America/New_York",
            utc(2026, 10, 30, 20, 0),
            utc(2026, 11, 2, 15, 0),
        ),
        // Berlin, spring forward Sun Mar 29 (CET +1 -> CEST +2).
        (
            "Europe/Berlin",
            utc(2026, 3, 27, 15, 0),
            utc(2026, 3, 30, 8, 0),
        ),
        // Berlin, fall back Sun Oct 25 (CEST +2 -> CET +1).
        (
            "Europe/Berlin",
            utc(2026, 10, 23, 14, 0),
            utc(2026, 10, 26, 9, 0),
        ),
        // Sydney, fall back Sun Apr 5 (AEDT +11 -> AEST +10).
        (
            "Australia/Sydney",
            utc(2026, 4, 3, 5, 0),
            utc(2026, 4, 6, 0, 0),
        ),
        // Sydney, spring forward Sun Oct 4 (AEST +10 -> AEDT +11).
        (
            "Australia/Sydney",
            utc(2026, 10, 2, 6, 0),
            utc(2026, 10, 4, 23, 0),
        ),
    ];
    for (zone, fri, mon) in cases {
        let cal = office(zone);
        assert_eq!(
            cal.business_seconds_between(fri, mon),
            2 * H,
            "{zone} {fri}"
        );
        assert_eq!(cal.business_seconds_between(mon, fri), 0, "{zone} {fri}");
        assert_eq!(
            cal.add_business_seconds(fri, 2 * H),
            Some(mon),
            "{zone} {fri}"
        );
        // The first hour ends at Friday 17:00 local, the earliest instant with 1 h elapsed.
        assert_eq!(
            cal.add_business_seconds(fri, H),
            Some(fri + ChronoDuration::hours(1)),
            "{zone}"
        );
        assert!(cal.is_open(fri));
        assert!(!cal.is_open(fri + ChronoDuration::hours(1)));
        assert_eq!(cal.next_change(fri), Some(fri + ChronoDuration::hours(1)));
        // Closed all weekend: next open is Monday 09:00 local, an hour before `mon`.
        let monday_nine = mon - ChronoDuration::hours(1);
        assert_eq!(
            cal.next_open(fri + ChronoDuration::hours(1)),
            Some(monday_nine)
        );
        assert_eq!(
            cal.next_change(fri + ChronoDuration::hours(2)),
            Some(monday_nine)
        );
    }
}

/// The DST Sunday itself is 23 h or 25 h long for a calendar open around the clock.
#[test]
fn the_dst_sunday_is_23_or_25_hours() {
    let cases = [
        // (zone, local midnight that Sunday, local midnight on Monday, hours)
        (
            "America/New_York",
            utc(2026, 3, 8, 5, 0),
            utc(2026, 3, 9, 4, 0),
            23,
        ),
        (
            "America/New_York",
            utc(2026, 11, 1, 4, 0),
            utc(2026, 11, 2, 5, 0),
            25,
        ),
        (
            "Europe/Berlin",
            utc(2026, 3, 28, 23, 0),
            utc(2026, 3, 29, 22, 0),
            23,
        ),
        (
            "Europe/Berlin",
            utc(2026, 10, 24, 22, 0),
            utc(2026, 10, 25, 23, 0),
            25,
        ),
        (
            "Australia/Sydney",
            utc(2026, 4, 4, 13, 0),
            utc(2026, 4, 5, 14, 0),
            25,
        ),
        (
            "Australia/Sydney",
            utc(2026, 10, 3, 14, 0),
            utc(2026, 10, 4, 13, 0),
            23,
        ),
    ];
    for (zone, sunday, monday, hours) in cases {
        let sundays = calendar(&format!(
            r#"{{"time_zone": "{zone}", "hours": {{"sun": ["00:00-24:00"]}}}}"#
        ));
        let week = ChronoDuration::days(7);
        assert_eq!(
            sundays.business_seconds_between(sunday - week, monday + week),
            (24 + hours + 24) * H,
            "{zone}"
        );
        assert_eq!(
            sundays.business_seconds_between(sunday, monday),
            hours * H,
            "{zone}"
        );
        assert_eq!(sundays.next_change(sunday), Some(monday), "{zone}");
        let all = around_the_clock(zone);
        assert_eq!(
            all.business_seconds_between(sunday, monday),
            hours * H,
            "{zone}"
        );
        assert_eq!(all.next_change(sunday), None, "{zone}: never closes");
    }
}

/// Interval boundaries inside a gap move to the jump; inside a fold they take the first
/// occurrence (New York: 02:00 -> 03:00 on Mar 8, 02:00 -> 01:00 on Nov 1).
#[test]
fn boundaries_in_gaps_and_folds() {
    let cal = calendar(
        r#"{"time_zone": "America/New_York", "hours": {"sun": ["00:00-01:30", "02:30-04:00"]}}"#,
    );
    // Mar 8: 00:00-01:30 EST = 05:00-06:30Z; 02:30 does not exist -> 03:00 EDT = 07:00Z, to
    // 04:00 EDT = 08:00Z.
    assert_eq!(
        cal.business_seconds_between(utc(2026, 3, 8, 0, 0), utc(2026, 3, 9, 0, 0)),
        H + H / 2 + H
    );
    assert!(!cal.is_open(utc(2026, 3, 8, 6, 59)));
    assert!(cal.is_open(utc(2026, 3, 8, 7, 0)));
    assert_eq!(
        cal.next_open(utc(2026, 3, 8, 6, 30)),
        Some(utc(2026, 3, 8, 7, 0))
    );
    // Nov 1: 00:00 EDT = 04:00Z to the first 01:30 (EDT) = 05:30Z; 02:30 EST = 07:30Z to
    // 04:00 EST = 09:00Z.
    assert_eq!(
        cal.business_seconds_between(utc(2026, 11, 1, 0, 0), utc(2026, 11, 2, 0, 0)),
        H + H / 2 + H + H / 2
    );
    // 06:15Z is the second 01:15 (EST): closed, the interval ended at the first 01:30.
    assert!(!cal.is_open(utc(2026, 11, 1, 6, 15)));
    assert_eq!(
        cal.next_change(utc(2026, 11, 1, 4, 0)),
        Some(utc(2026, 11, 1, 5, 30))
    );
    // An interval starting in the fold starts at its first occurrence: 01:30 EDT to 03:00
    // EST is 05:30Z to 08:00Z.
    let late = calendar(r#"{"time_zone": "America/New_York", "hours": {"sun": ["01:30-03:00"]}}"#);
    assert_eq!(
        late.business_seconds_between(utc(2026, 11, 1, 0, 0), utc(2026, 11, 2, 0, 0)),
        2 * H + H / 2
    );
    // An interval wholly inside the gap is empty that day (02:10-02:50 on Mar 8).
    let gap = calendar(r#"{"time_zone": "America/New_York", "hours": {"sun": ["02:10-02:50"]}}"#);
    assert_eq!(
        gap.business_seconds_between(utc(2026, 3, 8, 0, 0), utc(2026, 3, 9, 0, 0)),
        0
    );
    assert_eq!(
        gap.business_seconds_between(utc(2026, 3, 1, 0, 0), utc(2026, 3, 2, 0, 0)),
        40 * 60
    );
}

#[test]
fn holidays_are_skipped() {
    // Thanksgiving, Thursday 2026-11-26, in New York.
    let cal = calendar(
        r#"{"time_zone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": ["2026-11-26", "2026-12-25"]}"#,
    );
    let wed = utc(2026, 11, 25, 21, 0); // Wed 16:00 EST
    let fri = utc(2026, 11, 27, 15, 0); // Fri 10:00 EST
    assert_eq!(cal.business_seconds_between(wed, fri), 2 * H);
    assert_eq!(cal.add_business_seconds(wed, 2 * H), Some(fri));
    assert!(!cal.is_open(utc(2026, 11, 26, 15, 0)));
    assert_eq!(
        cal.next_open(utc(2026, 11, 25, 22, 0)),
        Some(utc(2026, 11, 27, 14, 0))
    );
    // Berlin, Christmas Eve and Day on Thursday and Friday 2026.
    let cal = calendar(
        r#"{"time_zone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": ["2026-12-24", "2026-12-25"]}"#,
    );
    // Wed Dec 23 16:00 CET -> Mon Dec 28 10:00 CET.
    assert_eq!(
        cal.business_seconds_between(utc(2026, 12, 23, 15, 0), utc(2026, 12, 28, 9, 0)),
        2 * H
    );
}

#[test]
fn lunch_breaks_and_out_of_office() {
    let cal = calendar(
        r#"{"time_zone": "America/New_York",
            "hours": {"mon-fri": ["09:00-12:00", "12:00-17:00"]},
            "out_of_office": [{"from": "2026-03-10T17:00:00Z", "to": "2026-03-12T18:00:00Z"}]}"#,
    );
    // Mon Mar 9 09:00 EDT to Fri Mar 13 17:00 EDT: 8 + 4 (Tue to 13:00) + 0 + 3 (Thu from
    // 14:00) + 8 hours. Touching intervals 09:00-12:00 and 12:00-17:00 are one.
    let mon = utc(2026, 3, 9, 13, 0);
    let fri = utc(2026, 3, 13, 21, 0);
    assert_eq!(cal.business_seconds_between(mon, fri), 23 * H);
    assert_eq!(cal.next_change(mon), Some(utc(2026, 3, 9, 21, 0)));
    assert_eq!(
        cal.next_change(utc(2026, 3, 10, 16, 0)),
        Some(utc(2026, 3, 10, 17, 0))
    );
    assert_eq!(
        cal.next_open(utc(2026, 3, 10, 17, 0)),
        Some(utc(2026, 3, 12, 18, 0))
    );
    assert_eq!(
        cal.add_business_seconds(mon, 12 * H),
        Some(utc(2026, 3, 10, 17, 0))
    );
    assert_eq!(
        cal.add_business_seconds(mon, 12 * H + 1),
        Some(utc(2026, 3, 12, 18, 0) + ChronoDuration::seconds(1))
    );

    let lunch = calendar(
        r#"{"time_zone": "Europe/Berlin", "hours": {"mon-thu": ["09:00-12:30", "13:30-17:00"], "fri": ["09:00-15:00"]}}"#,
    );
    // Thu 2026-06-04, CEST (+2): 12:45 local is lunch.
    assert!(!lunch.is_open(utc(2026, 6, 4, 10, 45)));
    assert_eq!(
        lunch.next_change(utc(2026, 6, 4, 10, 45)),
        Some(utc(2026, 6, 4, 11, 30))
    );
    assert_eq!(
        lunch.business_seconds_between(utc(2026, 6, 1, 0, 0), utc(2026, 6, 8, 0, 0)),
        4 * 7 * H + 6 * H
    );
}

#[test]
fn long_spans_are_fast_and_bounded() {
    let cal = calendar(
        r#"{"time_zone": "Australia/Sydney", "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": ["2026-01-26", "2026-04-03"],
            "out_of_office": [{"from": "2030-01-01T00:00:00Z", "to": "2040-01-01T00:00:00Z"}]}"#,
    );
    // Local midnights (AEDT, +11): 2000-01-01 and 2100-01-01 in Sydney.
    let a = utc(1999, 12, 31, 13, 0);
    let b = utc(2099, 12, 31, 13, 0);
    #[allow(clippy::disallowed_methods)] // the test's own stopwatch, not a clock in the core
    let started = std::time::Instant::now();
    let total = cal.business_seconds_between(a, b);
    let back = cal.add_business_seconds(a, total).unwrap();
    let open = cal.next_open(utc(2030, 6, 1, 0, 0)).unwrap();
    let elapsed = started.elapsed();
    eprintln!("100 years of Sydney business time, add back and next open: {elapsed:?}");
    // 100 years hold 26,089 weekdays; two are holidays; time away (from Tue 2030-01-01
    // 11:00 AEDT to Sun 2040-01-01 11:00 AEDT) takes 6 h of the first day and all 2,608
    // weekdays from 2030-01-02 to 2039-12-31.
    assert_eq!(total, (26_089 - 2_608 - 2) * 8 * H - 6 * H);
    assert!(back <= b && cal.business_seconds_between(a, back) == total);
    assert_eq!(open, utc(2040, 1, 1, 22, 0)); // Mon 2040-01-02 09:00 AEDT
    assert!(
        elapsed.as_secs_f64() < 5.0,
        "100 years took {elapsed:?} (debug build)"
    );
    // The range's ends: closed outside, answers that do not exist are None.
    let always = around_the_clock("UTC");
    assert_eq!(
        always.add_business_seconds(utc(9998, 12, 29, 0, 0), 3 * 86_400),
        None
    );
    assert_eq!(
        always.business_seconds_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
        leadcore::time::calendar_end().timestamp() - leadcore::time::calendar_start().timestamp()
    );
}

/// Cost of one short-span call, the SLA engine's case (`cargo test --release -p leadcore
/// --test calendars -- --ignored --nocapture`).
#[test]
#[ignore]
#[allow(clippy::disallowed_methods)] // the test's own stopwatch, not a clock in the core
fn speed_of_short_spans() {
    let cal = calendar(
        r#"{"time_zone": "America/New_York", "hours": {"mon-fri": ["09:00-12:00", "13:00-17:00"]},
            "holidays": ["2026-11-26", "2026-12-25"]}"#,
    );
    let n = 1_000_000i64;
    let started = std::time::Instant::now();
    let mut sum = 0;
    for i in 0..n {
        let a = utc(2026, 3, 2, 0, 0) + ChronoDuration::seconds(i * 97 % (200 * 86_400));
        sum += cal.business_seconds_between(a, a + ChronoDuration::hours(30));
    }
    let per = started.elapsed() / n as u32;
    eprintln!("business_seconds_between over 30 h: {per:?} per call (checksum {sum})");
    let started = std::time::Instant::now();
    for i in 0..n {
        let a = utc(2026, 3, 2, 0, 0) + ChronoDuration::seconds(i * 97 % (200 * 86_400));
        sum += cal.add_business_seconds(a, 300).unwrap().timestamp() & 1;
    }
    let per = started.elapsed() / n as u32;
    eprintln!("add_business_seconds of 5 min: {per:?} per call (checksum {sum})");
}

#[test]
fn invalid_calendars_are_located_playbook_errors() {
    let bad = spec(
        r#"{"time_zone": "America/New_Yrok",
            "hours": {"mon-fri": ["09:00-13:00"], "wed": ["12:00-14:00", "17:00-09:00"],
                      "fri-mon": ["10:00-11:00"], "sat": ["9:00-12:00", "10:00-24:30"]},
            "holidays": ["2026-12-25", "2026-01-01", "2026-12-25"],
            "out_of_office": [{"from": "2026-07-02T00:00:00Z", "to": "2026-07-01T00:00:00Z"}]}"#,
    );
    let mut issues = Vec::new();
    validate(&bad, "routing.reps[1].calendar", &mut issues);
    let got: Vec<(String, String)> = issues
        .iter()
        .map(|i| (i.path.clone(), i.code.clone()))
        .collect();
    let p = |s: &str| format!("routing.reps[1].calendar.{s}");
    let want = vec![
        (p("time_zone"), "calendar.unknown_time_zone".to_owned()),
        (p("hours.fri-mon"), "calendar.invalid_days".to_owned()),
        (p("hours.sat[0]"), "calendar.invalid_hours".to_owned()),
        (p("hours.sat[1]"), "calendar.invalid_hours".to_owned()),
        (p("hours.wed[1]"), "calendar.invalid_hours".to_owned()),
        (p("hours.wed[0]"), "calendar.overlapping_hours".to_owned()),
        (p("holidays[2]"), "calendar.duplicate_holiday".to_owned()),
        (
            p("out_of_office[0]"),
            "calendar.invalid_out_of_office".to_owned(),
        ),
    ];
    assert_eq!(got, want, "{issues:#?}");
    assert!(issues[0].message.contains(tzdb_version()));
    assert!(issues[5].message.contains("wed"), "{}", issues[5].message);

    let err = Calendar::new(&bad).unwrap_err();
    assert_eq!(err.code(), "playbook.invalid");
    assert_eq!(err.issues().len(), 8);
    assert_eq!(err.issues()[0].path, "time_zone");

    let empty = spec(r#"{"time_zone": "UTC", "hours": {"sat,sun": []}}"#);
    let err = Calendar::new(&empty).unwrap_err();
    assert_eq!(err.issues()[0].code, "calendar.no_working_hours");
    assert_eq!(err.issues()[0].path, "hours");

    // Self-overlap through a comma list is reported once, with every day it clashes on.
    let twice =
        spec(r#"{"time_zone": "UTC", "hours": {"mon,tue": ["09:00-17:00", "16:00-18:00"]}}"#);
    let err = Calendar::new(&twice).unwrap_err();
    assert_eq!(err.issues().len(), 1);
    assert!(err.issues()[0].message.contains("mon, tue"));

    // Unknown fields are refused when reading.
    assert!(
        serde_json::from_str::<CalendarSpec>(r#"{"time_zone": "UTC", "hours": {}, "tz": 1}"#)
            .is_err()
    );
}

#[test]
fn dates_and_instants_beyond_the_range_are_harmless() {
    let cal = calendar(
        r#"{"time_zone": "Pacific/Chatham", "hours": {"mon-sun": ["00:00-24:00"]},
            "holidays": ["+30000-01-01", "-0100-06-01", "9998-12-31"],
            "out_of_office": [{"from": "-5000-01-01T00:00:00Z", "to": "0002-01-01T00:00:00Z"}]}"#,
    );
    // The Chatham holiday on 9998-12-31 starts after the range ends, and the end of the range
    // is not a change.
    assert_eq!(cal.next_change(utc(2026, 1, 1, 0, 0)), None);
    assert!(!cal.is_open(DateTime::<Utc>::MIN_UTC));
    assert!(!cal.is_open(DateTime::<Utc>::MAX_UTC));
    assert_eq!(cal.next_open(DateTime::<Utc>::MAX_UTC), None);
    assert_eq!(
        cal.next_open(DateTime::<Utc>::MIN_UTC),
        Some(utc(2, 1, 1, 0, 0))
    );
    // Three intervals where the first overlaps both others: each later one is reported.
    let err = Calendar::new(&spec(
        r#"{"time_zone": "UTC", "hours": {"mon": ["08:00-18:00", "09:00-10:00", "11:00-12:00"]}}"#,
    ))
    .unwrap_err();
    let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["hours.mon[1]", "hours.mon[2]"]);
}

#[test]
fn specs_round_trip_and_have_a_schema() {
    let s = spec(
        r#"{"time_zone": "europe/berlin", "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": ["2026-12-25"],
            "out_of_office": [{"from": "2026-07-01T00:00:00Z", "to": "2026-07-02T00:00:00Z"}]}"#,
    );
    let back: CalendarSpec = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    // Zone names are matched without regard to case and reported canonically.
    assert_eq!(Calendar::new(&s).unwrap().time_zone(), "Europe/Berlin");
    let schema = serde_json::to_value(schemars::schema_for!(CalendarSpec)).unwrap();
    assert!(schema["properties"]["time_zone"].is_object());
    assert!(schema["properties"]["out_of_office"].is_object());
}

#[test]
fn the_tzdb_version_is_reported() {
    let v = tzdb_version();
    assert_eq!(v.len(), 5, "{v}");
    assert!(v[..4].parse::<u32>().unwrap() >= 2025, "{v}");
}

// ---------------------------------------------------------------------------------------
// A brute-force oracle: 15-minute UTC slots over all of 2026, each open when its local time
// (from jiff's own conversion) falls in that weekday's hours. Boundaries here never fall
// inside a fold, where the oracle's "open whenever the wall clock says so" and the
// calendar's "intervals are contiguous, first occurrence" differ by design.

const ORACLE_HOURS: &str = r#"{"mon-fri": ["08:00-12:00", "13:00-17:30"], "sat": ["10:00-14:00"],
    "sun": ["00:00-01:00", "04:00-06:00", "20:00-24:00"]}"#;

fn oracle_open(tz: &jiff::tz::TimeZone, second: i64, holidays: &[(i16, i8, i8)]) -> bool {
    let local = tz.to_datetime(jiff::Timestamp::from_second(second).unwrap());
    let date = local.date();
    if holidays.contains(&(date.year(), date.month(), date.day())) {
        return false;
    }
    let minute = i32::from(local.hour()) * 60 + i32::from(local.minute());
    let iv: &[(i32, i32)] = match date.weekday().to_monday_zero_offset() {
        0..=4 => &[(480, 720), (780, 1050)],
        5 => &[(600, 840)],
        _ => &[(0, 60), (240, 360), (1200, 1440)],
    };
    iv.iter().any(|&(a, b)| a <= minute && minute < b)
}

#[test]
fn a_whole_year_agrees_with_a_brute_force_oracle() {
    let db = jiff::tz::TimeZoneDatabase::bundled();
    for zone in ["America/New_York", "Europe/Berlin", "Australia/Sydney"] {
        let tz = db.get(zone).unwrap();
        let holidays = [(2026, 1, 1), (2026, 7, 3), (2026, 12, 25)];
        let cal = calendar(&format!(
            r#"{{"time_zone": "{zone}", "hours": {ORACLE_HOURS},
                "holidays": ["2026-01-01", "2026-07-03", "2026-12-25"]}}"#
        ));
        let start = utc(2026, 1, 1, 0, 0).timestamp();
        let end = utc(2027, 1, 1, 0, 0).timestamp();
        let mut total = 0;
        let mut day_total = 0;
        for slot in (start..end).step_by(900) {
            let open = oracle_open(&tz, slot, &holidays);
            let at = DateTime::from_timestamp(slot, 0).unwrap();
            assert_eq!(cal.is_open(at), open, "{zone} {at}");
            total += 900 * i64::from(open);
            day_total += 900 * i64::from(open);
            if (slot + 900) % 86_400 == 0 {
                let day_start = DateTime::from_timestamp(slot + 900 - 86_400, 0).unwrap();
                let day_end = DateTime::from_timestamp(slot + 900, 0).unwrap();
                assert_eq!(
                    cal.business_seconds_between(day_start, day_end),
                    day_total,
                    "{zone} {day_start}"
                );
                day_total = 0;
            }
        }
        let (a, b) = (
            DateTime::from_timestamp(start, 0).unwrap(),
            DateTime::from_timestamp(end, 0).unwrap(),
        );
        assert_eq!(cal.business_seconds_between(a, b), total, "{zone}");
    }
}

// ---------------------------------------------------------------------------------------
// Properties, over calendars drawn at random: zones with DST (including Lord Howe's 30-minute
// shift and midnight changes in Santiago and Havana), random hours, holidays and time away,
// and instants over 2025-2028.

const ZONES: [&str; 9] = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "UTC",
];

const T0: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
const SPAN: i64 = 4 * 365 * 86_400;

fn arb_calendar() -> impl Strategy<Value = Calendar> {
    let day = proptest::collection::vec(0u32..=48, 0..6);
    (
        0..ZONES.len(),
        proptest::collection::vec(day, 7),
        proptest::collection::vec(0i64..4 * 365, 0..12),
        proptest::collection::vec((0..SPAN, 1i64..20 * 86_400), 0..4),
    )
        .prop_filter_map("no working hours", |(zone, days, holidays, away)| {
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let mut hours = serde_json::Map::new();
            for (name, cuts) in names.iter().zip(days) {
                // Sorted distinct half-hour cut points, paired up: disjoint intervals.
                let mut cuts: Vec<u32> = cuts.into_iter().map(|c| c * 30).collect();
                cuts.sort_unstable();
                cuts.dedup();
                let ivs: Vec<String> = cuts
                    .chunks_exact(2)
                    .map(|p| {
                        format!(
                            "{:02}:{:02}-{:02}:{:02}",
                            p[0] / 60,
                            p[0] % 60,
                            p[1] / 60,
                            p[1] % 60
                        )
                    })
                    .collect();
                hours.insert((*name).to_owned(), ivs.into());
            }
            let mut holidays: Vec<i64> = holidays;
            holidays.sort_unstable();
            holidays.dedup();
            let holidays: Vec<String> = holidays
                .iter()
                .map(|d| {
                    DateTime::from_timestamp(T0 + d * 86_400, 0)
                        .unwrap()
                        .date_naive()
                        .to_string()
                })
                .collect();
            let away: Vec<serde_json::Value> = away
                .iter()
                .map(|(from, len)| {
                    serde_json::json!({
                        "from": DateTime::from_timestamp(T0 + from, 0).unwrap(),
                        "to": DateTime::from_timestamp(T0 + from + len, 0).unwrap(),
                    })
                })
                .collect();
            let spec = serde_json::json!({
                "time_zone": ZONES[zone], "hours": hours,
                "holidays": holidays, "out_of_office": away,
            });
            Calendar::new(&serde_json::from_value(spec).unwrap()).ok()
        })
}

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(T0 + s, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128)
    ))]

    #[test]
    fn elapsed_is_additive_and_never_negative(
        cal in arb_calendar(),
        mut t in proptest::collection::vec(0..SPAN, 3),
    ) {
        t.sort_unstable();
        let (a, b, c) = (at(t[0]), at(t[1]), at(t[2]));
        let ab = cal.business_seconds_between(a, b);
        let bc = cal.business_seconds_between(b, c);
        let ac = cal.business_seconds_between(a, c);
        prop_assert!(ab >= 0 && bc >= 0);
        prop_assert!(ab <= t[1] - t[0]);
        prop_assert_eq!(ab + bc, ac);
        prop_assert_eq!(cal.business_seconds_between(c, a), 0);
    }

    #[test]
    fn add_business_inverts_elapsed(
        cal in arb_calendar(),
        a in 0..SPAN,
        d in 0i64..200 * 3600,
    ) {
        let a = at(a);
        let r = cal.add_business_seconds(a, d).unwrap();
        prop_assert!(r >= a);
        prop_assert_eq!(cal.business_seconds_between(a, r), d);
        if d > 0 {
            // The earliest such instant: one second less is one second short.
            prop_assert_eq!(
                cal.business_seconds_between(a, r - ChronoDuration::seconds(1)),
                d - 1
            );
        }
    }

    #[test]
    fn open_next_open_and_next_change_agree_with_elapsed(
        cal in arb_calendar(),
        t in 0..SPAN,
    ) {
        let t = at(t);
        let one = ChronoDuration::seconds(1);
        let open = cal.is_open(t);
        prop_assert_eq!(open, cal.business_seconds_between(t, t + one) == 1);
        let next = cal.next_open(t).unwrap();
        prop_assert_eq!(next == t, open);
        prop_assert!(cal.is_open(next));
        prop_assert_eq!(cal.business_seconds_between(t, next), 0);
        if let Some(c) = cal.next_change(t) {
            prop_assert!(c > t);
            prop_assert_eq!(cal.is_open(c), !open);
            prop_assert_eq!(cal.is_open(c - one), open);
            let elapsed = cal.business_seconds_between(t, c);
            prop_assert_eq!(elapsed, if open { (c - t).num_seconds() } else { 0 });
        }
    }
}
