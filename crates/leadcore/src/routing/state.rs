//! The routing state: everything a decision depends on besides the playbook, the lead and
//! `now`. Plain serde data the host persists (in the same transaction as the assignment)
//! and hands back with the next lead.

use crate::error::{Error, ErrorKind, Result};
use crate::time::OutOfOffice;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state format version this build reads and writes.
pub const ROUTING_STATE_SCHEMA_VERSION: u32 = 1;

/// One rep's counters. The host supplies `open_leads` (closed, converted and dead leads do
/// not count) and `win_rate`; routing adds each lead it assigns to `open_leads`,
/// `assigned_today` and `assigned_value`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepCounters {
    /// Open leads the rep holds.
    #[serde(default)]
    pub open_leads: u32,
    /// Leads assigned on `day`.
    #[serde(default)]
    pub assigned_today: u32,
    /// The day `assigned_today` counts (earlier days count as 0): the rep's local day
    /// when the rep has a time zone or a calendar, else the UTC day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
    /// Deal value assigned so far, in minor units (for `balance_value`).
    #[serde(default)]
    pub assigned_value: i64,
    /// Share of qualified deals the rep wins, from 0 to 1 (for `win_rate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub win_rate: Option<f64>,
    /// Absences the host recorded (beside the playbook's), sorted by start; each `from`
    /// before its `to`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_office: Vec<OutOfOffice>,
}

impl RepCounters {
    /// Leads assigned on `today`: the counter when it counts `today` or a later day (a
    /// worker whose `now` lags never gets a fresh quota), else 0.
    pub fn assigned_on(&self, today: NaiveDate) -> u32 {
        match self.day {
            Some(d) if d >= today => self.assigned_today,
            _ => 0,
        }
    }
}

/// What routing remembers between decisions: per-rep counters, round-robin positions (by
/// rule and strategy) and the account and domain owner maps the host keeps current.
/// Reading it back checks its format version and its win rates.
///
/// ```
/// use leadcore::routing::RoutingState;
/// let mut state = RoutingState::new();
/// state.set_open_leads("B", 12);
/// state.set_win_rate("B", 0.31).unwrap();
/// state.set_account_owner("ACME", "C");
/// let back = RoutingState::from_json(&state.to_json()).unwrap();
/// assert_eq!(back, state);
/// assert_eq!(back.counters("B").open_leads, 12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawRoutingState")]
pub struct RoutingState {
    /// Format version.
    pub schema_version: u32,
    /// Counters by rep id (a rep not listed has all counters at 0).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reps: BTreeMap<String, RepCounters>,
    /// Smooth round-robin positions by strategy key (`rule` for a rule's `assign`,
    /// `rule.fallback[i]` for a fallback), each by rep id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rotations: BTreeMap<String, BTreeMap<String, i64>>,
    /// Owner rep by account id (for `account_owner`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub account_owners: BTreeMap<String, String>,
    /// Owner rep by e-mail domain, lower case (for `account_owner`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub domain_owners: BTreeMap<String, String>,
}

impl Default for RoutingState {
    fn default() -> Self {
        RoutingState::new()
    }
}

impl RoutingState {
    /// An empty state: no lead assigned yet, no owners known.
    pub fn new() -> Self {
        RoutingState {
            schema_version: ROUTING_STATE_SCHEMA_VERSION,
            reps: BTreeMap::new(),
            rotations: BTreeMap::new(),
            account_owners: BTreeMap::new(),
            domain_owners: BTreeMap::new(),
        }
    }

    /// A rep's counters (all 0 when the state has none).
    pub fn counters(&self, rep: &str) -> RepCounters {
        self.reps.get(rep).cloned().unwrap_or_default()
    }

    /// Sets the open leads a rep holds (the host's count: closed, converted and dead leads
    /// do not count).
    pub fn set_open_leads(&mut self, rep: &str, open: u32) {
        self.reps.entry(rep.to_owned()).or_default().open_leads = open;
    }

    /// One of a rep's leads closed, converted or died: one open lead fewer.
    ///
    /// ```
    /// let mut s = leadcore::routing::RoutingState::new();
    /// s.set_open_leads("A", 1);
    /// s.lead_closed("A");
    /// s.lead_closed("A");
    /// assert_eq!(s.counters("A").open_leads, 0);
    /// ```
    pub fn lead_closed(&mut self, rep: &str) {
        if let Some(c) = self.reps.get_mut(rep) {
            c.open_leads = c.open_leads.saturating_sub(1);
        }
    }

    /// Sets a rep's win rate (0 to 1).
    ///
    /// ```
    /// let mut s = leadcore::routing::RoutingState::new();
    /// assert!(s.set_win_rate("A", 1.5).is_err());
    /// ```
    pub fn set_win_rate(&mut self, rep: &str, win_rate: f64) -> Result<()> {
        if !(0.0..=1.0).contains(&win_rate) {
            return Err(Error::invalid_input(format!(
                "win rate of `{rep}` must be from 0 to 1, not {win_rate}"
            )));
        }
        self.reps.entry(rep.to_owned()).or_default().win_rate = Some(win_rate);
        Ok(())
    }

