//! The `odoo` mode: Odoo CRM's predictive lead scoring ("PLS"), re-implemented from its
//! behaviour (Odoo 16-18 `addons/crm/models/crm_lead.py`, the `_pls_*` methods, and the newest
//! version with `won_status`). Nothing here is Odoo's code; the numbers are Odoo's.
//!
//! # The algorithm
//! - **Variables** of a lead: its stage (`stage_id`); each configured field whose value is set
//!   (values compared as strings; the fields of [`OdooConfig::keep_unset`], by default
//!   `email_state` and `phone_state`, count even when unset, as `"False"`); each tag
//!   separately (`tag_id`) when the fields list holds `tag_ids`.
//! - **Frequency table** ([`FrequencyTable`]): rows `(team or none, variable, value) → won,
//!   lost`, kept to one decimal; a new row starts at 0.1 on both sides. A won lead adds 1 won to
//!   each of its values and to **every** stage; a lost lead adds 1 lost to each of its values
//!   and to every stage whose sequence is ≤ its own.
//! - **Pool**: the lead's team rows if the team has any row; otherwise every team's rows plus
//!   the no-team rows, summed. Tag rows with won + lost < 50 are dropped row by row first.
//! - **Prior** from the first stage's row (lowest sequence, then id); then every (variable,
//!   value) of the lead with a row multiplies `won(value) / Σ won over the variable`, likewise
//!   lost (the stage divides by the first stage's counts); a zero denominator skips the factor.
//! - `p = s_won / (s_won + s_lost)`; the result is `clamp(round(100·p, 2), 0.01, 99.99)` with
//!   Python's round-half-even on the exact binary value; a lead in a won stage is 100, a lead
//!   with no stage 0.
//!
//! # Where leadcore differs from Odoo, and `bug_compatible`
//! With [`OdooConfig::bug_compatible`] off (the default) three Odoo quirks are fixed; with it on
//! they are reproduced:
//! 1. *Stale prior* (prediction): when a pool has no first-stage row, Odoo skips the lead but
//!    keeps the pool as "current", so the next leads of the same team in the batch are scored
//!    with the previous pool's prior (or 1 and 1). Fixed: every such lead gets no probability
//!    (`None`, Odoo leaves the stored value as it was).
//! 2. *Phantom rows* (live updates): decrementing a row that does not exist creates it with the
//!    decrement's size **added** (1.1 on that side), and a row brought back to 0.1 / 0.1 stays.
//!    Fixed: decrementing a missing row does nothing and a row back at 0.1 / 0.1 is removed,
//!    so a table kept live equals a rebuild.
//! 3. *Leaving with new values* (`won_status` semantics): Odoo decrements a lead leaving won or
//!    lost with its values **after** the write (a lost lead moved straight to a won stage
//!    takes 1 lost from every stage up to the won stage's sequence). Fixed: a leaving lead is
//!    decremented with its values before the write, a reaching lead incremented with the after.
//!
//! Differences kept in both settings, documented:
//! - Odoo sums a variable's counts in database row order, which at a rebuild follows Python's
//!   set iteration order (varies between processes); leadcore sums by team (numeric ids first,
//!   no team last) then by value. Only the last bit of a total can differ.
//! - Rounding follows the newest Odoo (`round(100 * (w / (w + l)), 2)` then the clamp); Odoo 16
//!   computed `round(100 * w / (w + l), 2)` without the clamp.
//! - Stages are global (Odoo's team-specific first stage is a known Odoo limitation).
//! - A score whose products underflow to 0 (hundreds of rare values) is `None`, where Odoo
//!   divides by zero.

mod columns;
mod live;
mod model;
mod predict;
mod round;
mod scenario;
mod table;

pub use columns::{OdooColumn, OdooColumns, StatusColumn};
pub use live::{LiveSemantics, OdooLiveLead, OdooWrite, Transition};
pub use model::{OdooConfig, OdooModel, OdooRecord, OdooStage, OdooStatus};
pub use predict::{Factor, OdooExplanation, OdooPrediction, PoolKind};
pub use round::python_round2;
pub use scenario::{OdooScoreInput, OdooScoreOutput, WriteInput, odoo_score};
pub use table::{FrequencyRow, FrequencyTable, SCHEMA_VERSION};
