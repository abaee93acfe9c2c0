//! The columnar path of pipeline metrics: opportunities as columns and their stage entries
//! as one long table of `(deal, stage, at)` rows, the shape a CRM's stage-history export
//! has. Same definitions and same numbers as adding each [`DealHistory`] one by one (a
//! property test holds them equal), without a string or an allocation per row.
//!
//! [`DealHistory`]: super::DealHistory

use super::pipeline::{DealView, PipelineMetrics};
use crate::error::{Error, Result};

/// Opportunities as columns, for [`PipelineMetrics::add_columns`]. Every per-deal column has
/// one value per deal, or is empty (unknown for every deal: no amount, new business, no
/// creation date, no current stage).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::analytics::{DealColumns, MetricsSpec, Period, PipelineMetrics, PipelineStages, StageDef, StageEntryColumns};
/// use leadcore::StageKind;
/// let stages = PipelineStages::new("deals", vec![StageDef::new("Open", StageKind::Open),
///     StageDef::new("Won", StageKind::Won), StageDef::new("Lost", StageKind::Lost)]).unwrap();
/// let t = |m, d| Utc.with_ymd_and_hms(2017, m, d, 0, 0, 0).unwrap();
/// let spec = MetricsSpec::new(stages, Period { from: t(1, 1), to: t(7, 1) }, None).unwrap();
/// let day = |m, d| t(m, d).timestamp_micros();
/// let deals = DealColumns {
///     amount: vec![Some(1000), Some(0)],
///     currency: vec![0, 0],
///     currencies: vec!["USD".into()],
///     created: vec![Some(day(1, 1)), Some(day(1, 1))],
///     ..Default::default()
/// };
/// // deal 0: Open on 1 Jan, Won on 11 Jan; deal 1: Open on 1 Jan, Lost on 21 Jan
/// let entries = StageEntryColumns {
///     deal: vec![0, 1, 0, 1],
///     stage: vec![0, 0, 1, 2],
///     at: vec![day(1, 1), day(1, 1), day(1, 11), day(1, 21)],
/// };
/// let mut m = PipelineMetrics::new(spec);
/// m.add_columns(&deals, &entries).unwrap();
/// let r = m.finish().unwrap();
/// assert_eq!(r.win_rate.rate, Some(0.5));
/// assert_eq!(r.stages[0].dwell.median_seconds, Some(10 * 86_400));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealColumns {
    /// Opportunity ids, for error messages (empty: deals are named by their index).
    pub ids: Vec<String>,
    /// Amount in minor units (`None`: unknown).
    pub amount: Vec<Option<i64>>,
    /// Index into `currencies` of each amount's currency (read only where there is an amount).
    pub currency: Vec<u32>,
    /// The currency codes.
    pub currencies: Vec<String>,
    /// Upsell or cross-sell (`false`: new business).
    pub expansion: Vec<bool>,
    /// Creation, microseconds since the Unix epoch.
    pub created: Vec<Option<i64>>,
    /// The current stage (index into the spec's stages), read for a deal without entries.
    pub stage: Vec<Option<u32>>,
}

/// Stage entries as a long table: row `k` says deal `deal[k]` (index into the
/// [`DealColumns`]) entered stage `stage[k]` (index into the spec's stages) at `at[k]`
/// (microseconds since the Unix epoch). Rows may come in any order across deals (grouped by
/// deal is fastest); one deal's rows must be in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageEntryColumns {
    /// Deal index of each row.
    pub deal: Vec<u32>,
    /// Stage index of each row.
    pub stage: Vec<u32>,
    /// When, in microseconds since the epoch.
    pub at: Vec<i64>,
}

impl DealColumns {
    /// The number of deals: the length of the longest per-deal column.
    pub fn len(&self) -> usize {
        [
            self.ids.len(),
            self.amount.len(),
            self.currency.len(),
            self.expansion.len(),
            self.created.len(),
            self.stage.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    /// No deal.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn name(&self, d: usize) -> String {
        self.ids
            .get(d)
            .map_or_else(|| format!("#{d}"), |id| format!("`{id}`"))
    }
}

/// Entries grouped by deal: `offsets[d]..offsets[d + 1]` into `at` and `stage`.
struct Grouped<'a> {
    offsets: Vec<usize>,
    at: std::borrow::Cow<'a, [i64]>,
    stage: std::borrow::Cow<'a, [u32]>,
}

