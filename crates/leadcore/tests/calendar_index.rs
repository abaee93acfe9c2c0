//! The calendar index (the fast path of `leadcore::time::Calendar`) against the day-by-day
//! walk it replaces, which stays reachable as the hidden `*_walk` methods: for random
//! calendars (weekly hours, holidays, time away) in zones with DST in either hemisphere,
//! a half-hour zone without DST and UTC, and a calendar open around the clock, at random
//! instants around DST changes, the index's chunk edges and window edges, and far outside
//! the window, every answer of `business_seconds_between`, `add_business_seconds`,
//! `is_open`, `next_open` and `next_change` must be the walk's. Plus the properties the SLA
//! engine relies on: elapsed business time is additive and never negative.

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, Utc};
use leadcore::time::{Calendar, CalendarSpec, OutOfOffice};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const ZONES: &[&str] = &[
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
    "America/St_Johns",
];

/// The index's window and chunk size (see `src/time/index.rs`).
const BASE: i64 = 946_684_800;
const CHUNK: i64 = 1 << 25;
const LIMIT: i64 = BASE + 96 * CHUNK;

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap()
}

/// The zone's transitions (UTC seconds) in the given year.
fn transitions(zone: &str, year: i16) -> Vec<i64> {
    let tz = jiff::tz::TimeZoneDatabase::bundled().get(zone).unwrap();
    let start = NaiveDate::from_ymd_opt(i32::from(year), 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    let from = jiff::Timestamp::from_second(start).unwrap();
    let to = start + 366 * 86_400;
    tz.following(from)
        .map(|t| t.timestamp().as_second())
        .take_while(|&s| s < to)
        .collect()
}

/// Compares every operation of the index with the walk at `a` (and `a..b`, `b..a`).
fn agree(cal: &Calendar, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        cal.business_seconds_between(a, b),
        cal.business_seconds_between_walk(a, b),
        "between {} {}",
        a,
        b
    );
    prop_assert_eq!(
        cal.business_seconds_between(b, a),
        cal.business_seconds_between_walk(b, a),
        "between {} {}",
        b,
        a
    );
    for t in [a, b] {
        prop_assert_eq!(cal.is_open(t), cal.is_open_walk(t), "is_open {}", t);
        prop_assert_eq!(cal.next_open(t), cal.next_open_walk(t), "next_open {}", t);
        prop_assert_eq!(
            cal.next_change(t),
            cal.next_change_walk(t),
            "next_change {}",
            t
        );
    }
    let n = cal.business_seconds_between(a, b);
    for n in [n, n + 1, (n - 1).max(0), 1, 3_600, 8 * 3_600 + 17] {
        prop_assert_eq!(
            cal.add_business_seconds(a, n),
            cal.add_business_seconds_walk(a, n),
            "add {} {}",
            a,
            n
        );
    }
    Ok(())
}

/// A minute of the day: often on a quarter hour (so DST gaps and folds are hit), sometimes
/// any minute.
fn minute() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => (0u32..=96).prop_map(|q| q * 15),
        1 => 0u32..=1440,
    ]
}

fn clock(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// One weekday's intervals: 0 to 3 disjoint ones, as `HH:MM-HH:MM`.
fn day_hours() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        2 => Just(vec![]),
        1 => Just(vec!["00:00-24:00".to_owned()]),
        1 => Just(vec!["00:00-06:00".to_owned(), "22:00-24:00".to_owned()]),
        4 => prop::collection::btree_set(minute(), 2..=6).prop_map(|cuts| {
            let cuts: Vec<u32> = cuts.into_iter().collect();
            cuts.chunks_exact(2)
                .map(|p| format!("{}-{}", clock(p[0]), clock(p[1])))
                .collect()
        }),
    ]
}

/// Where the instants of a case cluster.
#[derive(Debug, Clone)]
enum Focus {
    /// Anywhere in the window.
    Window(i64),
    /// Near one of the zone's DST changes in a year.
    Dst(i16, usize, i64),
    /// Near an edge of the window or of a chunk.
    Edge(usize, i64),
    /// Far outside the window.
    Outside(i64),
}

