//! A rule chain's cheap necessary checks, so a lead skips most rules without evaluating
//! their conditions: the top-level conjuncts of each rule's `when` that test one field are
//! turned into guards, each field is read once per lead, and text `eq`/`in` tests become
//! integer comparisons against a dictionary of the chain's literals. A guard holds exactly
//! when its leaf does (same value, same test), so skipping on a failed guard never changes
//! a decision; a rule whose whole condition is guards needs no further evaluation.

use crate::condition::{CompareOp, Condition, Lit, Node, Test};
use crate::model::{FieldType, FieldValue, Lead, Record, RecordKind, ValueRef};
use std::collections::BTreeMap;

/// Fields read once per lead at most.
pub(crate) const SLOTS: usize = 8;
/// A text value that is none of the chain's literals (or no text at all).
pub(crate) const OTHER: u32 = u32::MAX;

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

/// Where a guarded field is read, decided once (what `field_ref` finds by name).
#[derive(Debug, Clone, PartialEq)]
enum Read {
    /// A built-in field, at this position of the lead's registry.
    Builtin(usize),
    /// A custom field, by name.
    Custom,
}

/// The fields guards read, and the dictionary of text literals per field.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Prefilter {
    fields: Vec<String>,
    reads: Vec<Read>,
    dict: Vec<BTreeMap<String, u32>>,
    /// Each dictionary as a hash table (built by [`Prefilter::seal`]).
    tables: Vec<Table>,
}

/// A text dictionary as an open-addressing hash table: a lookup hashes the text once and
/// compares it with one or two literals, where a tree compares it with several.
#[derive(Debug, Clone, PartialEq, Default)]
struct Table {
    /// Slots: 0 empty, else 1 + an index into `keys`.
    slots: Vec<u32>,
    keys: Vec<(String, u32)>,
}

/// FNV-1a: deterministic, and quick on short text.
#[inline]
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Table {
    fn new(dict: &BTreeMap<String, u32>) -> Self {
        if dict.is_empty() {
            return Table::default();
        }
        let size = (dict.len() * 2).next_power_of_two();
        let mut slots = vec![0u32; size];
        let keys: Vec<(String, u32)> = dict.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (i, (k, _)) in keys.iter().enumerate() {
            let mut at = (hash(k) as usize) & (size - 1);
            while slots.get(at).is_some_and(|s| *s != 0) {
                at = (at + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = u32::try_from(i + 1).unwrap_or(0);
            }
        }
        Table { slots, keys }
    }

    /// The id of `text`, if it is a literal.
    #[inline]
    fn get(&self, text: &str) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = (hash(text) as usize) & mask;
        loop {
            let slot = *self.slots.get(at)?;
            let (key, id) = self.keys.get(usize::try_from(slot).ok()?.checked_sub(1)?)?;
            if key == text {
                return Some(*id);
            }
            at = (at + 1) & mask;
        }
    }
}

/// One lead's values of the guarded fields.
pub(crate) struct Values<'a> {
    pub(super) vals: [Option<ValueRef<'a>>; SLOTS],
    /// Dictionary ids of text values (`OTHER`: not a literal of the chain, or no text).
    pub(super) ids: [u32; SLOTS],
}

fn conjuncts<'n>(node: &'n Node, out: &mut Vec<&'n Node>) {
    match node {
        Node::All(items) => items.iter().for_each(|n| conjuncts(n, out)),
        n => out.push(n),
    }
}

impl Prefilter {
    /// Builds the lookup tables once every rule's guards are made.
    pub(crate) fn seal(&mut self) {
        self.tables = self.dict.iter().map(Table::new).collect();
    }

    /// The number of text literals in slot `slot`'s dictionary (ids `0..n`).
    pub(crate) fn dict_len(&self, slot: usize) -> usize {
        self.dict.get(slot).map_or(0, BTreeMap::len)
    }

    fn slot(&mut self, name: &str) -> Option<usize> {
        if let Some(i) = self.fields.iter().position(|f| f == name) {
            return Some(i);
        }
        (self.fields.len() < SLOTS).then(|| {
            self.fields.push(name.to_owned());
            self.reads.push(
                RecordKind::Lead
                    .builtin_index(name)
                    .map_or(Read::Custom, Read::Builtin),
            );
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
        let fields = self.fields.iter().zip(&self.reads).zip(&self.tables);
        for (i, ((name, read), table)) in fields.enumerate() {
            // What `lead.field_ref(name)` gives, without finding the field by name.
            let value = match read {
                Read::Builtin(at) => Lead::FIELDS.get(*at).and_then(|def| (def.get)(lead)),
                Read::Custom => lead.custom.get(name).map(FieldValue::as_value_ref),
            };
            if let Some(ValueRef::Text(t)) = value {
                v.ids[i] = table.get(t).unwrap_or(OTHER);
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
