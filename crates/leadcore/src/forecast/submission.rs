//! Forecast submissions, manager adjustments and immutable weekly snapshots, kept in a
//! [`ForecastBook`]: plain serde data mutated only by methods that take `now`.
//!
//! **Calls are cumulative**: a commit call is the number the node expects to land in the span
//! (closed + commit); a best-case call adds best case. A node's *system* number on its own
//! deals is the matching [`Cumulative`] view of them.

use super::calendar::{FiscalCalendar, PeriodKey};
use super::category::Category;
use super::hierarchy::{
    Attainment, Cumulative, Hierarchy, HierarchyRollup, OwnedDeal, QuotaMode, Quotas, RollupSpec,
    check_money,
};
use super::pipeline::{ForecastDeal, Totals};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The format version of a serialised [`ForecastBook`].
pub const BOOK_VERSION: u32 = 1;

/// What happens to a rep's probability override when a deal's stage changes (the system
/// probability follows the stage; the override is the rep's own).
///
/// ```
/// use leadcore::forecast::ProbabilityPolicy as P;
/// assert_eq!(P::KeepOverride.on_stage_change(Some(0.9), 0.2), Some(0.9));
/// assert_eq!(P::ResyncOnStageChange.on_stage_change(Some(0.9), 0.2), None);
/// assert_eq!(P::ResyncWhenLower.on_stage_change(Some(0.3), 0.6), None);
/// assert_eq!(P::ResyncWhenLower.on_stage_change(Some(0.9), 0.6), Some(0.9));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbabilityPolicy {
    /// The override survives every stage change until the rep clears it.
    KeepOverride,
    /// Any stage change clears the override: the new stage's system probability applies.
    #[default]
    ResyncOnStageChange,
    /// On a stage change the override is cleared when it is lower than the new stage's system
    /// probability (the deal moved past the rep's caution) and kept otherwise.
    ResyncWhenLower,
}

impl ProbabilityPolicy {
    /// The override after a stage change to a stage of system probability `system`.
    pub fn on_stage_change(self, override_: Option<f64>, system: f64) -> Option<f64> {
        match self {
            ProbabilityPolicy::KeepOverride => override_,
            ProbabilityPolicy::ResyncOnStageChange => None,
            ProbabilityPolicy::ResyncWhenLower => override_.filter(|&o| o >= system),
        }
    }
}

/// A deal in the book: its owner, the deal as the CRM gives it (its `probability` is the
/// system probability) and the rep's probability override, kept apart.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::{BookDeal, ForecastDeal};
/// use leadcore::Money;
/// let d = ForecastDeal::new("O1", Money::new(100, "USD"), NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(), "Demo", 0.2);
/// let mut b = BookDeal { owner: "ana".into(), deal: d, probability_override: Some(0.7) };
/// assert_eq!((b.system_probability(), b.probability()), (0.2, 0.7));
/// b.probability_override = None;
/// assert_eq!(b.effective().probability, 0.2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookDeal {
    /// The owning node.
    pub owner: String,
    /// The deal; its `probability` is the system's.
    pub deal: ForecastDeal,
    /// The rep's probability, overriding the system's while set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_override: Option<f64>,
}

impl BookDeal {
    /// The system probability (from the stage or a model).
    pub fn system_probability(&self) -> f64 {
        self.deal.probability
    }

    /// The probability the forecast uses: the override when set, else the system's.
    pub fn probability(&self) -> f64 {
        self.probability_override.unwrap_or(self.deal.probability)
    }

    /// The deal with the probability the forecast uses.
    pub fn effective(&self) -> ForecastDeal {
        ForecastDeal {
            probability: self.probability(),
            ..self.deal.clone()
        }
    }
}

/// A node's forecast call for one span and category, with a note.
///
/// ```
/// let s: leadcore::forecast::Submission = serde_json::from_str(r#"{"node": "ana",
///   "period": {"year": 2026, "granularity": "quarter", "index": 1}, "category": "commit",
///   "amount": {"minor": 500, "currency": "USD"}, "note": "", "at": "2026-01-05T09:00:00Z"}"#).unwrap();
/// assert_eq!(s.amount.minor, 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Who calls (a call on the node's own deals).
    pub node: String,
    /// The span.
    pub period: PeriodKey,
    /// `commit` or `best_case` (cumulative: see the module docs).
    pub category: Category,
    /// The number.
    pub amount: Money,
    /// Why.
    pub note: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A manager's replacement of a subordinate's number (or of their own roll-up), kept apart
/// from the number it replaces.
///
/// ```
/// let a: leadcore::forecast::Adjustment = serde_json::from_str(r#"{"adjuster": "max", "target": "ana",
///   "period": {"year": 2026, "granularity": "quarter", "index": 1}, "category": "commit",
///   "amount": {"minor": 400, "currency": "USD"}, "note": "slips", "at": "2026-01-05T09:00:00Z"}"#).unwrap();
/// assert_eq!(a.target, "ana");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// Who adjusts: an ancestor of `target`, or `target` itself for its own roll-up.
    pub adjuster: String,
    /// Whose number.
    pub target: String,
    /// The span.
    pub period: PeriodKey,
    /// `commit` or `best_case`.
    pub category: Category,
    /// The adjusted number (replacing the target's roll-up).
    pub amount: Money,
    /// Why.
    pub note: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A subordinate's number as a manager sees it: the original and the adjustment, both kept.
