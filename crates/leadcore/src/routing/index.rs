//! A rule index: which rules can match a lead, from the classes of its guarded values, so
//! the lean walk jumps from one candidate rule to the next instead of trying each rule in
//! turn.
//!
//! Each guarded field's values fall into a few classes: for text `eq`/`in` guards, the
//! dictionary id of the value (or "none of the literals"); for numeric `eq`, `lt`, `le`,
//! `gt`, `ge`, `in` and `between` guards, where the value lies among the sorted literals
//! of the chain (below the first, equal to it, between it and the next, ...), or "not a
//! number" (missing, another type, NaN: every such test fails). Every indexed guard gives
//! the same answer for every value of a class, so a bitset of rules per class says
//! exactly which rules' indexed guards hold; the AND over the fields is the set of rules
//! whose indexed guards all hold. A rule outside the set cannot match; a rule in it whose
//! guards are all indexed and are its whole condition matches; any other rule in it is
//! checked as before. The first matching rule is therefore the one the linear walk finds.

use super::prefilter::{Guard, OTHER, RuleGuards, Values};
use crate::condition::{CompareOp, Lit, Test};
use crate::model::{FieldType, FieldValue, ValueRef};
use std::cmp::Ordering;

/// A numeric guard the index answers: its operator and its literals, as positions among
/// the slot's sorted bounds.
#[derive(Debug, Clone, PartialEq)]
enum NumGuard {
    Eq(usize),
    Lt(usize),
    Le(usize),
    Gt(usize),
    Ge(usize),
    In(Vec<usize>),
    Between(usize, usize),
}

/// How a class of values orders against bound `j`: a class is a position `p` in
/// `0..=2k` (even: strictly between bounds, odd `2j + 1`: equal to bound `j`).
fn rel(p: usize, j: usize) -> Ordering {
    p.cmp(&(2 * j + 1))
}

impl NumGuard {
    fn holds(&self, p: usize) -> bool {
        match self {
            NumGuard::Eq(j) => rel(p, *j) == Ordering::Equal,
            NumGuard::Lt(j) => rel(p, *j) == Ordering::Less,
            NumGuard::Le(j) => rel(p, *j) != Ordering::Greater,
            NumGuard::Gt(j) => rel(p, *j) == Ordering::Greater,
            NumGuard::Ge(j) => rel(p, *j) != Ordering::Less,
            NumGuard::In(js) => js.iter().any(|j| rel(p, *j) == Ordering::Equal),
            NumGuard::Between(lo, hi) => {
                rel(p, *lo) != Ordering::Less && rel(p, *hi) != Ordering::Greater
            }
        }
    }
}

/// A finite number literal, as a value.
fn number(x: &FieldValue) -> Option<ValueRef<'_>> {
    match x {
        FieldValue::Int(_) => Some(x.as_value_ref()),
        FieldValue::Float(f) if !f.is_nan() => Some(x.as_value_ref()),
        _ => None,
    }
}

/// The literals of a numeric test the index can answer, with a builder of its guard from
/// their positions; `None` for any other test.
fn numeric_lits(test: &Test) -> Option<Vec<&FieldValue>> {
    if test.ty != FieldType::Number || test.case_insensitive {
        return None;
    }
    let lits: Vec<&FieldValue> = match (test.op, &test.lit) {
        (
            CompareOp::Eq | CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge,
            Lit::One(x),
        ) => vec![x],
        (CompareOp::In, Lit::Many(xs)) if !xs.is_empty() => xs.iter().collect(),
        (CompareOp::Between, Lit::Bounds(lo, hi)) => vec![lo, hi],
        _ => return None,
    };
    lits.iter().all(|x| number(x).is_some()).then_some(lits)
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Classes: dictionary ids `0..n`, then `n` for any other value.
    Text,
    /// Sorted, distinct bounds; classes `0..=2k` by position, then `2k + 1` for a value
    /// that is no number. With the bounds as integers when they all are.
    Number(Vec<FieldValue>, Option<Vec<i64>>),
}

/// The rule bitsets of one guarded field.
#[derive(Debug, Clone, PartialEq)]
struct Part {
    slot: usize,
    kind: Kind,
    classes: usize,
    /// `classes × words` bits: rule `r` is set in class `c` when every guard of rule `r`
    /// this part indexes holds for values of class `c`.
    masks: Vec<u64>,
}

/// Which rules can match, by the classes of a lead's guarded values.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RuleIndex {
    /// 64-bit words per rule set.
    words: usize,
    parts: Vec<Part>,
    /// Every rule.
    all: Vec<u64>,
    /// Rules that match whenever their bit survives: every guard indexed, and the guards
    /// are the whole condition.
    sure: Vec<u64>,
}

