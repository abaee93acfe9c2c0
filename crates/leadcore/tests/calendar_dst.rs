//! SLA business time across the 2026 DST changes, with answers computed by hand, in
//! America/New_York, Europe/Berlin and Australia/Sydney; the same cases are shared with the
//! other doors as data in `tests/vectors/calendar_dst/cases.json`, which this file checks
//! too (and keeps equal to the list below: `LEADCORE_BLESS=1` rewrites it from the list).
//!
//! The 2026 changes, from the tzdb rules (checked against the bundled tzdb below):
//! - America/New_York (US rule: 2nd Sunday of March, 1st Sunday of November, at 02:00 local):
//!   Sun 8 March, 02:00 EST (-5) -> 03:00 EDT (-4), at 07:00Z; Sun 1 November, 02:00 EDT ->
//!   01:00 EST, at 06:00Z.
//! - Europe/Berlin (EU rule: last Sunday of March and of October, at 01:00 UTC): Sun 29 March,
//!   02:00 CET (+1) -> 03:00 CEST (+2); Sun 25 October, 03:00 CEST -> 02:00 CET; both at 01:00Z.
//! - Australia/Sydney (NSW rule: 1st Sunday of April at 03:00 daylight time, 1st Sunday of
//!   October at 02:00 standard time): Sun 5 April, 03:00 AEDT (+11) -> 02:00 AEST (+10), at
//!   16:00Z on Sat 4 April; Sun 4 October, 02:00 AEST -> 03:00 AEDT, at 16:00Z on Sat 3 October.
//!
//! A calendar's local times become instants as `Calendar` documents: a local time in a gap
//! moves to the jump, a local time in a fold takes its first occurrence.

