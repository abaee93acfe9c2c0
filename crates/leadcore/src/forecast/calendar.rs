//! Fiscal calendars: a fiscal-year start month, quarters, and optional 4-4-5 / 4-5-4 / 5-4-4
//! week patterns.

use crate::error::{Error, Result};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How the weeks of a quarter split into its three periods (retail calendars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WeekPattern {
    /// 4, 4 and 5 weeks.
    #[serde(rename = "4-4-5")]
    W445,
    /// 4, 5 and 4 weeks.
    #[serde(rename = "4-5-4")]
    W454,
    /// 5, 4 and 4 weeks.
    #[serde(rename = "5-4-4")]
    W544,
}

impl WeekPattern {
    /// Weeks in each of a quarter's three periods.
    ///
    /// ```
    /// use leadcore::forecast::WeekPattern;
    /// assert_eq!(WeekPattern::W454.weeks(), [4, 5, 4]);
    /// ```
    pub fn weeks(self) -> [u32; 3] {
        match self {
            WeekPattern::W445 => [4, 4, 5],
            WeekPattern::W454 => [4, 5, 4],
            WeekPattern::W544 => [5, 4, 4],
        }
    }
}

/// The span a forecast is rolled up over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One of the twelve fiscal periods (months, or 4/5-week periods).
    Period,
    /// One of the four fiscal quarters.
    Quarter,
    /// The whole fiscal year.
    Year,
}

/// A fiscal span: the fiscal year, the granularity and its index in the year (1-based).
///
/// ```
/// use leadcore::forecast::{Granularity, PeriodKey};
/// let q = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 3 };
/// assert_eq!(serde_json::to_string(&q).unwrap(), r#"{"year":2026,"granularity":"quarter","index":3}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PeriodKey {
    /// Fiscal year, named after the calendar year in which it ends.
    pub year: i32,
    /// Period, quarter or year.
    pub granularity: Granularity,
    /// 1..=12 for periods, 1..=4 for quarters, 1 for the year.
    pub index: u8,
}

/// Where a date falls in a fiscal calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalDate {
    /// Fiscal year, named after the calendar year in which it ends.
    pub year: i32,
    /// Fiscal quarter, 1..=4.
    pub quarter: u8,
    /// Fiscal period (month), 1..=12.
    pub period: u8,
    /// Fiscal week counted from the first day of the fiscal year, 1..=53.
    pub week: u8,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period (inclusive).
    pub period_end: NaiveDate,
}

/// A fiscal calendar. With no week pattern, periods are calendar months and the year starts on
/// the 1st of `start_month`. With a pattern, the year starts on the `week_start` weekday
/// nearest the 1st of `start_month`, has 52 or 53 whole weeks, and a 53rd week goes to period 12.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::FiscalCalendar;
/// let cal = FiscalCalendar::new(2).unwrap(); // FY starts 1 February
/// let d = cal.period_of(NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()).unwrap();
/// assert_eq!((d.year, d.quarter, d.period), (2026, 4, 12));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiscalCalendar {
    /// Month (1..=12) the fiscal year starts in.
    pub start_month: u32,
    /// Week pattern; `None` for calendar-month periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<WeekPattern>,
    /// First day of a fiscal week (used with a week pattern).
    #[serde(default = "monday")]
    pub week_start: Weekday,
}

fn monday() -> Weekday {
    Weekday::Mon
}

fn out_of_range() -> Error {
    Error::invalid_input("date out of the supported range for fiscal calendars")
}

fn add_days(d: NaiveDate, n: i64) -> Result<NaiveDate> {
    let r = if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    };
    r.ok_or_else(out_of_range)
}

impl FiscalCalendar {
    /// A calendar-month fiscal calendar whose year starts in `start_month` (1..=12).
    ///
    /// ```
    /// assert!(leadcore::forecast::FiscalCalendar::new(13).is_err());
    /// ```
    pub fn new(start_month: u32) -> Result<Self> {
        let cal = FiscalCalendar {
            start_month,
            weeks: None,
            week_start: Weekday::Mon,
        };
        cal.check()?;
        Ok(cal)
    }

    /// The same calendar with a week pattern and the weekday weeks start on.
    ///
    /// ```
    /// use chrono::Weekday;
    /// use leadcore::forecast::{FiscalCalendar, WeekPattern};
    /// let cal = FiscalCalendar::new(1).unwrap().with_weeks(WeekPattern::W445, Weekday::Sun);
    /// assert_eq!(cal.weeks, Some(WeekPattern::W445));
    /// ```
    pub fn with_weeks(mut self, pattern: WeekPattern, week_start: Weekday) -> Self {
        self.weeks = Some(pattern);
        self.week_start = week_start;
        self
    }

    fn check(&self) -> Result<()> {
        if (1..=12).contains(&self.start_month) {
            Ok(())
        } else {
            Err(Error::invalid_input(format!(
                "fiscal start_month must be 1..=12, got {}",
                self.start_month
            )))
        }
    }

