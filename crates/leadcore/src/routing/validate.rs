//! Validation of the `routing` section: every problem at once, each at its exact path.
//! Warnings (gaps and overlaps of range rules) are found by [`super::ranges`] when the
//! section is built; they never make a playbook invalid.

use super::model::{condition_scope, pool_members};
use super::spec::{PoolSpec, RoutingSpec, StrategySpec};
use crate::condition::Condition;
use crate::condition::compile::Sink;
use crate::error::Issue;
use crate::model::{Catalog, FieldType, RecordKind};
use crate::time::CalendarSpec;
use std::collections::{BTreeMap, BTreeSet};

/// Largest capacity or daily quota a rep may have.
pub const MAX_CAPACITY: i64 = 1_000_000;
/// Largest round-robin weight.
pub const MAX_WEIGHT: i64 = 10_000;

struct Cx<'a> {
    spec: &'a RoutingSpec,
    catalog: &'a Catalog,
    issues: &'a mut Vec<Issue>,
    reps: BTreeSet<&'a str>,
    teams: BTreeSet<&'a str>,
    queues: BTreeSet<&'a str>,
}

/// Appends the routing section's problems to `issues`.
pub(crate) fn validate(spec: &RoutingSpec, catalog: &Catalog, issues: &mut Vec<Issue>) {
    let mut cx = Cx {
        spec,
        catalog,
        issues,
        reps: BTreeSet::new(),
        teams: BTreeSet::new(),
        queues: BTreeSet::new(),
    };
    cx.limit(
        "routing.capacity",
        "routing.invalid_capacity",
        spec.capacity,
        MAX_CAPACITY,
    );
    if spec.unassignable_queue.trim().is_empty() {
        cx.push(
            "routing.unassignable_queue",
            "routing.empty_name",
            "name the queue unplaced leads go to",
        );
    }
    territory_tree(spec, cx.issues);
    for (i, t) in spec.teams.iter().enumerate() {
        let p = format!("routing.teams[{i}].id");
        if t.id.trim().is_empty() {
            cx.push(p, "routing.empty_name", "a team needs an id");
        } else if !cx.teams.insert(t.id.as_str()) {
            cx.push(
                p,
                "routing.duplicate_team",
                format!("team `{}` is declared twice", t.id),
            );
        }
    }
    for (i, r) in spec.reps.iter().enumerate() {
        let p = format!("routing.reps[{i}]");
        if r.id.trim().is_empty() {
            cx.push(format!("{p}.id"), "routing.empty_name", "a rep needs an id");
        } else if !cx.reps.insert(r.id.as_str()) {
            cx.push(
                format!("{p}.id"),
                "routing.duplicate_rep",
                format!("rep `{}` is declared twice", r.id),
            );
        }
        if let Some(team) = &r.team
            && !cx.teams.contains(team.as_str())
        {
            cx.push(
                format!("{p}.team"),
                "routing.unknown_team",
                format!("team `{team}` is not declared under `routing.teams`"),
            );
        }
        cx.limit(
            &format!("{p}.weight"),
            "routing.invalid_weight",
            r.weight,
            MAX_WEIGHT,
        );
        if let Some(c) = r.capacity {
            cx.limit(
                &format!("{p}.capacity"),
                "routing.invalid_capacity",
                c,
                MAX_CAPACITY,
            );
        }
        if let Some(q) = r.daily_quota {
            cx.limit(
                &format!("{p}.daily_quota"),
                "routing.invalid_quota",
                q,
                MAX_CAPACITY,
            );
        }
        if let Some(name) = &r.calendar
            && !catalog.knows_calendar(name)
        {
            cx.push(
                format!("{p}.calendar"),
                "routing.unknown_calendar",
                format!("calendar `{name}` is not declared under `calendars`"),
            );
        }
        if let Some(zone) = &r.time_zone {
            // The calendar module's own check (and wording, with the tzdb version), on a
            // stand-in calendar in that zone: only its time-zone issue is kept.
            let probe = CalendarSpec {
                time_zone: zone.clone(),
                hours: BTreeMap::from([("mon".to_owned(), vec!["09:00-17:00".to_owned()])]),
                holidays: Vec::new(),
                out_of_office: Vec::new(),
            };
            let mut found = Vec::new();
            crate::time::validate(&probe, &p, &mut found);
            cx.issues.extend(
                found
                    .into_iter()
                    .filter(|i| i.code == "calendar.unknown_time_zone"),
            );
        }
        for (o, period) in r.out_of_office.iter().enumerate() {
            if period.to <= period.from {
                cx.push(
                    format!("{p}.out_of_office[{o}]"),
                    "calendar.invalid_out_of_office",
                    format!(
                        "an out-of-office period ends after it starts, not at {} for a start at {}",
                        period.to.to_rfc3339(),
                        period.from.to_rfc3339()
                    ),
                );
            }
        }
        for (t, territory) in r.territories.iter().enumerate() {
            if territory.trim().is_empty() {
                cx.push(
                    format!("{p}.territories[{t}]"),
                    "routing.empty_name",
                    "a territory needs a name",
                );
            }
        }
    }
    cx.queues.insert(spec.unassignable_queue.as_str());
    for (i, q) in spec.queues.iter().enumerate() {
        let p = format!("routing.queues[{i}].name");
        if q.name.trim().is_empty() {
            cx.push(p, "routing.empty_name", "a queue needs a name");
        } else if !cx.queues.insert(q.name.as_str()) && q.name != spec.unassignable_queue {
            cx.push(
                p,
                "routing.duplicate_queue",
                format!("queue `{}` is declared twice", q.name),
            );
        }
    }
    let mut rule_names = BTreeSet::new();
    for (i, rule) in spec.rules.iter().enumerate() {
        let p = format!("routing.rules[{i}]");
        if rule.name.trim().is_empty() {
            cx.push(
                format!("{p}.name"),
                "routing.empty_name",
                "a rule needs a name",
            );
        } else if !rule_names.insert(rule.name.as_str()) {
            cx.push(
                format!("{p}.name"),
                "routing.duplicate_rule",
                format!("rule `{}` is declared twice", rule.name),
            );
        }
        if let Some(when) = &rule.when {
            let mut sink = Sink {
                prefix: "routing",
                issues: cx.issues,
            };
            let _ = Condition::compile_in(
                when,
                catalog,
                condition_scope(),
                &format!("{p}.when"),
                &mut sink,
            );
        }
        cx.strategy(&format!("{p}.assign"), &rule.assign);
        for (f, s) in rule.fallback.iter().enumerate() {
            cx.strategy(&format!("{p}.fallback[{f}]"), s);
        }
        crate::action::validate(&format!("{p}.actions"), &rule.actions, cx.issues);
    }
}

