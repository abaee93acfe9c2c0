//! One shape of action for every engine: what the playbook declares ([`ActionSpec`]: a kind
//! in the host's vocabulary and parameters passed through) and one validator for it.
//! Engines emit actions as data; the host carries them out.

use crate::error::Issue;
use crate::model::FieldValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An action the engine emits, as data, for the host to carry out ("add to sequence",
/// "create task", "notify owner").
///
/// ```
/// let a: leadcore::ActionSpec = serde_json::from_str(r#"{"kind": "notify", "params": {"to": "owner"}}"#).unwrap();
/// assert_eq!(a.kind, "notify");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// What to do, in the host's vocabulary.
    pub kind: String,
    /// Parameters passed through unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, FieldValue>,
}

/// Checks a list of actions at `path` (`...on_enter`): every action needs a kind.
pub(crate) fn validate(path: &str, actions: &[ActionSpec], issues: &mut Vec<Issue>) {
    for (a, act) in actions.iter().enumerate() {
        if act.kind.trim().is_empty() {
            issues.push(Issue::new(
                format!("{path}[{a}].kind"),
                "action.empty_kind",
                "an action needs a kind",
            ));
        }
    }
}

/// Where an emitted action comes from. Written flattened into the action, tagged by
/// `trigger` (the key lifecycle actions have always carried):
/// `{"trigger":"enter","stage":"MQL","kind":"notify"}`,
/// `{"trigger":"threshold","model":"lead","threshold":"hot","direction":"up","kind":"notify"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "trigger", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActionSource {
    /// A record left `stage` (its `on_exit`).
    Exit {
        /// The stage left.
        stage: String,
    },
    /// Declared on the transition into `stage`.
    Transition {
        /// The stage entered.
        stage: String,
    },
    /// A record entered `stage` (its `on_enter`).
    Enter {
        /// The stage entered.
        stage: String,
    },
    /// A score crossed a threshold.
    Threshold {
        /// The score model.
        model: String,
        /// The threshold's name.
        threshold: String,
        /// `up` or `down`.
        direction: String,
    },
    /// A lead turned zombie.
    Zombie,
    /// A routing rule placed a lead (its `actions`): with a rep or a queue.
    Route {
        /// The rule.
        rule: String,
        /// The rep the lead went to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rep: Option<String>,
        /// The queue the lead went to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue: Option<String>,
    },
    /// An SLA clock passed its deadline and reached a step of its escalation ladder.
    Sla {
        /// The SLA policy.
        policy: String,
        /// The step reached (0 is the first).
        step: u32,
    },
}

/// An action for the host to carry out, emitted as data by any engine: where it comes from,
/// what to do, and its parameters.
///
/// ```
/// use leadcore::action::{ActionSource, EmittedAction};
/// let a = EmittedAction::new(ActionSource::Enter { stage: "MQL".into() }, "notify");
/// assert_eq!(leadcore::wire::canonical_json(&a), r#"{"kind":"notify","stage":"MQL","trigger":"enter"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmittedAction {
    /// Where it comes from.
    #[serde(flatten)]
    pub source: ActionSource,
    /// What to do.
    pub kind: String,
    /// Its parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, FieldValue>,
}

impl EmittedAction {
    /// An action without parameters.
    pub fn new(source: ActionSource, kind: impl Into<String>) -> Self {
        EmittedAction {
            source,
            kind: kind.into(),
            params: BTreeMap::new(),
        }
    }

    /// Emits each declared action from `source`.
    pub fn emit(source: &ActionSource, declared: &[ActionSpec]) -> Vec<EmittedAction> {
        declared
            .iter()
            .map(|a| EmittedAction {
                source: source.clone(),
                kind: a.kind.clone(),
                params: a.params.clone(),
            })
            .collect()
    }
}