///
/// ```
/// use leadcore::forecast::SubordinateCall;
/// let s = SubordinateCall { node: "ana".into(), original: 500, adjustment: None, effective: 500 };
/// assert_eq!(s.effective, s.original);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubordinateCall {
    /// The subordinate.
    pub node: String,
    /// Their call (their roll-up, or their own adjustment of it).
    pub original: i64,
    /// The adjustment that replaces it, by the highest adjuster visible to the viewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Adjustment>,
    /// The number that counts: the adjustment's, else the original.
    pub effective: i64,
}

/// A node's rolled-up call for one span and category, as that node sees it: its own part
/// (its submission, else the system number of its own deals) plus each direct subordinate's
/// effective number; and its own adjustment of the result, kept apart.
///
/// ```
/// use leadcore::forecast::CallRollup;
/// let json = r#"{"node":"ana","period":{"year":2026,"granularity":"quarter","index":1},"category":"commit",
///   "currency":null,"system_own":0,"own":0,"subordinates":[],"rolled":0,"call":0}"#;
/// let c: CallRollup = serde_json::from_str(json).unwrap();
/// assert_eq!(c.call, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRollup {
    /// The node.
    pub node: String,
    /// The span.
    pub period: PeriodKey,
    /// `commit` or `best_case`.
    pub category: Category,
    /// The currency of every number (`None` when nothing is known).
    pub currency: Option<String>,
    /// The system number of the node's own deals (the cumulative view of the category).
    pub system_own: i64,
    /// The node's latest submission, when it submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission: Option<Submission>,
    /// The own part: the submission's amount, else `system_own`.
    pub own: i64,
    /// Direct subordinates' numbers.
    pub subordinates: Vec<SubordinateCall>,
    /// `own` + Σ subordinates' effective numbers.
    pub rolled: i64,
    /// The node's own adjustment of its roll-up, when it made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Adjustment>,
    /// The node's call: its adjustment's amount, else `rolled`.
    pub call: i64,
}

/// A fiscal week: the fiscal year and the week counted from its first day (1..=53).
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::{FiscalCalendar, WeekKey};
/// let w = WeekKey::of(&FiscalCalendar::new(1).unwrap(), NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()).unwrap();
/// assert_eq!(w, WeekKey { year: 2026, week: 3 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekKey {
    /// Fiscal year.
    pub year: i32,
    /// Fiscal week, 1..=53.
    pub week: u8,
}

impl WeekKey {
    /// The fiscal week `date` falls in.
    pub fn of(calendar: &FiscalCalendar, date: NaiveDate) -> Result<WeekKey> {
        let f = calendar.period_of(date)?;
        Ok(WeekKey {
            year: f.year,
            week: f.week,
        })
    }
}

/// Everything a forecast is computed from: the hierarchy, the placement spec, the deals, the
/// quotas, the submissions and the adjustments. Read-only: a [`ForecastBook`] changes it, a
/// [`Snapshot`] freezes it.
///
/// ```
/// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, ForecastBook, Granularity, Hierarchy, ProbabilityPolicy, QuotaMode, ReportingLine, RollupSpec};
/// let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
/// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
/// let book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
/// assert!(book.state().deals().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastState {
    hierarchy: Hierarchy,
    spec: RollupSpec,
    quota_mode: QuotaMode,
    #[serde(default)]
    deals: BTreeMap<String, BookDeal>,
    #[serde(default)]
    quotas: Quotas,
    #[serde(default)]
    submissions: Vec<Submission>,
    #[serde(default)]
    adjustments: Vec<Adjustment>,
}

impl ForecastState {
    /// The reporting hierarchy.
    pub fn hierarchy(&self) -> &Hierarchy {
        &self.hierarchy
    }

    /// How deals are placed in spans and categories.
    pub fn spec(&self) -> &RollupSpec {
        &self.spec
    }

    /// How a node without a given quota gets one.
    pub fn quota_mode(&self) -> QuotaMode {
        self.quota_mode
    }

    /// The deals by id.
    pub fn deals(&self) -> &BTreeMap<String, BookDeal> {
        &self.deals
    }

    /// The given quotas.
    pub fn quotas(&self) -> &Quotas {
        &self.quotas
    }

    /// Every submission, in the order made (a later one supersedes an earlier one for the
    /// same node, span and category; all are kept).
    pub fn submissions(&self) -> &[Submission] {
        &self.submissions
    }

    /// Every adjustment, in the order made (all kept).
    pub fn adjustments(&self) -> &[Adjustment] {
        &self.adjustments
    }

    /// The deals with their owners and the probabilities the forecast uses.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # use leadcore::Money;
    /// # let h = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline).stage("Won", Category::Closed));
    /// # let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::SumChildren);
    /// # let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// # let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
    /// book.put_deal(now, "ana", ForecastDeal::new("O1", Money::new(10, "USD"), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(), "Demo", 0.2)).unwrap();
    /// book.override_probability(now, "O1", Some(0.6)).unwrap();
    /// assert_eq!(book.state().owned_deals()[0].deal.probability, 0.6);
    /// ```
    pub fn owned_deals(&self) -> Vec<OwnedDeal> {
        self.deals
            .values()
            .map(|d| OwnedDeal::new(d.owner.clone(), d.effective()))
            .collect()
    }