fn set(bits: &mut [u64], r: usize) {
    if let Some(w) = bits.get_mut(r / 64) {
        *w |= 1 << (r % 64);
    }
}

fn clear(bits: &mut [u64], r: usize) {
    if let Some(w) = bits.get_mut(r / 64) {
        *w &= !(1 << (r % 64));
    }
}

/// Whether bit `r` is set.
pub(crate) fn has(bits: &[u64], r: usize) -> bool {
    bits.get(r / 64).is_some_and(|w| w & (1 << (r % 64)) != 0)
}

impl RuleIndex {
    /// The index of a chain whose rules have these guards; `dict_len(slot)` is the size of
    /// a text slot's dictionary.
    pub(crate) fn build(rules: &[&RuleGuards], dict_len: impl Fn(usize) -> usize) -> Self {
        let n = rules.len();
        let words = n.div_ceil(64);
        let mut all = vec![0u64; words];
        let mut sure = vec![0u64; words];
        (0..n).for_each(|r| set(&mut all, r));
        // The slots with text guards, and the numeric literals of each slot's guards.
        let mut text_slots: Vec<usize> = Vec::new();
        let mut bounds: Vec<(usize, Vec<FieldValue>)> = Vec::new();
        for (r, g) in rules.iter().enumerate() {
            let mut indexed = true;
            for guard in &g.guards {
                match guard {
                    Guard::Text { slot, .. } => {
                        if !text_slots.contains(slot) {
                            text_slots.push(*slot);
                        }
                    }
                    Guard::Test { slot, test } => match numeric_lits(test) {
                        Some(lits) => {
                            let at = match bounds.iter().position(|(s, _)| s == slot) {
                                Some(i) => i,
                                None => {
                                    bounds.push((*slot, Vec::new()));
                                    bounds.len() - 1
                                }
                            };
                            if let Some((_, b)) = bounds.get_mut(at) {
                                b.extend(lits.into_iter().cloned());
                            }
                        }
                        None => indexed = false,
                    },
                }
            }
            if indexed && g.exact {
                set(&mut sure, r);
            }
        }
        let mut parts = Vec::new();
        for slot in text_slots {
            let classes = dict_len(slot) + 1;
            let mut masks = Vec::with_capacity(classes * words);
            for c in 0..classes {
                let mut bits = all.clone();
                for (r, g) in rules.iter().enumerate() {
                    let holds = g.guards.iter().all(|guard| match guard {
                        Guard::Text { slot: s, ids } if *s == slot => {
                            u32::try_from(c).is_ok_and(|c| ids.contains(&c))
                        }
                        _ => true,
                    });
                    if !holds {
                        clear(&mut bits, r);
                    }
                }
                masks.extend(bits);
            }
            parts.push(Part {
                slot,
                kind: Kind::Text,
                classes,
                masks,
            });
        }
        for (slot, mut b) in bounds {
            b.sort_by(|x, y| x.compare(y).unwrap_or(Ordering::Equal));
            b.dedup_by(|x, y| x.compare(y) == Some(Ordering::Equal));
            let position = |x: &FieldValue| {
                b.iter()
                    .position(|y| x.compare(y) == Some(Ordering::Equal))
                    .unwrap_or(0)
            };
            // Each rule's numeric guards on this slot, by bound positions.
            let guards: Vec<Vec<NumGuard>> = rules
                .iter()
                .map(|g| {
                    g.guards
                        .iter()
                        .filter_map(|guard| match guard {
                            Guard::Test { slot: s, test } if *s == slot => {
                                numeric_lits(test)?;
                                Some(match (test.op, &test.lit) {
                                    (CompareOp::Eq, Lit::One(x)) => NumGuard::Eq(position(x)),
                                    (CompareOp::Lt, Lit::One(x)) => NumGuard::Lt(position(x)),
                                    (CompareOp::Le, Lit::One(x)) => NumGuard::Le(position(x)),
                                    (CompareOp::Gt, Lit::One(x)) => NumGuard::Gt(position(x)),
                                    (CompareOp::Ge, Lit::One(x)) => NumGuard::Ge(position(x)),
                                    (CompareOp::In, Lit::Many(xs)) => {
                                        NumGuard::In(xs.iter().map(position).collect())
                                    }
                                    (CompareOp::Between, Lit::Bounds(lo, hi)) => {
                                        NumGuard::Between(position(lo), position(hi))
                                    }
                                    _ => return None,
                                })
                            }
                            _ => None,
                        })
                        .collect()
                })
                .collect();
            let classes = 2 * b.len() + 2;
            let mut masks = Vec::with_capacity(classes * words);
            for p in 0..classes {
                let mut bits = all.clone();
                for (r, gs) in guards.iter().enumerate() {
                    // The last class (no number) fails every numeric guard.
                    let holds = gs.iter().all(|g| p + 1 < classes && g.holds(p));
                    if !holds {
                        clear(&mut bits, r);
                    }
                }
                masks.extend(bits);
            }
            let ints = b
                .iter()
                .map(|x| match x {
                    FieldValue::Int(i) => Some(*i),
                    _ => None,
                })
                .collect();
            parts.push(Part {
                slot,
                kind: Kind::Number(b, ints),
                classes,
                masks,
            });
        }
        RuleIndex {
            words,
            parts,
            all,
            sure,
        }
    }