fn focus() -> impl Strategy<Value = Focus> {
    prop_oneof![
        2 => (BASE..LIMIT).prop_map(Focus::Window),
        3 => (2000i16..2102, 0usize..4, -3 * 86_400i64..3 * 86_400).prop_map(|(y, i, d)| Focus::Dst(y, i, d)),
        2 => (0usize..=96, -2 * 86_400i64..2 * 86_400).prop_map(|(k, d)| Focus::Edge(k, d)),
        1 => prop_oneof![
            // 1900..2000 and 2102..2400
            -2_208_988_800i64..BASE,
            LIMIT..13_569_465_600i64,
        ].prop_map(Focus::Outside),
    ]
}

impl Focus {
    fn instant(&self, zone: &str) -> i64 {
        match *self {
            Focus::Window(t) | Focus::Outside(t) => t,
            Focus::Dst(year, i, d) => {
                let ts = transitions(zone, year);
                if ts.is_empty() {
                    // No DST in this zone: mid-March of that year.
                    NaiveDate::from_ymd_opt(i32::from(year), 3, 15)
                        .unwrap()
                        .and_hms_opt(0, 0, 0)
                        .unwrap()
                        .and_utc()
                        .timestamp()
                        + d
                } else {
                    ts[i % ts.len()] + d
                }
            }
            Focus::Edge(k, d) => BASE + k as i64 * CHUNK + d,
        }
    }
}

/// A span of business-relevant length: seconds to weeks, sometimes months or years.
fn span() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => 0i64..120,
        4 => 60i64..86_400,
        4 => 86_400i64..30 * 86_400,
        1 => 30 * 86_400i64..800 * 86_400,
    ]
}

#[derive(Debug, Clone)]
struct Case {
    zone: usize,
    around_the_clock: bool,
    week: Vec<Vec<String>>,
    holidays: BTreeSet<i64>,
    away: Vec<(i64, i64)>,
    focus: Focus,
    /// Offsets of the start instants from the focus, and spans.
    points: Vec<(i64, i64, u32)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..ZONES.len(),
        prop::bool::weighted(0.15),
        prop::collection::vec(day_hours(), 7),
        prop::collection::btree_set(-40i64..40, 0..6),
        prop::collection::vec((-40 * 86_400i64..40 * 86_400, 1i64..12 * 86_400), 0..4),
        focus(),
        prop::collection::vec(
            (
                -5 * 86_400i64..5 * 86_400,
                span(),
                prop_oneof![4 => Just(0u32), 1 => 1u32..1_000_000_000],
            ),
            1..6,
        ),
    )
        .prop_map(
            |(zone, around_the_clock, week, holidays, away, focus, points)| Case {
                zone,
                around_the_clock,
                week,
                holidays,
                away,
                focus,
                points,
            },
        )
}

