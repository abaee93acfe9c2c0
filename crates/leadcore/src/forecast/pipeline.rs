//! Weighted pipeline (amount × probability) rolled up per currency, period and category.

use super::calendar::{FiscalCalendar, Granularity, PeriodKey};
use super::category::{Category, CategoryMap};
use crate::error::{Error, Result};
use crate::model::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A deal as the forecast sees it: amount, expected close date, stage, win probability and
/// the rep's category override.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::{forecast::ForecastDeal, Money};
/// let deal = ForecastDeal::new("O1", Money::new(1_000_00, "USD"), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), "Proposal", 0.4);
/// assert_eq!(deal.weighted_minor().unwrap(), 400_00);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastDeal {
    /// Opportunity id.
    pub id: String,
    /// Deal amount (non-negative).
    pub amount: Money,
    /// Expected close date (the actual date for a closed deal).
    pub close_date: NaiveDate,
    /// Current stage name.
    pub stage: String,
    /// Win probability in `[0, 1]` (stage probability, learned, or the rep's).
    pub probability: f64,
    /// The rep's category call, overriding the stage's mapping for open stages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_override: Option<Category>,
}

impl ForecastDeal {
    /// A deal without a category override.
    pub fn new(
        id: impl Into<String>,
        amount: Money,
        close_date: NaiveDate,
        stage: impl Into<String>,
        probability: f64,
    ) -> Self {
        ForecastDeal {
            id: id.into(),
            amount,
            close_date,
            stage: stage.into(),
            probability,
            category_override: None,
        }
    }

    /// Checks amount, currency and probability.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadcore::{forecast::ForecastDeal, Money};
    /// let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    /// assert!(ForecastDeal::new("O1", Money::new(-1, "USD"), day, "X", 0.5).validate().is_err());
    /// assert!(ForecastDeal::new("O1", Money::new(1, "USD"), day, "X", f64::NAN).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.amount.minor < 0 {
            return Err(Error::invalid_input(format!(
                "deal {}: negative amount {}",
                self.id, self.amount.minor
            )));
        }
        if self.amount.currency.is_empty() {
            return Err(Error::invalid_input(format!(
                "deal {}: no currency",
                self.id
            )));
        }
        if !(self.probability.is_finite() && (0.0..=1.0).contains(&self.probability)) {
            return Err(Error::invalid_input(format!(
                "deal {}: probability {} is not in [0, 1]",
                self.id, self.probability
            )));
        }
        Ok(())
    }

    /// Amount × probability in minor units, rounded half away from zero.
    pub fn weighted_minor(&self) -> Result<i64> {
        self.validate()?;
        Ok((self.amount.minor as f64 * self.probability).round() as i64)
    }
}

/// Count, amount and weighted amount (minor units) of a set of deals in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Number of deals.
    pub count: u64,
    /// Sum of amounts.
    pub amount: i64,
    /// Sum of amount × probability (each rounded to a minor unit).
    pub weighted: i64,
}

impl Totals {
    /// The sum of two totals; an overflow is an error, never a wrap.
    ///
    /// ```
    /// use leadcore::forecast::Totals;
    /// let a = Totals { count: 1, amount: 10, weighted: 5 };
    /// assert_eq!(a.checked_add(a).unwrap(), Totals { count: 2, amount: 20, weighted: 10 });
    /// assert!(Totals { count: 1, amount: i64::MAX, weighted: 0 }.checked_add(a).is_err());
    /// ```
    pub fn checked_add(self, other: Totals) -> Result<Totals> {
        let overflow = || Error::invalid_input("forecast totals overflow i64 minor units");
        Ok(Totals {
            count: self.count.checked_add(other.count).ok_or_else(overflow)?,
            amount: self.amount.checked_add(other.amount).ok_or_else(overflow)?,
            weighted: self
                .weighted
                .checked_add(other.weighted)
                .ok_or_else(overflow)?,
        })
    }
}

/// One cell of the roll-up: a currency, a fiscal span and a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupRow {
    /// ISO currency code.
    pub currency: String,
    /// Fiscal span the deals close in.
    pub period: PeriodKey,
    /// Forecast category.
    pub category: Category,
    /// The cell's totals.
    pub totals: Totals,
}

/// The total of a set of cells in their one currency (`None` when no deal is in them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotals {
    /// The currency, `None` for an empty selection.
    pub currency: Option<String>,
    /// The totals (zero for an empty selection).
    pub totals: Totals,
}

