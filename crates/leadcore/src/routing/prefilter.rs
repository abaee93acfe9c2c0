//! A rule chain's cheap necessary checks, so a lead skips most rules without evaluating
//! their conditions: the top-level conjuncts of each rule's `when` that test one field are
//! turned into guards, each field is read once per lead, and text `eq`/`in` tests become
//! integer comparisons against a dictionary of the chain's literals. A guard holds exactly
//! when its leaf does (same value, same test), so skipping on a failed guard never changes
//! a decision; a rule whose whole condition is guards needs no further evaluation.

use crate::condition::{CompareOp, Condition, Lit, Node, Test};
use crate::model::{FieldSource, FieldType, FieldValue, Lead, ValueRef};
use std::collections::BTreeMap;

/// Fields read once per lead at most.
pub(crate) const SLOTS: usize = 8;
/// A text value that is none of the chain's literals (or no text at all).
const OTHER: u32 = u32::MAX;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Guard {
    /// The text at `slot` is one of these literals (dictionary ids, sorted).
    Text { slot: usize, ids: Vec<u32> },
    /// The leaf's own test on the value at `slot`.
    Test { slot: usize, test: Test },
}

/// The guards of one rule.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RuleGuards {
    pub guards: Vec<Guard>,
    /// Whether the guards are the whole condition (then holding them is holding it).
    pub exact: bool,
}

/// The fields guards read, and the dictionary of text literals per field.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Prefilter {
    fields: Vec<String>,
    dict: Vec<BTreeMap<String, u32>>,
}

/// One lead's values of the guarded fields.
pub(crate) struct Values<'a> {
    vals: [Option<ValueRef<'a>>; SLOTS],
    ids: [u32; SLOTS],
}

fn conjuncts<'n>(node: &'n Node, out: &mut Vec<&'n Node>) {
    match node {
        Node::All(items) => items.iter().for_each(|n| conjuncts(n, out)),
        n => out.push(n),
    }
}

impl Prefilter {
    fn slot(&mut self, name: &str) -> Option<usize> {
        if let Some(i) = self.fields.iter().position(|f| f == name) {
            return Some(i);
        }
        (self.fields.len() < SLOTS).then(|| {
            self.fields.push(name.to_owned());
            self.dict.push(BTreeMap::new());
            self.fields.len() - 1
        })
    }

    /// The guards of a rule's condition (none: no condition, every lead passes).
    pub(crate) fn guards(&mut self, when: Option<&Condition>) -> RuleGuards {
        let Some(when) = when else {
            return RuleGuards {
                guards: Vec::new(),
                exact: true,
            };
        };
        let mut parts = Vec::new();
        conjuncts(&when.node, &mut parts);
        let mut out = RuleGuards {
            guards: Vec::new(),
            exact: true,
        };
        for part in parts {
            let Node::Field { name, test, .. } = part else {
                out.exact = false;
                continue;
            };
            let Some(slot) = self.slot(name) else {
                out.exact = false;
                continue;
            };
            let texts: Option<Vec<&str>> = match (&test.op, &test.lit) {
                _ if test.ty != FieldType::Text || test.case_insensitive => None,
                (CompareOp::Eq, Lit::One(x)) => Some(text_lits(std::slice::from_ref(x))),
                (CompareOp::In, Lit::Many(xs)) => Some(text_lits(xs)),
                _ => None,
            };
            match texts {
                Some(texts) => {
                    let dict = &mut self.dict[slot];
                    let mut ids: Vec<u32> = texts
                        .into_iter()
                        .map(|t| {
                            let next = u32::try_from(dict.len()).unwrap_or(OTHER - 1);
                            *dict.entry(t.to_owned()).or_insert(next)
                        })
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    out.guards.push(Guard::Text { slot, ids });
                }
                None => out.guards.push(Guard::Test {
                    slot,
                    test: test.clone(),
                }),
            }
        }
        out
    }

    /// Reads the guarded fields of `lead`, once each.
    #[inline]
    pub(crate) fn values<'a>(&self, lead: &'a Lead) -> Values<'a> {
        let mut v = Values {
            vals: [None; SLOTS],
            ids: [OTHER; SLOTS],
        };
        for (i, (name, dict)) in self.fields.iter().zip(&self.dict).enumerate() {
            let value = lead.field_ref(name);
            if !dict.is_empty()
                && let Some(ValueRef::Text(t)) = value
            {
                v.ids[i] = dict.get(t).copied().unwrap_or(OTHER);
            }
            v.vals[i] = value;
        }
        v
    }
}

fn text_lits(xs: &[FieldValue]) -> Vec<&str> {
    xs.iter()
        .filter_map(|x| match x {
            FieldValue::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

impl RuleGuards {
    /// Whether every guard holds on the lead's values.
    #[inline]
    pub(crate) fn pass(&self, v: &Values<'_>) -> bool {
        self.guards.iter().all(|g| match g {
            Guard::Text { slot, ids } => {
                let id = v.ids.get(*slot).copied().unwrap_or(OTHER);
                id != OTHER && ids.contains(&id)
            }
            Guard::Test { slot, test } => test.matches(v.vals.get(*slot).copied().flatten()),
        })
    }
}
