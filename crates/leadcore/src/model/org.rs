//! Reps, their roles, teams and the reporting hierarchy forecasts roll up.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a person does in the revenue team. Guards check it: only marketing may grant MQL.
///
/// ```
/// use leadcore::Role;
/// assert_eq!(Role::Marketing.name(), "marketing");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Acquires, qualifies and nurtures leads; alone decides MQL.
    Marketing,
    /// Sales development rep: works leads, checks BANT, books meetings.
    Sdr,
    /// Account executive: works opportunities, closes.
    Ae,
    /// Sales manager: quotas, forecast review.
    Manager,
    /// An automated process acting for the host.
    System,
}

impl Role {
    /// The role's name as written in data.
    pub fn name(self) -> &'static str {
        match self {
            Role::Marketing => "marketing",
            Role::Sdr => "sdr",
            Role::Ae => "ae",
            Role::Manager => "manager",
            Role::System => "system",
        }
    }
}

/// Who performs a transition.
///
/// ```
/// use leadcore::{Actor, Role};
/// let a = Actor::new("mia", Role::Marketing);
/// assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"id":"mia","role":"marketing"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Person or process id.
    pub id: String,
    /// Their role.
    pub role: Role,
}

impl Actor {
    /// An actor with an id and a role.
    pub fn new(id: impl Into<String>, role: Role) -> Self {
        Actor {
            id: id.into(),
            role,
        }
    }
}

/// A person on the revenue team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rep {
    /// Identifier.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Role.
    pub role: Role,
    /// The rep's manager, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Team membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Whether the rep takes work.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A group of reps (a pod, a region, a segment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Identifier.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
}

/// A problem in an [`Org`]'s hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OrgProblem {
    /// Two reps share an id.
    DuplicateRep(String),
    /// A rep names a manager that does not exist.
    UnknownManager {
        /// The rep.
        rep: String,
        /// The missing manager.
        manager: String,
    },
    /// A rep names a team that does not exist.
    UnknownTeam {
        /// The rep.
        rep: String,
        /// The missing team.
        team: String,
    },
    /// The reporting lines loop through this rep.
    Cycle(String),
}

/// Reps and teams with a checked reporting hierarchy (no cycles, no dangling managers).
///
/// ```
/// use leadcore::{Org, Rep, Role};
/// let rep = |id: &str, role, mgr: Option<&str>| Rep {
///     id: id.into(), name: String::new(), role,
///     manager: mgr.map(Into::into), team: None, active: true,
/// };
/// let org = Org::new(vec![
///     rep("vp", Role::Manager, None),
///     rep("m1", Role::Manager, Some("vp")),
///     rep("ae1", Role::Ae, Some("m1")),
/// ], vec![]).unwrap();
/// assert_eq!(org.chain("ae1"), ["ae1", "m1", "vp"]);
/// assert_eq!(org.reports_under("vp"), ["ae1", "m1"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Org {
    reps: Vec<Rep>,
    teams: Vec<Team>,
    #[serde(skip)]
    index: BTreeMap<String, usize>,
}

impl Org {
    /// Builds an org, reporting every problem in the hierarchy at once.
    pub fn new(reps: Vec<Rep>, teams: Vec<Team>) -> Result<Self, Vec<OrgProblem>> {
        let mut problems = Vec::new();
        let mut index = BTreeMap::new();
        for (i, r) in reps.iter().enumerate() {
            if index.insert(r.id.clone(), i).is_some() {
                problems.push(OrgProblem::DuplicateRep(r.id.clone()));
            }
        }
        let team_ids: BTreeSet<&str> = teams.iter().map(|t| t.id.as_str()).collect();
        for r in &reps {
            if let Some(m) = &r.manager
                && !index.contains_key(m)
            {
                problems.push(OrgProblem::UnknownManager {
                    rep: r.id.clone(),
                    manager: m.clone(),
                });
            }
            if let Some(t) = &r.team
                && !team_ids.contains(t.as_str())
            {
                problems.push(OrgProblem::UnknownTeam {
                    rep: r.id.clone(),
                    team: t.clone(),
                });
            }
        }
        for r in &reps {
            let mut seen = BTreeSet::new();
            let mut cur = Some(r);
            while let Some(c) = cur {
                if !seen.insert(c.id.as_str()) {
                    problems.push(OrgProblem::Cycle(r.id.clone()));
                    break;
                }
                cur = c
                    .manager
                    .as_ref()
                    .and_then(|m| index.get(m))
                    .and_then(|&i| reps.get(i));
            }
        }
        if problems.is_empty() {
            Ok(Org { reps, teams, index })
        } else {
            Err(problems)
        }
    }

    /// All reps.
    pub fn reps(&self) -> &[Rep] {
        &self.reps
    }

    /// All teams.
    pub fn teams(&self) -> &[Team] {
        &self.teams
    }

    /// The rep with this id.
    pub fn rep(&self, id: &str) -> Option<&Rep> {
        self.index.get(id).and_then(|&i| self.reps.get(i))
    }

    /// The rep followed by their manager, the manager's manager, up to the top.
    pub fn chain(&self, id: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = self.rep(id);
        while let Some(r) = cur {
            out.push(r.id.as_str());
            cur = r.manager.as_deref().and_then(|m| self.rep(m));
        }
        out
    }

    /// Everyone who reports to `id`, directly or not, sorted by id.
    pub fn reports_under(&self, id: &str) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .reps
            .iter()
            .filter(|r| r.id != id && self.chain(&r.id).contains(&id))
            .map(|r| r.id.as_str())
            .collect();
        out.sort_unstable();
        out
    }
}
