//! The `odoo` mode over columns: training and scoring a million leads without a record each.

use super::model::{OdooModel, OdooStatus, STAGE};
use super::predict::{Pool, Pools, Walker, finish};
use super::table::{Cell, FrequencyTable};
use crate::columnar::{DictColumn, NULL_CODE};
use crate::error::{Error, Result};

/// The status column of a training table.
pub type StatusColumn<'a> = &'a [OdooStatus];

/// One configured field as a dictionary-encoded column ([`NULL_CODE`] or an empty string:
/// unset).
#[derive(Debug, Clone, Copy)]
pub struct OdooColumn<'a> {
    /// The configured field's name.
    pub name: &'a str,
    /// Its values.
    pub values: DictColumn<'a>,
}

/// Leads as columns: team, stage, status (training only) and one column per configured field
/// (every configured field, any order). Tags and the start date are not read over columns:
/// the caller filters rows by creation date, and a model using `tag_ids` is refused.
#[derive(Debug, Clone)]
pub struct OdooColumns<'a> {
    /// Team per row ([`NULL_CODE`]: no team).
    pub team: DictColumn<'a>,
    /// Stage id per row ([`NULL_CODE`]: no stage).
    pub stage: DictColumn<'a>,
    /// Status per row; may be empty when scoring.
    pub status: StatusColumn<'a>,
    /// The configured fields.
    pub fields: Vec<OdooColumn<'a>>,
}

const SKIP: u32 = u32::MAX;

/// Per configured field: the column, and each code's slot (dictionary code, the `"False"`
/// slot, or [`SKIP`]).
struct FieldSlots<'c> {
    column: DictColumn<'c>,
    slots: Vec<u32>,
    /// Slot count (dictionary size + 1 for a `"False"` slot).
    width: usize,
    false_slot: u32,
}

impl<'c> FieldSlots<'c> {
    fn slot(&self, row: usize) -> u32 {
        match self.column.codes.get(row) {
            Some(&c) if c != NULL_CODE => self.slots.get(c as usize).copied().unwrap_or(SKIP),
            _ => self.slots.last().copied().unwrap_or(SKIP),
        }
    }

    fn value(&self, slot: u32) -> &str {
        if slot == self.false_slot {
            "False"
        } else {
            self.column
                .dictionary
                .get(slot as usize)
                .map_or("False", String::as_str)
        }
    }
}

fn check_dict(name: &str, col: DictColumn<'_>, rows: usize) -> Result<()> {
    if col.codes.len() != rows {
        return Err(Error::invalid_input(format!(
            "odoo: column `{name}` has {} rows, the table {rows}",
            col.codes.len()
        )));
    }
    let n = col.dictionary.len();
    if let Some(bad) = col
        .codes
        .iter()
        .find(|&&c| c != NULL_CODE && c as usize >= n)
    {
        return Err(Error::invalid_input(format!(
            "odoo: column `{name}` has code {bad} past its dictionary of {n}"
        )));
    }
    Ok(())
}

