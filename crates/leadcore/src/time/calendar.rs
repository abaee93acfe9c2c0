//! Business calendars: the spec as a playbook writes it, its validation (every problem at
//! once, each at its path), and the compiled [`Calendar`] with interval arithmetic over it.

use super::Duration;
use super::index::{self, BASE, CHUNK, Chunk, Index, LIMIT};
use super::zone::{self, FIRST_DAY, LAST_DAY, Zone};
use crate::error::{Error, ErrorKind, Issue};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// When a team or a rep works: an IANA time zone, working hours per weekday in that zone,
/// holidays (local dates) and out-of-office periods (instant ranges).
///
/// `hours` maps days to one or more `HH:MM-HH:MM` intervals (start inclusive, end exclusive;
/// `24:00` ends at midnight). A key is a day (`mon` … `sun`), a range (`mon-fri`) or a comma
/// list of either (`mon,wed,fri-sat`); a day named by several keys gets all their intervals,
/// which must not overlap. A shift past midnight is written as two days' intervals.
///
/// ```
/// use leadcore::time::{Calendar, CalendarSpec};
/// let spec: CalendarSpec = serde_json::from_str(r#"{
///     "time_zone": "Europe/Berlin",
///     "hours": {"mon-thu": ["09:00-12:30", "13:30-17:00"], "fri": ["09:00-15:00"]},
///     "holidays": ["2026-12-24", "2026-12-25"],
///     "out_of_office": [{"from": "2026-08-03T00:00:00Z", "to": "2026-08-15T00:00:00Z"}]
/// }"#).unwrap();
/// let calendar = Calendar::new(&spec).unwrap();
/// assert_eq!(calendar.time_zone(), "Europe/Berlin");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA time zone name, e.g. `America/New_York`; hours and holidays are local to it.
    pub time_zone: String,
    /// Working hours: day key (`mon`, `mon-fri`, `sat,sun`) to `HH:MM-HH:MM` intervals.
    pub hours: BTreeMap<String, Vec<String>>,
    /// Local dates with no working hours.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<NaiveDate>,
    /// Periods with no working hours, as instants (`from` inclusive, `to` exclusive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_office: Vec<OutOfOffice>,
}

/// An out-of-office period: closed from `from` (inclusive) to `to` (exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutOfOffice {
    /// First instant away.
    pub from: DateTime<Utc>,
    /// First instant back.
    pub to: DateTime<Utc>,
}

fn at(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// The weekdays (Monday = 0) a day key names.
fn parse_days(key: &str) -> Result<[bool; 7], String> {
    let day = |name: &str| {
        let name = name.trim().to_ascii_lowercase();
        DAY_NAMES.iter().position(|d| *d == name)
    };
    let bad = || {
        format!(
            "`{key}` names no days: write `mon` … `sun`, a range `mon-fri`, or a comma list `mon,wed,fri-sat`"
        )
    };
    let mut mask = [false; 7];
    for item in key.split(',') {
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?),
            None => {
                let d = day(item).ok_or_else(bad)?;
                (d, d)
            }
        };
        if a > b {
            return Err(format!(
                "`{key}`: a range runs Monday to Sunday (`{}-{}`), write a wrapping week as a list, e.g. `fri-sun,mon`",
                DAY_NAMES[b], DAY_NAMES[a]
            ));
        }
        for m in &mut mask[a..=b] {
            *m = true;
        }
    }
    Ok(mask)
}

/// `HH:MM-HH:MM` as minutes of the day, start < end, end at most `24:00`.
fn parse_interval(text: &str) -> Result<(u32, u32), String> {
    let bad = || {
        format!(
            "`{text}` is not working hours: write `HH:MM-HH:MM` with the start before the end, e.g. `09:00-17:00` (`24:00` is midnight at the end of the day; split a night shift over two days)"
        )
    };
    let clock = |t: &str| -> Option<u32> {
        let (h, m) = t.trim().split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    };
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    let (a, b) = (clock(a).ok_or_else(bad)?, clock(b).ok_or_else(bad)?);
    if a < b { Ok((a, b)) } else { Err(bad()) }
}