use chrono::{DateTime, Utc};
use leadcore::time::{Calendar, CalendarSpec};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One vector: business seconds `from..to`, and a deadline `add.seconds` after `add.from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    name: String,
    note: String,
    calendar: CalendarSpec,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    business_seconds: i64,
    add: Add,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Add {
    from: DateTime<Utc>,
    seconds: i64,
    expect: Option<DateTime<Utc>>,
}

const OFFICE: &str = r#""hours": {"mon-fri": ["09:00-17:00"]}"#;
const ALWAYS: &str = r#""hours": {"mon-sun": ["00:00-24:00"]}"#;

/// (name, zone, hours and holidays, from, to, business seconds, add from, add seconds,
/// expected deadline, note)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    i64,
    &'static str,
    &'static str,
);

const H: i64 = 3_600;

#[rustfmt::skip]
const CASES: &[Row] = &[
    // ---------------------------------------------------------------- America/New_York
    // Fri 6 Mar 16:00 EST = 21:00Z; Mon 9 Mar 10:00 EDT = 14:00Z. Open: Fri 16:00-17:00 (1 h)
    // and Mon 09:00-10:00 (1 h) = 2 h, although 65 h of wall time passed. Adding 2 h to Friday
    // 16:00 lands on Monday 10:00 EDT, 14:00Z (not 15:00Z, as an EST Monday would be).
    ("ny_office_friday_to_monday_spring", "America/New_York", OFFICE,
     "2026-03-06T21:00:00Z", "2026-03-09T14:00:00Z", 2 * H,
     "2026-03-06T21:00:00Z", 2 * H, "2026-03-09T14:00:00Z",
     "9-17 Mon-Fri: Fri 16:00 EST to Mon 10:00 EDT over the spring-forward Sunday = 1 h + 1 h"),
    // Fri 30 Oct 16:00 EDT = 20:00Z; Mon 2 Nov 10:00 EST = 15:00Z: 1 h + 1 h = 2 h. Adding 3 h
    // to Friday 16:00: 1 h on Friday, 2 h on Monday from 09:00 EST (14:00Z), so 11:00 EST = 16:00Z.
    ("ny_office_friday_to_monday_fall", "America/New_York", OFFICE,
     "2026-10-30T20:00:00Z", "2026-11-02T15:00:00Z", 2 * H,
     "2026-10-30T20:00:00Z", 3 * H, "2026-11-02T16:00:00Z",
     "9-17 Mon-Fri: Fri 16:00 EDT to Mon 10:00 EST over the fall-back Sunday = 1 h + 1 h; +3 h = Mon 11:00 EST"),
    // Open around the clock. Sun 8 Mar 00:00 EST = 05:00Z to Mon 9 Mar 00:00 EDT = 04:00Z: the
    // local day is 23 h long (02:00-03:00 never happens). 3 h after Sunday 00:00 is 08:00Z,
    // which the clock shows as 04:00 EDT.
    ("ny_around_the_clock_spring_day", "America/New_York", ALWAYS,
     "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23 * H,
     "2026-03-08T05:00:00Z", 3 * H, "2026-03-08T08:00:00Z",
     "24/7: the spring-forward Sunday (00:00 EST to 00:00 EDT) is 23 h; 3 h after 00:00 reads 04:00 EDT"),
    // Open only on Sundays, all day. Sat 31 Oct 12:00Z to Mon 2 Nov 12:00Z holds Sunday 1 Nov
    // from 00:00 EDT = 04:00Z to Monday 00:00 EST = 05:00Z: 25 h (01:00-02:00 happens twice).
    // 25 h of business time after Saturday noon ends with that Sunday: Mon 05:00Z.
    ("ny_sunday_only_fall_back_day", "America/New_York", r#""hours": {"sun": ["00:00-24:00"]}"#,
     "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z", 25 * H,
     "2026-10-31T12:00:00Z", 25 * H, "2026-11-02T05:00:00Z",
     "00:00-24:00 on Sundays: the fall-back Sunday (00:00 EDT to 00:00 EST) is 25 h"),
    // Sundays 02:30-04:00, on 8 Mar: 02:30 falls in the gap (02:00-03:00 EST does not exist)
    // and moves to the jump, 03:00 EDT = 07:00Z; 04:00 EDT = 08:00Z: 1 h. Adding 30 min from
    // 01:30 EST (06:30Z): nothing is open until 07:00Z, then 30 min: 07:30Z.
    ("ny_interval_starting_in_the_gap", "America/New_York", r#""hours": {"sun": ["02:30-04:00"]}"#,
     "2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z", H,
     "2026-03-08T06:30:00Z", 1_800, "2026-03-08T07:30:00Z",
     "Sun 02:30-04:00 on the spring-forward day: 02:30 does not exist, work runs 03:00-04:00 EDT = 1 h"),
    // Sundays 01:30-03:00, on 1 Nov: 01:30 happens twice and takes the first (EDT) = 05:30Z;
    // 03:00 EST = 08:00Z: 2.5 h. 1 h after 05:00Z: open from 05:30Z, so 06:30Z (the clock's
    // second 01:30, EST).
    ("ny_interval_starting_in_the_fold", "America/New_York", r#""hours": {"sun": ["01:30-03:00"]}"#,
     "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", 9_000,
     "2026-11-01T05:00:00Z", H, "2026-11-01T06:30:00Z",
     "Sun 01:30-03:00 on the fall-back day: from the first 01:30 (EDT) to 03:00 EST = 2.5 h"),
    // ---------------------------------------------------------------- Europe/Berlin
    // Fri 27 Mar 16:00 CET = 15:00Z; Mon 30 Mar 10:00 CEST = 08:00Z: 1 h + 1 h = 2 h.
    ("berlin_office_friday_to_monday_spring", "Europe/Berlin", OFFICE,
     "2026-03-27T15:00:00Z", "2026-03-30T08:00:00Z", 2 * H,
     "2026-03-27T15:00:00Z", 2 * H, "2026-03-30T08:00:00Z",
     "9-17 Mon-Fri: Fri 16:00 CET to Mon 10:00 CEST over the last Sunday of March = 1 h + 1 h"),
    // Fri 23 Oct 16:00 CEST = 14:00Z; Mon 26 Oct 10:00 CET = 09:00Z: 2 h. Adding 8 h from
    // Friday 16:00: 1 h Friday, then Monday 09:00-16:00 CET = 7 h, ending 16:00 CET = 15:00Z.
    ("berlin_office_friday_to_monday_fall", "Europe/Berlin", OFFICE,
     "2026-10-23T14:00:00Z", "2026-10-26T09:00:00Z", 2 * H,
     "2026-10-23T14:00:00Z", 8 * H, "2026-10-26T15:00:00Z",
     "9-17 Mon-Fri: Fri 16:00 CEST to Mon 10:00 CET over the last Sunday of October = 1 h + 1 h; +8 h = Mon 16:00 CET"),
    // Around the clock: Sun 29 Mar 00:00 CET = Sat 23:00Z to Mon 00:00 CEST = Sun 22:00Z: 23 h.
    // 2 h after Sunday 00:00 CET (23:00Z) is 01:00Z, the very jump: the clock reads 03:00 CEST.
    ("berlin_around_the_clock_spring_day", "Europe/Berlin", ALWAYS,
     "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 23 * H,
     "2026-03-28T23:00:00Z", 2 * H, "2026-03-29T01:00:00Z",
     "24/7: the last Sunday of March (00:00 CET to 00:00 CEST) is 23 h; 2 h after 00:00 reads 03:00 CEST"),
    // Sundays only: Sun 25 Oct 00:00 CEST = Sat 22:00Z to Mon 00:00 CET = Sun 23:00Z: 25 h.
    ("berlin_sunday_only_fall_back_day", "Europe/Berlin", r#""hours": {"sun": ["00:00-24:00"]}"#,
     "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z", 25 * H,
     "2026-10-24T12:00:00Z", 25 * H, "2026-10-25T23:00:00Z",
     "00:00-24:00 on Sundays: the last Sunday of October (00:00 CEST to 00:00 CET) is 25 h"),
    // Sundays 02:00-03:30 on 29 Mar: 02:00 does not exist and moves to the jump, 01:00Z
    // (03:00 CEST); 03:30 CEST = 01:30Z: 30 min. 10 min after 00:30Z (01:30 CET): 01:10Z.
    ("berlin_interval_starting_in_the_gap", "Europe/Berlin", r#""hours": {"sun": ["02:00-03:30"]}"#,
     "2026-03-28T12:00:00Z", "2026-03-30T00:00:00Z", 1_800,
     "2026-03-29T00:30:00Z", 600, "2026-03-29T01:10:00Z",
     "Sun 02:00-03:30 on the spring-forward day: 02:00-03:00 does not exist, work runs 03:00-03:30 CEST = 30 min"),
    // Sundays 02:30-04:00 on 25 Oct: the first 02:30 (CEST) = 00:30Z; 04:00 CET = 03:00Z: 2.5 h,
    // all of it used by a 2.5 h deadline from 00:00Z, which ends at 03:00Z.
    ("berlin_interval_starting_in_the_fold", "Europe/Berlin", r#""hours": {"sun": ["02:30-04:00"]}"#,
     "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z", 9_000,
     "2026-10-25T00:00:00Z", 9_000, "2026-10-25T03:00:00Z",
     "Sun 02:30-04:00 on the fall-back day: from the first 02:30 (CEST) to 04:00 CET = 2.5 h"),
    // ---------------------------------------------------------------- Australia/Sydney
    // Southern hemisphere: daylight time ends in April and starts in October.
    // Fri 3 Apr 16:00 AEDT = 05:00Z; Mon 6 Apr 10:00 AEST = 00:00Z: 1 h + 1 h = 2 h.
    ("sydney_office_friday_to_monday_fall", "Australia/Sydney", OFFICE,
     "2026-04-03T05:00:00Z", "2026-04-06T00:00:00Z", 2 * H,
     "2026-04-03T05:00:00Z", 2 * H, "2026-04-06T00:00:00Z",
     "9-17 Mon-Fri: Fri 16:00 AEDT to Mon 10:00 AEST over the first Sunday of April = 1 h + 1 h"),
    // The same weekend with the Easter holidays (Good Friday 3 Apr, Easter Monday 6 Apr):
    // Thu 2 Apr 16:00 AEDT = 05:00Z to Tue 7 Apr 10:00 AEST = 00:00Z: Thu 16-17 + Tue 9-10 = 2 h.
    ("sydney_office_easter_and_fall_back", "Australia/Sydney",
     r#""hours": {"mon-fri": ["09:00-17:00"]}, "holidays": ["2026-04-03", "2026-04-06"]"#,
     "2026-04-02T05:00:00Z", "2026-04-07T00:00:00Z", 2 * H,
     "2026-04-02T05:00:00Z", 2 * H, "2026-04-07T00:00:00Z",
     "9-17 Mon-Fri, Good Friday and Easter Monday off: Thu 16:00 AEDT to Tue 10:00 AEST = 1 h + 1 h"),
    // Fri 2 Oct 16:00 AEST = 06:00Z; Mon 5 Oct 10:00 AEDT = Sun 4 Oct 23:00Z: 2 h.
    ("sydney_office_friday_to_monday_spring", "Australia/Sydney", OFFICE,
     "2026-10-02T06:00:00Z", "2026-10-04T23:00:00Z", 2 * H,
     "2026-10-02T06:00:00Z", 2 * H, "2026-10-04T23:00:00Z",
     "9-17 Mon-Fri: Fri 16:00 AEST to Mon 10:00 AEDT over the first Sunday of October = 1 h + 1 h"),
    // Around the clock: Sun 5 Apr 00:00 AEDT = Sat 4 Apr 13:00Z to Mon 6 Apr 00:00 AEST =
    // Sun 5 Apr 14:00Z: 25 h (02:00-03:00 happens twice).
    ("sydney_around_the_clock_fall_back_day", "Australia/Sydney", ALWAYS,
     "2026-04-04T13:00:00Z", "2026-04-05T14:00:00Z", 25 * H,
     "2026-04-04T13:00:00Z", 25 * H, "2026-04-05T14:00:00Z",
     "24/7: the first Sunday of April (00:00 AEDT to 00:00 AEST) is 25 h"),
    // Around the clock: Sun 4 Oct 00:00 AEST = Sat 3 Oct 14:00Z to Mon 00:00 AEDT = Sun
    // 13:00Z: 23 h. 3 h after Sunday 00:00 AEST is 17:00Z, which reads 04:00 AEDT.
    ("sydney_around_the_clock_spring_day", "Australia/Sydney", ALWAYS,
     "2026-10-03T14:00:00Z", "2026-10-04T13:00:00Z", 23 * H,
     "2026-10-03T14:00:00Z", 3 * H, "2026-10-03T17:00:00Z",
     "24/7: the first Sunday of October (00:00 AEST to 00:00 AEDT) is 23 h; 3 h after 00:00 reads 04:00 AEDT"),
    // Sundays 02:30-04:00 on 4 Oct: 02:30 falls in the gap and moves to the jump, 03:00 AEDT =
    // Sat 16:00Z; 04:00 AEDT = 17:00Z: 1 h. 30 min from 15:30Z (01:30 AEST): 16:30Z.
    ("sydney_interval_starting_in_the_gap", "Australia/Sydney", r#""hours": {"sun": ["02:30-04:00"]}"#,
     "2026-10-03T00:00:00Z", "2026-10-05T00:00:00Z", H,
     "2026-10-03T15:30:00Z", 1_800, "2026-10-03T16:30:00Z",
     "Sun 02:30-04:00 on the spring-forward day: 02:30 does not exist, work runs 03:00-04:00 AEDT = 1 h"),
    // Sundays 02:30-03:00 on 5 Apr: the first 02:30 (AEDT) = Sat 15:30Z; local 03:00 exists once,
    // after the change, 03:00 AEST = 17:00Z: 1.5 h. 1 h from 15:00Z: open from 15:30Z, so
    // 16:30Z (the clock's second 02:30, AEST).
    ("sydney_interval_starting_in_the_fold", "Australia/Sydney", r#""hours": {"sun": ["02:30-03:00"]}"#,
     "2026-04-04T12:00:00Z", "2026-04-05T12:00:00Z", 5_400,
     "2026-04-04T15:00:00Z", H, "2026-04-04T16:30:00Z",
     "Sun 02:30-03:00 on the fall-back day: from the first 02:30 (AEDT) to 03:00 AEST = 1.5 h"),
];

fn vectors() -> Vec<Vector> {
    CASES
        .iter()
        .map(
            |&(name, zone, hours, from, to, business, add_from, seconds, expect, note)| {
                let calendar: CalendarSpec =
                    serde_json::from_str(&format!(r#"{{"time_zone": "{zone}", {hours}}}"#))
                        .unwrap();
                let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
                Vector {
                    name: name.to_owned(),
                    note: note.to_owned(),
                    calendar,
                    from: t(from),
                    to: t(to),
                    business_seconds: business,
                    add: Add {
                        from: t(add_from),
                        seconds,
                        expect: Some(t(expect)),
                    },
                }
            },
        )
        .collect()
}

fn check(v: &Vector) -> Vec<String> {
    let mut bad = Vec::new();
    let cal = Calendar::new(&v.calendar).unwrap();
    for (path, got) in [
        ("index", cal.business_seconds_between(v.from, v.to)),
        ("walk", cal.business_seconds_between_walk(v.from, v.to)),
    ] {
        if got != v.business_seconds {
            bad.push(format!(
                "{} ({path}): business_seconds {got}, expected {}",
                v.name, v.business_seconds
            ));
        }
    }
    for (path, got) in [
        ("index", cal.add_business_seconds(v.add.from, v.add.seconds)),
        (
            "walk",
            cal.add_business_seconds_walk(v.add.from, v.add.seconds),
        ),
    ] {
        if got != v.add.expect {
            bad.push(format!(
                "{} ({path}): add {:?}, expected {:?}",
                v.name, got, v.add.expect
            ));
        }
    }
    // The deadline is the earliest instant with that much business time since `add.from`.
    if let Some(t) = v.add.expect {
        let one = chrono::Duration::seconds(1);
        if cal.business_seconds_between(v.add.from, t) != v.add.seconds
            || cal.business_seconds_between(v.add.from, t - one) >= v.add.seconds
        {
            bad.push(format!("{}: the deadline is not the earliest", v.name));
        }
    }
    bad
}

#[test]
fn the_hand_computed_cases_hold() {
    let vs = vectors();
    for zone in ["America/New_York", "Europe/Berlin", "Australia/Sydney"] {
        assert!(vs.iter().filter(|v| v.calendar.time_zone == zone).count() >= 4);
    }
    let bad: Vec<String> = vs.iter().flat_map(check).collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The change instants the comments above rely on, from the bundled tzdb.
#[test]
fn the_2026_changes_are_where_the_comments_say() {
    let changes = |zone: &str| -> Vec<String> {
        let tz = jiff::tz::TimeZoneDatabase::bundled().get(zone).unwrap();
        let from = jiff::Timestamp::from_second(1_767_225_600).unwrap(); // 2026-01-01
        tz.following(from)
            .take(2)
            .map(|t| t.timestamp().to_string())
            .collect()
    };
    assert_eq!(
        changes("America/New_York"),
        ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z"]
    );
    assert_eq!(
        changes("Europe/Berlin"),
        ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"]
    );
    assert_eq!(
        changes("Australia/Sydney"),
        ["2026-04-04T16:00:00Z", "2026-10-03T16:00:00Z"]
    );
}

fn cases_json() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/calendar_dst/cases.json")
}

/// The shared file holds exactly these cases, and each holds. `LEADCORE_BLESS=1` rewrites
/// it from the list above.
#[test]
fn the_shared_vectors_file_holds_the_same_cases() {
    let path = cases_json();
    let want = vectors();
    if std::env::var_os("LEADCORE_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&want).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (LEADCORE_BLESS=1 writes it)", path.display()));
    let got: Vec<Vector> = serde_json::from_str(&text).unwrap();
    let bad: Vec<String> = got.iter().flat_map(check).collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(
        got,
        want,
        "{} differs from calendar_dst.rs: LEADCORE_BLESS=1 rewrites it",
        path.display()
    );
}