impl<'a> Cx<'a> {
    fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.issues.push(Issue::new(path, code, message));
    }

    fn limit(&mut self, path: &str, code: &str, v: i64, max: i64) {
        if !(1..=max).contains(&v) {
            self.push(path, code, format!("must be from 1 to {max}, not {v}"));
        }
    }

    fn rep(&mut self, path: String, rep: &str) {
        if !self.reps.contains(rep) {
            self.push(
                path,
                "routing.unknown_rep",
                format!("rep `{rep}` is not declared under `routing.reps`"),
            );
        }
    }

    fn strategy(&mut self, p: &str, s: &StrategySpec) {
        match s {
            StrategySpec::Rep(rep) => self.rep(format!("{p}.rep"), rep),
            StrategySpec::Queue(q) => {
                if !self.queues.contains(q.as_str()) {
                    self.push(
                        format!("{p}.queue"),
                        "routing.unknown_queue",
                        format!(
                            "queue `{q}` is neither declared under `routing.queues` nor the unassignable queue"
                        ),
                    );
                }
            }
            StrategySpec::RoundRobin { pool } | StrategySpec::LeastBusy { pool } => {
                self.pool(&format!("{p}.{}.pool", strategy_key(s)), pool);
            }
            StrategySpec::BalanceValue { pool, field } => {
                let sp = format!("{p}.balance_value");
                self.pool(&format!("{sp}.pool"), pool);
                match self.catalog.field_type(RecordKind::Lead, field) {
                    Some(FieldType::Number) => {}
                    Some(ty) => self.push(
                        format!("{sp}.field"),
                        "routing.field_type",
                        format!("`{field}` is {}, but a deal value is a number", ty.name()),
                    ),
                    None => self.push(
                        format!("{sp}.field"),
                        "routing.unknown_field",
                        format!("field `{field}` is neither built in nor declared under `fields`"),
                    ),
                }
            }
            StrategySpec::WinRate { pool, top } => {
                self.pool(&format!("{p}.win_rate.pool"), pool);
                self.limit(
                    &format!("{p}.win_rate.top"),
                    "routing.invalid_value",
                    *top,
                    MAX_WEIGHT,
                );
            }
            StrategySpec::AccountOwner {} => {}
        }
    }

    fn pool(&mut self, p: &str, pool: &PoolSpec) {
        let before = self.issues.len();
        if let Some(reps) = &pool.reps {
            if reps.is_empty() {
                self.push(
                    format!("{p}.reps"),
                    "routing.empty_pool",
                    "list at least one rep",
                );
            }
            for (r, rep) in reps.iter().enumerate() {
                self.rep(format!("{p}.reps[{r}]"), rep);
            }
        }
        if let Some(team) = &pool.team
            && !self.teams.contains(team.as_str())
        {
            self.push(
                format!("{p}.team"),
                "routing.unknown_team",
                format!("team `{team}` is not declared under `routing.teams`"),
            );
        }
        if let Some(field) = &pool.territory_from {
            match self.catalog.field_type(RecordKind::Lead, field) {
                Some(FieldType::Text) => {}
                Some(ty) => self.push(
                    format!("{p}.territory_from"),
                    "routing.field_type",
                    format!("`{field}` is {}, but a territory is text", ty.name()),
                ),
                None => self.push(
                    format!("{p}.territory_from"),
                    "routing.unknown_field",
                    format!("field `{field}` is neither built in nor declared under `fields`"),
                ),
            }
        }
        if self.issues.len() == before && pool_members(self.spec, pool).is_empty() {
            self.push(
                p,
                "routing.empty_pool",
                "no declared rep matches every selector of this pool",
            );
        }
    }
}

