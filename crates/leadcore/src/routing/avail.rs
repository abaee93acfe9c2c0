//! Availability: whether a rep works at `now` (their calendar open, in their zone, and no
//! out-of-office period), and which local day their daily quota counts. Built only on the
//! public API of `time/` calendars.

use super::decision::PassReason;
use crate::time::{Calendar, CalendarSpec, OutOfOffice, calendar_end, calendar_start};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A rep's working hours: the named playbook calendar, compiled in the rep's zone and
/// shared by every rep with the same (calendar, zone).
#[derive(Debug, Clone)]
pub(crate) struct RepCalendar {
    pub name: String,
    pub calendar: Arc<Calendar>,
}

impl PartialEq for RepCalendar {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.calendar.time_zone() == other.calendar.time_zone()
    }
}

/// The local date of an instant in a zone, read through three probe calendars open all
/// day on the weekdays whose index (Monday = 0) has bit 0, 1 or 2 set: they give the local
/// weekday, and of the UTC date and its two neighbours (every zone is within a day of UTC)
/// exactly one has it.
#[derive(Debug)]
pub(crate) struct LocalDays {
    zone: String,
    probes: [Calendar; 3],
}

impl PartialEq for LocalDays {
    fn eq(&self, other: &Self) -> bool {
        self.zone == other.zone
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl LocalDays {
    /// `None` for a zone the bundled tzdb does not know (refused by validation).
    pub(crate) fn new(zone: &str) -> Option<Self> {
        let probe = |bit: usize| {
            let days: Vec<&str> = (0..7)
                .filter(|d| d & (1 << bit) != 0)
                .map(|d| DAYS[d])
                .collect();
            Calendar::new(&CalendarSpec {
                time_zone: zone.to_owned(),
                hours: BTreeMap::from([(days.join(","), vec!["00:00-24:00".to_owned()])]),
                holidays: Vec::new(),
                out_of_office: Vec::new(),
            })
            .ok()
        };
        Some(LocalDays {
            zone: zone.to_owned(),
            probes: [probe(0)?, probe(1)?, probe(2)?],
        })
    }

    /// The local date at `t` (the UTC date outside the calendars' range).
    pub(crate) fn date(&self, t: DateTime<Utc>) -> NaiveDate {
        let utc = t.date_naive();
        if t < calendar_start() || t >= calendar_end() {
            return utc;
        }
        let weekday = self
            .probes
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_open(t))
            .fold(0u32, |w, (bit, _)| w | (1 << bit));
        [
            utc.checked_sub_days(Days::new(1)),
            Some(utc),
            utc.checked_add_days(Days::new(1)),
        ]
        .into_iter()
        .flatten()
        .find(|d| d.weekday().num_days_from_monday() == weekday)
        .unwrap_or(utc)
    }
}

/// The end of the out-of-office time `t` falls in (periods chained end to start count as
/// one), if `t` falls in any: `from <= t < to`.
fn away_until(
    t: DateTime<Utc>,
    spec: &[(DateTime<Utc>, DateTime<Utc>)],
    host: &[OutOfOffice],
) -> Option<DateTime<Utc>> {
    let periods = spec
        .iter()
        .copied()
        .chain(host.iter().map(|o| (o.from, o.to)));
    let mut until: Option<DateTime<Utc>> = None;
    loop {
        let at = until.unwrap_or(t);
        let next = periods
            .clone()
            .filter(|&(from, to)| from <= at && at < to)
            .map(|(_, to)| to)
            .max();
        match next {
            Some(to) if until.is_none_or(|u| to > u) => until = Some(to),
            _ => return until,
        }
    }
}

/// Why a rep with these hours and periods away cannot take a lead at `now`, if not:
/// out of office (until when) or off hours (when next available: the calendar's next
/// opening past any time away).
pub(crate) fn unavailable(
    calendar: Option<&Calendar>,
    spec_away: &[(DateTime<Utc>, DateTime<Utc>)],
    host_away: &[OutOfOffice],
    now: DateTime<Utc>,
) -> Option<PassReason> {
    if let Some(until) = away_until(now, spec_away, host_away) {
        return Some(PassReason::OutOfOffice { until });
    }
    let calendar = calendar?;
    if calendar.is_open(now) {
        return None;
    }
    let mut next = calendar.next_open(now);
    // Skip openings that fall in time away (bounded: each step passes one period).
    for _ in 0..=spec_away.len() + host_away.len() {
        let Some(t) = next else { break };
        match away_until(t, spec_away, host_away) {
            Some(back) => next = calendar.next_open(back),
            None => break,
        }
    }
    Some(PassReason::OffHours { next_open: next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn local_dates_across_the_date_line_and_dst() {
        let at = |y, m, d, h, mi| Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap();
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let ny = LocalDays::new("America/New_York").unwrap();
        assert_eq!(ny.date(at(2026, 3, 3, 3, 59)), date(2026, 3, 2)); // 22:59 EST
        assert_eq!(ny.date(at(2026, 3, 3, 5, 0)), date(2026, 3, 3)); // 00:00 EST
        assert_eq!(ny.date(at(2026, 7, 1, 3, 59)), date(2026, 6, 30)); // 23:59 EDT
        assert_eq!(ny.date(at(2026, 7, 1, 4, 0)), date(2026, 7, 1));
        let kiritimati = LocalDays::new("Pacific/Kiritimati").unwrap(); // UTC+14
        assert_eq!(kiritimati.date(at(2026, 3, 2, 10, 0)), date(2026, 3, 3));
        let pago = LocalDays::new("Pacific/Pago_Pago").unwrap(); // UTC-11
        assert_eq!(pago.date(at(2026, 3, 2, 10, 0)), date(2026, 3, 1));
        assert!(LocalDays::new("Mars/Olympus").is_none());
    }

    #[test]
    fn out_of_office_periods_chain() {
        let at = |h| Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap();
        let spec = [(at(1), at(3))];
        let host = [OutOfOffice {
            from: at(3),
            to: at(5),
        }];
        assert_eq!(away_until(at(2), &spec, &host), Some(at(5)));
        assert_eq!(away_until(at(5), &spec, &host), None);
        assert_eq!(away_until(at(0), &spec, &host), None);
    }
}