    /// The forecast rolled up along the hierarchy (see [`Hierarchy::rollup`]).
    ///
    /// ```
    /// # use leadcore::forecast::*;
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// assert!(book.state().rollup().unwrap().node("ana").is_some());
    /// ```
    pub fn rollup(&self) -> Result<HierarchyRollup> {
        self.hierarchy.rollup(&self.spec, &self.owned_deals())
    }

    /// Attainment and coverage of `node` in `period` against its quota (resolved with the
    /// book's [`QuotaMode`]).
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # use leadcore::Money;
    /// # let h = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline).stage("Won", Category::Closed));
    /// # let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::SumChildren);
    /// # let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// # let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
    /// book.put_deal(now, "ana", ForecastDeal::new("O1", Money::new(300, "USD"), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(), "Won", 1.0)).unwrap();
    /// book.set_quota(now, "ana", q1, Money::new(1000, "USD")).unwrap();
    /// // max has no quota of its own: the sum of its children's (QuotaMode::SumChildren).
    /// assert_eq!(book.state().attainment("max", q1).unwrap().attainment, Some(0.3));
    /// ```
    pub fn attainment(&self, node: &str, period: PeriodKey) -> Result<Attainment> {
        self.spec.check_period(period)?;
        let quota = self
            .quotas
            .resolve(&self.hierarchy, node, period, self.quota_mode)?;
        let rollup = self.rollup()?;
        let n = rollup.node(node).ok_or_else(|| unknown_node(node))?;
        n.attainment(period, quota.as_ref())
    }

    /// `node`'s rolled-up `category` call for `period`, as `node` sees it. A subordinate's
    /// number is replaced by the adjustment on it made by the highest adjuster between `node`
    /// (included) and the subordinate (adjustments from above `node` are not visible to
    /// it); among one adjuster's adjustments the latest wins. Mixed currencies are an
    /// `input.invalid` error.
    ///
    /// ```
    /// # use leadcore::forecast::*;
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
    /// let c = book.state().call("ana", q1, Category::Commit).unwrap();
    /// assert_eq!((c.call, c.currency), (0, None));
    /// ```
    pub fn call(&self, node: &str, period: PeriodKey, category: Category) -> Result<CallRollup> {
        self.spec.check_period(period)?;
        let view = call_view(category)?;
        if !self.hierarchy.contains(node) {
            return Err(unknown_node(node));
        }
        let rollup = self.rollup()?;
        let h = &self.hierarchy;
        // Latest submission per node; adjustments per target.
        let mut submitted: BTreeMap<&str, &Submission> = BTreeMap::new();
        for s in self
            .submissions
            .iter()
            .filter(|s| s.period == period && s.category == category)
        {
            submitted.insert(&s.node, s);
        }
        let mut adjusted: BTreeMap<&str, Vec<&Adjustment>> = BTreeMap::new();
        for a in self
            .adjustments
            .iter()
            .filter(|a| a.period == period && a.category == category)
        {
            adjusted.entry(&a.target).or_default().push(a);
        }
        // The adjustment on `target` visible to the viewer: by an adjuster at or below the
        // viewer, strictly above the target; the highest such adjuster, then the latest.
        let from_above = |target: &str| -> Option<&Adjustment> {
            let mut best: Option<(usize, &Adjustment)> = None;
            for a in adjusted.get(target).map(Vec::as_slice).unwrap_or_default() {
                let visible = a.adjuster != target
                    && h.is_ancestor(&a.adjuster, target)
                    && (a.adjuster == node || h.is_ancestor(node, &a.adjuster));
                let d = h.depth(&a.adjuster).unwrap_or(usize::MAX);
                if visible && best.is_none_or(|(bd, _)| d <= bd) {
                    best = Some((d, a));
                }
            }
            best.map(|(_, a)| a)
        };
        let own_adjustment = |target: &str| -> Option<&Adjustment> {
            adjusted
                .get(target)
                .and_then(|v| v.iter().rev().find(|a| a.adjuster == target).copied())
        };
        let mut calls: BTreeMap<&str, CallRollup> = BTreeMap::new();
        for &n in h.subtree(node).iter().rev() {
            let own_totals = rollup
                .node(n)
                .map(|r| r.own.total(period, view.categories()))
                .transpose()?;
            let mut currency = Sum::default();
            let system_own = match own_totals {
                Some(t) => {
                    currency.note(t.currency.as_deref())?;
                    t.totals.amount
                }
                None => 0,
            };
            let submission = submitted.get(n).map(|s| (*s).clone());
            let own = match &submission {
                Some(s) => {
                    currency.note(Some(&s.amount.currency))?;
                    s.amount.minor
                }
                None => system_own,
            };
            let mut rolled = own;
            let mut subordinates = Vec::new();
            for c in h.children(n) {
                let Some(child) = calls.remove(c.as_str()) else {
                    continue;
                };
                currency.note(child.currency.as_deref())?;
                let adjustment = from_above(c).cloned();
                let effective = match &adjustment {
                    Some(a) => {
                        currency.note(Some(&a.amount.currency))?;
                        a.amount.minor
                    }
                    None => child.call,
                };
                rolled = rolled.checked_add(effective).ok_or_else(overflow)?;
                subordinates.push(SubordinateCall {
                    node: c.clone(),
                    original: child.call,
                    adjustment,
                    effective,
                });
            }
            let adjustment = own_adjustment(n).cloned();
            let call = match &adjustment {
                Some(a) => {
                    currency.note(Some(&a.amount.currency))?;
                    a.amount.minor
                }
                None => rolled,
            };
            calls.insert(
                n,
                CallRollup {
                    node: n.to_owned(),
                    period,
                    category,
                    currency: currency.0,
                    system_own,
                    submission,
                    own,
                    subordinates,
                    rolled,
                    adjustment,
                    call,
                },
            );
        }
        calls.remove(node).ok_or_else(|| unknown_node(node))
    }
}

