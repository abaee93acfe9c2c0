//! Live updates: a write on a lead moves the frequency table, in either of Odoo's semantics.

use super::model::{OdooModel, OdooRecord, OdooStatus};
use super::table::FrequencyTable;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which of Odoo's live-update rules to follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveSemantics {
    /// Odoo 16-17 `_handle_won_lost(vals)`: decided **before** the write from the written keys
    /// (a won stage written: leave lost if the probability was 0, reach won; another stage
    /// written on an active lead in a won stage: leave won; `active` false on an active lead:
    /// leave won if in a won stage, reach lost; `active` true on an archived lead: leave lost),
    /// every change counted with the values before the write.
    Legacy,
    /// The newest Odoo: `won_status` (won = in a won stage; lost = archived with probability
    /// 0; else pending) compared before and after the write.
    #[default]
    WonStatus,
}

/// A status change a write caused, in the order applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// +1 won.
    ReachWon,
    /// −1 won.
    LeaveWon,
    /// +1 lost.
    ReachLost,
    /// −1 lost.
    LeaveLost,
}

/// A lead as Odoo stores it between writes: its record, `active` and `probability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooLiveLead {
    /// Team, stage, values, tags (its `status` is kept in step by writes).
    pub record: OdooRecord,
    /// Not archived.
    #[serde(default = "yes")]
    pub active: bool,
    /// The stored probability (0 with `active` false means lost).
    #[serde(default)]
    pub probability: f64,
}

fn yes() -> bool {
    true
}

/// The keys a write sets (Odoo's `vals`); `None` means not written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooWrite {
    /// New stage.
    #[serde(default)]
    pub stage: Option<String>,
    /// New `active`.
    #[serde(default)]
    pub active: Option<bool>,
    /// New probability.
    #[serde(default)]
    pub probability: Option<f64>,
}

impl OdooModel {
    fn status_of(&self, lead: &OdooLiveLead) -> OdooStatus {
        if lead
            .record
            .stage
            .as_deref()
            .is_some_and(|s| self.is_won_stage(s))
        {
            OdooStatus::Won
        } else if !lead.active && lead.probability == 0.0 {
            OdooStatus::Lost
        } else {
            OdooStatus::Open
        }
    }

    /// Applies `write` to `lead` and moves `table` as Odoo would, returning the changes
    /// counted. Writing a won stage sets the probability to 100 (and, in `won_status`
    /// semantics, reactivates the lead). Errors, with nothing changed: an unknown stage, a
    /// probability outside [0, 100], and (in `won_status` semantics) a lead in a won stage
    /// whose probability would not be 100.
    ///
    /// ```
    /// use leadcore::predictive::odoo::*;
    /// let m = OdooModel::new(OdooConfig::new(vec![OdooStage::new("a", 1), OdooStage::won("w", 9)])).unwrap();
    /// let mut t = FrequencyTable::new();
    /// let mut lead = OdooLiveLead { record: OdooRecord::new("1").stage("a"), active: true, probability: 10.0 };
    /// let archive = OdooWrite { active: Some(false), probability: Some(0.0), ..OdooWrite::default() };
    /// let done = m.apply_write(&mut t, &mut lead, &archive, LiveSemantics::WonStatus).unwrap();
    /// assert_eq!(done, [Transition::ReachLost]);
    /// assert_eq!(t.get(None, "stage_id", "a"), Some((0.1, 1.1)));
    /// ```
    pub fn apply_write(
        &self,
        table: &mut FrequencyTable,
        lead: &mut OdooLiveLead,
        write: &OdooWrite,
        semantics: LiveSemantics,
    ) -> Result<Vec<Transition>> {
        if let Some(s) = &write.stage {
            self.stage(s)?;
        }
        self.record_stage(&lead.record)?;
        if let Some(p) = write.probability
            && !(0.0..=100.0).contains(&p)
        {
            return Err(Error::invalid_input(format!(
                "odoo: a probability is from 0 to 100, not {p}"
            )));
        }
        let before = lead.clone();
        let mut after = lead.clone();
        let stage_won = write.stage.as_deref().is_some_and(|s| self.is_won_stage(s));
        if let Some(s) = &write.stage {
            after.record.stage = Some(s.clone());
        }
        if let Some(a) = write.active {
            after.active = a;
        }
        if let Some(p) = write.probability {
            after.probability = p;
        }
        if stage_won {
            after.probability = 100.0;
            if semantics == LiveSemantics::WonStatus {
                after.active = true;
            }
        }
        let old_status = self.status_of(&before);
        let new_status = self.status_of(&after);
        if semantics == LiveSemantics::WonStatus
            && new_status == OdooStatus::Won
            && after.probability != 100.0
        {
            return Err(Error::invalid_input(format!(
                "odoo: lead `{}` is in a won stage, its probability must stay 100",
                lead.record.id
            )));
        }
        let mut changes = Vec::new();
        match semantics {
            LiveSemantics::Legacy => {
                let was_won = before
                    .record
                    .stage
                    .as_deref()
                    .is_some_and(|s| self.is_won_stage(s));
                let (mut reach_won, mut leave_won, mut reach_lost, mut leave_lost) =
                    (false, false, false, false);
                if write.stage.is_some() {
                    if stage_won {
                        leave_lost = before.probability == 0.0;
                        reach_won = true;
                    } else if was_won && before.active {
                        leave_won = true;
                    }
                }
                match write.active {
                    Some(false) if before.active => {
                        leave_won |= was_won;
                        reach_lost = true;
                    }
                    Some(true) if !before.active => leave_lost = true,
                    _ => {}
                }
                for (on, t) in [
                    (reach_won, Transition::ReachWon),
                    (leave_won, Transition::LeaveWon),
                    (reach_lost, Transition::ReachLost),
                    (leave_lost, Transition::LeaveLost),
                ] {
                    if on {
                        self.count(table, &before.record, t)?;
                        changes.push(t);
                    }
                }
            }
            LiveSemantics::WonStatus => {
                let won = |s: OdooStatus| s == OdooStatus::Won;
                let lost = |s: OdooStatus| s == OdooStatus::Lost;
                let leave_values = if self.config.bug_compatible {
                    &after.record
                } else {
                    &before.record
                };
                let list = [
                    (
                        won(new_status) && !won(old_status),
                        Transition::ReachWon,
                        &after.record,
                    ),
                    (
                        !won(new_status) && won(old_status),
                        Transition::LeaveWon,
                        leave_values,
                    ),
                    (
                        lost(new_status) && !lost(old_status),
                        Transition::ReachLost,
                        &after.record,
                    ),
                    (
                        !lost(new_status) && lost(old_status),
                        Transition::LeaveLost,
                        leave_values,
                    ),
                ];
                for (on, t, values) in list {
                    if on {
                        self.count(table, values, t)?;
                        changes.push(t);
                    }
                }
            }
        }
        after.record.status = new_status;
        *lead = after;
        Ok(changes)
    }

    fn count(&self, table: &mut FrequencyTable, r: &OdooRecord, t: Transition) -> Result<()> {
        let (target, step) = match t {
            Transition::ReachWon => (OdooStatus::Won, 1),
            Transition::LeaveWon => (OdooStatus::Won, -1),
            Transition::ReachLost => (OdooStatus::Lost, 1),
            Transition::LeaveLost => (OdooStatus::Lost, -1),
        };
        self.increment(table, r, target, step)
    }
}
