//! A validated pipeline: stages indexed by name, ranks, and a transition table.

use super::guard::Guard;
use super::spec::{BackMoves, GuardSpec, PipelineSpec, StageKind, StageSpec, TransitionSpec};
use crate::action::ActionSpec;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Catalog, RecordKind};
use std::collections::BTreeMap;

/// A stage of a validated pipeline.
///
/// ```
/// use leadcore::StageKind;
/// let pb = leadcore::Playbook::default_playbook();
/// let won = pb.lifecycle().stage("Won").unwrap();
/// assert_eq!(won.kind(), StageKind::Won);
/// assert!(won.is_terminal());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    spec: StageSpec,
    rank: Option<u32>,
    entry_guards: Vec<Guard>,
}

impl Stage {
    /// The stage's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }
    /// Open, won, lost, nurture or disqualified.
    pub fn kind(&self) -> StageKind {
        self.spec.kind
    }
    /// Position on the funnel's ranked path (open and won stages), from 0.
    pub fn rank(&self) -> Option<u32> {
        self.rank
    }
    /// No transition may leave it.
    pub fn is_terminal(&self) -> bool {
        self.spec.terminal
    }
    /// Entering needs a reason.
    pub fn requires_reason(&self) -> bool {
        self.spec.require_reason
    }
    /// The accepted reasons (any reason when empty).
    pub fn reasons(&self) -> &[String] {
        &self.spec.reasons
    }
    /// Guards checked on every entry.
    pub fn entry_guards(&self) -> &[Guard] {
        &self.entry_guards
    }
    /// Actions emitted on entry.
    pub fn on_enter(&self) -> &[ActionSpec] {
        &self.spec.on_enter
    }
    /// Actions emitted on exit.
    pub fn on_exit(&self) -> &[ActionSpec] {
        &self.spec.on_exit
    }
}

/// A validated pipeline (the lead lifecycle or a deal pipeline).
///
/// ```
/// let pb = leadcore::Playbook::default_playbook();
/// let lead = pb.lifecycle();
/// assert_eq!(lead.initial().name(), "Suspect");
/// assert!(lead.next_stages("Suspect").unwrap().contains(&"MQL"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    name: String,
    initial: usize,
    back_moves: BackMoves,
    stages: Vec<Stage>,
    transitions: Vec<TransitionSpec>,
    guards: Vec<Vec<Guard>>,
    index: BTreeMap<String, usize>,
    /// `(from, to)` to the index of the transition declared between them.
    explicit: BTreeMap<(usize, usize), usize>,
    /// `wildcard[to]`: the index of the `* -> to` transition, if any; an explicit
    /// declaration beats it.
    wildcard: Vec<Option<usize>>,
    /// A hash of the spec: states made by (or checked against) this pipeline carry it.
    fingerprint: u64,
}

