//! Validation of a pipeline: stages, transitions, reachability, reasons, actions and guards
//! (compiled against the catalog), every problem at its path.

use super::guard::Guard;
use super::spec::{BackMoves, GuardSpec, PipelineSpec, StageSpec};
use crate::error::Issue;
use crate::model::{Catalog, RecordKind as Subject};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

struct Ctx<'a> {
    catalog: &'a Catalog,
    issues: &'a mut Vec<Issue>,
}

/// Appends the problems of pipeline `p` (at `prefix`, its guards reading `subject`).
pub(crate) fn validate(
    prefix: &str,
    p: &PipelineSpec,
    subject: Subject,
    catalog: &Catalog,
    issues: &mut Vec<Issue>,
) {
    Ctx { catalog, issues }.pipeline(prefix, p, subject);
}

impl Ctx<'_> {
    fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.issues.push(Issue::new(path, code, message));
    }

    fn pipeline(&mut self, prefix: &str, p: &PipelineSpec, subject: Subject) {
        if p.name.trim().is_empty() {
            self.push(
                format!("{prefix}.name"),
                "pipeline.empty_name",
                "a pipeline needs a name",
            );
        }
        if p.stages.is_empty() {
            self.push(
                format!("{prefix}.stages"),
                "pipeline.no_stages",
                "a pipeline needs at least one stage",
            );
            return;
        }
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, s) in p.stages.iter().enumerate() {
            self.stage(&format!("{prefix}.stages[{i}]"), s, subject);
            if s.name.trim().is_empty() || s.name == "*" {
                self.push(
                    format!("{prefix}.stages[{i}].name"),
                    "stage.invalid_name",
                    format!("`{}` cannot name a stage", s.name),
                );
            } else if index.contains_key(s.name.as_str()) {
                self.push(
                    format!("{prefix}.stages[{i}].name"),
                    "stage.duplicate",
                    format!("stage `{}` is declared twice", s.name),
                );
            } else {
                index.insert(s.name.as_str(), i);
            }
        }
        let initial = index.get(p.initial.as_str()).copied();
        if initial.is_none() {
            self.push(
                format!("{prefix}.initial"),
                "pipeline.unknown_initial",
                format!("initial stage `{}` is not declared", p.initial),
            );
        }
        let rank = ranks(&p.stages);
        let mut pairs = BTreeSet::new();
        let mut edges: Vec<(Option<usize>, usize)> = Vec::new();
        for (t, tr) in p.transitions.iter().enumerate() {
            let tp = format!("{prefix}.transitions[{t}]");
            let from = if tr.from == "*" {
                Some(None)
            } else {
                match index.get(tr.from.as_str()) {
                    Some(&f) => Some(Some(f)),
                    None => {
                        self.push(
                            format!("{tp}.from"),
                            "transition.unknown_stage",
                            format!("stage `{}` is not declared", tr.from),
                        );
                        None
                    }
                }
            };
            let to = index.get(tr.to.as_str()).copied();
            if to.is_none() {
                self.push(
                    format!("{tp}.to"),
                    "transition.unknown_stage",
                    format!("stage `{}` is not declared", tr.to),
                );
            }
            if tr.from == tr.to {
                self.push(
                    tp.clone(),
                    "transition.self_loop",
                    format!("a transition from `{}` to itself", tr.from),
                );
            } else if !pairs.insert((tr.from.as_str(), tr.to.as_str())) {
                self.push(
                    tp.clone(),
                    "transition.duplicate",
                    format!("{} -> {} is declared twice", tr.from, tr.to),
                );
            }
            if let (Some(Some(f)), Some(to)) = (from, to) {
                if p.stages[f].terminal {
                    self.push(
                        format!("{tp}.from"),
                        "transition.from_terminal",
                        format!("`{}` is terminal: nothing may leave it", tr.from),
                    );
                }
                if p.back_moves == BackMoves::Forbid
                    && let (Some(a), Some(b)) = (rank[f], rank[to])
                    && b < a
                {
                    self.push(
                        tp.clone(),
                        "transition.back_move_forbidden",
                        format!(
                            "{} -> {} moves back while back_moves is `forbid`",
                            tr.from, tr.to
                        ),
                    );
                }
            }
            if let (Some(f), Some(to)) = (from, to) {
                edges.push((f, to));
            }
            self.guards(&format!("{tp}.guards"), &tr.guards, subject);
            crate::action::validate(&format!("{tp}.actions"), &tr.actions, self.issues);
        }
        if let Some(start) = initial {
            let seen = reachable(p, start, &rank, &edges);
            for (i, s) in p.stages.iter().enumerate() {
                if !seen[i] && index.get(s.name.as_str()) == Some(&i) {
                    self.push(
                        format!("{prefix}.stages[{i}]"),
                        "stage.unreachable",
                        format!("no path leads from `{}` to `{}`", p.initial, s.name),
                    );
                }
            }
        }
    }

    fn stage(&mut self, path: &str, s: &StageSpec, subject: Subject) {
        let mut reasons = BTreeSet::new();
        for (r, reason) in s.reasons.iter().enumerate() {
            if reason.trim().is_empty() {
                self.push(
                    format!("{path}.reasons[{r}]"),
                    "stage.empty_reason",
                    "a reason needs text",
                );
            } else if !reasons.insert(reason.as_str()) {
                self.push(
                    format!("{path}.reasons[{r}]"),
                    "stage.duplicate_reason",
                    format!("reason `{reason}` is listed twice"),
                );
            }
        }
        self.guards(&format!("{path}.entry_guards"), &s.entry_guards, subject);
        for (field, list) in [("on_enter", &s.on_enter), ("on_exit", &s.on_exit)] {
            crate::action::validate(&format!("{path}.{field}"), list, self.issues);
        }
    }

    fn guards(&mut self, path: &str, guards: &[GuardSpec], subject: Subject) {
        let mut names = BTreeSet::new();
        for (g, guard) in guards.iter().enumerate() {
            let gp = format!("{path}[{g}]");
            if guard.name().trim().is_empty() {
                self.push(
                    format!("{gp}.name"),
                    "guard.empty_name",
                    "a guard needs a name",
                );
            } else if !names.insert(guard.name()) {
                self.push(
                    format!("{gp}.name"),
                    "guard.duplicate_name",
                    format!("guard name `{}` is used twice here", guard.name()),
                );
            }
            let _ = Guard::compile(guard, self.catalog, subject, &gp, self.issues);
        }
    }
}

