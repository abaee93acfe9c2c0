//! The columnar path of pipeline metrics: opportunities as columns and their stage entries
//! as one long table of `(deal, stage, at)` rows, the shape a CRM's stage-history export
//! has. Same definitions and same numbers as adding each [`DealHistory`] one by one (a
//! property test holds them equal), without a string or an allocation per row.
//!
//! [`DealHistory`]: super::DealHistory

use super::pipeline::{DealView, GroupedMetrics, PipelineMetrics, add_i128};
use crate::error::{Error, Result};
use crate::lifecycle::StageKind;
use std::sync::Arc;

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
    /// The columns' shape: lengths and indices in range (no value checked).
    pub(crate) fn check_columns(
        &self,
        deals: &DealColumns,
        entries: &StageEntryColumns,
    ) -> Result<()> {
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
        Ok(())
    }

    /// Adds every opportunity of `deals` with its entries: the same as adding each as a
    /// [`DealHistory`](super::DealHistory), without a string or an allocation per row.
    ///
    /// Refused, leaving the accumulator unchanged (`input.invalid`, naming the deal and the
    /// row): columns of different lengths, a deal, stage or currency index out of range, a
    /// negative amount, a deal's entries out of time order, an entry before its creation, a
    /// current stage that is not the last entry's.
    pub fn add_columns(&mut self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        self.check_columns(deals, entries)?;
        let n = deals.len();
        let stages = self.spec().stages().len();
        let bad = |m: String| Err(Error::invalid_input(m));
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
        if stages <= 32 {
            let mut fresh = PipelineMetrics::new(self.spec_arc());
            fresh.stream(deals, entries)?;
            return self.merge(fresh);
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

/// One deal's running state in the streaming pass (rows in any order across deals): 24 bytes,
/// so the deals in flight stay in cache.
#[derive(Clone, Copy, Default)]
struct Running {
    /// The last entry known at the snapshot.
    last_at: i64,
    /// Open stages first entered in the period and not yet converted (bits).
    pending: u32,
    /// Stages entered in the period (bits).
    entered: u32,
    last_stage: u16,
    /// `HAS_ENTRY`, `KNOWN`, `QUALIFIED`, `BEYOND`.
    flags: u8,
}

const HAS_ENTRY: u8 = 1;
const KNOWN: u8 = 2;
const QUALIFIED: u8 = 4;
/// Has an entry at or after the snapshot (kept aside in `beyond`).
const BEYOND: u8 = 8;

/// Deals per partition (2^14 × 24 bytes of running state: within a core's L2 cache).
const PART_BITS: u32 = 14;

/// The rows packed `(deal, stage, at)` and partitioned by deal range, each deal's rows kept
/// in table order (a stable counting scatter), so the pass over one partition touches only
/// its deals' state.
fn partition(n: usize, e: &StageEntryColumns) -> Vec<(u32, u32, i64)> {
    let parts = (n >> PART_BITS) + 1;
    let mut next = vec![0usize; parts + 1];
    for &d in &e.deal {
        next[(d >> PART_BITS) as usize + 1] += 1;
    }
    for p in 0..parts {
        next[p + 1] += next[p];
    }
    let mut out = vec![(0u32, 0u32, 0i64); e.deal.len()];
    for ((&d, &s), &t) in e.deal.iter().zip(&e.stage).zip(&e.at) {
        let slot = &mut next[(d >> PART_BITS) as usize];
        out[*slot] = (d, s, t);
        *slot += 1;
    }
    out
}

impl PipelineMetrics {
    /// The pass over rows in table order for pipelines of at most 32 stages: per deal, a
    /// small running state; per row, a few bit operations. A row out of time order within
    /// its deal, or before its creation, is an error (the caller's accumulator is untouched:
    /// this one is fresh).
    fn stream(&mut self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        let spec = self.spec_arc();
        let st = spec.stages();
        let ns = st.len();
        let (from, to) = (
            spec.period().from.timestamp_micros(),
            spec.period().to.timestamp_micros(),
        );
        let qualify = spec.qualified_from.and_then(|q| st.rank(q));
        // Per stage: the open stages of lower rank it converts, whether it qualifies.
        let mut converts = vec![0u32; ns];
        let mut qualifies = vec![qualify.is_none(); ns];
        for (s, c) in converts.iter_mut().enumerate() {
            if let Some(r) = st.rank(s) {
                for o in 0..ns {
                    if st.kind(o) == StageKind::Open && st.rank(o).is_some_and(|ro| ro < r) {
                        *c |= 1 << o;
                    }
                }
                qualifies[s] = qualify.is_none_or(|q| r >= q);
            }
        }
        let open_bits: u32 = (0..ns)
            .filter(|&s| st.kind(s) == StageKind::Open && st.rank(s).is_some())
            .fold(0, |m, s| m | 1 << s);
        let n = deals.len();
        let ncur = deals.currencies.len().max(1);
        let mut state = vec![Running::default(); n];
        let mut beyond: Vec<(i64, u16)> = Vec::new();
        let mut entered = vec![0u64; ns];
        let mut converted = vec![0u64; ns];
        // value entered per (stage, currency): sum and whether any amount was added
        let mut value = vec![(0i128, false); ns * ncur];
        let amount_of = |d: usize| match (deals.amount.get(d), deals.currency.get(d)) {
            (Some(&Some(a)), Some(&c)) => Some((c as usize, a)),
            _ => None,
        };
        let out_of_order = |d: usize| {
            Error::invalid_input(format!(
                "opportunity {}: an entry is before the entry before it",
                deals.name(d)
            ))
        };
        let mut dwell: Vec<Vec<i64>> = vec![Vec::new(); ns];
        for (d, s, t) in partition(n, entries) {
            let (d, s) = (d as usize, s as usize);
            let r = &mut state[d];
            if r.flags & HAS_ENTRY == 0 {
                if let Some(&Some(c)) = deals.created.get(d)
                    && t < c
                {
                    return Err(Error::invalid_input(format!(
                        "opportunity {}: an entry is before its creation",
                        deals.name(d)
                    )));
                }
            } else if t < r.last_at {
                return Err(out_of_order(d));
            }
            if t >= to {
                if beyond.is_empty() {
                    beyond = vec![(i64::MIN, 0); n];
                }
                if r.flags & BEYOND != 0 && t < beyond[d].0 {
                    return Err(out_of_order(d));
                }
                beyond[d] = (t, s as u16);
                r.flags |= HAS_ENTRY | BEYOND;
                continue;
            }
            if r.flags & BEYOND != 0 {
                return Err(out_of_order(d)); // before an entry at or after the snapshot
            }
            let in_period = from <= t;
            if r.flags & KNOWN != 0 && in_period {
                dwell[r.last_stage as usize].push((t - r.last_at) / 1_000_000);
            }
            // conversions of earlier first entries to this later ranked stage
            let done = r.pending & converts[s];
            if done != 0 {
                r.pending &= !done;
                let mut bits = done;
                while bits != 0 {
                    converted[bits.trailing_zeros() as usize] += 1;
                    bits &= bits - 1;
                }
            }
            if in_period && r.entered & (1 << s) == 0 {
                r.entered |= 1 << s;
                entered[s] += 1;
                r.pending |= open_bits & (1 << s);
                if let Some((c, a)) = amount_of(d) {
                    let v = &mut value[s * ncur + c];
                    v.0 += i128::from(a);
                    v.1 = true;
                }
            }
            if qualifies[s] {
                r.flags |= QUALIFIED;
            }
            r.flags |= HAS_ENTRY | KNOWN;
            r.last_at = t;
            r.last_stage = s as u16;
        }
        // Per deal: the stage at the snapshot, the current-stage check, closes.
        let mut in_stage = vec![0u64; ns];
        let mut value_in = vec![(0i128, false); ns * ncur];
        let mut won_value = vec![(0i128, false); ncur];
        for (d, r) in state.iter().enumerate() {
            let given = deals.stage.get(d).copied().flatten();
            let last_any = if r.flags & BEYOND != 0 {
                beyond[d].1
            } else {
                r.last_stage
            };
            if let Some(g) = given
                && r.flags & HAS_ENTRY != 0
                && g != u32::from(last_any)
            {
                return Err(Error::invalid_input(format!(
                    "opportunity {}: stage {g} is not the last entry's ({last_any})",
                    deals.name(d)
                )));
            }
            let created = deals.created.get(d).copied().flatten();
            let (cur, entered_at) = if r.flags & KNOWN != 0 {
                (r.last_stage as usize, Some(r.last_at))
            } else if r.flags & HAS_ENTRY == 0 && created.is_none_or(|c| c < to) {
                match given {
                    Some(g) => (g as usize, None),
                    None => continue,
                }
            } else {
                continue;
            };
            in_stage[cur] += 1;
            let amount = amount_of(d);
            if let Some((c, a)) = amount {
                let v = &mut value_in[cur * ncur + c];
                v.0 += i128::from(a);
                v.1 = true;
            }
            let qualified = match qualify {
                None => true,
                Some(_) => r.flags & QUALIFIED != 0 || (r.flags & KNOWN == 0 && qualifies[cur]),
            };
            if !qualified {
                continue;
            }
            let kind = st.kind(cur);
            let closed_in_period = entered_at.is_some_and(|t| from <= t && t < to);
            match kind {
                StageKind::Open => self.open_qualified += 1,
                StageKind::Won | StageKind::Lost if closed_in_period => {
                    let split = if deals.expansion.get(d).copied().unwrap_or(false) {
                        &mut self.expansion
                    } else {
                        &mut self.new_business
                    };
                    if kind == StageKind::Won {
                        split.won += 1;
                        if let Some((c, a)) = amount {
                            won_value[c].0 += i128::from(a);
                            won_value[c].1 = true;
                            self.won_with_amount += 1;
                        }
                        if let (Some(c), Some(t)) = (created, entered_at) {
                            self.cycle.push((t - c) / 1_000_000);
                        }
                    } else {
                        split.lost += 1;
                    }
                }
                _ => {}
            }
        }
        self.opportunities += n as u64;
        let currency = |c: usize| deals.currencies.get(c).map_or("", String::as_str);
        for (s, acc) in self.stages.iter_mut().enumerate() {
            acc.entered += entered[s];
            acc.converted += converted[s];
            acc.in_stage += in_stage[s];
            acc.dwell = std::mem::take(&mut dwell[s]);
            for c in 0..ncur {
                if value[s * ncur + c].1 {
                    add_i128(&mut acc.value_entered, currency(c), value[s * ncur + c].0);
                }
                if value_in[s * ncur + c].1 {
                    add_i128(
                        &mut acc.value_in_stage,
                        currency(c),
                        value_in[s * ncur + c].0,
                    );
                }
            }
        }
        for (c, v) in won_value.iter().enumerate() {
            if v.1 {
                add_i128(&mut self.won_value, currency(c), v.0);
            }
        }
        Ok(())
    }
}

/// Which group each opportunity of a [`DealColumns`] falls in, for
/// [`GroupedMetrics::add_columns`]: the distinct key values (one value per key of the
/// grouping, in its order; `None` for a missing value) and, per deal, an index into them.
///
/// ```
/// let g = leadcore::analytics::DealGroups {
///     keys: vec![vec![Some("Ann".into())], vec![None]],
///     of: vec![0, 1, 0],
/// };
/// assert_eq!(g.of.len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealGroups {
    /// The key values of each group.
    pub keys: Vec<Vec<Option<String>>>,
    /// Per deal, its group (index into `keys`); empty: every deal in one group of the
    /// first key values (or of none, without keys).
    pub of: Vec<u32>,
}

fn micros_text(t: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t).map_or_else(|| t.to_string(), |d| d.to_rfc3339())
}

