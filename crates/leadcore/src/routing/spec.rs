//! The `routing` section of a playbook, as written.

use crate::action::ActionSpec;
use crate::condition::ConditionSpec;
use crate::model::Team;
use crate::time::OutOfOffice;
use serde::{Deserialize, Serialize};

/// Open leads a rep holds at most unless the rep or the section says otherwise (the cap
/// before which reps skimmed the top of 1,000+ leads).
pub const DEFAULT_CAPACITY: i64 = 500;

/// The queue a lead goes to when no rule places it, unless `unassignable_queue` names
/// another.
pub const DEFAULT_UNASSIGNABLE_QUEUE: &str = "unassigned";

/// Who gets each lead: the reps and teams routing may pick, named queues, and an ordered
/// chain of rules (first match wins). A lead no rule places goes to the unassignable queue,
/// with the reason recorded: it is never silently left unassigned.
///
/// ```yaml
/// routing:
///   teams: [{id: smb}, {id: mid}]
///   reps:
///     - {id: A, team: smb}
///     - {id: B, team: mid, territories: [EMEA], weight: 2, daily_quota: 40}
///     - {id: C, team: mid, capacity: 300}
///   queues: [{name: review}]
///   rules:
///     - name: existing_account
///       assign: {account_owner: {}}
///     - name: small
///       when: {field: employees, op: lt, value: 10}
///       assign: {rep: A}
///       fallback: [{queue: review}]
///     - name: mid_market
///       when: {field: employees, op: between, value: [11, 50]}
///       assign: {round_robin: {pool: {team: mid}}}
///       actions: [{kind: notify}, {kind: create_task, params: {task: call}}]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RoutingSpec {
    /// Teams (pods, segments) reps belong to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<Team>,
    /// The reps routing may assign leads to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reps: Vec<RepSpec>,
    /// Named queues rules may send leads to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueSpec>,
    /// A territory tree (`EMEA` > `DACH` > `DE`): a rep covering a territory covers the
    /// territories below it, and a lead of a territory no eligible rep covers goes to the
    /// reps of the nearest territory above it. When a tree is declared, every territory a
    /// rep or a pool names must be in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub territories: Vec<TerritorySpec>,
    /// The rule chain, tried in order; the first rule that matches and finds someone wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RouteRuleSpec>,
    /// Open leads a rep holds at most, unless the rep sets its own (default 500).
    #[serde(default = "default_capacity")]
    pub capacity: i64,
    /// Where a lead goes when no rule places it (default `unassigned`); always a queue,
    /// declared or not.
    #[serde(default = "default_unassignable")]
    pub unassignable_queue: String,
}

fn default_capacity() -> i64 {
    DEFAULT_CAPACITY
}

fn default_unassignable() -> String {
    DEFAULT_UNASSIGNABLE_QUEUE.to_owned()
}

impl Default for RoutingSpec {
    fn default() -> Self {
        RoutingSpec {
            teams: Vec::new(),
            reps: Vec::new(),
            queues: Vec::new(),
            territories: Vec::new(),
            rules: Vec::new(),
            capacity: DEFAULT_CAPACITY,
            unassignable_queue: default_unassignable(),
        }
    }
}

impl RoutingSpec {
    /// Whether nothing is configured.
    ///
    /// ```
    /// assert!(leadcore::routing::RoutingSpec::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == RoutingSpec::default()
    }
}

/// A rep as routing sees them: where they sit, how much they take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RepSpec {
    /// Identifier (unique; what decisions and the routing state name).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The team (pod) the rep belongs to, declared under `teams`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Regions or territories the rep covers (pools select on them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub territories: Vec<String>,
    /// Share of round-robin turns (default 1; a rep of weight 2 gets two leads for one).
    #[serde(default = "one")]
    pub weight: i64,
    /// Open leads held at most (default: the section's `capacity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
    /// Leads assigned per day at most (none: no quota). A day is the rep's local day
    /// when the rep has a `time_zone` or a `calendar` (in that zone), else a UTC day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<i64>,
    /// Whether the rep takes leads (default true).
    #[serde(default = "yes")]
    pub active: bool,
    /// The playbook calendar (under top-level `calendars:`) whose hours the rep works:
    /// routing passes the rep over while it is closed (`off_hours`). None: always
    /// available (but for `out_of_office`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// The rep's own IANA time zone: the calendar's hours and holidays are read in it
    /// (a Berlin rep on the `office` calendar works 09:00-17:00 Berlin time), and daily
    /// quotas count the rep's local days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Periods the rep is away (`from` inclusive, `to` exclusive): routing passes the rep
    /// over (`out_of_office`). The host adds more at run time in the routing state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_office: Vec<OutOfOffice>,
}