/// Appends the calendar's problems to `issues`, each located under `path` (e.g.
/// `routing.reps[2].calendar`; empty for a calendar on its own).
///
/// Codes: `calendar.unknown_time_zone`, `calendar.invalid_days`, `calendar.invalid_hours`,
/// `calendar.overlapping_hours`, `calendar.no_working_hours`, `calendar.duplicate_holiday`,
/// `calendar.invalid_out_of_office`.
///
/// ```
/// use leadcore::time::{validate, CalendarSpec};
/// let spec: CalendarSpec = serde_json::from_str(r#"{
///     "time_zone": "Europe/Berlni",
///     "hours": {"mon-fri": ["09:00-13:00", "12:00-17:00"]}
/// }"#).unwrap();
/// let mut issues = Vec::new();
/// validate(&spec, "reps[0].calendar", &mut issues);
/// let codes: Vec<_> = issues.iter().map(|i| (i.path.as_str(), i.code.as_str())).collect();
/// assert_eq!(codes, [
///     ("reps[0].calendar.time_zone", "calendar.unknown_time_zone"),
///     ("reps[0].calendar.hours.mon-fri[1]", "calendar.overlapping_hours"),
/// ]);
/// ```
pub fn validate(spec: &CalendarSpec, path: &str, issues: &mut Vec<Issue>) {
    if Zone::get(&spec.time_zone).is_none() {
        issues.push(Issue::new(
            at(path, "time_zone"),
            "calendar.unknown_time_zone",
            format!(
                "`{}` is no time zone in the bundled tzdb {}: write an IANA name such as `America/New_York`",
                spec.time_zone,
                zone::tzdb_version()
            ),
        ));
    }
    // Per weekday: (start, end, path, text) of every interval naming it.
    let mut days: [Vec<(u32, u32, String, &str)>; 7] = Default::default();
    let mut bad_hours = false;
    for (key, intervals) in &spec.hours {
        let key_path = at(path, &format!("hours.{key}"));
        let mask = match parse_days(key) {
            Ok(mask) => mask,
            Err(message) => {
                issues.push(Issue::new(&key_path, "calendar.invalid_days", message));
                bad_hours = true;
                continue;
            }
        };
        for (i, text) in intervals.iter().enumerate() {
            let p = format!("{key_path}[{i}]");
            match parse_interval(text) {
                Ok((a, b)) => {
                    for (d, on) in mask.iter().enumerate() {
                        if *on {
                            days[d].push((a, b, p.clone(), text));
                        }
                    }
                }
                Err(message) => {
                    issues.push(Issue::new(p, "calendar.invalid_hours", message));
                    bad_hours = true;
                }
            }
        }
    }
    // Overlaps, reported once per pair of intervals with the days they clash on.
    let mut clashes: BTreeMap<(String, String), (String, String, Vec<&str>)> = BTreeMap::new();
    for (d, list) in days.iter_mut().enumerate() {
        list.sort_by(|x, y| (x.0, x.1, &x.2).cmp(&(y.0, y.1, &y.2)));
        // Sorted by start: an interval overlaps an earlier one exactly when it starts before
        // the furthest end so far; it is reported against that one.
        let mut furthest: Option<usize> = None;
        for (i, later) in list.iter().enumerate() {
            if let Some(j) = furthest {
                let earlier = &list[j];
                if later.0 < earlier.1 {
                    let e = clashes
                        .entry((later.2.clone(), earlier.2.clone()))
                        .or_insert_with(|| (later.3.to_owned(), earlier.3.to_owned(), Vec::new()));
                    e.2.push(DAY_NAMES[d]);
                }
            }
            if furthest.is_none_or(|j| later.1 > list[j].1) {
                furthest = Some(i);
            }
        }
    }
    for ((p, other), (text, other_text, on)) in clashes {
        issues.push(Issue::new(
            p,
            "calendar.overlapping_hours",
            format!(
                "`{text}` overlaps `{other_text}` (at `{other}`) on {}: working hours of a day must not overlap",
                on.join(", ")
            ),
        ));
    }
    if days.iter().all(Vec::is_empty) && !bad_hours {
        issues.push(Issue::new(
            at(path, "hours"),
            "calendar.no_working_hours",
            "a calendar needs working hours on at least one day, e.g. {\"mon-fri\": [\"09:00-17:00\"]}",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, h) in spec.holidays.iter().enumerate() {
        if !seen.insert(*h) {
            issues.push(Issue::new(
                at(path, &format!("holidays[{i}]")),
                "calendar.duplicate_holiday",
                format!("holiday {h} is listed twice"),
            ));
        }
    }
    for (i, o) in spec.out_of_office.iter().enumerate() {
        if o.to <= o.from {
            issues.push(Issue::new(
                at(path, &format!("out_of_office[{i}]")),
                "calendar.invalid_out_of_office",
                format!(
                    "an out-of-office period ends after it starts, not at {} for a start at {}",
                    o.to.to_rfc3339(),
                    o.from.to_rfc3339()
                ),
            ));
        }
    }
}

/// First and last instant (seconds since the epoch) inside the arithmetic's range: 0001-01-03
/// to 9998-12-30 UTC. Outside it a calendar is closed.
const START: i64 = (FIRST_DAY + 2) * 86_400;
const END: i64 = (LAST_DAY - 1) * 86_400;

/// The earliest instant [`Calendar`] arithmetic covers (0001-01-03T00:00:00Z); before it
/// every calendar is closed.
pub fn calendar_start() -> DateTime<Utc> {
    DateTime::from_timestamp(START, 0).expect("in chrono's range")
}

/// The end of the range [`Calendar`] arithmetic covers (9998-12-30T00:00:00Z, exclusive);
/// from it on every calendar is closed.
pub fn calendar_end() -> DateTime<Utc> {
    DateTime::from_timestamp(END, 0).expect("in chrono's range")
}

/// A compiled business calendar: which instants are working time.
///
/// The open time of a local day is its weekday's intervals (none on a holiday), each turned
/// into instants by the zone's rules, minus the out-of-office periods. Around DST changes a
/// local time is turned into an instant like this:
/// - in a **gap** (clocks jump forward, the local time does not exist) it moves to the first
///   local time that exists, i.e. the instant of the jump: with `02:30-04:00` on the day New
///   York jumps from 02:00 to 03:00, work runs from 03:00 to 04:00 EDT (one hour);
/// - in a **fold** (clocks go back, the local time happens twice) it takes the earlier
///   offset, i.e. its first occurrence: with `00:00-01:30` on the day New York goes back
///   from 02:00 to 01:00, work ends at the first 01:30 (EDT); with `01:30-03:00` it starts
///   at the first 01:30 and runs two and a half hours.
///
/// A local time later in the day is never an earlier instant, so business time is a plain
/// measure of a set of instants: [`Calendar::business_seconds_between`] is additive and never
/// negative. Instants are taken to the whole second (rounded down); every answer is a whole
/// second. The arithmetic covers [`calendar_start`] to [`calendar_end`]; outside, a calendar
/// is closed.
///
/// From 2000-01-01 to 2102-01-28 UTC the answers come from an index of the open time (a
/// prefix sum of business seconds over sorted open runs, a chunk of about 388 days at a
/// time, each built on the first call that needs it and shared by clones of the calendar):
/// a call takes tens of nanoseconds whatever its span within a chunk. Outside that window
/// (and to build a chunk) an operation walks day by day over its span only (never second by
/// second), skipping whole out-of-office periods. Both give the same answers. A built chunk
/// holds about 5.5 KiB for 09:00-17:00 Monday to Friday (2 KiB plus 12 bytes per run of open
/// time); a new calendar holds 1.5 KiB for the index's table of chunks.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::time::{Calendar, CalendarSpec};
/// let spec: CalendarSpec = serde_json::from_str(r#"{
///     "time_zone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}
/// }"#).unwrap();
/// let cal = Calendar::new(&spec).unwrap();
/// // Friday 2026-03-06 16:00 EST to Monday 2026-03-09 10:00 EDT (DST began on Sunday): 2 h.
/// let fri = Utc.with_ymd_and_hms(2026, 3, 6, 21, 0, 0).unwrap();
/// let mon = Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap();
/// assert_eq!(cal.business_seconds_between(fri, mon), 2 * 3600);
/// assert_eq!(cal.add_business_seconds(fri, 2 * 3600), Some(mon));
/// assert!(!cal.is_open(fri + chrono::Duration::hours(2)));
/// assert_eq!(cal.next_change(fri), Some(Utc.with_ymd_and_hms(2026, 3, 6, 22, 0, 0).unwrap()));
/// ```
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: Zone,
    time_zone: String,
    /// Per weekday (Monday = 0): sorted, disjoint, non-touching minute intervals.
    week: [Vec<(u32, u32)>; 7],
    /// Every day 00:00-24:00.
    full_week: bool,
    /// Sorted local days (days since 1970-01-01).
    holidays: Vec<i64>,
    /// Sorted, merged out-of-office second ranges.
    away: Vec<(i64, i64)>,
    /// The open time of 2000 to 2101, built a chunk at a time on first use from the walk
    /// (shared by clones).
    index: Arc<Index>,
}

fn seconds(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn instant(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).expect("inside the calendar range")
}

impl Calendar {
    /// Compiles a spec; an invalid one is an [`ErrorKind::InvalidPlaybook`] listing every
    /// problem [`validate`] finds (paths relative to the calendar).
    pub fn new(spec: &CalendarSpec) -> Result<Calendar, Error> {
        let mut issues = Vec::new();
        validate(spec, "", &mut issues);
        if !issues.is_empty() {
            return Err(Error::from(ErrorKind::InvalidPlaybook(issues)));
        }
        let zone = Zone::get(&spec.time_zone).expect("validated");
        let time_zone = zone.name().unwrap_or(&spec.time_zone).to_owned();
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for (key, intervals) in &spec.hours {
            let mask = parse_days(key).expect("validated");
            for text in intervals {
                let iv = parse_interval(text).expect("validated");
                for (d, on) in mask.iter().enumerate() {
                    if *on {
                        week[d].push(iv);
                    }
                }
            }
        }
        for day in &mut week {
            day.sort_unstable();
            let mut merged: Vec<(u32, u32)> = Vec::with_capacity(day.len());
            for &(a, b) in day.iter() {
                match merged.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
            *day = merged;
        }
        let full_week = week.iter().all(|d| d.as_slice() == [(0, 1440)]);
        let mut holidays: Vec<i64> = spec
            .holidays
            .iter()
            .map(|d| {
                use chrono::Datelike;
                zone::days_from_civil(i64::from(d.year()), d.month(), d.day())
            })
            .filter(|d| (FIRST_DAY..=LAST_DAY).contains(d))
            .collect();
        holidays.sort_unstable();
        holidays.dedup();
        let mut ranges: Vec<(i64, i64)> = spec
            .out_of_office
            .iter()
            .map(|o| {
                (
                    seconds(o.from).clamp(START, END),
                    seconds(o.to).clamp(START, END),
                )
            })
            .filter(|(a, b)| a < b)
            .collect();
        ranges.sort_unstable();
        let mut away: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match away.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => away.push((a, b)),
            }
        }
        Ok(Calendar {
            zone,
            time_zone,
            week,
            full_week,
            holidays,
            away,
            index: Arc::new(Index::new()),
        })
    }

    /// The canonical IANA name of the calendar's zone.
    pub fn time_zone(&self) -> &str {
        &self.time_zone
    }

    /// Business time from `a` to `b` in whole seconds: 0 when `b <= a`, and additive:
    /// `between(a, b) + between(b, c) == between(a, c)` for `a <= b <= c`.
    pub fn business_seconds_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.between(seconds(a), seconds(b))
    }

    /// The earliest instant `t >= a` with `business_seconds_between(a, t) == seconds`: the
    /// moment `seconds` of business time after `a` have passed (`a` itself for 0 or less).
    /// `None` when that lies past [`calendar_end`].
    pub fn add_business_seconds(&self, a: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        if seconds <= 0 {
            return Some(a);
        }
        self.add(self::seconds(a), seconds).map(instant)
    }

    /// [`Calendar::add_business_seconds`] with a playbook [`Duration`] (an SLA's "5 minutes of
    /// business time").
    pub fn add_business(&self, a: DateTime<Utc>, duration: Duration) -> Option<DateTime<Utc>> {
        self.add_business_seconds(a, duration.seconds())
    }

    /// Whether `t` is working time.
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        self.open_at(seconds(t))
    }

    /// The first working instant at or after `t` (`t` itself when open); `None` when there
    /// is none before [`calendar_end`].
    pub fn next_open(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.first_open(seconds(t)).map(instant)
    }

    /// The first instant after `t` at which [`Calendar::is_open`] flips: the end of the
    /// working period `t` is in, or the start of the next one. `None` when it never flips
    /// before [`calendar_end`] (the end of the range is not a change: a calendar open around
    /// the clock never changes).
    pub fn next_change(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.change_after(seconds(t)).map(instant)
    }

    /// The reference for [`Calendar::business_seconds_between`]: the day-by-day walk, without
    /// the index. For tests and benchmarks only.
    #[doc(hidden)]
    pub fn business_seconds_between_walk(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.walk_between(seconds(a), seconds(b))
    }

    /// The reference for [`Calendar::add_business_seconds`] (the walk). For tests only.
    #[doc(hidden)]
    pub fn add_business_seconds_walk(
        &self,
        a: DateTime<Utc>,
        seconds: i64,
    ) -> Option<DateTime<Utc>> {
        if seconds <= 0 {
            return Some(a);
        }
        self.walk_add(self::seconds(a), seconds).map(instant)
    }

    /// The reference for [`Calendar::is_open`] (the walk). For tests only.
    #[doc(hidden)]
    pub fn is_open_walk(&self, t: DateTime<Utc>) -> bool {
        self.walk_is_open(seconds(t))
    }

    /// The reference for [`Calendar::next_open`] (the walk). For tests only.
    #[doc(hidden)]
    pub fn next_open_walk(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.walk_next_open(seconds(t)).map(instant)
    }

    /// The reference for [`Calendar::next_change`] (the walk). For tests only.
    #[doc(hidden)]
    pub fn next_change_walk(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.walk_next_change(seconds(t)).map(instant)
    }

    /// Bytes the calendar's index holds now (its chunk table and the chunks built so far).
    /// For measurements only.
    #[doc(hidden)]
    pub fn index_bytes(&self) -> usize {
        self.index.heap_bytes()
    }

    // The fast path: the index inside its window, the walk outside it. Every answer equals
    // the walk's (tests/calendar_index.rs checks it): inside the window the index holds the
    // walk's own pieces, and outside the walk answers.

    /// Chunk `k` of the index, built from the walk on first use.
    #[inline]
    fn chunk(&self, k: usize) -> Option<&Chunk> {
        self.index
            .chunk(k, |base| Chunk::build(base, self.pieces(base)))
    }

    /// Business seconds of the window's chunks before instant `t` (`BASE <= t <= LIMIT`),
    /// counted from the start of chunk `k0`; `None` if a chunk is missing (never).
    fn between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        if a >= BASE && b <= LIMIT {
            return self
                .indexed_between(a, b)
                .unwrap_or_else(|| self.walk_between(a, b));
        }
        // Additive: the parts before, inside and after the window.
        let mut total = 0;
        if a < BASE {
            total += self.walk_between(a, b.min(BASE));
        }
        let (fa, fb) = (a.max(BASE), b.min(LIMIT));
        if fa < fb {
            total += self
                .indexed_between(fa, fb)
                .unwrap_or_else(|| self.walk_between(fa, fb));
        }
        if b > LIMIT {
            total += self.walk_between(a.max(LIMIT), b);
        }
        total
    }

    /// Business seconds in `a..b` for `BASE <= a < b <= LIMIT`, from the index.
    #[inline]
    fn indexed_between(&self, a: i64, b: i64) -> Option<i64> {
        let (ka, oa) = Index::split(a);
        // `b` as the end of the chunk before it when it starts one (never past the window).
        let (kb, ob) = Index::split(b - 1);
        let ob = ob + 1;
        let ca = self.chunk(ka)?;
        let before_a = i64::from(ca.locate(oa).1);
        if ka == kb {
            return Some(i64::from(ca.locate(ob).1) - before_a);
        }
        let mut total = i64::from(ca.total) - before_a;
        for k in ka + 1..kb {
            total += i64::from(self.chunk(k)?.total);
        }
        Some(total + i64::from(self.chunk(kb)?.locate(ob).1))
    }

    /// [`Calendar::add_business_seconds`] on seconds, `n > 0`.
    fn add(&self, a: i64, n: i64) -> Option<i64> {
        if !(BASE..LIMIT).contains(&a) {
            return self.walk_add(a, n);
        }
        let (mut k, off) = Index::split(a);
        let mut chunk = self.chunk(k)?;
        let (mut from, before) = chunk.locate(off);
        // Business seconds to reach, counted from the start of chunk `k`.
        let mut target = i64::from(before) + n;
        loop {
            if target <= i64::from(chunk.total) {
                // 1 <= target <= total < 2^25: fits a u32.
                let at = chunk.reach(from, target as u32)?;
                return Some(index::chunk_base(k) + i64::from(at));
            }
            target -= i64::from(chunk.total);
            k += 1;
            from = 0;
            match self.chunk(k) {
                Some(c) => chunk = c,
                None => return self.walk_add(LIMIT, target),
            }
        }
    }

    /// [`Calendar::is_open`] on seconds.
    #[inline]
    fn open_at(&self, t: i64) -> bool {
        if !(BASE..LIMIT).contains(&t) {
            return self.walk_is_open(t);
        }
        let (k, off) = Index::split(t);
        match self.chunk(k) {
            Some(c) => {
                let (i, _) = c.locate(off);
                c.runs.get(i).is_some_and(|r| r.start <= off)
            }
            None => self.walk_is_open(t),
        }
    }

    /// The first run start at or after chunk `k`, as an instant; `None` past the window.
    fn first_run_from(&self, k: usize) -> Option<i64> {
        (k..)
            .map_while(|k| self.chunk(k).map(|c| (k, c)))
            .find_map(|(k, c)| {
                c.runs
                    .first()
                    .map(|r| index::chunk_base(k) + i64::from(r.start))
            })
    }

    /// [`Calendar::next_open`] on seconds.
    fn first_open(&self, t: i64) -> Option<i64> {
        if !(BASE..LIMIT).contains(&t) {
            return self.walk_next_open(t);
        }
        let (k, off) = Index::split(t);
        let Some(c) = self.chunk(k) else {
            return self.walk_next_open(t);
        };
        let (i, _) = c.locate(off);
        if let Some(r) = c.runs.get(i) {
            return Some(index::chunk_base(k) + i64::from(r.start.max(off)));
        }
        // Nothing open in the rest of the window: the walk from its end.
        self.first_run_from(k + 1)
            .or_else(|| self.walk_next_open(LIMIT))
    }

    /// [`Calendar::next_change`] on seconds.
    fn change_after(&self, t: i64) -> Option<i64> {
        if !(BASE..LIMIT).contains(&t) {
            return self.walk_next_change(t);
        }
        let (k, off) = Index::split(t);
        let Some(c) = self.chunk(k) else {
            return self.walk_next_change(t);
        };
        let (i, _) = c.locate(off);
        match c.runs.get(i) {
            // Open: the end of the run, unless it runs on into the next chunk.
            Some(r) if r.start <= off => {
                if i64::from(r.end) < CHUNK {
                    Some(index::chunk_base(k) + i64::from(r.end))
                } else {
                    self.walk_next_change(t)
                }
            }
            // Closed: the next opening.
            Some(r) => Some(index::chunk_base(k) + i64::from(r.start)),
            None => self
                .first_run_from(k + 1)
                .or_else(|| self.walk_next_change(t)),
        }
    }

    // The walk: the reference every answer is checked against.

    fn walk_between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        for (s, e) in self.pieces(a) {
            if s >= b {
                break;
            }
            total += e.min(b) - s;
        }
        total
    }

    fn walk_add(&self, a: i64, n: i64) -> Option<i64> {
        if n <= 0 {
            return Some(a);
        }
        let mut left = n;
        for (s, e) in self.pieces(a) {
            if left <= e - s {
                return Some(s + left);
            }
            left -= e - s;
        }
        None
    }

    fn walk_is_open(&self, t: i64) -> bool {
        self.pieces(t).next().is_some_and(|(s, _)| s == t)
    }

    fn walk_next_open(&self, t: i64) -> Option<i64> {
        self.pieces(t).next().map(|(s, _)| s)
    }

    fn walk_next_change(&self, t: i64) -> Option<i64> {
        let mut pieces = self.pieces(t);
        let (s, mut end) = pieces.next()?;
        if s > t {
            return Some(s);
        }
        if self.full_week {
            // Open around the clock but for holidays and time away: the next of those.
            let day = self.zone.local_day(t);
            let i = self.holidays.partition_point(|&h| h < day - 1);
            let holiday = self.holidays[i..]
                .iter()
                .map(|&h| self.zone.instant(h, 0))
                .find(|&h| h > t);
            let i = self.away.partition_point(|r| r.0 <= t);
            let away = self.away.get(i).map(|r| r.0);
            let next = [holiday, away].into_iter().flatten().fold(END, i64::min);
            return (next < END).then_some(next);
        }
        for (s, e) in pieces {
            if s != end {
                break;
            }
            end = e;
        }
        (end < END).then_some(end)
    }

    /// The open pieces at or after `from`, in order, clipped to start at `from`.
    fn pieces(&self, from: i64) -> Pieces<'_> {
        let from = from.max(START);
        let day = if from >= END {
            LAST_DAY
        } else {
            (self.zone.local_day(from) - 1).max(FIRST_DAY)
        };
        Pieces {
            cal: self,
            from,
            day,
            cur: 0,
            ivs: &[],
            ix: 0,
            away_ix: self.away.partition_point(|r| r.1 <= from),
            rest: None,
            done: from >= END || self.week.iter().all(Vec::is_empty),
        }
    }
}