impl GroupedMetrics {
    /// Adds every opportunity of `deals`, with its entries, to its group: the same as
    /// [`GroupedMetrics::add`] of each as a [`DealHistory`](super::DealHistory) in deal
    /// order, the same errors first (a negative amount, an entry out of time order or before
    /// the creation, a current stage that is not the last entry's, reported for the first
    /// deal at fault with the row path's message), without a string or an allocation per
    /// row. Refused as a whole, leaving the accumulator unchanged; also refused: the
    /// [`PipelineMetrics::add_columns`] errors, a group index out of range, keys of the wrong
    /// width.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::analytics::{DealColumns, DealGroups, GroupedMetrics, MetricsSpec, Period, PipelineStages, SliceKey, StageDef, StageEntryColumns};
    /// use leadcore::StageKind;
    /// let stages = PipelineStages::new("deals", vec![StageDef::new("Open", StageKind::Open),
    ///     StageDef::new("Won", StageKind::Won)]).unwrap();
    /// let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let spec = MetricsSpec::new(stages, Period { from: t(1), to: t(7) }, None).unwrap();
    /// let deals = DealColumns { ids: vec!["A".into(), "B".into()], ..Default::default() };
    /// let groups = DealGroups { keys: vec![vec![Some("Ann".into())], vec![Some("Bob".into())]], of: vec![1, 0] };
    /// let entries = StageEntryColumns { deal: vec![0, 1], stage: vec![1, 0], at: vec![t(2).timestamp_micros(); 2] };
    /// let mut g = GroupedMetrics::new(spec, vec![SliceKey::Owner]);
    /// g.add_columns(&deals, &groups, &entries).unwrap();
    /// let r = g.finish().unwrap();
    /// assert_eq!(r[0].key["owner"].as_deref(), Some("Ann"));
    /// assert_eq!(r[0].report.stages[0].in_stage, 1); // B, still Open
    /// ```
    pub fn add_columns(
        &mut self,
        deals: &DealColumns,
        groups: &DealGroups,
        entries: &StageEntryColumns,
    ) -> Result<()> {
        let n = deals.len();
        let bad = |m: String| Err(Error::invalid_input(m));
        if !groups.of.is_empty() && groups.of.len() != n {
            return bad(format!(
                "deal groups: {} values for {n} deals",
                groups.of.len()
            ));
        }
        if let Some(k) = groups.keys.iter().find(|k| k.len() != self.by.len()) {
            return bad(format!(
                "deal groups: a key of {} values for {} group keys",
                k.len(),
                self.by.len()
            ));
        }
        if let Some(&g) = groups.of.iter().find(|&&g| g as usize >= groups.keys.len()) {
            return bad(format!("deal groups: group {g} of {}", groups.keys.len()));
        }
        if groups.of.is_empty() && groups.keys.is_empty() && !self.by.is_empty() && n > 0 {
            return bad("deal groups: no keys for a grouping".into());
        }
        // Checked as a whole first (lengths, indices), then in deal order with the row
        // path's messages.
        PipelineMetrics::new(Arc::clone(&self.spec)).check_columns(deals, entries)?;
        self.check_in_deal_order(deals, entries)?;
        let whole = |g: &Self| -> Vec<Option<String>> {
            groups
                .keys
                .first()
                .cloned()
                .unwrap_or_else(|| vec![None; g.by.len()])
        };
        let single = groups.of.is_empty() || groups.of.iter().all(|&g| g == groups.of[0]);
        if single {
            if n == 0 {
                return Ok(());
            }
            let key = match groups.of.first() {
                Some(&g) => groups.keys.get(g as usize).cloned().unwrap_or_default(),
                None => whole(self),
            };
            let mut fresh = PipelineMetrics::new(Arc::clone(&self.spec));
            fresh.add_columns(deals, entries)?;
            return self.merge_group(key, fresh);
        }
        // Split by group: local deal indices, each group's columns and entries.
        let ng = groups.keys.len();
        let mut local = vec![0u32; n];
        let mut sizes = vec![0u32; ng];
        for (d, &g) in groups.of.iter().enumerate() {
            local[d] = sizes[g as usize];
            sizes[g as usize] += 1;
        }
        let mut parts: Vec<(DealColumns, StageEntryColumns)> = (0..ng)
            .map(|g| {
                let k = sizes[g] as usize;
                let cap = |has: bool| if has { k } else { 0 };
                (
                    DealColumns {
                        ids: Vec::with_capacity(cap(!deals.ids.is_empty())),
                        amount: Vec::with_capacity(cap(!deals.amount.is_empty())),
                        currency: Vec::with_capacity(cap(!deals.currency.is_empty())),
                        currencies: deals.currencies.clone(),
                        expansion: Vec::with_capacity(cap(!deals.expansion.is_empty())),
                        created: Vec::with_capacity(cap(!deals.created.is_empty())),
                        stage: Vec::with_capacity(cap(!deals.stage.is_empty())),
                    },
                    StageEntryColumns::default(),
                )
            })
            .collect();
        for (d, &g) in groups.of.iter().enumerate() {
            let Some((p, _)) = parts.get_mut(g as usize) else {
                continue;
            };
            if let Some(x) = deals.ids.get(d) {
                p.ids.push(x.clone());
            }
            if let Some(&x) = deals.amount.get(d) {
                p.amount.push(x);
            }
            if let Some(&x) = deals.currency.get(d) {
                p.currency.push(x);
            }
            if let Some(&x) = deals.expansion.get(d) {
                p.expansion.push(x);
            }
            if let Some(&x) = deals.created.get(d) {
                p.created.push(x);
            }
            if let Some(&x) = deals.stage.get(d) {
                p.stage.push(x);
            }
        }
        for ((&d, &s), &t) in entries.deal.iter().zip(&entries.stage).zip(&entries.at) {
            let (Some(&g), Some(&l)) = (groups.of.get(d as usize), local.get(d as usize)) else {
                continue;
            };
            if let Some((_, e)) = parts.get_mut(g as usize) {
                e.deal.push(l);
                e.stage.push(s);
                e.at.push(t);
            }
        }
        let mut done: Vec<(Vec<Option<String>>, PipelineMetrics)> = Vec::new();
        for (g, (cols, ents)) in parts.into_iter().enumerate() {
            if sizes[g] == 0 {
                continue;
            }
            let mut fresh = PipelineMetrics::new(Arc::clone(&self.spec));
            fresh.add_columns(&cols, &ents)?;
            done.push((groups.keys[g].clone(), fresh));
        }
        for (key, m) in done {
            self.merge_group(key, m)?;
        }
        Ok(())
    }