fn one() -> i64 {
    1
}

fn yes() -> bool {
    true
}

/// A node of the territory tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TerritorySpec {
    /// Unique id (what reps' `territories` and leads' territory fields hold).
    pub id: String,
    /// The territory it lies in (none: a root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// Each declared territory's chain: itself, then each territory above it up to its root.
/// A territory in a cycle or under an undeclared parent stops where the chain would break
/// (the validator reports both).
pub(crate) fn territory_chains(spec: &RoutingSpec) -> std::collections::BTreeMap<&str, Vec<&str>> {
    let parent: std::collections::BTreeMap<&str, Option<&str>> = spec
        .territories
        .iter()
        .map(|t| (t.id.as_str(), t.parent.as_deref()))
        .collect();
    parent
        .keys()
        .map(|&id| {
            let mut chain = vec![id];
            let mut at = id;
            while let Some(Some(up)) = parent.get(at) {
                if chain.contains(up) || !parent.contains_key(up) {
                    break;
                }
                chain.push(up);
                at = up;
            }
            (id, chain)
        })
        .collect()
}

/// A named queue: leads waiting for someone to pick them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Unique name.
    pub name: String,
    /// A note for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One rule of the chain: when its condition holds on the lead, its strategy (then each
/// fallback in turn) picks the assignee; when none finds anyone, the next rule is tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RouteRuleSpec {
    /// Unique name (decisions and the round-robin positions in the routing state use it).
    pub name: String,
    /// The condition on the lead's fields (and supplied scores); none: every lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<ConditionSpec>,
    /// How the assignee is picked.
    pub assign: StrategySpec,
    /// Tried in order when `assign` finds no one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallback: Vec<StrategySpec>,
    /// Emitted when this rule places a lead (notify the rep, create a call task, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionSpec>,
}

/// How a rule picks the assignee. Every rep-picking strategy (a named rep too) skips reps
/// who are inactive, out of office, off hours, at capacity or out of daily quota, and says
/// so in the decision's trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum StrategySpec {
    /// This rep.
    Rep(String),
    /// This queue (never full).
    Queue(String),
    /// Weighted round robin over the pool (smooth: turns interleave by weight, and a rep
    /// skipped for a while does not get a burst on return).
    RoundRobin {
        /// The reps taking turns.
        #[serde(default)]
        pool: PoolSpec,
    },
    /// The pool's rep with the fewest open leads (the host's count of open leads, plus
    /// those routing assigned since).
    LeastBusy {
        /// The candidates.
        #[serde(default)]
        pool: PoolSpec,
    },
    /// The pool's rep with the least deal value assigned (then the fewest open leads).
    BalanceValue {
        /// The candidates.
        #[serde(default)]
        pool: PoolSpec,
        /// A number field of the lead holding its expected value in minor units (a
        /// missing value counts as 0).
        field: String,
    },
    /// Round robin among the `top` reps of the pool with the best win rate (win rates as
    /// the host supplies them in the routing state; a rep without one ranks last). Paired
    /// with a `score` condition this sends hot leads to the best closers.
    WinRate {
        /// The candidates.
        #[serde(default)]
        pool: PoolSpec,
        /// How many of the best eligible reps share the leads (default 1).
        #[serde(default = "one")]
        top: i64,
    },
    /// The rep who already owns the lead's account (by `account_id`) or its e-mail
    /// domain, from the owner maps the host keeps in the routing state.
    AccountOwner {},
}

/// Which reps a strategy picks from: every rep matching all the given selectors (none
/// given: every rep), in declaration order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Only these reps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<Vec<String>>,
    /// Only members of this team (a pod per segment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Only reps covering this territory (or, with a territory tree, one below it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    /// Only reps whose territories include the value of this lead field (e.g. `region`);
    /// a lead without a value finds no one here. With a territory tree, the reps of the
    /// lead's own territory are tried first, then those of each territory above it, until
    /// one level has an eligible rep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory_from: Option<String>,
}