/// The stages reachable from `start` by declared transitions (`(Some(from), to)`, or
/// `(None, to)` for a `*` wildcard) and, when the pipeline allows them, back-moves: a
/// breadth-first search in O(stages + transitions).
fn reachable(
    p: &PipelineSpec,
    start: usize,
    rank: &[Option<u32>],
    edges: &[(Option<usize>, usize)],
) -> Vec<bool> {
    let n = p.stages.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut wildcard: Vec<usize> = Vec::new();
    for &(from, to) in edges {
        match from {
            Some(f) => out[f].push(to),
            None => wildcard.push(to),
        }
    }
    // Ranked stages in rank order: a back-move from rank `a` reaches the first `a` of them.
    let by_rank: Vec<usize> = (0..n).filter(|&i| rank[i].is_some()).collect();
    let mut back_reached = 0; // by_rank[..back_reached] are enqueued already
    let mut wildcards_taken = false;
    let mut seen = vec![false; n];
    seen[start] = true;
    let mut queue = VecDeque::from([start]);
    let visit = |to: usize, seen: &mut [bool], queue: &mut VecDeque<usize>| {
        if !seen[to] {
            seen[to] = true;
            queue.push_back(to);
        }
    };
    while let Some(s) = queue.pop_front() {
        for &to in &out[s] {
            visit(to, &mut seen, &mut queue);
        }
        if p.stages[s].terminal {
            continue;
        }
        // `* -> to` leaves every non-terminal stage but `to` itself, and `s` is seen already.
        if !wildcards_taken {
            wildcards_taken = true;
            for &to in &wildcard {
                visit(to, &mut seen, &mut queue);
            }
        }
        if p.back_moves == BackMoves::Allow
            && let Some(a) = rank[s]
        {
            let a = a as usize;
            while back_reached < a.min(by_rank.len()) {
                visit(by_rank[back_reached], &mut seen, &mut queue);
                back_reached += 1;
            }
        }
    }
    seen
}

/// Funnel rank of each stage: open and won stages in declaration order.
pub(crate) fn ranks(stages: &[StageSpec]) -> Vec<Option<u32>> {
    let mut next = 0;
    stages
        .iter()
        .map(|s| {
            s.kind.is_ranked().then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}