/// The one currency seen so far.
#[derive(Default)]
struct Sum(Option<String>);

impl Sum {
    fn note(&mut self, currency: Option<&str>) -> Result<()> {
        match (&self.0, currency) {
            (_, None) => Ok(()),
            (None, Some(c)) => {
                self.0 = Some(c.to_owned());
                Ok(())
            }
            (Some(have), Some(c)) if have == c => Ok(()),
            (Some(have), Some(c)) => Err(Error::invalid_input(format!(
                "mixed currencies without exchange rates: {have}, {c}"
            ))),
        }
    }
}

fn overflow() -> Error {
    Error::invalid_input("amounts overflow i64 minor units")
}

fn unknown_node(node: &str) -> Error {
    Error::invalid_input(format!("node `{node}` is not in the hierarchy"))
}

/// The cumulative view a call category stands for.
fn call_view(category: Category) -> Result<Cumulative> {
    match category {
        Category::Commit => Ok(Cumulative::Commit),
        Category::BestCase => Ok(Cumulative::BestCase),
        other => Err(Error::invalid_input(format!(
            "forecast calls are commit or best_case, not {other:?}"
        ))),
    }
}

/// A frozen copy of a book's state, taken for one fiscal week: deals (amounts, categories,
/// probabilities), quotas, submissions, adjustments and the hierarchy as they were. Nothing
/// can change it; a later reorganisation leaves its roll-up as it was.
///
/// ```
/// # use leadcore::forecast::*;
/// # use chrono::{TimeZone, Utc};
/// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
/// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
/// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
/// let now = Utc.with_ymd_and_hms(2026, 1, 9, 17, 0, 0).unwrap();
/// let snap = book.snapshot(now, WeekKey { year: 2026, week: 2 }).unwrap();
/// assert_eq!((snap.week(), snap.taken_at()), (WeekKey { year: 2026, week: 2 }, now));
/// assert!(book.snapshot(now, WeekKey { year: 2026, week: 2 }).is_err()); // never replaced
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    week: WeekKey,
    taken_at: DateTime<Utc>,
    state: ForecastState,
}

impl Snapshot {
    /// The fiscal week it was taken for.
    pub fn week(&self) -> WeekKey {
        self.week
    }

    /// When it was taken.
    pub fn taken_at(&self) -> DateTime<Utc> {
        self.taken_at
    }

    /// The frozen state.
    pub fn state(&self) -> &ForecastState {
        &self.state
    }

