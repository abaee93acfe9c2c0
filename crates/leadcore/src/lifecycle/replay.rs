//! Replaying a history: a state rebuilt from its recorded moves, every move checked against
//! the pipeline first, so a history (stored or imported) cannot inflate a funnel with moves
//! the playbook never allows.

use super::engine::raises_highest;
use super::guard::{Guard, GuardContext};
use super::pipeline::Pipeline;
use super::request::Facts;
use super::spec::BackMoves;
use super::state::{LifecycleState, TransitionRecord};
use crate::error::{Error, ErrorKind, HistoryIssue, NotAllowed, Result};
use chrono::{DateTime, SecondsFormat, Utc};

/// How [`Playbook::replay_with`](crate::Playbook::replay_with) treats a history. The default ([`Playbook::replay`](crate::Playbook::replay)) checks
/// everything a history lets it check.
///
/// ```
/// use leadcore::ReplayOptions;
/// assert!(!ReplayOptions::default().trust_history);
/// let imported = ReplayOptions::new().trust_history(true);
/// assert!(imported.trust_history);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayOptions {
    /// Trust the history's guards and reasons, for imported data whose moves were approved
    /// elsewhere: reasons and `actor_role` guards are not checked, and the first entry may
    /// enter any stage of the pipeline. Unknown stages, undeclared moves, forbidden
    /// back-moves, moves out of a terminal stage or into the same stage, a `from` that is not
    /// the current stage and times going backwards are refused all the same.
    pub trust_history: bool,
}

impl ReplayOptions {
    /// The strict default: every check a history allows.
    ///
    /// ```
    /// assert_eq!(leadcore::ReplayOptions::new(), leadcore::ReplayOptions::default());
    /// ```
    pub fn new() -> Self {
        ReplayOptions::default()
    }

    /// The same options, trusting the history's guards and reasons or not.
    ///
    /// ```
    /// let o = leadcore::ReplayOptions::new().trust_history(true);
    /// assert!(o.trust_history);
    /// ```
    pub fn trust_history(mut self, trust: bool) -> Self {
        self.trust_history = trust;
        self
    }
}

impl Pipeline {
    /// Rebuilds a state of this pipeline from its history, checking every entry first (see
    /// [`Playbook::replay_with`](crate::Playbook::replay_with) for the rules).
    pub fn replay(
        &self,
        record_id: &str,
        history: &[TransitionRecord],
        options: &ReplayOptions,
    ) -> Result<LifecycleState> {
        let Some((first, rest)) = history.split_first() else {
            return Err(Error::invalid_input("history is empty".to_owned()));
        };
        let entries = history_problems(self, first, rest, options);
        if !entries.is_empty() {
            return Err(Error::from(ErrorKind::InvalidHistory {
                pipeline: self.name().to_owned(),
                entries,
            }));
        }
        let start = self.stage(&first.to)?;
        let mut state = LifecycleState::begin_with(
            self.name(),
            record_id,
            first.clone(),
            start.rank().is_some(),
        );
        for rec in rest {
            let to = self.stage_index(&rec.to)?;
            let new_highest = raises_highest(self, &state, to);
            state.record(rec.clone(), new_highest);
        }
        state.mark_verified(self.fingerprint());
        Ok(state)
    }

    /// Checks that `state` is one this pipeline could have produced: its pipeline, every
    /// history entry as [`ReplayOptions::trust_history`] replays it (known stages, declared
    /// moves or allowed back-moves, time order; reasons and roles are not checked again),
    /// and its current stage, entry time and highest stage as that history gives them. A
    /// state read from JSON has never been checked: [`Pipeline::transition`],
    /// [`Pipeline::check`] and [`Funnel::compute`](crate::Funnel::compute) check it first
    /// (once: a state this pipeline made or checked is not checked again).
    ///
    /// A bad entry is `lifecycle.invalid_history` (every one, by index); a `highest` or
    /// `current` that the history does not give is `input.invalid`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{LifecycleState, Playbook};
    /// let pb = Playbook::default_playbook();
    /// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let json = pb.start("lead", "L-1", now).unwrap().to_json();
    /// let forged = LifecycleState::from_json(&json.replace(r#""highest":"Suspect""#, r#""highest":"Won""#)).unwrap();
    /// assert_eq!(pb.lifecycle().verify(&forged).unwrap_err().code(), "input.invalid");
    /// let renamed = LifecycleState::from_json(&json.replace("Suspect", "Lead")).unwrap();
    /// assert_eq!(pb.lifecycle().verify(&renamed).unwrap_err().code(), "lifecycle.invalid_history");
    /// ```
    pub fn verify(&self, state: &LifecycleState) -> Result<()> {
        self.owns(state)?;
        if state.verified_for(self.fingerprint()) {
            return Ok(());
        }
        let trusted = ReplayOptions::new().trust_history(true);
        let rebuilt = self.replay(state.record_id(), state.history(), &trusted)?;
        if rebuilt.highest() != state.highest() {
            return Err(Error::invalid_input(format!(
                "lifecycle state: highest stage {} does not follow from its history, which reaches {}",
                describe(state.highest()),
                describe(rebuilt.highest()),
            )));
        }
        if rebuilt != *state {
            return Err(Error::invalid_input(
                "lifecycle state: the current stage or its entry time does not follow from its history"
                    .to_owned(),
            ));
        }
        Ok(())
    }
}