/// Weighted pipeline as an accumulator (`add`, `merge`, then read): deals summed per
/// currency, fiscal span and category. Adding the same deals in any partition and merging
/// gives the same rows.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, ForecastDeal, Granularity, WeightedPipeline};
/// use leadcore::Money;
/// let map = CategoryMap::new(Category::Pipeline).stage("Negotiation", Category::Commit);
/// let mut wp = WeightedPipeline::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, map);
/// let day = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
/// wp.add(&ForecastDeal::new("O1", Money::new(1000, "USD"), day, "Negotiation", 0.8)).unwrap();
/// wp.add(&ForecastDeal::new("O2", Money::new(500, "USD"), day, "Discovery", 0.2)).unwrap();
/// let q1 = wp.rows()[0].period;
/// let all = wp.total(q1, &Category::ALL).unwrap();
/// assert_eq!((all.totals.amount, all.totals.weighted), (1500, 900));
/// wp.add(&ForecastDeal::new("O3", Money::new(7, "EUR"), day, "Discovery", 0.5)).unwrap();
/// assert_eq!(wp.total(q1, &Category::ALL).unwrap_err().code(), "input.invalid"); // USD + EUR
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedPipeline {
    calendar: FiscalCalendar,
    granularity: Granularity,
    categories: CategoryMap,
    rows: Vec<RollupRow>,
}

impl WeightedPipeline {
    /// An empty roll-up over `calendar` spans of `granularity`, categories from `categories`.
    pub fn new(
        calendar: FiscalCalendar,
        granularity: Granularity,
        categories: CategoryMap,
    ) -> Self {
        WeightedPipeline {
            calendar,
            granularity,
            categories,
            rows: Vec::new(),
        }
    }

    /// The fiscal span and category a deal counts in.
    pub fn place(&self, deal: &ForecastDeal) -> Result<(PeriodKey, Category)> {
        deal.validate()?;
        let period = self.calendar.key_of(deal.close_date, self.granularity)?;
        let category = self
            .categories
            .category(&deal.stage, deal.category_override);
        Ok((period, category))
    }

    /// Adds one deal; on error nothing changes.
    pub fn add(&mut self, deal: &ForecastDeal) -> Result<()> {
        let (period, category) = self.place(deal)?;
        let totals = Totals {
            count: 1,
            amount: deal.amount.minor,
            weighted: deal.weighted_minor()?,
        };
        self.add_cell(&deal.amount.currency, period, category, totals)
    }

    fn add_cell(
        &mut self,
        currency: &str,
        period: PeriodKey,
        category: Category,
        totals: Totals,
    ) -> Result<()> {
        let found = self.rows.binary_search_by(|r| {
            (r.currency.as_str(), r.period, r.category).cmp(&(currency, period, category))
        });
        match found {
            Ok(i) => {
                if let Some(row) = self.rows.get_mut(i) {
                    row.totals = row.totals.checked_add(totals)?;
                }
            }
            Err(i) => self.rows.insert(
                i,
                RollupRow {
                    currency: currency.to_owned(),
                    period,
                    category,
                    totals,
                },
            ),
        }
        Ok(())
    }

    /// Adds another partition's cells (built with the same calendar and map).
    pub fn merge(&mut self, other: &WeightedPipeline) -> Result<()> {
        if self.calendar != other.calendar
            || self.granularity != other.granularity
            || self.categories != other.categories
        {
            return Err(Error::invalid_input(
                "cannot merge weighted pipelines built with different calendars or category maps",
            ));
        }
        let mut merged = self.clone();
        for row in &other.rows {
            merged.add_cell(&row.currency, row.period, row.category, row.totals)?;
        }
        *self = merged;
        Ok(())
    }

    /// Every non-empty cell, ordered by currency, span and category.
    pub fn rows(&self) -> &[RollupRow] {
        &self.rows
    }

    /// Totals per currency of the cells of `period` in `categories`; never mixes currencies.
    pub fn totals_by_currency(
        &self,
        period: PeriodKey,
        categories: &[Category],
    ) -> Result<Vec<(String, Totals)>> {
        let mut out: Vec<(String, Totals)> = Vec::new();
        for row in self
            .rows
            .iter()
            .filter(|r| r.period == period && categories.contains(&r.category))
        {
            match out.last_mut() {
                Some((c, t)) if *c == row.currency => *t = t.checked_add(row.totals)?,
                _ => out.push((row.currency.clone(), row.totals)),
            }
        }
        Ok(out)
    }

    /// The total of `period` over `categories` in its one currency. Deals in more than one
    /// currency (no exchange rates are known here) are an `input.invalid` error; no deal gives
    /// zero totals with no currency.
    pub fn total(&self, period: PeriodKey, categories: &[Category]) -> Result<CurrencyTotals> {
        let per = self.totals_by_currency(period, categories)?;
        match per.as_slice() {
            [] => Ok(CurrencyTotals {
                currency: None,
                totals: Totals::default(),
            }),
            [(c, t)] => Ok(CurrencyTotals {
                currency: Some(c.clone()),
                totals: *t,
            }),
            more => Err(Error::invalid_input(format!(
                "mixed currencies without exchange rates: {}",
                more.iter()
                    .map(|(c, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}