    /// What changed from this snapshot to `later`: per deal (added, removed, moved category or
    /// span, amount, probability, owner) and per node cell (node, currency, span, category:
    /// totals before and after, with counts of deals added, removed, moved in, moved out and
    /// changed in amount). Each side is read with its own hierarchy.
    ///
    /// ```
    /// # use leadcore::forecast::*;
    /// # use chrono::{TimeZone, Utc};
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// let t = Utc.with_ymd_and_hms(2026, 1, 9, 17, 0, 0).unwrap();
    /// let a = book.snapshot(t, WeekKey { year: 2026, week: 2 }).unwrap().clone();
    /// let b = book.snapshot(t, WeekKey { year: 2026, week: 3 }).unwrap();
    /// let diff = a.compare(b).unwrap();
    /// assert!(diff.deals.is_empty() && diff.cells.is_empty());
    /// ```
    pub fn compare(&self, later: &Snapshot) -> Result<SnapshotDiff> {
        let before = placements(&self.state)?;
        let after = placements(&later.state)?;
        let mut cells: BTreeMap<CellKey, CellDelta> = BTreeMap::new();
        for (side, state) in [(0, &self.state), (1, &later.state)] {
            for (node, r) in state.rollup()?.nodes() {
                for row in r.total.rows() {
                    let cell = cell_entry(
                        &mut cells,
                        (
                            node.to_owned(),
                            row.currency.clone(),
                            row.period,
                            row.category,
                        ),
                    );
                    if side == 0 {
                        cell.before = row.totals;
                    } else {
                        cell.after = row.totals;
                    }
                }
            }
        }
        let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        let mut deals = Vec::new();
        for id in ids {
            let b = before.get(id);
            let a = after.get(id);
            let keys_of = |p: Option<&DealPlacement>, state: &ForecastState| -> BTreeSet<CellKey> {
                p.map(|p| {
                    std::iter::once(p.owner.as_str())
                        .chain(state.hierarchy.ancestors(&p.owner))
                        .map(|n| {
                            (
                                n.to_owned(),
                                p.amount.currency.clone(),
                                p.period,
                                p.category,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
            };
            let kb = keys_of(b, &self.state);
            let ka = keys_of(a, &later.state);
            let mut changes = Vec::new();
            match (b, a) {
                (None, Some(_)) => {
                    changes.push(DealChangeKind::Added);
                    for k in &ka {
                        cell_entry(&mut cells, k.clone()).added += 1;
                    }
                }
                (Some(_), None) => {
                    changes.push(DealChangeKind::Removed);
                    for k in &kb {
                        cell_entry(&mut cells, k.clone()).removed += 1;
                    }
                }
                (Some(b), Some(a)) => {
                    if b.category != a.category {
                        changes.push(DealChangeKind::CategoryMoved);
                    }
                    if b.period != a.period {
                        changes.push(DealChangeKind::PeriodMoved);
                    }
                    if b.amount != a.amount {
                        changes.push(DealChangeKind::AmountChanged);
                    }
                    if b.probability != a.probability {
                        changes.push(DealChangeKind::ProbabilityChanged);
                    }
                    if b.owner != a.owner {
                        changes.push(DealChangeKind::OwnerChanged);
                    }
                    for k in kb.difference(&ka) {
                        cell_entry(&mut cells, k.clone()).moved_out += 1;
                    }
                    for k in ka.difference(&kb) {
                        cell_entry(&mut cells, k.clone()).moved_in += 1;
                    }
                    if b.amount != a.amount {
                        for k in ka.intersection(&kb) {
                            cell_entry(&mut cells, k.clone()).amount_changed += 1;
                        }
                    }
                }
                (None, None) => {}
            }
            if !changes.is_empty() {
                deals.push(DealChange {
                    id: id.clone(),
                    before: b.cloned(),
                    after: a.cloned(),
                    changes,
                });
            }
        }
        let cells = cells
            .into_values()
            .filter(|c| {
                c.before != c.after
                    || c.added + c.removed + c.moved_in + c.moved_out + c.amount_changed > 0
            })
            .collect();
        Ok(SnapshotDiff {
            from: self.week,
            to: later.week,
            deals,
            cells,
        })
    }
}

type CellKey = (String, String, PeriodKey, Category);

fn cell_entry(cells: &mut BTreeMap<CellKey, CellDelta>, key: CellKey) -> &mut CellDelta {
    cells
        .entry(key)
        .or_insert_with_key(|(node, currency, period, category)| CellDelta {
            node: node.clone(),
            currency: currency.clone(),
            period: *period,
            category: *category,
            before: Totals::default(),
            after: Totals::default(),
            added: 0,
            removed: 0,
            moved_in: 0,
            moved_out: 0,
            amount_changed: 0,
        })
}

fn placements(state: &ForecastState) -> Result<BTreeMap<String, DealPlacement>> {
    let pipeline = state.spec.pipeline();
    let mut out = BTreeMap::new();
    for (id, d) in &state.deals {
        let deal = d.effective();
        let (period, category) = pipeline.place(&deal)?;
        out.insert(
            id.clone(),
            DealPlacement {
                owner: d.owner.clone(),
                period,
                category,
                amount: deal.amount.clone(),
                probability: deal.probability,
                weighted: deal.weighted_minor()?,
            },
        );
    }
    Ok(out)
}

/// Where a deal counted in one snapshot.
///
/// ```
/// use leadcore::forecast::{Category, DealPlacement, Granularity, PeriodKey};
/// use leadcore::Money;
/// let p = DealPlacement { owner: "ana".into(), period: PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 },
///     category: Category::Commit, amount: Money::new(100, "USD"), probability: 0.5, weighted: 50 };
/// assert_eq!(p.weighted, 50);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealPlacement {
    /// The owning node.
    pub owner: String,
    /// The span it closes in.
    pub period: PeriodKey,
    /// Its category.
    pub category: Category,
    /// Its amount.
    pub amount: Money,
    /// The probability used.
    pub probability: f64,
    /// Amount × probability, in minor units.
    pub weighted: i64,
}

/// One way a deal changed between two snapshots.
///
/// ```
/// use leadcore::forecast::DealChangeKind;
/// assert_eq!(serde_json::to_string(&DealChangeKind::CategoryMoved).unwrap(), r#""category_moved""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealChangeKind {
    /// Only in the later snapshot.
    Added,
    /// Only in the earlier snapshot.
    Removed,
    /// Its category changed.
    CategoryMoved,
    /// Its close span changed.
    PeriodMoved,
    /// Its amount (or currency) changed.
    AmountChanged,
    /// Its probability changed.
    ProbabilityChanged,
    /// Its owner changed.
    OwnerChanged,
}

/// A deal that changed between two snapshots.
///
/// ```
/// use leadcore::forecast::{DealChange, DealChangeKind};
/// let c = DealChange { id: "O1".into(), before: None, after: None, changes: vec![DealChangeKind::Added] };
/// assert_eq!(c.changes, [DealChangeKind::Added]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealChange {
    /// The deal id.
    pub id: String,
    /// Where it counted before (`None` if added).
    pub before: Option<DealPlacement>,
    /// Where it counts after (`None` if removed).
    pub after: Option<DealPlacement>,
    /// How it changed.
    pub changes: Vec<DealChangeKind>,
}

/// How one node's cell (its roll-up total in one currency, span and category) changed
/// between two snapshots. A deal counts in the cells of its owner and the owner's ancestors.
///
/// ```
/// use leadcore::forecast::{Category, CellDelta, Granularity, PeriodKey, Totals};
/// let c = CellDelta { node: "max".into(), currency: "USD".into(),
///     period: PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 }, category: Category::Commit,
///     before: Totals::default(), after: Totals { count: 1, amount: 10, weighted: 5 },
///     added: 1, removed: 0, moved_in: 0, moved_out: 0, amount_changed: 0 };
/// assert_eq!(c.after.amount - c.before.amount, 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellDelta {
    /// The node.
    pub node: String,
    /// The currency.
    pub currency: String,
    /// The span.
    pub period: PeriodKey,
    /// The category.
    pub category: Category,
    /// The node's total in the earlier snapshot.
    pub before: Totals,
    /// The node's total in the later snapshot.
    pub after: Totals,
    /// Deals new in the cell (not in the earlier snapshot at all).
    pub added: u64,
    /// Deals gone from the book that were in the cell.
    pub removed: u64,
    /// Deals that moved into the cell (another category, span, currency or owner before).
    pub moved_in: u64,
    /// Deals that moved out of the cell.
    pub moved_out: u64,
    /// Deals that stayed in the cell with another amount.
    pub amount_changed: u64,
}

/// What changed between two snapshots (see [`Snapshot::compare`]).
///
/// ```
/// use leadcore::forecast::{SnapshotDiff, WeekKey};
/// let d = SnapshotDiff { from: WeekKey { year: 2026, week: 1 }, to: WeekKey { year: 2026, week: 2 }, deals: vec![], cells: vec![] };
/// assert!(d.deals.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotDiff {
    /// The earlier snapshot's week.
    pub from: WeekKey,
    /// The later snapshot's week.
    pub to: WeekKey,
    /// Deals that changed, by id.
    pub deals: Vec<DealChange>,
    /// Node cells that changed, by node, currency, span and category.
    pub cells: Vec<CellDelta>,
}

