//! The frequency table: `(team, variable, value) → won, lost`, to one decimal.

use super::model::{OdooModel, OdooRecord, OdooStatus, STAGE, team_order};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The table's serialised schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// Largest count a row may hold (Odoo's `numeric(16, 1)`), in tenths.
const MAX_TENTHS: i64 = 10_i64.pow(16);

/// A team key ordered as Odoo's `team_id asc`: numeric ids first, no team last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TeamKey(pub(crate) Option<String>);

impl Ord for TeamKey {
    fn cmp(&self, other: &Self) -> Ordering {
        team_order(self.0.as_deref(), other.0.as_deref()).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for TeamKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Counts in tenths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    pub(crate) won: i64,
    pub(crate) lost: i64,
}

impl Cell {
    pub(crate) fn won_f(self) -> f64 {
        self.won as f64 / 10.0
    }
    pub(crate) fn lost_f(self) -> f64 {
        self.lost as f64 / 10.0
    }
}

pub(crate) type Variables = BTreeMap<String, BTreeMap<String, Cell>>;

/// One row of a [`FrequencyTable`] as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencyRow {
    /// Sales team, or none.
    pub team: Option<String>,
    /// `stage_id`, a configured field, or `tag_id`.
    pub variable: String,
    /// The value, as text.
    pub value: String,
    /// Won count (one decimal).
    pub won: f64,
    /// Lost count (one decimal).
    pub lost: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    schema_version: u32,
    rows: Vec<FrequencyRow>,
}

/// Odoo's `crm.lead.scoring.frequency`: per team, per variable, per value, won and lost
/// counts kept to one decimal. Serialises (versioned, rows in a fixed order) so a host trains
/// offline and scores online.
///
/// ```
/// use leadcore::predictive::odoo::FrequencyTable;
/// let t: FrequencyTable = serde_json::from_str(r#"{"schema_version":1,"rows":[
///   {"team":"1","variable":"stage_id","value":"1","won":1.1,"lost":2.1}]}"#).unwrap();
/// assert_eq!(t.get(Some("1"), "stage_id", "1"), Some((1.1, 2.1)));
/// assert!(serde_json::from_str::<FrequencyTable>(r#"{"schema_version":9,"rows":[]}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawTable", into = "RawTable")]
pub struct FrequencyTable {
    pub(crate) teams: BTreeMap<TeamKey, Variables>,
}

fn tenths(x: f64, what: &str) -> std::result::Result<i64, String> {
    if !x.is_finite() || x < 0.0 || x * 10.0 >= MAX_TENTHS as f64 {
        return Err(format!(
            "odoo: a frequency row's {what} count must be a number from 0 to 10^15, not {x}"
        ));
    }
    Ok((x * 10.0).round() as i64)
}

impl TryFrom<RawTable> for FrequencyTable {
    // A plain message: serde wraps it into its own error, which the caller makes an
    // `input.invalid` (a version mismatch is caught before, with its own code).
    type Error = String;
    fn try_from(raw: RawTable) -> std::result::Result<Self, String> {
        if raw.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "odoo: frequency table schema_version {} is not supported (expected {SCHEMA_VERSION})",
                raw.schema_version
            ));
        }
        let mut t = FrequencyTable::default();
        for r in raw.rows {
            let cell = Cell {
                won: tenths(r.won, "won")?,
                lost: tenths(r.lost, "lost")?,
            };
            let team = t.teams.entry(TeamKey(r.team.clone())).or_default();
            let values = team.entry(r.variable.clone()).or_default();
            if values.insert(r.value.clone(), cell).is_some() {
                return Err(format!(
                    "odoo: frequency row ({:?}, {}, {}) is listed twice",
                    r.team, r.variable, r.value
                ));
            }
        }
        Ok(t)
    }
}

impl From<FrequencyTable> for RawTable {
    fn from(t: FrequencyTable) -> Self {
        RawTable {
            schema_version: SCHEMA_VERSION,
            rows: t.rows(),
        }
    }
}

/// Whole-lead counts per variable and value, while training.
type Tally<'r> = BTreeMap<&'r str, BTreeMap<&'r str, (i64, i64)>>;

/// One lead's contribution: (variable, value, won, lost) in whole leads.
pub(crate) type Contribution<'r> = (&'r str, &'r str, i64, i64);

impl FrequencyTable {
    /// An empty table.
    pub fn new() -> Self {
        FrequencyTable::default()
    }

    /// Every row, by team (Odoo's order: numeric ids first, no team last), variable, value.
    pub fn rows(&self) -> Vec<FrequencyRow> {
        let mut out = Vec::new();
        for (team, vars) in &self.teams {
            for (var, values) in vars {
                for (value, c) in values {
                    out.push(FrequencyRow {
                        team: team.0.clone(),
                        variable: var.clone(),
                        value: value.clone(),
                        won: c.won_f(),
                        lost: c.lost_f(),
                    });
                }
            }
        }
        out
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.teams
            .values()
            .flat_map(|v| v.values())
            .map(BTreeMap::len)
            .sum()
    }

    /// Whether the table has no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A row's `(won, lost)`.
    pub fn get(&self, team: Option<&str>, variable: &str, value: &str) -> Option<(f64, f64)> {
        self.teams
            .get(&TeamKey(team.map(str::to_owned)))?
            .get(variable)?
            .get(value)
            .map(|c| (c.won_f(), c.lost_f()))
    }