fn describe(stage: Option<&str>) -> String {
    stage.map_or_else(|| "none".to_owned(), |s| format!("`{s}`"))
}

/// Every problem of a history, in order. Each entry is checked against the entry before it
/// as written, so one bad entry is reported once rather than making every later one look
/// wrong too.
fn history_problems(
    p: &Pipeline,
    first: &TransitionRecord,
    rest: &[TransitionRecord],
    options: &ReplayOptions,
) -> Vec<HistoryIssue> {
    let mut out = Vec::new();
    check_start(p, first, options, &mut out);
    let mut prev = first;
    for (i, rec) in rest.iter().enumerate() {
        check_move(p, i + 1, prev, rec, options, &mut out);
        prev = rec;
    }
    out
}

fn unknown_stage(p: &Pipeline, index: usize, stage: &str) -> HistoryIssue {
    HistoryIssue::new(
        index,
        "history.unknown_stage",
        format!("stage `{stage}` is not in pipeline `{}`", p.name()),
    )
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn check_start(
    p: &Pipeline,
    first: &TransitionRecord,
    options: &ReplayOptions,
    out: &mut Vec<HistoryIssue>,
) {
    if let Some(from) = &first.from {
        out.push(HistoryIssue::new(
            0,
            "history.start_expected",
            format!("the first entry must be a start (`from: null`), not a move from `{from}`"),
        ));
    }
    let initial = p.initial().name();
    if p.stage_index(&first.to).is_err() {
        out.push(unknown_stage(p, 0, &first.to));
    } else if !options.trust_history && first.to != initial {
        out.push(HistoryIssue::new(
            0,
            "history.not_initial",
            format!(
                "records start in `{initial}`, not `{}` (trust_history accepts a record started elsewhere)",
                first.to
            ),
        ));
    }
}

fn not_allowed_code(why: NotAllowed) -> &'static str {
    match why {
        NotAllowed::Undeclared => "history.undeclared",
        NotAllowed::BackMoveForbidden => "history.back_move_forbidden",
        NotAllowed::FromTerminal => "history.from_terminal",
        NotAllowed::SameStage => "history.same_stage",
    }
}

/// The guards of the move `from` → `to` when the pipeline allows it (declared, or a
/// back-move it allows: no guards), else why not; the same rules as a live transition.
fn allowed(p: &Pipeline, from: usize, to: usize) -> Result<&[Guard], NotAllowed> {
    if from == to {
        return Err(NotAllowed::SameStage);
    }
    if p.stages().get(from).is_none_or(|s| s.is_terminal()) {
        return Err(NotAllowed::FromTerminal);
    }
    match p.declared(from, to) {
        Some(_) => Ok(p.guards_of(from, to)),
        None if p.is_back_move(from, to) && p.back_moves() == BackMoves::Allow => Ok(&[]),
        None if p.is_back_move(from, to) => Err(NotAllowed::BackMoveForbidden),
        None => Err(NotAllowed::Undeclared),
    }
}