impl Pipeline {
    /// Builds the lookup tables of a spec the validator accepted, its guards compiled
    /// against the catalog for records of `record`.
    pub(crate) fn build(spec: &PipelineSpec, catalog: &Catalog, record: RecordKind) -> Self {
        // The validator has compiled every guard already: a guard that failed cannot reach
        // here, so the issues of compiling again are dropped.
        let mut dropped = Vec::new();
        let mut compile = |guards: &[GuardSpec]| -> Vec<Guard> {
            guards
                .iter()
                .filter_map(|g| Guard::compile(g, catalog, record, "", &mut dropped))
                .collect()
        };
        let stages: Vec<Stage> = spec
            .stages
            .iter()
            .zip(super::validate::ranks(&spec.stages))
            .map(|(s, rank)| Stage {
                spec: s.clone(),
                rank,
                entry_guards: compile(&s.entry_guards),
            })
            .collect();
        let guards = spec
            .transitions
            .iter()
            .map(|t| compile(&t.guards))
            .collect();
        let index: BTreeMap<String, usize> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name().to_owned(), i))
            .collect();
        // O(transitions · log stages): no table of every pair of stages.
        let mut explicit = BTreeMap::new();
        let mut wildcard = vec![None; stages.len()];
        for (t, tr) in spec.transitions.iter().enumerate() {
            let Some(&to) = index.get(&tr.to) else {
                continue;
            };
            if tr.from == "*" {
                if let Some(slot) = wildcard.get_mut(to) {
                    *slot = Some(t);
                }
            } else if let Some(&from) = index.get(&tr.from) {
                explicit.insert((from, to), t);
            }
        }
        Pipeline {
            name: spec.name.clone(),
            initial: index.get(&spec.initial).copied().unwrap_or(0),
            back_moves: spec.back_moves,
            stages,
            transitions: spec.transitions.clone(),
            guards,
            index,
            explicit,
            wildcard,
            fingerprint: fingerprint(spec),
        }
    }

    /// The hash of the spec this pipeline was built from.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The pipeline's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stage records start in.
    pub fn initial(&self) -> &Stage {
        &self.stages[self.initial]
    }

    /// Back-move policy.
    pub fn back_moves(&self) -> BackMoves {
        self.back_moves
    }

    /// Stages in declaration order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The declared transitions.
    pub fn transitions(&self) -> &[TransitionSpec] {
        &self.transitions
    }

    /// Index of a stage by name.
    pub fn stage_index(&self, name: &str) -> Result<usize> {
        self.index.get(name).copied().ok_or_else(|| {
            Error::from(ErrorKind::UnknownStage {
                pipeline: self.name.clone(),
                stage: name.to_owned(),
            })
        })
    }

    /// A stage by name.
    pub fn stage(&self, name: &str) -> Result<&Stage> {
        Ok(&self.stages[self.stage_index(name)?])
    }

    /// Index of the transition declared from one stage index to another: an explicit one,
    /// else a `*` wildcard (which never leaves a terminal stage nor enters the stage it
    /// leaves).
    fn edge(&self, from: usize, to: usize) -> Option<usize> {
        let leaves = self.stages.get(from)?;
        self.stages.get(to)?;
        self.explicit.get(&(from, to)).copied().or_else(|| {
            (from != to && !leaves.is_terminal())
                .then(|| self.wildcard.get(to).copied().flatten())
                .flatten()
        })
    }

    /// The declared transition from one stage index to another, if any.
    pub fn declared(&self, from: usize, to: usize) -> Option<&TransitionSpec> {
        self.edge(from, to).and_then(|t| self.transitions.get(t))
    }

    /// The compiled guards of the transition declared from `from` to `to` (none when none
    /// is declared).
    pub fn guards_of(&self, from: usize, to: usize) -> &[Guard] {
        self.edge(from, to)
            .and_then(|t| self.guards.get(t))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether moving `from` → `to` goes back to an earlier ranked stage.
    pub fn is_back_move(&self, from: usize, to: usize) -> bool {
        match (
            self.stages.get(from).and_then(Stage::rank),
            self.stages.get(to).and_then(Stage::rank),
        ) {
            (Some(a), Some(b)) => b < a,
            _ => false,
        }
    }

    /// Names of the stages reachable in one step from `stage`, by declaration (and by the
    /// back-move policy), in stage order. Guards are not evaluated.
    ///
    /// ```
    /// let pb = leadcore::Playbook::default_playbook();
    /// let next = pb.lifecycle().next_stages("Suspect").unwrap();
    /// assert!(next.contains(&"MQL"));
    /// assert!(!next.contains(&"Won"));
    /// ```
    pub fn next_stages(&self, stage: &str) -> Result<Vec<&str>> {
        let from = self.stage_index(stage)?;
        if self.stages[from].is_terminal() {
            return Ok(Vec::new());
        }
        Ok((0..self.stages.len())
            .filter(|&to| {
                to != from
                    && (self.declared(from, to).is_some()
                        || (self.back_moves == BackMoves::Allow && self.is_back_move(from, to)))
            })
            .map(|to| self.stages[to].name())
            .collect())
    }
}

/// FNV-1a over the spec's JSON: equal specs, equal fingerprints (within one process; it is
/// never stored).
fn fingerprint(spec: &PipelineSpec) -> u64 {
    serde_json::to_string(spec)
        .unwrap_or_default()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}
