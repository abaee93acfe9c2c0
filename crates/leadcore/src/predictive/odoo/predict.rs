//! Naive Bayes probabilities from a frequency table (Odoo's
//! `_pls_get_naive_bayes_probabilities`).

use super::model::{OdooModel, OdooRecord, STAGE, TAG};
use super::round::odoo_percent;
use super::table::FrequencyTable;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which rows a lead was scored against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    /// Its own team's rows.
    Team,
    /// Every team's rows plus the no-team rows (no team, or a team without rows).
    All,
}

/// One (variable, value) that multiplied the scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// `stage_id`, a field, or `tag_id`.
    pub variable: String,
    /// The lead's value.
    pub value: String,
    /// `won(value) / Σ won` (for the stage: over the first stage's won count).
    pub won: f64,
    /// `lost(value) / Σ lost` (for the stage: over the first stage's lost count).
    pub lost: f64,
}

/// How a probability came about: the prior, each factor in the order applied, the values
/// that had no row, and the two scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OdooExplanation {
    /// The pool.
    pub pool: PoolKind,
    /// Prior won share (the first stage's won / (won + lost)).
    pub prior_won: f64,
    /// Prior lost share.
    pub prior_lost: f64,
    /// Factors, in Odoo's order (stage, fields in configuration order, tags).
    pub factors: Vec<Factor>,
    /// (variable, value) pairs with no row in the pool (or a zero total): no effect.
    pub skipped: Vec<(String, String)>,
    /// Final won score.
    pub s_won: f64,
    /// Final lost score.
    pub s_lost: f64,
}

/// A lead's probability in percent: 0 without a stage, 100 in a won stage, else in
/// [0.01, 99.99]; `None` when the pool has no first-stage row (no history: Odoo leaves the
/// stored probability as it was) or the scores underflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OdooPrediction {
    /// Lead id.
    pub id: String,
    /// Percent, two decimals.
    pub probability: Option<f64>,
    /// The explanation, when asked for and a naive Bayes score was computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<OdooExplanation>,
}

/// One variable of a pool.
#[derive(Debug, Default, Clone)]
pub(crate) struct PoolVar {
    pub(crate) values: BTreeMap<String, (f64, f64)>,
    pub(crate) won_total: f64,
    pub(crate) lost_total: f64,
}

/// The rows a lead is scored against, summed per value, with the first stage's counts.
#[derive(Debug, Default, Clone)]
pub(crate) struct Pool {
    pub(crate) kind: Option<PoolKind>,
    pub(crate) vars: BTreeMap<String, PoolVar>,
    pub(crate) team_won: f64,
    pub(crate) team_lost: f64,
    pub(crate) team_total: f64,
}

/// Every team's pool and the all-rows pool.
#[derive(Debug, Clone)]
pub(crate) struct Pools {
    pub(crate) teams: BTreeMap<String, Pool>,
    pub(crate) all: Pool,
}

/// Tag rows with fewer than this many won + lost are ignored (Odoo's rule).
const TAG_MIN: f64 = 50.0;

impl Pools {
    pub(crate) fn build(model: &OdooModel, table: &FrequencyTable) -> Pools {
        let mut teams = BTreeMap::new();
        let mut all = Pool {
            kind: Some(PoolKind::All),
            ..Pool::default()
        };
        for (team, vars) in &table.teams {
            let mut pool = Pool {
                kind: Some(PoolKind::Team),
                ..Pool::default()
            };
            for (var, values) in vars {
                for (value, c) in values {
                    let (w, l) = (c.won_f(), c.lost_f());
                    if var == TAG && w + l < TAG_MIN {
                        continue;
                    }
                    if team.0.is_some() {
                        let pv = pool.vars.entry(var.clone()).or_default();
                        pv.values.insert(value.clone(), (w, l));
                        pv.won_total += w;
                        pv.lost_total += l;
                    }
                    let av = all.vars.entry(var.clone()).or_default();
                    let e = av.values.entry(value.clone()).or_insert((0.0, 0.0));
                    e.0 += w;
                    e.1 += l;
                    av.won_total += w;
                    av.lost_total += l;
                }
            }
            if let Some(id) = &team.0 {
                pool.set_prior(model);
                teams.insert(id.clone(), pool);
            }
        }
        all.set_prior(model);
        Pools { teams, all }
    }

    pub(crate) fn pool(&self, team: Option<&str>) -> &Pool {
        team.and_then(|t| self.teams.get(t)).unwrap_or(&self.all)
    }
}

impl Pool {
    fn set_prior(&mut self, model: &OdooModel) {
        let first = model.first_stage();
        if let Some(&(w, l)) = self.vars.get(STAGE).and_then(|v| v.values.get(first)) {
            self.team_won = w;
            self.team_lost = l;
            self.team_total = w + l;
        }
    }
}

/// The running state of Odoo's batch loop (what makes the stale-prior quirk).
pub(crate) struct Walker<'p> {
    save: Option<&'p Pool>,
    p_won: f64,
    p_lost: f64,
    team_won: f64,
    team_lost: f64,
    bug_compatible: bool,
}

impl<'p> Walker<'p> {
    pub(crate) fn new(bug_compatible: bool) -> Self {
        Walker {
            save: None,
            p_won: 1.0,
            p_lost: 1.0,
            team_won: 0.0,
            team_lost: 0.0,
            bug_compatible,
        }
    }