fn group<'a>(n: usize, e: &'a StageEntryColumns) -> Grouped<'a> {
    let mut offsets = vec![0usize; n + 1];
    for &d in &e.deal {
        offsets[d as usize + 1] += 1;
    }
    for d in 0..n {
        offsets[d + 1] += offsets[d];
    }
    if e.deal.windows(2).all(|w| w[0] <= w[1]) {
        return Grouped {
            offsets,
            at: std::borrow::Cow::Borrowed(&e.at),
            stage: std::borrow::Cow::Borrowed(&e.stage),
        };
    }
    // A stable counting sort by deal: each deal's rows keep their table order.
    let mut next = offsets.clone();
    let mut at = vec![0i64; e.at.len()];
    let mut stage = vec![0u32; e.stage.len()];
    for ((&d, &t), &s) in e.deal.iter().zip(&e.at).zip(&e.stage) {
        let slot = &mut next[d as usize];
        at[*slot] = t;
        stage[*slot] = s;
        *slot += 1;
    }
    Grouped {
        offsets,
        at: std::borrow::Cow::Owned(at),
        stage: std::borrow::Cow::Owned(stage),
    }
}

impl PipelineMetrics {
    /// Adds every opportunity of `deals` with its entries: the same as adding each as a
    /// [`DealHistory`](super::DealHistory), without a string or an allocation per row.
    ///
    /// Refused, leaving the accumulator unchanged (`input.invalid`, naming the deal and the
    /// row): columns of different lengths, a deal, stage or currency index out of range, a
    /// negative amount, a deal's entries out of time order, an entry before its creation, a
    /// current stage that is not the last entry's.
    pub fn add_columns(&mut self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        let n = deals.len();
        let bad = |m: String| Err(Error::invalid_input(m));
        for (name, len) in [
            ("ids", deals.ids.len()),
            ("amount", deals.amount.len()),
            ("currency", deals.currency.len()),
            ("expansion", deals.expansion.len()),
            ("created", deals.created.len()),
            ("stage", deals.stage.len()),
        ] {
            if len != 0 && len != n {
                return bad(format!(
                    "deal column `{name}` has {len} values for {n} deals"
                ));
            }
        }
        if !deals.amount.is_empty() && deals.currency.is_empty() {
            return bad("deal amounts without a `currency` column".into());
        }
        if entries.stage.len() != entries.deal.len() || entries.at.len() != entries.deal.len() {
            return bad(format!(
                "stage entry columns differ in length (deal {}, stage {}, at {})",
                entries.deal.len(),
                entries.stage.len(),
                entries.at.len()
            ));
        }
        let stages = self.spec().stages().len();
        for (k, (&d, &s)) in entries.deal.iter().zip(&entries.stage).enumerate() {
            if d as usize >= n {
                return bad(format!("stage entry row {k}: deal {d} of {n} deals"));
            }
            if s as usize >= stages {
                return bad(format!("stage entry row {k}: stage {s} of {stages} stages"));
            }
        }
        for d in 0..n {
            if let Some(Some(a)) = deals.amount.get(d)
                && *a < 0
            {
                return bad(format!(
                    "opportunity {}: negative amount {a}",
                    deals.name(d)
                ));
            }
            if let (Some(Some(_)), Some(&c)) = (deals.amount.get(d), deals.currency.get(d))
                && c as usize >= deals.currencies.len()
            {
                return bad(format!(
                    "opportunity {}: currency {c} of {}",
                    deals.name(d),
                    deals.currencies.len()
                ));
            }
            if let Some(&Some(s)) = deals.stage.get(d)
                && s as usize >= stages
            {
                return bad(format!(
                    "opportunity {}: stage {s} of {stages} stages",
                    deals.name(d)
                ));
            }
        }
        let g = group(n, entries);
        for d in 0..n {
            let (lo, hi) = (g.offsets[d], g.offsets[d + 1]);
            let at = &g.at[lo..hi];
            if let Some(k) = at.windows(2).position(|w| w[1] < w[0]) {
                return bad(format!(
                    "opportunity {}: its entry {} is before the entry before it",
                    deals.name(d),
                    k + 1
                ));
            }
            if let (Some(&Some(c)), Some(&first)) = (deals.created.get(d), at.first())
                && first < c
            {
                return bad(format!(
                    "opportunity {}: an entry is before its creation",
                    deals.name(d)
                ));
            }
            if let (Some(&Some(s)), Some(&last)) = (deals.stage.get(d), g.stage[lo..hi].last())
                && s != last
            {
                return bad(format!(
                    "opportunity {}: stage {s} is not the last entry's ({last})",
                    deals.name(d)
                ));
            }
        }
        for d in 0..n {
            let (lo, hi) = (g.offsets[d], g.offsets[d + 1]);
            let amount = match (deals.amount.get(d), deals.currency.get(d)) {
                (Some(&Some(a)), Some(&c)) => {
                    deals.currencies.get(c as usize).map(|c| (c.as_str(), a))
                }
                _ => None,
            };
            self.apply(&DealView {
                amount,
                expansion: deals.expansion.get(d).copied().unwrap_or(false),
                created: deals.created.get(d).copied().flatten(),
                stage: deals.stage.get(d).copied().flatten().map(|s| s as usize),
                at: &g.at[lo..hi],
                stages: &g.stage[lo..hi],
            });
        }
        Ok(())
    }
}