impl OdooModel {
    fn check_columns<'c>(
        &self,
        cols: &OdooColumns<'c>,
        training: bool,
    ) -> Result<(Vec<Option<usize>>, Vec<FieldSlots<'c>>)> {
        if self.use_tags {
            return Err(Error::invalid_input(
                "odoo: tags are not read over columns; use records",
            ));
        }
        let rows = cols.stage.codes.len();
        check_dict("team", cols.team, rows)?;
        check_dict("stage", cols.stage, rows)?;
        if training && cols.status.len() != rows {
            return Err(Error::invalid_input(format!(
                "odoo: column `status` has {} rows, the table {rows}",
                cols.status.len()
            )));
        }
        let stages =
            cols.stage
                .dictionary
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Ok(None)
                    } else {
                        self.stage_index.get(s).copied().map(Some).ok_or_else(|| {
                            Error::invalid_input(format!("odoo: unknown stage `{s}`"))
                        })
                    }
                })
                .collect::<Result<Vec<_>>>()?;
        for c in &cols.fields {
            if !self.fields.iter().any(|f| f == c.name) {
                return Err(Error::invalid_input(format!(
                    "odoo: column `{}` is not a configured field",
                    c.name
                )));
            }
        }
        let mut fields = Vec::with_capacity(self.fields.len());
        for (f, &keep) in self.fields.iter().zip(&self.keep_unset) {
            let mut found = cols.fields.iter().filter(|c| c.name == f);
            let (Some(c), None) = (found.next(), found.next()) else {
                return Err(Error::invalid_input(format!(
                    "odoo: configured field `{f}` needs exactly one column"
                )));
            };
            check_dict(f, c.values, rows)?;
            let dict = c.values.dictionary;
            let false_slot = dict.iter().position(|v| v == "False").unwrap_or(dict.len()) as u32;
            let unset = if keep { false_slot } else { SKIP };
            let mut slots: Vec<u32> = dict
                .iter()
                .enumerate()
                .map(|(i, v)| if v.is_empty() { unset } else { i as u32 })
                .collect();
            slots.push(unset); // the NULL code's slot, read by `slot`
            fields.push(FieldSlots {
                column: c.values,
                slots,
                width: dict.len() + 1,
                false_slot,
            });
        }
        Ok((stages, fields))
    }

    /// [`OdooModel::train`] over columns: the same table, in one pass of array counting.
    ///
    /// ```
    /// use leadcore::DictColumn;
    /// use leadcore::predictive::odoo::*;
    /// let m = OdooModel::new(OdooConfig::new(vec![OdooStage::new("a", 1), OdooStage::won("w", 9)])).unwrap();
    /// let stages = vec!["a".to_owned(), "w".to_owned()];
    /// let cols = OdooColumns {
    ///     team: DictColumn { codes: &[u32::MAX, u32::MAX], dictionary: &[] },
    ///     stage: DictColumn { codes: &[0, 1], dictionary: &stages },
    ///     status: &[OdooStatus::Lost, OdooStatus::Won],
    ///     fields: vec![],
    /// };
    /// let t = m.train_columns(&cols).unwrap();
    /// assert_eq!(t.get(None, "stage_id", "a"), Some((1.1, 1.1)));
    /// ```
    pub fn train_columns(&self, cols: &OdooColumns<'_>) -> Result<FrequencyTable> {
        let (stage_of, fields) = self.check_columns(cols, true)?;
        let n_teams = cols.team.dictionary.len() + 1;
        let n_stages = self.config.stages.len();
        let mut won = vec![0_i64; n_teams];
        let mut lost_at = vec![0_i64; n_teams * n_stages];
        let mut counts: Vec<Vec<(i64, i64)>> = fields
            .iter()
            .map(|f| vec![(0, 0); n_teams * f.width])
            .collect();
        let null_team = n_teams - 1;
        for (row, &status) in cols.status.iter().enumerate() {
            let (w, l) = match status {
                OdooStatus::Open => continue,
                OdooStatus::Won => (1, 0),
                OdooStatus::Lost => (0, 1),
            };
            let t = match cols.team.codes[row] {
                NULL_CODE => null_team,
                c => c as usize,
            };
            let stage = match cols.stage.codes[row] {
                NULL_CODE => None,
                c => stage_of[c as usize],
            };
            if let Some(s) = stage {
                if w == 1 {
                    won[t] += 1;
                } else {
                    lost_at[t * n_stages + s] += 1;
                }
            }
            for (f, c) in fields.iter().zip(counts.iter_mut()) {
                let slot = f.slot(row);
                if slot != SKIP {
                    let e = &mut c[t * f.width + slot as usize];
                    e.0 += w;
                    e.1 += l;
                }
            }
        }
        let mut table = FrequencyTable::new();
        let stages = &self.config.stages;
        for t in 0..n_teams {
            let team = if t == null_team {
                None
            } else {
                cols.team.dictionary.get(t).map(String::as_str)
            };
            if team == Some("") {
                return Err(Error::invalid_input("odoo: a team id is empty"));
            }
            for s in stages {
                let l: i64 = stages
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.sequence >= s.sequence)
                    .map(|(i, _)| lost_at[t * n_stages + i])
                    .sum();
                if won[t] + l > 0 {
                    let cell = Cell {
                        won: won[t] * 10 + 1,
                        lost: l * 10 + 1,
                    };
                    table.insert(team, STAGE, &s.id, cell);
                }
            }
            for ((f, name), c) in fields.iter().zip(&self.fields).zip(&counts) {
                for slot in 0..f.width {
                    let (w, l) = c[t * f.width + slot];
                    if w + l > 0 {
                        let cell = Cell {
                            won: w * 10 + 1,
                            lost: l * 10 + 1,
                        };
                        table.insert(team, name, f.value(slot as u32), cell);
                    }
                }
            }
        }
        Ok(table)
    }

    /// [`OdooModel::predict_batch`] over columns, rows in order as one batch: the same
    /// numbers, without explanations.
    pub fn predict_columns(
        &self,
        table: &FrequencyTable,
        cols: &OdooColumns<'_>,
    ) -> Result<Vec<Option<f64>>> {
        let (stage_of, fields) = self.check_columns(cols, false)?;
        let pools = Pools::build(self, table);
        // Distinct pools, and each team code's pool.
        let mut pool_list: Vec<&Pool> = Vec::new();
        let mut team_pool: Vec<usize> = Vec::with_capacity(cols.team.dictionary.len() + 1);
        let team_pools = cols
            .team
            .dictionary
            .iter()
            .map(|t| pools.pool(Some(t)))
            .chain(std::iter::once(&pools.all));
        for p in team_pools {
            let i = match pool_list.iter().position(|q| std::ptr::eq(*q, p)) {
                Some(i) => i,
                None => {
                    pool_list.push(p);
                    pool_list.len() - 1
                }
            };
            team_pool.push(i);
        }
        // Per pool: each stage's factor, each field slot's factor.
        let n_stages = self.config.stages.len();
        let mut stage_f: Vec<Option<(f64, f64)>> = Vec::with_capacity(pool_list.len() * n_stages);
        let mut field_f: Vec<Vec<Option<(f64, f64)>>> = Vec::with_capacity(pool_list.len());
        for p in &pool_list {
            let mut w = Walker::new(false);
            w.enter(p);
            let sv = p.vars.get(STAGE);
            for s in &self.config.stages {
                stage_f.push(
                    sv.and_then(|pv| pv.values.get(&s.id).and_then(|&v| w.factor(pv, true, v))),
                );
            }
            let mut per_field = Vec::new();
            for (f, name) in fields.iter().zip(&self.fields) {
                let pv = p.vars.get(name);
                for slot in 0..f.width as u32 {
                    per_field.push(pv.and_then(|pv| {
                        pv.values
                            .get(f.value(slot))
                            .and_then(|&v| w.factor(pv, false, v))
                    }));
                }
            }
            field_f.push(per_field);
        }
        let offsets: Vec<usize> = fields
            .iter()
            .scan(0, |acc, f| {
                let o = *acc;
                *acc += f.width;
                Some(o)
            })
            .collect();
        let won_stage: Vec<bool> = self.config.stages.iter().map(|s| s.won).collect();
        let mut walker = Walker::new(self.config.bug_compatible);
        let rows = cols.stage.codes.len();
        let mut out = Vec::with_capacity(rows);
        for row in 0..rows {
            let stage = match cols.stage.codes[row] {
                NULL_CODE => None,
                c => stage_of[c as usize],
            };
            let Some(s) = stage else {
                out.push(Some(0.0));
                continue;
            };
            if won_stage[s] {
                out.push(Some(100.0));
                continue;
            }
            let pi = match cols.team.codes[row] {
                NULL_CODE => team_pool[team_pool.len() - 1],
                c => team_pool[c as usize],
            };
            if !walker.enter(pool_list[pi]) {
                out.push(None);
                continue;
            }
            let (mut s_won, mut s_lost) = walker.prior();
            if let Some((fw, fl)) = stage_f[pi * n_stages + s] {
                s_won *= fw;
                s_lost *= fl;
            }
            let ff = &field_f[pi];
            for (f, &off) in fields.iter().zip(&offsets) {
                let slot = f.slot(row);
                if slot != SKIP
                    && let Some((fw, fl)) = ff[off + slot as usize]
                {
                    s_won *= fw;
                    s_lost *= fl;
                }
            }
            out.push(finish(s_won, s_lost));
        }
        Ok(out)
    }
}