    /// First day of fiscal year `year`.
    ///
    /// ```
    /// use chrono::{NaiveDate, Weekday};
    /// use leadcore::forecast::{FiscalCalendar, WeekPattern};
    /// let cal = FiscalCalendar::new(1).unwrap().with_weeks(WeekPattern::W445, Weekday::Mon);
    /// // 1 Jan 2026 is a Thursday; the nearest Monday is 29 Dec 2025.
    /// assert_eq!(cal.year_start(2026).unwrap(), NaiveDate::from_ymd_opt(2025, 12, 29).unwrap());
    /// ```
    pub fn year_start(&self, year: i32) -> Result<NaiveDate> {
        self.check()?;
        let cal_year = if self.start_month == 1 {
            year
        } else {
            year.checked_sub(1).ok_or_else(out_of_range)?
        };
        let first =
            NaiveDate::from_ymd_opt(cal_year, self.start_month, 1).ok_or_else(out_of_range)?;
        match self.weeks {
            None => Ok(first),
            Some(_) => {
                let want = i64::from(self.week_start.num_days_from_monday());
                let have = i64::from(first.weekday().num_days_from_monday());
                let mut offset = (want - have).rem_euclid(7);
                if offset > 3 {
                    offset -= 7;
                }
                add_days(first, offset)
            }
        }
    }

    /// First and last day (inclusive) of a fiscal span.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadcore::forecast::{FiscalCalendar, Granularity, PeriodKey};
    /// let cal = FiscalCalendar::new(4).unwrap(); // FY2027 runs April 2026 - March 2027
    /// let q2 = PeriodKey { year: 2027, granularity: Granularity::Quarter, index: 2 };
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// assert_eq!(cal.bounds(q2).unwrap(), (d(2026, 7, 1), d(2026, 9, 30)));
    /// ```
    pub fn bounds(&self, key: PeriodKey) -> Result<(NaiveDate, NaiveDate)> {
        let (first, last) = match (key.granularity, key.index) {
            (Granularity::Period, i @ 1..=12) => (i, i),
            (Granularity::Quarter, q @ 1..=4) => (3 * q - 2, 3 * q),
            (Granularity::Year, 1) => (1, 12),
            (g, i) => {
                return Err(Error::invalid_input(format!(
                    "no fiscal {g:?} with index {i}"
                )));
            }
        };
        Ok((
            self.period_bounds(key.year, first)?.0,
            self.period_bounds(key.year, last)?.1,
        ))
    }

    fn period_bounds(&self, year: i32, period: u8) -> Result<(NaiveDate, NaiveDate)> {
        let ys = self.year_start(year)?;
        match self.weeks {
            None => {
                let m0 = self.start_month - 1 + u32::from(period - 1);
                let (y, m) = (ys.year() + (m0 / 12) as i32, m0 % 12 + 1);
                let start = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(out_of_range)?;
                let next = start
                    .checked_add_months(chrono::Months::new(1))
                    .ok_or_else(out_of_range)?;
                Ok((start, add_days(next, -1)?))
            }
            Some(pattern) => {
                let w = pattern.weeks();
                let idx = usize::from(period - 1);
                let q_weeks: u32 = w.iter().sum();
                let before = q_weeks * (idx as u32 / 3) + w.iter().take(idx % 3).sum::<u32>();
                let len = w.get(idx % 3).copied().unwrap_or(4);
                let start = add_days(ys, i64::from(before) * 7)?;
                let end = if period == 12 {
                    add_days(
                        self.year_start(year.checked_add(1).ok_or_else(out_of_range)?)?,
                        -1,
                    )?
                } else {
                    add_days(start, i64::from(len) * 7 - 1)?
                };
                Ok((start, end))
            }
        }
    }

    /// The fiscal year, quarter, period and week a date falls in, with its period's bounds.
    ///
    /// ```
    /// use chrono::{NaiveDate, Weekday};
    /// use leadcore::forecast::{FiscalCalendar, WeekPattern};
    /// let cal = FiscalCalendar::new(1).unwrap().with_weeks(WeekPattern::W445, Weekday::Mon);
    /// let d = cal.period_of(NaiveDate::from_ymd_opt(2026, 3, 27).unwrap()).unwrap();
    /// assert_eq!((d.quarter, d.period, d.week), (1, 3, 13));
    /// ```
    pub fn period_of(&self, date: NaiveDate) -> Result<FiscalDate> {
        self.check()?;
        let mut year = if self.start_month != 1 && date.month() >= self.start_month {
            date.year() + 1
        } else {
            date.year()
        };
        if date < self.year_start(year)? {
            year -= 1;
        } else if date >= self.year_start(year + 1)? {
            year += 1;
        }
        let ys = self.year_start(year)?;
        let week = ((date - ys).num_days() / 7 + 1) as u8;
        for period in 1..=12u8 {
            let (start, end) = self.period_bounds(year, period)?;
            if date >= start && date <= end {
                return Ok(FiscalDate {
                    year,
                    quarter: (period - 1) / 3 + 1,
                    period,
                    week,
                    period_start: start,
                    period_end: end,
                });
            }
        }
        Err(out_of_range())
    }

    /// The span of `granularity` that contains `date`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadcore::forecast::{FiscalCalendar, Granularity};
    /// let cal = FiscalCalendar::new(10).unwrap();
    /// let k = cal.key_of(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(), Granularity::Quarter).unwrap();
    /// assert_eq!((k.year, k.index), (2026, 1));
    /// ```
    pub fn key_of(&self, date: NaiveDate, granularity: Granularity) -> Result<PeriodKey> {
        let f = self.period_of(date)?;
        let index = match granularity {
            Granularity::Period => f.period,
            Granularity::Quarter => f.quarter,
            Granularity::Year => 1,
        };
        Ok(PeriodKey {
            year: f.year,
            granularity,
            index,
        })
    }
}