    pub(crate) fn cell_mut(
        &mut self,
        team: Option<&str>,
        variable: &str,
        value: &str,
    ) -> Option<&mut Cell> {
        self.teams
            .get_mut(&TeamKey(team.map(str::to_owned)))?
            .get_mut(variable)?
            .get_mut(value)
    }

    pub(crate) fn insert(&mut self, team: Option<&str>, variable: &str, value: &str, c: Cell) {
        self.teams
            .entry(TeamKey(team.map(str::to_owned)))
            .or_default()
            .entry(variable.to_owned())
            .or_default()
            .insert(value.to_owned(), c);
    }

    pub(crate) fn remove(&mut self, team: Option<&str>, variable: &str, value: &str) {
        let key = TeamKey(team.map(str::to_owned));
        let Some(vars) = self.teams.get_mut(&key) else {
            return;
        };
        if let Some(values) = vars.get_mut(variable) {
            values.remove(value);
            if values.is_empty() {
                vars.remove(variable);
            }
        }
        if vars.is_empty() {
            self.teams.remove(&key);
        }
    }
}

impl OdooModel {
    /// What a record closing as `target` adds to the table (Odoo's `_pls_prepare_frequencies`):
    /// 1 to each of its values, and to every stage when won or to every stage whose sequence
    /// is ≤ its own when lost. A record without a stage adds nothing to the stages.
    pub(crate) fn contributions<'r>(
        &'r self,
        r: &'r OdooRecord,
        target: OdooStatus,
    ) -> Result<Vec<Contribution<'r>>> {
        let (w, l) = match target {
            OdooStatus::Won => (1, 0),
            OdooStatus::Lost => (0, 1),
            OdooStatus::Open => return Ok(Vec::new()),
        };
        let mut out = Vec::new();
        if let Some(stage) = self.record_stage(r)? {
            let own = self.stage(stage)?.sequence;
            for s in &self.config.stages {
                if w == 1 || s.sequence <= own {
                    out.push((STAGE, s.id.as_str(), w, l));
                }
            }
        }
        for (var, value) in self.value_vars(r) {
            out.push((var, value, w, l));
        }
        Ok(out)
    }

    /// Builds the table from closed records in one pass (Odoo's full rebuild,
    /// `_cron_update_automated_probabilities`): open records and records created before the
    /// start date are skipped; every row gets 0.1 on both sides on top of its counts.
    ///
    /// ```
    /// use leadcore::predictive::odoo::*;
    /// let m = OdooModel::new(OdooConfig::new(vec![OdooStage::new("a", 1), OdooStage::won("w", 9)])).unwrap();
    /// let t = m.train(&[OdooRecord::new("1").stage("a").status(OdooStatus::Lost)]).unwrap();
    /// assert_eq!(t.get(None, "stage_id", "a"), Some((0.1, 1.1)));
    /// assert_eq!(t.get(None, "stage_id", "w"), None);
    /// ```
    pub fn train(&self, records: &[OdooRecord]) -> Result<FrequencyTable> {
        let mut counts: BTreeMap<TeamKey, Tally<'_>> = BTreeMap::new();
        for r in records {
            if r.status == OdooStatus::Open || !self.in_window(r) {
                continue;
            }
            let team = counts.entry(TeamKey(r.team.clone())).or_default();
            for (var, value, w, l) in self.contributions(r, r.status)? {
                let c = team.entry(var).or_default().entry(value).or_default();
                c.0 += w;
                c.1 += l;
            }
        }
        let mut t = FrequencyTable::default();
        for (team, vars) in counts {
            let tv = t.teams.entry(team).or_default();
            for (var, values) in vars {
                let tvals = tv.entry(var.to_owned()).or_default();
                for (value, (w, l)) in values {
                    tvals.insert(
                        value.to_owned(),
                        Cell {
                            won: (w * 10 + 1).min(MAX_TENTHS - 1),
                            lost: (l * 10 + 1).min(MAX_TENTHS - 1),
                        },
                    );
                }
            }
        }
        Ok(t)
    }

    /// Adds (`step` = 1) or removes (`step` = -1) one record closing as `target` (Odoo's
    /// `_pls_increment_frequencies` / `_pls_update_frequency_table`). An existing row moves
    /// by the record's counts and never goes below 0.1 on a side. A missing row is created
    /// with the counts plus 0.1; with `bug_compatible` off a decrement of a missing row is
    /// skipped and a row brought back to 0.1 / 0.1 is removed (see the module documentation).
    /// Records created before the start date are skipped.
    pub fn increment(
        &self,
        table: &mut FrequencyTable,
        record: &OdooRecord,
        target: OdooStatus,
        step: i8,
    ) -> Result<()> {
        if !self.in_window(record) {
            return Ok(());
        }
        let step = i64::from(step.signum());
        let team = record.team.as_deref();
        for (var, value, w, l) in self.contributions(record, target)? {
            if let Some(c) = table.cell_mut(team, var, value) {
                let nw = c.won + 10 * w * step;
                let nl = c.lost + 10 * l * step;
                c.won = if nw > 0 { nw.min(MAX_TENTHS - 1) } else { 1 };
                c.lost = if nl > 0 { nl.min(MAX_TENTHS - 1) } else { 1 };
                if !self.config.bug_compatible && step < 0 && c.won == 1 && c.lost == 1 {
                    table.remove(team, var, value);
                }
            } else if step > 0 || self.config.bug_compatible {
                table.insert(
                    team,
                    var,
                    value,
                    Cell {
                        won: 10 * w + 1,
                        lost: 10 * l + 1,
                    },
                );
            }
        }
        Ok(())
    }
}