    /// Whether rule `r` matches whenever it is a candidate.
    #[inline]
    pub(crate) fn sure(&self, r: usize) -> bool {
        has(&self.sure, r)
    }

    /// Appends to `out` the rules whose indexed guards all hold on `values` (one word per
    /// 64 rules).
    #[inline]
    pub(crate) fn candidates(&self, values: &Values<'_>, out: &mut Vec<u64>) {
        let base = out.len();
        out.extend_from_slice(&self.all);
        let Some(out) = out.get_mut(base..) else {
            return;
        };
        for part in &self.parts {
            let class = match &part.kind {
                Kind::Text => {
                    let id = values.ids.get(part.slot).copied().unwrap_or(OTHER);
                    usize::try_from(id)
                        .ok()
                        .filter(|&c| c + 1 < part.classes)
                        .unwrap_or(part.classes - 1)
                }
                Kind::Number(bounds, ints) => match values.vals.get(part.slot).copied().flatten() {
                    Some(ValueRef::Int(i)) => match ints {
                        Some(ints) => int_position(ints, i),
                        None => position(bounds, ValueRef::Int(i)),
                    },
                    Some(v @ ValueRef::Float(f)) if !f.is_nan() => position(bounds, v),
                    _ => part.classes - 1,
                },
            };
            if let Some(mask) = part.masks.get(class * self.words..(class + 1) * self.words) {
                for (o, m) in out.iter_mut().zip(mask) {
                    *o &= m;
                }
            }
        }
    }

    /// 64-bit words per rule set.
    pub(crate) fn words(&self) -> usize {
        self.words
    }
}

/// The class of a number among sorted, distinct bounds: `2i` when `i` bounds lie below it
/// and it equals none, `2i + 1` when it equals bound `i`.
#[inline]
fn position(bounds: &[FieldValue], v: ValueRef<'_>) -> usize {
    let i = bounds.partition_point(|b| v.compare(b.as_value_ref()) == Some(Ordering::Greater));
    match bounds.get(i) {
        Some(b) if v.compare(b.as_value_ref()) == Some(Ordering::Equal) => 2 * i + 1,
        _ => 2 * i,
    }
}

/// [`position`] of an integer among integer bounds.
#[inline]
fn int_position(bounds: &[i64], v: i64) -> usize {
    let i = bounds.partition_point(|&b| v > b);
    match bounds.get(i) {
        Some(&b) if v == b => 2 * i + 1,
        _ => 2 * i,
    }
}

/// The rules set in `bits`, in order.
#[inline]
pub(crate) fn each(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        let mut word = word;
        std::iter::from_fn(move || {
            (word != 0).then(|| {
                let b = word.trailing_zeros() as usize;
                word &= word - 1;
                w * 64 + b
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_among_bounds() {
        let b = [FieldValue::Int(10), FieldValue::Float(49.5)];
        let p = |v| position(&b, v);
        assert_eq!(p(ValueRef::Int(3)), 0);
        assert_eq!(p(ValueRef::Float(10.0)), 1);
        assert_eq!(p(ValueRef::Int(11)), 2);
        assert_eq!(p(ValueRef::Float(49.5)), 3);
        assert_eq!(p(ValueRef::Int(50)), 4);
        for v in [-1, 10, 11, 49, 50, 99] {
            assert_eq!(
                int_position(&[10, 50], v),
                position(
                    &[FieldValue::Int(10), FieldValue::Int(50)],
                    ValueRef::Int(v)
                )
            );
        }
        assert!(NumGuard::Between(0, 1).holds(2));
        assert!(!NumGuard::Between(0, 1).holds(4));
        assert_eq!(each(&[0b101, 1]).collect::<Vec<_>>(), [0, 2, 64]);
    }
}
