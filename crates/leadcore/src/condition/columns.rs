//! A condition on activity attributes compiled against a batch's columns: text tests are
//! decided once per dictionary entry, so a row costs a lookup; a missing column or value
//! reads as missing, exactly as in per-event evaluation.

use super::{Condition, Node, Test};
use crate::columnar::{AttrValues, Column, DictColumn, EventColumns, NULL_CODE, check_dict};
use crate::error::Result;
use crate::model::ValueRef;
use std::cell::Cell;

/// A compiled row test.
#[derive(Debug)]
pub(crate) enum RowCondition<'a> {
    All(Vec<RowCondition<'a>>),
    Any(Vec<RowCondition<'a>>),
    Not(Box<RowCondition<'a>>),
    Const(bool),
    /// Per-entry verdicts; `null`: the verdict for a missing value; `bad`: the first row
    /// seen whose code lies outside the dictionary.
    Dict {
        name: &'a str,
        col: DictColumn<'a>,
        hits: Vec<bool>,
        null: bool,
        bad: Cell<Option<usize>>,
    },
    Int(Column<'a, i64>, &'a Test),
    Float(Column<'a, f64>, &'a Test),
    Bool(Column<'a, bool>, &'a Test),
}

impl<'a> RowCondition<'a> {
    /// Compiles `cond` (attribute leaves only; other leaves read as missing) for `events`.
    pub(crate) fn compile(cond: &'a Condition, events: &EventColumns<'a>) -> Self {
        compile(&cond.node, events)
    }

    /// The first code outside its dictionary this condition met, as an error (codes are
    /// checked where they are read rather than in a pass of their own).
    pub(crate) fn bad_code(&self) -> Result<()> {
        match self {
            RowCondition::All(items) | RowCondition::Any(items) => {
                items.iter().try_for_each(RowCondition::bad_code)
            }
            RowCondition::Not(inner) => inner.bad_code(),
            RowCondition::Dict { name, col, bad, .. } => match bad.get() {
                Some(_) => check_dict(name, col),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Whether row `row` passes.
    #[inline]
    pub(crate) fn test(&self, row: usize) -> bool {
        match self {
            RowCondition::All(items) => items.iter().all(|c| c.test(row)),
            RowCondition::Any(items) => items.iter().any(|c| c.test(row)),
            RowCondition::Not(inner) => !inner.test(row),
            RowCondition::Const(b) => *b,
            RowCondition::Dict {
                col,
                hits,
                null,
                bad,
                ..
            } => match col.codes.get(row) {
                Some(&NULL_CODE) | None => *null,
                Some(&c) => hits.get(c as usize).copied().unwrap_or_else(|| {
                    if bad.get().is_none() {
                        bad.set(Some(row));
                    }
                    false
                }),
            },
            RowCondition::Int(col, t) => t.matches(col.get(row).map(ValueRef::Int)),
            RowCondition::Float(col, t) => {
                t.matches(col.get(row).filter(|f| !f.is_nan()).map(ValueRef::Float))
            }
            RowCondition::Bool(col, t) => t.matches(col.get(row).map(ValueRef::Bool)),
        }
    }
}

fn compile<'a>(node: &'a Node, events: &EventColumns<'a>) -> RowCondition<'a> {
    match node {
        Node::All(items) => RowCondition::All(items.iter().map(|n| compile(n, events)).collect()),
        Node::Any(items) => RowCondition::Any(items.iter().map(|n| compile(n, events)).collect()),
        Node::Not(inner) => RowCondition::Not(Box::new(compile(inner, events))),
        Node::Attr { name, test, .. } => match events.attr(name) {
            None => RowCondition::Const(test.matches(None)),
            Some(AttrValues::Text(col)) => dict(name, *col, test),
            Some(AttrValues::Int(col)) => RowCondition::Int(*col, test),
            Some(AttrValues::Float(col)) => RowCondition::Float(*col, test),
            Some(AttrValues::Bool(col)) => RowCondition::Bool(*col, test),
        },
        // Only attribute leaves reach a row: anything else reads as missing.
        Node::Field { test, .. } | Node::Score { test, .. } => {
            RowCondition::Const(test.matches(None))
        }
        Node::Activity(_) | Node::Role(_) | Node::Stage(_) => RowCondition::Const(false),
    }
}

fn dict<'a>(name: &'a str, col: DictColumn<'a>, test: &Test) -> RowCondition<'a> {
    RowCondition::Dict {
        name,
        col,
        bad: Cell::new(None),
        hits: col
            .dictionary
            .iter()
            .map(|v| test.matches(Some(ValueRef::Text(v))))
            .collect(),
        null: test.matches(None),
    }
}

/// One conjunct of a condition that reads a single text column: its verdict per dictionary
/// entry, then for a missing value (`verdicts[len]`).
pub(crate) struct DictVerdicts<'a> {
    /// The column's codes.
    pub codes: &'a [u32],
    /// The column's name (for the bad-code error).
    pub name: &'a str,
    /// The column.
    pub col: DictColumn<'a>,
    /// `dictionary.len() + 1` verdicts.
    pub verdicts: Vec<bool>,
}

impl<'a> RowCondition<'a> {
    /// The condition as a conjunction: nested `all`s flattened, constant `true`s dropped.
    pub(crate) fn conjuncts(self) -> Vec<RowCondition<'a>> {
        match self {
            RowCondition::All(items) => items.into_iter().flat_map(Self::conjuncts).collect(),
            RowCondition::Const(true) => Vec::new(),
            other => vec![other],
        }
    }

    /// If the condition reads one text column only (leaves, `not`, `all`, `any` and
    /// constants over it), its verdict for each dictionary entry and for a missing value.
    pub(crate) fn dict_verdicts(&self) -> Option<DictVerdicts<'a>> {
        let (name, col) = self.single_dict()?;
        let len = col.dictionary.len();
        let verdicts = (0..=len)
            .map(|code| self.verdict(code, len))
            .collect::<Option<Vec<bool>>>()?;
        Some(DictVerdicts {
            codes: col.codes,
            name,
            col,
            verdicts,
        })
    }

    /// The one text column this condition reads, if it reads exactly one and nothing else.
    fn single_dict(&self) -> Option<(&'a str, DictColumn<'a>)> {
        match self {
            RowCondition::Dict { name, col, .. } => Some((name, *col)),
            RowCondition::Not(inner) => inner.single_dict(),
            RowCondition::All(items) | RowCondition::Any(items) => {
                let mut found: Option<(&'a str, DictColumn<'a>)> = None;
                for item in items {
                    if matches!(item, RowCondition::Const(_)) {
                        continue;
                    }
                    let (name, col) = item.single_dict()?;
                    match found {
                        Some((_, f)) if !std::ptr::eq(f.codes, col.codes) => return None,
                        _ => found = Some((name, col)),
                    }
                }
                found
            }
            _ => None,
        }
    }

    /// The verdict for dictionary entry `code` (`len`: a missing value).
    fn verdict(&self, code: usize, len: usize) -> Option<bool> {
        Some(match self {
            RowCondition::Dict { hits, null, .. } => {
                if code == len {
                    *null
                } else {
                    *hits.get(code)?
                }
            }
            RowCondition::Const(b) => *b,
            RowCondition::Not(inner) => !inner.verdict(code, len)?,
            RowCondition::All(items) => {
                let mut all = true;
                for item in items {
                    all &= item.verdict(code, len)?;
                }
                all
            }
            RowCondition::Any(items) => {
                let mut any = false;
                for item in items {
                    any |= item.verdict(code, len)?;
                }
                any
            }
            _ => return None,
        })
    }
}

/// A comparison of an integer column against a number, as an interval: a row passes when
/// its value lies in `lo..=hi`, or (no value) when `null` says so.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IntRange<'a> {
    pub col: Column<'a, i64>,
    pub lo: i64,
    pub hi: i64,
    pub null: bool,
}

impl<'a> RowCondition<'a> {
    /// An integer column compared by `lt`, `le`, `gt` or `ge` with a number, as the
    /// interval of values that pass: found by bisecting the test itself (such a test is
    /// monotone in the value) and checked at its ends, so it cannot disagree with it.
    pub(crate) fn int_range(&self) -> Option<IntRange<'a>> {
        use super::spec::CompareOp as O;
        let RowCondition::Int(col, test) = self else {
            return None;
        };
        if test.ty != crate::model::FieldType::Number
            || !matches!(test.op, O::Lt | O::Le | O::Gt | O::Ge)
        {
            return None;
        }
        let passes = |v: i64| test.matches(Some(ValueRef::Int(v)));
        let up = matches!(test.op, O::Gt | O::Ge);
        // The boundary: the first value that passes (up) or fails (down).
        let (mut lo, mut hi) = (i64::MIN, i64::MAX);
        if passes(lo) == up || passes(hi) != up {
            // Everything or nothing passes: a constant interval.
            let all = passes(lo) && passes(hi);
            let none = !passes(lo) && !passes(hi);
            if !(all || none) {
                return None;
            }
            let (lo, hi) = if all { (i64::MIN, i64::MAX) } else { (1, 0) };
            return Some(IntRange {
                col: *col,
                lo,
                hi,
                null: test.matches(None),
            });
        }
        // Invariant: passes(lo) != up, passes(hi) == up.
        while i128::from(hi) - i128::from(lo) > 1 {
            let mid = ((i128::from(lo) + i128::from(hi)) / 2) as i64;
            if passes(mid) == up {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let range = if up { (hi, i64::MAX) } else { (i64::MIN, lo) };
        Some(IntRange {
            col: *col,
            lo: range.0,
            hi: range.1,
            null: test.matches(None),
        })
    }
}