    /// Switches to `pool`; `false` when the lead gets no probability.
    pub(crate) fn enter(&mut self, pool: &'p Pool) -> bool {
        let same = self.save.is_some_and(|s| std::ptr::eq(s, pool));
        if self.bug_compatible && same {
            return true;
        }
        self.save = Some(pool);
        self.team_won = pool.team_won;
        self.team_lost = pool.team_lost;
        if pool.team_won == 0.0 || pool.team_lost == 0.0 {
            return false;
        }
        self.p_won = pool.team_won / pool.team_total;
        self.p_lost = pool.team_lost / pool.team_total;
        true
    }

    pub(crate) fn prior(&self) -> (f64, f64) {
        (self.p_won, self.p_lost)
    }

    /// The factor of one (variable, value), or `None` when it has no effect.
    #[inline]
    pub(crate) fn factor(
        &self,
        var: &PoolVar,
        is_stage: bool,
        value: (f64, f64),
    ) -> Option<(f64, f64)> {
        let (tw, tl) = if is_stage {
            (self.team_won, self.team_lost)
        } else {
            (var.won_total, var.lost_total)
        };
        if tw == 0.0 || tl == 0.0 {
            return None;
        }
        Some((value.0 / tw, value.1 / tl))
    }
}

/// `clamp(round(100 · s_won / (s_won + s_lost), 2))`, or `None` if the scores underflowed.
#[inline]
pub(crate) fn finish(s_won: f64, s_lost: f64) -> Option<f64> {
    let denom = s_won + s_lost;
    if denom > 0.0 && denom.is_finite() {
        Some(odoo_percent(s_won / denom))
    } else {
        None
    }
}

impl OdooModel {
    /// One lead's probability against `table`, with its explanation.
    ///
    /// ```
    /// use leadcore::predictive::odoo::*;
    /// let m = OdooModel::new(OdooConfig::new(vec![OdooStage::new("a", 1), OdooStage::won("w", 9)])).unwrap();
    /// let t = m.train(&[
    ///     OdooRecord::new("1").stage("a").status(OdooStatus::Lost),
    ///     OdooRecord::new("2").stage("w").status(OdooStatus::Won),
    /// ]).unwrap();
    /// assert_eq!(m.predict(&t, &OdooRecord::new("3").stage("a")).probability, Some(50.0));
    /// assert_eq!(m.predict(&t, &OdooRecord::new("4").stage("w")).probability, Some(100.0));
    /// assert_eq!(m.predict(&t, &OdooRecord::new("5")).probability, Some(0.0));
    /// ```
    pub fn predict(&self, table: &FrequencyTable, record: &OdooRecord) -> OdooPrediction {
        match self.predict_batch(table, std::slice::from_ref(record), true) {
            Ok(mut v) if !v.is_empty() => v.swap_remove(0),
            _ => OdooPrediction {
                id: record.id.clone(),
                probability: None,
                explanation: None,
            },
        }
    }

    /// Every lead's probability, in order, as one Odoo batch (the order matters only with
    /// `bug_compatible`, see the module documentation). An unknown stage is an error.
    pub fn predict_batch(
        &self,
        table: &FrequencyTable,
        records: &[OdooRecord],
        explain: bool,
    ) -> Result<Vec<OdooPrediction>> {
        let pools = Pools::build(self, table);
        let mut walker = Walker::new(self.config.bug_compatible);
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let (probability, explanation) = self.predict_one(&pools, &mut walker, r, explain)?;
            out.push(OdooPrediction {
                id: r.id.clone(),
                probability,
                explanation,
            });
        }
        Ok(out)
    }

    fn predict_one<'p>(
        &self,
        pools: &'p Pools,
        walker: &mut Walker<'p>,
        r: &OdooRecord,
        explain: bool,
    ) -> Result<(Option<f64>, Option<OdooExplanation>)> {
        let Some(stage) = self.record_stage(r)? else {
            return Ok((Some(0.0), None));
        };
        if self.is_won_stage(stage) {
            return Ok((Some(100.0), None));
        }
        let pool = pools.pool(r.team.as_deref());
        if !walker.enter(pool) {
            return Ok((None, None));
        }
        let (p_won, p_lost) = walker.prior();
        let (mut s_won, mut s_lost) = (p_won, p_lost);
        let mut factors = Vec::new();
        let mut skipped = Vec::new();
        let vars = std::iter::once((STAGE, stage)).chain(self.value_vars(r));
        for (var, value) in vars {
            let f = pool.vars.get(var).and_then(|pv| {
                pv.values
                    .get(value)
                    .and_then(|&v| walker.factor(pv, var == STAGE, v))
            });
            match f {
                Some((fw, fl)) => {
                    s_won *= fw;
                    s_lost *= fl;
                    if explain {
                        factors.push(Factor {
                            variable: var.to_owned(),
                            value: value.to_owned(),
                            won: fw,
                            lost: fl,
                        });
                    }
                }
                None if explain => skipped.push((var.to_owned(), value.to_owned())),
                None => {}
            }
        }
        let explanation = explain.then(|| OdooExplanation {
            pool: pool.kind.unwrap_or(PoolKind::All),
            prior_won: p_won,
            prior_lost: p_lost,
            factors,
            skipped,
            s_won,
            s_lost,
        });
        Ok((finish(s_won, s_lost), explanation))
    }
}