/// The territory tree: unique non-empty ids, declared parents, no cycle; with a tree, every
/// territory a rep or a pool names is in it.
fn territory_tree(spec: &RoutingSpec, issues: &mut Vec<Issue>) {
    if spec.territories.is_empty() {
        return;
    }
    let mut ids = BTreeSet::new();
    for (i, t) in spec.territories.iter().enumerate() {
        let p = format!("routing.territories[{i}]");
        if t.id.trim().is_empty() {
            issues.push(Issue::new(
                format!("{p}.id"),
                "routing.empty_name",
                "a territory needs an id",
            ));
        } else if !ids.insert(t.id.as_str()) {
            issues.push(Issue::new(
                format!("{p}.id"),
                "routing.duplicate_territory",
                format!("territory `{}` is declared twice", t.id),
            ));
        }
    }
    let unknown = |name: &str| {
        let hint = crate::model::closest(name, ids.iter().copied())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        format!("territory `{name}` is not in `routing.territories`{hint}")
    };
    let parents: BTreeMap<&str, Option<&str>> = spec
        .territories
        .iter()
        .map(|t| (t.id.as_str(), t.parent.as_deref()))
        .collect();
    for (i, t) in spec.territories.iter().enumerate() {
        let Some(parent) = t.parent.as_deref() else {
            continue;
        };
        let p = format!("routing.territories[{i}].parent");
        if !ids.contains(parent) {
            issues.push(Issue::new(p, "routing.unknown_territory", unknown(parent)));
            continue;
        }
        // Walk up: coming back to `t` is a cycle (reported once per member).
        let mut at = parent;
        let mut steps = 0;
        while let Some(Some(up)) = parents.get(at) {
            if at == t.id || steps > spec.territories.len() {
                break;
            }
            at = up;
            steps += 1;
        }
        if at == t.id {
            issues.push(Issue::new(
                p,
                "routing.territory_cycle",
                format!(
                    "territory `{}` lies within itself through its parents",
                    t.id
                ),
            ));
        }
    }
    for (r, rep) in spec.reps.iter().enumerate() {
        for (k, t) in rep.territories.iter().enumerate() {
            if !t.trim().is_empty() && !ids.contains(t.as_str()) {
                issues.push(Issue::new(
                    format!("routing.reps[{r}].territories[{k}]"),
                    "routing.unknown_territory",
                    unknown(t),
                ));
            }
        }
    }
    for (i, rule) in spec.rules.iter().enumerate() {
        for (k, s) in std::iter::once(&rule.assign)
            .chain(&rule.fallback)
            .enumerate()
        {
            let pool = match s {
                StrategySpec::RoundRobin { pool }
                | StrategySpec::LeastBusy { pool }
                | StrategySpec::BalanceValue { pool, .. }
                | StrategySpec::WinRate { pool, .. } => pool,
                _ => continue,
            };
            if let Some(t) = &pool.territory
                && !ids.contains(t.as_str())
            {
                let at = if k == 0 {
                    format!("routing.rules[{i}].assign")
                } else {
                    format!("routing.rules[{i}].fallback[{}]", k - 1)
                };
                issues.push(Issue::new(
                    format!("{at}.{}.pool.territory", strategy_key(s)),
                    "routing.unknown_territory",
                    unknown(t),
                ));
            }
        }
    }
}

/// The key a strategy is written under.
pub(crate) fn strategy_key(s: &StrategySpec) -> &'static str {
    match s {
        StrategySpec::Rep(_) => "rep",
        StrategySpec::Queue(_) => "queue",
        StrategySpec::RoundRobin { .. } => "round_robin",
        StrategySpec::LeastBusy { .. } => "least_busy",
        StrategySpec::BalanceValue { .. } => "balance_value",
        StrategySpec::WinRate { .. } => "win_rate",
        StrategySpec::AccountOwner {} => "account_owner",
    }
}