/// The forecast book: the live [`ForecastState`], the probability policy and the weekly
/// snapshots. Plain serde data (`"version": 1`); every change goes through a method that
/// takes `now` and refuses a `now` earlier than the last change; a refused change leaves the
/// book as it was.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use leadcore::forecast::*;
/// use leadcore::Money;
/// let h = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max")]).unwrap();
/// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter,
///     CategoryMap::new(Category::Pipeline).stage("Negotiation", Category::Commit));
/// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::ResyncOnStageChange, QuotaMode::GivenOnly);
/// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
/// book.put_deal(now, "ana", ForecastDeal::new("O1", Money::new(1000, "USD"), day, "Negotiation", 0.6)).unwrap();
/// let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
/// book.submit(now, "ana", q1, Category::Commit, Money::new(800, "USD"), "one risk").unwrap();
/// book.adjust(now, "max", "ana", q1, Category::Commit, Money::new(600, "USD"), "too hopeful").unwrap();
/// let call = book.state().call("max", q1, Category::Commit).unwrap();
/// assert_eq!((call.subordinates[0].original, call.call), (800, 600));
/// assert_eq!(book.adjust(now, "ana", "max", q1, Category::Commit, Money::new(1, "USD"), "").unwrap_err().code(), "input.invalid");
/// let json = serde_json::to_string(&book).unwrap();
/// assert_eq!(serde_json::from_str::<ForecastBook>(&json).unwrap(), book);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawBook")]
pub struct ForecastBook {
    version: u32,
    policy: ProbabilityPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<DateTime<Utc>>,
    state: ForecastState,
    #[serde(default)]
    snapshots: Vec<Snapshot>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    version: u32,
    policy: ProbabilityPolicy,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    state: ForecastState,
    #[serde(default)]
    snapshots: Vec<Snapshot>,
}

impl TryFrom<RawBook> for ForecastBook {
    type Error = Error;
    fn try_from(raw: RawBook) -> Result<Self> {
        if raw.version != BOOK_VERSION {
            return Err(ErrorKind::UnsupportedVersion {
                what: "forecast book".into(),
                found: raw.version,
                supported: BOOK_VERSION,
            }
            .into());
        }
        if !raw.snapshots.windows(2).all(|w| match w {
            [a, b] => a.week < b.week,
            _ => true,
        }) {
            return Err(Error::invalid_input(
                "forecast book snapshots must be in week order, one per week",
            ));
        }
        for d in raw.state.deals.values() {
            if !raw.state.hierarchy.contains(&d.owner) {
                return Err(Error::invalid_input(format!(
                    "deal {}: owner `{}` is not in the hierarchy",
                    d.deal.id, d.owner
                )));
            }
        }
        Ok(ForecastBook {
            version: raw.version,
            policy: raw.policy,
            updated_at: raw.updated_at,
            state: raw.state,
            snapshots: raw.snapshots,
        })
    }
}

impl ForecastBook {
    /// An empty book over `hierarchy`, placing deals with `spec`.
    pub fn new(
        hierarchy: Hierarchy,
        spec: RollupSpec,
        policy: ProbabilityPolicy,
        quota_mode: QuotaMode,
    ) -> Self {
        ForecastBook {
            version: BOOK_VERSION,
            policy,
            updated_at: None,
            state: ForecastState {
                hierarchy,
                spec,
                quota_mode,
                deals: BTreeMap::new(),
                quotas: Quotas::default(),
                submissions: Vec::new(),
                adjustments: Vec::new(),
            },
            snapshots: Vec::new(),
        }
    }