impl Case {
    fn calendar(&self, t0: i64) -> Calendar {
        const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let mut hours = BTreeMap::new();
        if self.around_the_clock {
            hours.insert("mon-sun".to_owned(), vec!["00:00-24:00".to_owned()]);
        } else {
            for (d, ivs) in self.week.iter().enumerate() {
                if !ivs.is_empty() {
                    hours.insert(DAYS[d].to_owned(), ivs.clone());
                }
            }
            if hours.is_empty() {
                hours.insert("mon-fri".to_owned(), vec!["09:00-17:00".to_owned()]);
            }
        }
        let day0 =
            at(t0.clamp(-62_135_596_800 + 86_400 * 60, 253_402_300_799 - 86_400 * 60)).date_naive();
        let spec = CalendarSpec {
            time_zone: ZONES[self.zone].to_owned(),
            hours,
            holidays: self
                .holidays
                .iter()
                .map(|&d| day0 + ChronoDuration::days(d))
                .collect(),
            out_of_office: self
                .away
                .iter()
                .map(|&(from, len)| OutOfOffice {
                    from: at(t0 + from),
                    to: at(t0 + from + len),
                })
                .collect(),
        };
        Calendar::new(&spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn the_index_answers_as_the_walk(c in case()) {
        let t0 = c.focus.instant(ZONES[c.zone]);
        let cal = c.calendar(t0);
        for &(off, len, nanos) in &c.points {
            let a = at(t0 + off) + ChronoDuration::nanoseconds(i64::from(nanos));
            let b = a + ChronoDuration::seconds(len);
            agree(&cal, a, b)?;
        }
    }

    #[test]
    fn elapsed_is_additive_and_never_negative(
        c in case(),
        x in -10 * 86_400i64..10 * 86_400,
        y in 0i64..20 * 86_400,
        z in 0i64..20 * 86_400,
    ) {
        let t0 = c.focus.instant(ZONES[c.zone]);
        let cal = c.calendar(t0);
        let a = at(t0 + x);
        let b = a + ChronoDuration::seconds(y);
        let d = b + ChronoDuration::seconds(z);
        let (ab, bd, ad) = (
            cal.business_seconds_between(a, b),
            cal.business_seconds_between(b, d),
            cal.business_seconds_between(a, d),
        );
        prop_assert!(ab >= 0 && bd >= 0);
        prop_assert_eq!(ab + bd, ad);
        prop_assert_eq!(cal.business_seconds_between(d, a), 0);
        // Adding the elapsed time back lands on the first instant it is reached.
        if ad > 0 {
            let t = cal.add_business_seconds(a, ad).unwrap();
            prop_assert!(t <= d);
            prop_assert_eq!(cal.business_seconds_between(a, t), ad);
            prop_assert!(cal.business_seconds_between(a, t - ChronoDuration::seconds(1)) < ad);
        }
    }
}

fn office(zone: &str, extra: &str) -> Calendar {
    let spec: CalendarSpec = serde_json::from_str(&format!(
        r#"{{"time_zone": "{zone}", "hours": {{"mon-fri": ["09:00-17:00"]}}{extra}}}"#
    ))
    .unwrap();
    Calendar::new(&spec).unwrap()
}

/// Every 7 minutes over four days around each DST change of 2026 (and of 2000 and 2101,
/// at the window's ends), for an office, a night shift and a calendar open around the
/// clock: all five operations agree with the walk.
#[test]
fn sweeps_across_every_dst_change() {
    let specs = [
        r#""hours": {"mon-fri": ["09:00-17:00"]}, "holidays": ["2026-03-09", "2026-10-26"]"#,
        r#""hours": {"mon-sun": ["00:00-02:30", "02:30-03:00", "22:00-24:00"]}"#,
        r#""hours": {"mon-sun": ["00:00-24:00"]}, "holidays": ["2026-04-05"]"#,
    ];
    for zone in ["America/New_York", "Europe/Berlin", "Australia/Sydney"] {
        for body in specs {
            let spec: CalendarSpec =
                serde_json::from_str(&format!(r#"{{"time_zone": "{zone}", {body}}}"#)).unwrap();
            let cal = Calendar::new(&spec).unwrap();
            for year in [2000, 2026, 2101] {
                for change in transitions(zone, year) {
                    let mut t = change - 2 * 86_400;
                    while t < change + 2 * 86_400 {
                        let a = at(t);
                        let b = at(t + 5 * 3_600 + 13);
                        agree(&cal, a, b).unwrap();
                        t += 7 * 60;
                    }
                }
            }
        }
    }
}

#[test]
fn window_edges_and_far_outside() {
    let cal = office(
        "America/New_York",
        r#", "out_of_office": [{"from": "2101-12-20T00:00:00Z", "to": "2102-02-10T00:00:00Z"}]"#,
    );
    let points = [
        BASE - 3 * 86_400,
        BASE - 1,
        BASE,
        BASE + 1,
        BASE + CHUNK - 1,
        BASE + CHUNK,
        BASE + 50 * CHUNK - 13,
        LIMIT - 30 * 86_400,
        LIMIT - 1,
        LIMIT,
        LIMIT + 86_400,
        -5_000_000_000,
        20_000_000_000,
    ];
    for &a in &points {
        for len in [0, 1, 3_600, 86_400, 9 * 86_400, 100 * 86_400] {
            agree(&cal, at(a), at(a + len)).unwrap();
        }
    }
    // Across the whole window and beyond it (every chunk).
    let (a, b) = (at(BASE - 86_400 * 10), at(LIMIT + 86_400 * 10));
    assert_eq!(
        cal.business_seconds_between(a, b),
        cal.business_seconds_between_walk(a, b)
    );
    let n = cal.business_seconds_between(a, b);
    assert_eq!(
        cal.add_business_seconds(a, n),
        cal.add_business_seconds_walk(a, n)
    );
}

/// Out of office for years: `next_open` and `next_change` skip empty chunks.
#[test]
fn long_time_away() {
    let cal = office(
        "Europe/Berlin",
        r#", "out_of_office": [{"from": "2026-01-01T00:00:00Z", "to": "2031-06-01T00:00:00Z"}]"#,
    );
    for t in [
        at(1_767_225_600 - 3_600),
        at(1_767_225_600 + 5),
        at(1_900_000_000),
    ] {
        agree(&cal, t, t + ChronoDuration::days(3)).unwrap();
        assert_eq!(cal.next_open(t), cal.next_open_walk(t));
    }
    assert_eq!(
        cal.next_open(at(1_800_000_000)).unwrap().date_naive(),
        NaiveDate::from_ymd_opt(2031, 6, 2).unwrap() // June 1 2031 is a Sunday
    );
    assert_eq!(
        NaiveDate::from_ymd_opt(2031, 6, 1).unwrap().weekday(),
        chrono::Weekday::Sun
    );
}

/// A calendar is `Clone + Send + Sync`; threads that build chunks at once, and clones that
/// share them, give the walk's answers.
#[test]
fn shared_across_threads_and_clones() {
    fn is_shareable<T: Clone + Send + Sync + 'static>() {}
    is_shareable::<Calendar>();
    let cal = office("Australia/Sydney", r#", "holidays": ["2026-01-26"]"#);
    let starts: Vec<i64> = (0..400).map(|i| 1_735_689_600 + i * 190_001).collect();
    std::thread::scope(|s| {
        for w in 0..4 {
            let cal = cal.clone();
            let starts = &starts;
            s.spawn(move || {
                for &a in starts.iter().skip(w) {
                    let (a, b) = (at(a), at(a + 3 * 86_400 + w as i64));
                    assert_eq!(
                        cal.business_seconds_between(a, b),
                        cal.business_seconds_between_walk(a, b)
                    );
                    assert_eq!(
                        cal.add_business_seconds(a, 40_000),
                        cal.add_business_seconds_walk(a, 40_000)
                    );
                }
            });
        }
    });
    // Clones share the index: one built by the threads.
    let a = at(1_735_689_600);
    assert_eq!(
        cal.business_seconds_between(a, a + ChronoDuration::days(7)),
        5 * 8 * 3_600
    );
}

/// What an index costs: a new calendar, and one with the chunks of two years built.
#[test]
fn index_memory() {
    let cal = office("America/New_York", "");
    let empty = cal.index_bytes();
    assert!(empty <= 2_048, "{empty}");
    let a = at(1_735_689_600); // 2025-01-01
    let _ = cal.business_seconds_between(a, a + ChronoDuration::days(730));
    let two_years = cal.index_bytes();
    // 2 or 3 chunks of about 5.5 KiB each.
    assert!(two_years <= empty + 3 * 6 * 1_024, "{two_years}");
    println!("index: {empty} bytes new, {two_years} bytes with 2025-2026 built");
}
