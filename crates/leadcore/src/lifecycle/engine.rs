//! The engine: checks a requested move against the playbook, applies it or refuses it whole.

use super::guard::GuardContext;
use super::pipeline::{Pipeline, Stage};
use super::request::{Facts, TransitionRequest};
use super::spec::BackMoves;
use super::state::{LifecycleState, TransitionRecord};
use crate::action::{ActionSource, ActionSpec, EmittedAction};
use crate::error::{Error, ErrorKind, NotAllowed, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// What an accepted transition did.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Actor, Facts, Playbook, Role, TransitionRequest};
/// let pb = Playbook::default_playbook();
/// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let mut lead = pb.start("lead", "L-1", now).unwrap();
/// let mia = Actor::new("mia", Role::Marketing);
/// let out = pb.transition(&mut lead, &TransitionRequest::new("MQL", mia, now), &Facts::new().score("lead", 250.0)).unwrap();
/// assert_eq!((out.from.as_str(), out.to.as_str(), out.back_move), ("Suspect", "MQL", false));
/// assert!(!out.actions.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionOutcome {
    /// The record moved.
    pub record_id: String,
    /// Stage left.
    pub from: String,
    /// Stage entered.
    pub to: String,
    /// When.
    pub at: DateTime<Utc>,
    /// It moved back to an earlier ranked stage.
    pub back_move: bool,
    /// It re-entered the ranked path below the highest stage reached (recycling).
    pub recycled: bool,
    /// Actions for the host, in order: exit, transition, enter.
    pub actions: Vec<EmittedAction>,
}

/// A transition the engine would accept, before it is applied.
struct Plan<'p> {
    from: usize,
    to: usize,
    transition_actions: &'p [ActionSpec],
}

impl Pipeline {
    /// Starts a record in this pipeline's initial stage at `now`.
    pub fn start(&self, record_id: impl AsRef<str>, now: DateTime<Utc>) -> LifecycleState {
        let initial = self.initial();
        let mut state = LifecycleState::begin(
            self.name(),
            record_id.as_ref(),
            initial.name(),
            initial.rank().is_some(),
            now,
        );
        state.mark_verified(self.fingerprint());
        state
    }

    /// Checks a transition of a record of this pipeline without applying it: `Ok(())`
    /// exactly when [`Pipeline::transition`] would succeed.
    pub fn check(
        &self,
        state: &LifecycleState,
        request: &TransitionRequest,
        facts: &Facts<'_>,
    ) -> Result<()> {
        self.verify(state)?;
        plan(self, state, request, facts).map(|_| ())
    }

    /// Moves a record of this pipeline. On success the state is updated and the outcome
    /// lists the actions to carry out; on failure the state is left exactly as it was and
    /// the error says why (every failing guard, by name). A state this pipeline did not
    /// make is first checked against it ([`Pipeline::verify`]).
    pub fn transition(
        &self,
        state: &mut LifecycleState,
        request: &TransitionRequest,
        facts: &Facts<'_>,
    ) -> Result<TransitionOutcome> {
        self.verify(state)?;
        state.mark_verified(self.fingerprint());
        let plan = plan(self, state, request, facts)?;
        Ok(apply(self, state, request, &plan))
    }

    /// A state of another pipeline is refused rather than misread.
    pub(crate) fn owns(&self, state: &LifecycleState) -> Result<()> {
        if state.pipeline() == self.name() {
            Ok(())
        } else {
            Err(Error::invalid_input(format!(
                "the state belongs to pipeline `{}`, not `{}`",
                state.pipeline(),
                self.name()
            )))
        }
    }
}