    /// The row path's checks, in deal order, with its messages.
    fn check_in_deal_order(&self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        let n = deals.len();
        let g = group(n, entries);
        let st = self.spec.stages();
        let name = |s: u32| st.stages().get(s as usize).map_or("", |d| d.name.as_str());
        for d in 0..n {
            let bad = |m: String| {
                Err(Error::invalid_input(format!(
                    "opportunity {}: {m}",
                    deals.name(d)
                )))
            };
            if let Some(Some(a)) = deals.amount.get(d)
                && *a < 0
            {
                return bad(format!("negative amount {a}"));
            }
            let (lo, hi) = (g.offsets[d], g.offsets[d + 1]);
            let created = deals.created.get(d).copied().flatten();
            let mut prev: Option<i64> = None;
            for k in 0..hi - lo {
                let (t, s) = (g.at[lo + k], g.stage[lo + k]);
                if prev.is_some_and(|p| t < p) {
                    return bad(format!(
                        "history[{k}] at {} is before the entry before it",
                        micros_text(t)
                    ));
                }
                if let Some(c) = created
                    && t < c
                {
                    return bad(format!(
                        "history[{k}] (`{}` at {}) is before its creation at {}",
                        name(s),
                        micros_text(t),
                        micros_text(c)
                    ));
                }
                prev = Some(t);
            }
            if let (Some(&Some(s)), Some(&last)) = (deals.stage.get(d), g.stage[lo..hi].last())
                && s != last
            {
                return bad(format!(
                    "stage `{}` is not the last history entry's (`{}`)",
                    name(s),
                    name(last)
                ));
            }
        }
        Ok(())
    }

    fn merge_group(&mut self, key: Vec<Option<String>>, m: PipelineMetrics) -> Result<()> {
        match self.groups.get_mut(&key) {
            Some(mine) => mine.merge(m),
            None => {
                self.groups.insert(key, m);
                Ok(())
            }
        }
    }
}