fn check_move(
    p: &Pipeline,
    index: usize,
    prev: &TransitionRecord,
    rec: &TransitionRecord,
    options: &ReplayOptions,
    out: &mut Vec<HistoryIssue>,
) {
    let issue = |code: &str, message: String| HistoryIssue::new(index, code, message);
    let current = prev.to.as_str();
    if rec.at < prev.at {
        out.push(issue(
            "history.time_went_backwards",
            format!(
                "at {} is before {}, the time of the entry before",
                rfc3339(rec.at),
                rfc3339(prev.at)
            ),
        ));
    }
    let from_matches = match rec.from.as_deref() {
        Some(from) if from == current => true,
        Some(from) => {
            out.push(issue(
                "history.from_mismatch",
                format!("moves from `{from}` but the record is in `{current}`"),
            ));
            false
        }
        None => {
            out.push(issue(
                "history.from_mismatch",
                format!("is a start (`from: null`) but the record is already in `{current}`"),
            ));
            false
        }
    };
    let to = p.stage_index(&rec.to);
    if to.is_err() {
        out.push(unknown_stage(p, index, &rec.to));
    }
    // The move itself, once both ends are known stages (an unknown current stage was
    // reported with the entry that entered it) and the entry leaves the current one.
    let (Ok(to), Ok(from), true) = (to, p.stage_index(current), from_matches) else {
        return;
    };
    let Some(target) = p.stages().get(to) else {
        return;
    };
    let transition_guards = match allowed(p, from, to) {
        Ok(guards) => guards,
        Err(why) => {
            out.push(issue(
                not_allowed_code(why),
                format!("{current} -> {}: {}", rec.to, why.describe()),
            ));
            return;
        }
    };
    if options.trust_history {
        return;
    }
    match &rec.reason {
        None if target.requires_reason() => out.push(issue(
            "history.reason_required",
            format!("entering `{}` requires a reason", rec.to),
        )),
        Some(r) if !target.reasons().is_empty() && !target.reasons().contains(r) => {
            out.push(issue(
                "history.invalid_reason",
                format!(
                    "reason `{r}` is not accepted by `{}` (accepted: {})",
                    rec.to,
                    target.reasons().join(", ")
                ),
            ));
        }
        _ => {}
    }
    // Only the actor's role can be checked again: the entry carries its actor, but not the
    // fields, activities or scores other guards read.
    let facts = Facts::new();
    let role_guards = transition_guards
        .iter()
        .chain(target.entry_guards())
        .filter(|g| g.check() == "actor_role");
    for guard in role_guards {
        let failure = match &rec.actor {
            None => format!(
                "guard `{}` (actor_role) cannot hold: the entry names no actor",
                guard.name()
            ),
            Some(actor) => {
                let cx = GuardContext {
                    facts: &facts,
                    actor,
                    now: rec.at,
                    stage_entered_at: prev.at,
                };
                match guard.evaluate(&cx) {
                    Ok(()) => continue,
                    Err(f) => format!("guard `{}` ({}): {}", f.guard, f.check, f.message),
                }
            }
        };
        out.push(issue("history.guard_failed", failure));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playbook;
    use crate::model::{Actor, Role};
    use chrono::{Duration, TimeZone};

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap() + Duration::hours(hours)
    }

    fn entry(hours: i64, from: Option<&str>, to: &str, role: Option<Role>) -> TransitionRecord {
        TransitionRecord {
            at: t(hours),
            from: from.map(str::to_owned),
            to: to.to_owned(),
            actor: role.map(|r| Actor::new("u", r)),
            reason: None,
        }
    }

    fn start() -> TransitionRecord {
        entry(0, None, "Suspect", None)
    }

    fn codes(err: &Error) -> Vec<(usize, &str)> {
        err.history_entries()
            .iter()
            .map(|e| (e.index, e.code.as_str()))
            .collect()
    }

    fn strict(history: &[TransitionRecord]) -> Result<LifecycleState> {
        Playbook::default_playbook().replay("lead", "L-1", history)
    }

    fn trusted(history: &[TransitionRecord]) -> Result<LifecycleState> {
        let trust = ReplayOptions::new().trust_history(true);
        Playbook::default_playbook().replay_with("lead", "L-1", history, &trust)
    }

    fn walk() -> Vec<TransitionRecord> {
        vec![
            start(),
            entry(1, Some("Suspect"), "MQL", Some(Role::Marketing)),
            entry(2, Some("MQL"), "SRL", Some(Role::Sdr)),
        ]
    }

    #[test]
    fn a_declared_walk_replays() {
        let s = strict(&walk()).unwrap();
        assert_eq!((s.current(), s.highest()), ("SRL", Some("SRL")));
        assert_eq!(s.history(), walk().as_slice());
    }

    #[test]
    fn undeclared_moves_are_refused_with_their_index_even_when_trusted() {
        let h = vec![
            start(),
            entry(1, Some("Suspect"), "Won", Some(Role::Ae)),
            entry(2, Some("Won"), "Suspect", Some(Role::Ae)),
        ];
        let err = strict(&h).unwrap_err();
        assert_eq!(err.code(), "lifecycle.invalid_history");
        assert_eq!(
            codes(&err),
            [(1, "history.undeclared"), (2, "history.from_terminal")]
        );
        assert_eq!(trusted(&h).unwrap_err(), err);
        let r = err.report();
        assert_eq!(r.pipeline.as_deref(), Some("lead"));
        assert_eq!(r.entries.len(), 2);
        assert!(err.to_string().contains("entry 1: Suspect -> Won"), "{err}");
    }

    #[test]
    fn every_bad_entry_is_reported_at_once() {
        let mut h = walk();
        h.push(entry(1, Some("SRL"), "Opportunity", Some(Role::Ae))); // 3: back in time, undeclared
        h.push(entry(4, Some("Nowhere"), "Lost", Some(Role::Ae))); // 4: from mismatch
        h.push(entry(5, Some("Lost"), "Atlantis", Some(Role::Ae))); // 5: unknown stage
        h.push(entry(6, None, "MQL", Some(Role::Marketing))); // 6: a second start
        let err = strict(&h).unwrap_err();
        assert_eq!(
            codes(&err),
            [
                (3, "history.time_went_backwards"),
                (3, "history.undeclared"),
                (4, "history.from_mismatch"),
                (5, "history.unknown_stage"),
                (6, "history.from_mismatch"),
            ]
        );
    }

    #[test]
    fn the_first_entry_is_a_start_in_the_initial_stage() {
        let err = strict(&[entry(0, Some("MQL"), "SRL", None)]).unwrap_err();
        assert_eq!(
            codes(&err),
            [(0, "history.start_expected"), (0, "history.not_initial")]
        );
        let err = strict(&[entry(0, None, "Nowhere", None)]).unwrap_err();
        assert_eq!(codes(&err), [(0, "history.unknown_stage")]);
        // Imported records may start anywhere known, but never nowhere.
        let s = trusted(&[entry(0, None, "SRL", None)]).unwrap();
        assert_eq!((s.current(), s.highest()), ("SRL", Some("SRL")));
        assert_eq!(
            codes(&trusted(&[entry(0, None, "Nowhere", None)]).unwrap_err()),
            [(0, "history.unknown_stage")]
        );
        assert_eq!(strict(&[]).unwrap_err().code(), "input.invalid");
        let pb = Playbook::default_playbook();
        assert_eq!(
            pb.replay("nope", "L-1", &[start()]).unwrap_err().code(),
            "lifecycle.unknown_pipeline"
        );
    }

    #[test]
    fn reasons_and_actor_roles_are_checked_unless_trusted() {
        let mut h = walk();
        h.push(entry(3, Some("SRL"), "Disqualified", Some(Role::Sdr))); // no reason
        h[1].actor = Some(Actor::new("sam", Role::Sdr)); // marketing_only
        h[2].actor = None; // sales_accepts, with no actor at all
        let err = strict(&h).unwrap_err();
        assert_eq!(
            codes(&err),
            [
                (1, "history.guard_failed"),
                (2, "history.guard_failed"),
                (3, "history.reason_required"),
            ]
        );
        let messages: Vec<&str> = err
            .history_entries()
            .iter()
            .map(|e| e.message.as_str())
            .collect();
        assert!(messages[0].contains("marketing_only"), "{messages:?}");
        assert!(messages[1].contains("names no actor"), "{messages:?}");
        if let Some(last) = h.last_mut() {
            last.reason = Some("rude".into());
        }
        assert_eq!(
            codes(&strict(&h).unwrap_err())[2],
            (3, "history.invalid_reason")
        );
        assert_eq!(trusted(&h).unwrap().current(), "Disqualified");
    }

    #[test]
    fn same_stage_and_back_moves_follow_the_pipeline_policy() {
        let mut h = walk();
        h.push(entry(3, Some("SRL"), "SRL", Some(Role::Sdr)));
        h.push(entry(4, Some("SRL"), "MQL", Some(Role::Marketing)));
        assert_eq!(
            codes(&trusted(&h).unwrap_err()),
            [
                (3, "history.same_stage"),
                (4, "history.back_move_forbidden")
            ]
        );
        // The deal pipeline allows back-moves, without guards.
        let pb = Playbook::default_playbook();
        let deal = [
            entry(0, None, "To contact", None),
            entry(1, Some("To contact"), "Contacted", Some(Role::Ae)),
            entry(2, Some("Contacted"), "To contact", None),
        ];
        let s = pb.replay("new_business", "D-1", &deal).unwrap();
        assert_eq!(
            (s.current(), s.highest()),
            ("To contact", Some("Contacted"))
        );
    }

    #[test]
    fn the_first_entry_is_kept_as_given() {
        let mut h = walk();
        h[0].actor = Some(Actor::new("crm", Role::System));
        let s = strict(&h).unwrap();
        assert_eq!(s.history(), h.as_slice());
    }
}