    /// Records that `rep` is away from `from` (inclusive) to `to` (exclusive): routing
    /// passes the rep over meanwhile (`out_of_office`). Fails unless `from < to`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let mut s = leadcore::routing::RoutingState::new();
    /// let (a, b) = (Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(2026, 3, 9, 0, 0, 0).unwrap());
    /// s.set_out_of_office("A", a, b).unwrap();
    /// assert!(s.set_out_of_office("A", b, a).is_err());
    /// assert_eq!(s.counters("A").out_of_office.len(), 1);
    /// s.clear_out_of_office("A");
    /// assert!(s.counters("A").out_of_office.is_empty());
    /// ```
    pub fn set_out_of_office(
        &mut self,
        rep: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<()> {
        if from >= to {
            return Err(Error::invalid_input(format!(
                "out-of-office period of `{rep}` must end after it starts, not at {} for a start at {}",
                to.to_rfc3339(),
                from.to_rfc3339()
            )));
        }
        let list = &mut self.reps.entry(rep.to_owned()).or_default().out_of_office;
        let at = list.partition_point(|o| (o.from, o.to) <= (from, to));
        list.insert(at, OutOfOffice { from, to });
        Ok(())
    }

    /// Forgets every absence the host recorded for `rep` (the playbook's stay).
    pub fn clear_out_of_office(&mut self, rep: &str) {
        if let Some(c) = self.reps.get_mut(rep) {
            c.out_of_office.clear();
        }
    }

    /// Records that `rep` owns account `account_id`.
    pub fn set_account_owner(&mut self, account_id: &str, rep: &str) {
        self.account_owners
            .insert(account_id.to_owned(), rep.to_owned());
    }

    /// Records that `rep` owns the e-mail domain `domain` (matched without regard to case).
    pub fn set_domain_owner(&mut self, domain: &str, rep: &str) {
        self.domain_owners
            .insert(domain.trim().to_lowercase(), rep.to_owned());
    }

    /// Serialises the state as canonical JSON.
    pub fn to_json(&self) -> String {
        crate::wire::canonical_json(self)
    }

    /// Reads a stored state, checking its format version and win rates, with the error's
    /// own code (`state.unsupported_version`, `input.invalid`).
    ///
    /// ```
    /// let err = leadcore::routing::RoutingState::from_json(r#"{"schema_version": 9}"#).unwrap_err();
    /// assert_eq!(err.code(), "state.unsupported_version");
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json::<RawRoutingState>(text, "routing state")
            .and_then(RoutingState::try_from)
    }

    /// Checks the format version (a call's cost does not grow with the state; win rates
    /// are checked when a state is read, and one out of range in a hand-built state counts
    /// as none).
    pub(crate) fn check(&self) -> Result<()> {
        if self.schema_version != ROUTING_STATE_SCHEMA_VERSION {
            return Err(Error::from(ErrorKind::UnsupportedVersion {
                what: "routing state".to_owned(),
                found: self.schema_version,
                supported: ROUTING_STATE_SCHEMA_VERSION,
            }));
        }
        Ok(())
    }

    /// Checks everything a stored state could get wrong.
    fn check_all(&self) -> Result<()> {
        self.check()?;
        for (rep, c) in &self.reps {
            if let Some(w) = c.win_rate
                && !(0.0..=1.0).contains(&w)
            {
                return Err(Error::invalid_input(format!(
                    "routing state: win rate of `{rep}` must be from 0 to 1, not {w}"
                )));
            }
            for o in &c.out_of_office {
                if o.from >= o.to {
                    return Err(Error::invalid_input(format!(
                        "routing state: out-of-office period of `{rep}` must end after it starts, not at {} for a start at {}",
                        o.to.to_rfc3339(),
                        o.from.to_rfc3339()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The wire form of a [`RoutingState`], checked before use.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoutingState {
    schema_version: u32,
    #[serde(default)]
    reps: BTreeMap<String, RepCounters>,
    #[serde(default)]
    rotations: BTreeMap<String, BTreeMap<String, i64>>,
    #[serde(default)]
    account_owners: BTreeMap<String, String>,
    #[serde(default)]
    domain_owners: BTreeMap<String, String>,
}

impl TryFrom<RawRoutingState> for RoutingState {
    type Error = Error;
    fn try_from(mut r: RawRoutingState) -> Result<Self> {
        for c in r.reps.values_mut() {
            c.out_of_office.sort_by_key(|o| (o.from, o.to));
        }
        let state = RoutingState {
            schema_version: r.schema_version,
            reps: r.reps,
            rotations: r.rotations,
            account_owners: r.account_owners,
            domain_owners: r.domain_owners,
        };
        state.check_all()?;
        Ok(state)
    }
}
