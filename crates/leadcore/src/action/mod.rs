//! One shape of action for every engine: what the playbook declares ([`ActionSpec`]: a kind
//! in the host's vocabulary and parameters passed through) and one validator for it.
//! Engines emit actions as data; the host carries them out.

use crate::error::Issue;
use crate::model::FieldValue;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An action the engine emits, as data, for the host to carry out ("add to sequence",
/// "create task", "notify owner").
///
/// ```
/// let a: leadcore::ActionSpec = serde_json::from_str(r#"{"kind": "notify", "params": {"to": "owner"}}"#).unwrap();
/// assert_eq!(a.kind, "notify");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