/// Open time at or after `from`, as disjoint pieces in increasing order: each day's
/// intervals, minus out-of-office periods. Pieces may touch (across midnight, or where time
/// away ends); they never overlap.
struct Pieces<'a> {
    cal: &'a Calendar,
    from: i64,
    /// The next local day to expand.
    day: i64,
    /// The day being expanded, and its weekday's minute intervals (none on a holiday).
    cur: i64,
    ivs: &'a [(u32, u32)],
    ix: usize,
    /// The first out-of-office range that may still cut a piece.
    away_ix: usize,
    /// What is left of an interval being cut by out-of-office ranges.
    rest: Option<(i64, i64)>,
    done: bool,
}

impl Iterator for Pieces<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        let away = &self.cal.away;
        loop {
            if let Some((s, e)) = self.rest.take() {
                while self.away_ix < away.len() && away[self.away_ix].1 <= s {
                    self.away_ix += 1;
                }
                if let Some(&(a, b)) = away.get(self.away_ix) {
                    if a <= s {
                        if b < e {
                            self.rest = Some((b, e));
                        }
                        continue;
                    }
                    if a < e {
                        if b < e {
                            self.rest = Some((b, e));
                        }
                        return Some((s, a));
                    }
                }
                return Some((s, e));
            }
            if self.ix < self.ivs.len() {
                let (a, b) = self.ivs[self.ix];
                self.ix += 1;
                let zone = &self.cal.zone;
                let e = zone.instant(self.cur, b).min(END);
                if e <= self.from {
                    continue; // wholly before `from`: no need to place its start
                }
                let s = zone.instant(self.cur, a).max(self.from);
                if s < e {
                    self.rest = Some((s, e));
                }
                continue;
            }
            if self.done || self.day >= LAST_DAY {
                self.done = true;
                return None;
            }
            let day = self.day;
            self.day += 1;
            if self.away_ix < away.len() {
                // A day wholly out of office: jump to the end of that period.
                let start = self.cal.zone.instant(day, 0);
                let i = away.partition_point(|r| r.0 <= start);
                if i > 0 && away[i - 1].1 > start {
                    let end = away[i - 1].1;
                    if end >= self.cal.zone.instant(day, 1440) {
                        self.from = self.from.max(end);
                        self.day = self.day.max(self.cal.zone.local_day(end).min(LAST_DAY));
                        self.ivs = &[];
                        self.ix = 0;
                        continue;
                    }
                }
            }
            if (day - 2) * 86_400 >= END {
                self.done = true;
                return None;
            }
            self.cur = day;
            self.ivs = if self.cal.holidays.binary_search(&day).is_ok() {
                &[]
            } else {
                &self.cal.week[zone::weekday(day)]
            };
            self.ix = 0;
        }
    }
}
