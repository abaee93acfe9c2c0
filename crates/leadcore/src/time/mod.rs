//! Time vocabulary shared by every engine: a [`Duration`] written as text (`"15m"`, `"7d"`,
//! `"1d12h"`), bounded so arithmetic on it cannot overflow, and business [`Calendar`]s
//! (working hours in an IANA time zone, holidays, out-of-office periods) with interval
//! arithmetic over them for availability and SLA timers.
//!
//! Zone rules come from the IANA tzdb bundled into the library through `jiff` (one internal
//! module; the host's zoneinfo is never read): [`tzdb_version`] says which release.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

mod calendar;
mod calendars;
mod index;
mod zone;

pub use calendar::{Calendar, CalendarSpec, OutOfOffice, calendar_end, calendar_start, validate};
pub use calendars::Calendars;

/// The IANA tzdb release the library carries (e.g. `"2026f"`), bundled at build time: every
/// calendar's zone rules come from it, whatever the host has installed.
///
/// ```
/// let v = leadcore::time::tzdb_version();
/// assert!(v.len() == 5 && v.starts_with("20"), "{v}");
/// ```
pub fn tzdb_version() -> &'static str {
    zone::tzdb_version()
}

/// The longest duration a playbook may state: 100 years (keeps `now - duration` far inside
/// every representable instant).
pub const MAX_DURATION_SECONDS: i64 = 100 * 366 * 86_400;

const UNITS: [(char, i64); 5] = [
    ('w', 7 * 86_400),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

/// A positive length of time, written as whole units: `w` weeks, `d` days, `h` hours, `m`
/// minutes, `s` seconds, largest first (`"90s"`, `"15m"`, `"7d"`, `"1d12h"`).
///
/// ```
/// use leadcore::time::Duration;
/// let d: Duration = serde_json::from_str("\"1d12h\"").unwrap();
/// assert_eq!(d.seconds(), 129_600);
/// assert_eq!(serde_json::to_string(&d).unwrap(), "\"1d12h\"");
/// assert_eq!(Duration::parse("15m").unwrap().seconds(), 900);
/// assert!(Duration::parse("0m").is_err());
/// assert!(Duration::parse("10 minutes").is_err());
/// assert!(Duration::parse("9999999w").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    seconds: i64,
}

impl Duration {
    /// A duration of `seconds` (1 to [`MAX_DURATION_SECONDS`]).
    pub fn from_seconds(seconds: i64) -> Result<Self, String> {
        if (1..=MAX_DURATION_SECONDS).contains(&seconds) {
            Ok(Duration { seconds })
        } else {
            Err(format!(
                "a duration is from 1 second to 100 years, not {seconds} seconds"
            ))
        }
    }

    /// Reads the text form; the message says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{text}` is not a duration: write whole units largest first, e.g. \"90s\", \"15m\", \"7d\", \"1d12h\""
            )
        };
        let mut total: i64 = 0;
        let mut number = String::new();
        let mut last_unit = usize::MAX;
        for c in text.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = UNITS.iter().position(|(u, _)| *u == c).ok_or_else(bad)?;
            if number.is_empty() || (last_unit != usize::MAX && unit <= last_unit) {
                return Err(bad());
            }
            let n: i64 = number.parse().map_err(|_| bad())?;
            total = n
                .checked_mul(UNITS[unit].1)
                .and_then(|s| total.checked_add(s))
                .ok_or_else(bad)?;
            number.clear();
            last_unit = unit;
        }
        if !number.is_empty() || last_unit == usize::MAX {
            return Err(bad());
        }
        Duration::from_seconds(total).map_err(|e| format!("`{text}`: {e}"))
    }

    /// Its length in seconds.
    pub fn seconds(self) -> i64 {
        self.seconds
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.seconds;
        for (unit, size) in UNITS {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(d)?;
        Duration::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Whole units largest first: w, d, h, m, s (\"90s\", \"15m\", \"7d\", \"1d12h\"); at most 100 years.",
            "type": "string",
            "pattern": "^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$",
            "minLength": 2,
            "examples": ["15m", "7d", "1d12h"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn text_round_trips(seconds in 1i64..=MAX_DURATION_SECONDS) {
            let d = Duration::from_seconds(seconds).unwrap();
            prop_assert_eq!(Duration::parse(&d.to_string()).unwrap(), d);
        }

        #[test]
        fn any_text_is_a_duration_or_an_error(text in "\\PC{0,12}") {
            let _ = Duration::parse(&text);
        }
    }

    #[test]
    fn units_must_come_largest_first_and_once() {
        assert!(Duration::parse("12h1d").is_err());
        assert!(Duration::parse("1h1h").is_err());
        assert!(Duration::parse("h").is_err());
        assert!(Duration::parse("").is_err());
        assert_eq!(Duration::parse("2w3d").unwrap().seconds(), 17 * 86_400);
    }
}