    /// The format version (always [`BOOK_VERSION`]).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The probability policy.
    pub fn policy(&self) -> ProbabilityPolicy {
        self.policy
    }

    /// The time of the last change.
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated_at
    }

    /// The live state.
    pub fn state(&self) -> &ForecastState {
        &self.state
    }

    /// Every snapshot, in week order.
    pub fn snapshots(&self) -> &[Snapshot] {
        &self.snapshots
    }

    /// The snapshot of `week`, if one was taken.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # use leadcore::Money;
    /// # let h = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline).stage("Won", Category::Closed));
    /// # let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::SumChildren);
    /// # let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// # let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
    /// let w = WeekKey { year: 2026, week: 2 };
    /// assert!(book.snapshot_of(w).is_none());
    /// book.snapshot(now, w).unwrap();
    /// assert_eq!(book.snapshot_of(w).unwrap().taken_at(), now);
    /// assert_eq!((book.version(), book.updated_at()), (1, Some(now)));
    /// ```
    pub fn snapshot_of(&self, week: WeekKey) -> Option<&Snapshot> {
        self.snapshots
            .binary_search_by_key(&week, |s| s.week)
            .ok()
            .and_then(|i| self.snapshots.get(i))
    }

    fn check_time(&self, now: DateTime<Utc>) -> Result<()> {
        match self.updated_at {
            Some(last) if now < last => Err(ErrorKind::TimeWentBackwards {
                last: last.to_rfc3339(),
                now: now.to_rfc3339(),
            }
            .into()),
            _ => Ok(()),
        }
    }

    fn check_node(&self, node: &str) -> Result<()> {
        if self.state.hierarchy.contains(node) {
            Ok(())
        } else {
            Err(unknown_node(node))
        }
    }

    /// Adds or updates a deal from the CRM: `deal.probability` is the system probability.
    /// An existing deal keeps the rep's probability override, unless its stage changed and
    /// the [`ProbabilityPolicy`] clears it. An unknown owner or an invalid deal is refused.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # use leadcore::Money;
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::ResyncOnStageChange, QuotaMode::GivenOnly);
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    /// let deal = ForecastDeal::new("O1", Money::new(100, "USD"), day, "Demo", 0.2);
    /// book.put_deal(now, "ana", deal.clone()).unwrap();
    /// book.override_probability(now, "O1", Some(0.9)).unwrap();
    /// book.put_deal(now, "ana", ForecastDeal { stage: "Proposal".into(), probability: 0.5, ..deal }).unwrap();
    /// assert_eq!(book.state().deals()["O1"].probability(), 0.5); // override cleared
    /// assert!(book.put_deal(now, "nobody", ForecastDeal::new("O2", Money::new(1, "USD"), day, "Demo", 0.2)).is_err());
    /// ```
    pub fn put_deal(&mut self, now: DateTime<Utc>, owner: &str, deal: ForecastDeal) -> Result<()> {
        self.check_time(now)?;
        self.check_node(owner)?;
        deal.validate()?;
        self.state.spec.pipeline().place(&deal)?;
        let probability_override = match self.state.deals.get(&deal.id) {
            Some(old) if old.deal.stage != deal.stage => self
                .policy
                .on_stage_change(old.probability_override, deal.probability),
            Some(old) => old.probability_override,
            None => None,
        };
        self.state.deals.insert(
            deal.id.clone(),
            BookDeal {
                owner: owner.to_owned(),
                deal,
                probability_override,
            },
        );
        self.updated_at = Some(now);
        Ok(())
    }

    /// Sets (`Some`) or clears (`None`) the rep's probability on a deal; a probability outside
    /// `[0, 1]` or an unknown deal is refused.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// assert!(book.override_probability(now, "O404", Some(0.5)).is_err());
    /// ```
    pub fn override_probability(
        &mut self,
        now: DateTime<Utc>,
        deal_id: &str,
        probability: Option<f64>,
    ) -> Result<()> {
        self.check_time(now)?;
        if let Some(p) = probability
            && !(p.is_finite() && (0.0..=1.0).contains(&p))
        {
            return Err(Error::invalid_input(format!(
                "deal {deal_id}: probability {p} is not in [0, 1]"
            )));
        }
        let d = self
            .state
            .deals
            .get_mut(deal_id)
            .ok_or_else(|| Error::invalid_input(format!("no deal `{deal_id}` in the book")))?;
        d.probability_override = probability;
        self.updated_at = Some(now);
        Ok(())
    }

    /// Removes a deal (an unknown id is refused).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// assert!(book.remove_deal(Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(), "O404").is_err());
    /// ```
    pub fn remove_deal(&mut self, now: DateTime<Utc>, deal_id: &str) -> Result<BookDeal> {
        self.check_time(now)?;
        let d = self
            .state
            .deals
            .remove(deal_id)
            .ok_or_else(|| Error::invalid_input(format!("no deal `{deal_id}` in the book")))?;
        self.updated_at = Some(now);
        Ok(d)
    }

    /// Sets the given quota of `node` in `period`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # use leadcore::Money;
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
    /// book.set_quota(now, "ana", q1, Money::new(1000, "USD")).unwrap();
    /// assert_eq!(book.state().attainment("ana", q1).unwrap().quota, Some(1000));
    /// ```
    pub fn set_quota(
        &mut self,
        now: DateTime<Utc>,
        node: &str,
        period: PeriodKey,
        amount: Money,
    ) -> Result<()> {
        self.check_time(now)?;
        self.check_node(node)?;
        self.state.spec.check_period(period)?;
        self.state.quotas.set(node, period, amount)?;
        self.updated_at = Some(now);
        Ok(())
    }

    fn check_call(&self, period: PeriodKey, category: Category, amount: &Money) -> Result<()> {
        self.state.spec.check_period(period)?;
        call_view(category)?;
        check_money("forecast call", amount)
    }

    /// Records `node`'s call on its own deals for `period` and `category` (`commit` or
    /// `best_case`, cumulative). An unknown node is refused.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # use leadcore::Money;
    /// # let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
    /// assert!(book.submit(now, "zed", q1, Category::Commit, Money::new(1, "USD"), "").is_err());
    /// book.submit(now, "ana", q1, Category::BestCase, Money::new(900, "USD"), "two upsides").unwrap();
    /// assert_eq!(book.state().submissions().len(), 1);
    /// ```
    pub fn submit(
        &mut self,
        now: DateTime<Utc>,
        node: &str,
        period: PeriodKey,
        category: Category,
        amount: Money,
        note: impl Into<String>,
    ) -> Result<()> {
        self.check_time(now)?;
        self.check_node(node)?;
        self.check_call(period, category, &amount)?;
        self.state.submissions.push(Submission {
            node: node.to_owned(),
            period,
            category,
            amount,
            note: note.into(),
            at: now,
        });
        self.updated_at = Some(now);
        Ok(())
    }

    /// Records `adjuster`'s replacement of `target`'s number. The adjuster must be an
    /// ancestor of the target, or the target itself (adjusting its own roll-up); anyone else
    /// is refused with an `input.invalid` error, as are unknown nodes.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # use leadcore::Money;
    /// # let h = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max"), ReportingLine::under("bo", "max")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
    /// assert!(book.adjust(now, "bo", "ana", q1, Category::Commit, Money::new(1, "USD"), "").is_err()); // a peer
    /// book.adjust(now, "max", "max", q1, Category::Commit, Money::new(5, "USD"), "own roll-up").unwrap();
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn adjust(
        &mut self,
        now: DateTime<Utc>,
        adjuster: &str,
        target: &str,
        period: PeriodKey,
        category: Category,
        amount: Money,
        note: impl Into<String>,
    ) -> Result<()> {
        self.check_time(now)?;
        self.check_node(adjuster)?;
        self.check_node(target)?;
        if adjuster != target && !self.state.hierarchy.is_ancestor(adjuster, target) {
            return Err(Error::invalid_input(format!(
                "`{adjuster}` cannot adjust `{target}`'s forecast: not above it in the hierarchy"
            )));
        }
        self.check_call(period, category, &amount)?;
        self.state.adjustments.push(Adjustment {
            adjuster: adjuster.to_owned(),
            target: target.to_owned(),
            period,
            category,
            amount,
            note: note.into(),
            at: now,
        });
        self.updated_at = Some(now);
        Ok(())
    }

    /// Moves `node` under `parent` (or makes it a root), or adds it when new: a
    /// reorganisation. Snapshots keep the hierarchy they were taken with.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::forecast::*;
    /// # let h = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max")]).unwrap();
    /// # let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let mut book = ForecastBook::new(h, spec, ProbabilityPolicy::KeepOverride, QuotaMode::GivenOnly);
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// book.reorganize(now, "kim", None).unwrap();
    /// book.reorganize(now, "ana", Some("kim")).unwrap();
    /// assert_eq!(book.state().hierarchy().parent("ana"), Some("kim"));
    /// assert!(book.reorganize(now, "kim", Some("ana")).is_err()); // a cycle
    /// ```
    pub fn reorganize(
        &mut self,
        now: DateTime<Utc>,
        node: &str,
        parent: Option<&str>,
    ) -> Result<()> {
        self.check_time(now)?;
        self.state.hierarchy = self.state.hierarchy.with_node(node, parent)?;
        self.updated_at = Some(now);
        Ok(())
    }

    /// Freezes the live state as the snapshot of `week` and returns it. A week that already
    /// has a snapshot is refused: snapshots never change.
    pub fn snapshot(&mut self, now: DateTime<Utc>, week: WeekKey) -> Result<&Snapshot> {
        self.check_time(now)?;
        if !(1..=53).contains(&week.week) {
            return Err(Error::invalid_input(format!(
                "fiscal week {} is not in 1..=53",
                week.week
            )));
        }
        let i = match self.snapshots.binary_search_by_key(&week, |s| s.week) {
            Ok(_) => {
                return Err(Error::invalid_input(format!(
                    "week {}-W{} already has a snapshot; snapshots never change",
                    week.year, week.week
                )));
            }
            Err(i) => i,
        };
        self.snapshots.insert(
            i,
            Snapshot {
                week,
                taken_at: now,
                state: self.state.clone(),
            },
        );
        self.updated_at = Some(now);
        self.snapshots
            .get(i)
            .ok_or_else(|| Error::invalid_input("snapshot lost"))
    }
}