fn plan<'p>(
    p: &'p Pipeline,
    state: &LifecycleState,
    request: &TransitionRequest,
    facts: &Facts<'_>,
) -> Result<Plan<'p>> {
    let from = p.stage_index(state.current())?;
    let to = p.stage_index(&request.to)?;
    if request.now < state.entered_at() {
        return Err(Error::from(ErrorKind::TimeWentBackwards {
            last: state
                .entered_at()
                .to_rfc3339_opts(SecondsFormat::AutoSi, true),
            now: request.now.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        }));
    }
    let stages = p.stages();
    let not_allowed = |why| {
        Error::from(ErrorKind::TransitionNotAllowed {
            from: stages[from].name().to_owned(),
            to: stages[to].name().to_owned(),
            why,
        })
    };
    if from == to {
        return Err(not_allowed(NotAllowed::SameStage));
    }
    if stages[from].is_terminal() {
        return Err(not_allowed(NotAllowed::FromTerminal));
    }
    let declared = p.declared(from, to);
    let transition_guards = match declared {
        Some(_) => p.guards_of(from, to),
        None if p.is_back_move(from, to) => {
            if p.back_moves() == BackMoves::Allow {
                &[]
            } else {
                return Err(not_allowed(NotAllowed::BackMoveForbidden));
            }
        }
        None => return Err(not_allowed(NotAllowed::Undeclared)),
    };
    let target = &stages[to];
    match &request.reason {
        None if target.requires_reason() => {
            return Err(Error::from(ErrorKind::ReasonRequired {
                stage: target.name().to_owned(),
            }));
        }
        Some(r) if !target.reasons().is_empty() && !target.reasons().contains(r) => {
            return Err(Error::from(ErrorKind::InvalidReason {
                stage: target.name().to_owned(),
                reason: r.clone(),
                allowed: target.reasons().to_vec(),
            }));
        }
        _ => {}
    }
    let cx = GuardContext {
        facts,
        actor: &request.actor,
        now: request.now,
        stage_entered_at: state.entered_at(),
    };
    let failures: Vec<_> = transition_guards
        .iter()
        .chain(target.entry_guards())
        .filter_map(|g| g.evaluate(&cx).err())
        .collect();
    if !failures.is_empty() {
        return Err(Error::from(ErrorKind::GuardFailed {
            from: stages[from].name().to_owned(),
            to: target.name().to_owned(),
            failures,
        }));
    }
    Ok(Plan {
        from,
        to,
        transition_actions: declared.map_or(&[], |t| t.actions.as_slice()),
    })
}

/// The new highest stage, if entering `to` raises it.
pub(super) fn raises_highest<'p>(
    p: &'p Pipeline,
    state: &LifecycleState,
    to: usize,
) -> Option<&'p str> {
    let target = p.stages().get(to)?;
    let rank = target.rank()?;
    let current_high = state
        .highest()
        .and_then(|h| p.stage(h).ok())
        .and_then(|s| s.rank());
    (current_high.is_none_or(|h| rank > h)).then(|| target.name())
}

fn apply(
    p: &Pipeline,
    state: &mut LifecycleState,
    request: &TransitionRequest,
    plan: &Plan<'_>,
) -> TransitionOutcome {
    let stages = p.stages();
    let (from, to) = (&stages[plan.from], &stages[plan.to]);
    let highest_rank = state
        .highest()
        .and_then(|h| p.stage(h).ok())
        .and_then(|s| s.rank());
    let recycled = matches!((to.rank(), highest_rank), (Some(r), Some(h)) if r < h);
    // Sources are built only for stages that declare actions (no allocation otherwise).
    let mut actions = Vec::new();
    let mut emit = |declared: &[ActionSpec], source: &dyn Fn() -> ActionSource| {
        if !declared.is_empty() {
            actions.extend(EmittedAction::emit(&source(), declared));
        }
    };
    let stage = |s: &Stage| s.name().to_owned();
    emit(from.on_exit(), &|| ActionSource::Exit {
        stage: stage(from),
    });
    emit(plan.transition_actions, &|| ActionSource::Transition {
        stage: stage(to),
    });
    emit(to.on_enter(), &|| ActionSource::Enter { stage: stage(to) });
    let new_highest = to
        .rank()
        .filter(|&r| highest_rank.is_none_or(|h| r > h))
        .map(|_| to.name());
    state.record(
        TransitionRecord {
            at: request.now,
            from: Some(from.name().to_owned()),
            to: to.name().to_owned(),
            actor: Some(request.actor.clone()),
            reason: request.reason.clone(),
        },
        new_highest,
    );
    TransitionOutcome {
        record_id: state.record_id().to_owned(),
        from: from.name().to_owned(),
        to: to.name().to_owned(),
        at: request.now,
        back_move: p.is_back_move(plan.from, plan.to),
        recycled,
        actions,
    }
}
