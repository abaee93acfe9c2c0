//! Range-rule analysis: for rules whose condition is a numeric range on one field (a
//! single `lt`/`le`/`gt`/`ge`/`between`/`eq` leaf, or `all` of such leaves on the same
//! field), report the values no such rule covers (gaps), the values two rules both cover
//! (overlaps: the first one wins) and ranges no value can fall in, as playbook warnings.
//!
//! Whole-number fields (a built-in count like `employees`, whose registry setter refuses
//! fractions and negatives) are analysed over the integers they can hold: `lt 10` then
//! `between [11, 50]` leaves the gap `10`. Other number fields are real-valued: the same
//! rules leave `[10, 11)`.

use super::spec::{RoutingSpec, StrategySpec};
use crate::condition::{CompareOp, ConditionSpec};
use crate::error::Issue;
use crate::model::{Catalog, FieldType, FieldValue, Lead, Record, RecordKind, ValueRef};
use std::collections::BTreeMap;

/// An interval of the number line; infinite ends are open.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Iv {
    lo: f64,
    lo_closed: bool,
    hi: f64,
    hi_closed: bool,
}

const ALL: Iv = Iv {
    lo: f64::NEG_INFINITY,
    lo_closed: false,
    hi: f64::INFINITY,
    hi_closed: false,
};

/// Where a field's values lie: whole numbers within bounds, or any real.
#[derive(Debug, Clone, Copy)]
enum Domain {
    Integers { min: f64, max: f64 },
    Reals,
}

impl Iv {
    fn is_empty(&self) -> bool {
        self.lo > self.hi || (self.lo == self.hi && !(self.lo_closed && self.hi_closed))
    }

    fn intersect(&self, o: &Iv) -> Iv {
        let (lo, lo_closed) = if self.lo > o.lo || (self.lo == o.lo && !self.lo_closed) {
            (self.lo, self.lo_closed)
        } else {
            (o.lo, o.lo_closed)
        };
        let (hi, hi_closed) = if self.hi < o.hi || (self.hi == o.hi && !self.hi_closed) {
            (self.hi, self.hi_closed)
        } else {
            (o.hi, o.hi_closed)
        };
        Iv {
            lo,
            lo_closed,
            hi,
            hi_closed,
        }
    }

    /// The whole numbers of this interval, as a closed interval within the domain.
    fn in_domain(self, domain: Domain) -> Iv {
        match domain {
            Domain::Reals => self,
            Domain::Integers { min, max } => {
                let lo = if self.lo_closed {
                    self.lo.ceil()
                } else {
                    self.lo.floor() + 1.0
                };
                let hi = if self.hi_closed {
                    self.hi.floor()
                } else {
                    self.hi.ceil() - 1.0
                };
                Iv {
                    lo: lo.max(min),
                    lo_closed: true,
                    hi: hi.min(max),
                    hi_closed: true,
                }
            }
        }
    }

    fn show(&self, domain: Domain) -> String {
        let n = |v: f64| {
            if v == f64::INFINITY {
                "+inf".to_owned()
            } else if v == f64::NEG_INFINITY {
                "-inf".to_owned()
            } else {
                v.to_string()
            }
        };
        if self.lo == self.hi {
            return n(self.lo);
        }
        match domain {
            Domain::Integers { max, .. } if self.hi >= max => format!("{} and above", n(self.lo)),
            Domain::Integers { .. } => format!("{} to {}", n(self.lo), n(self.hi)),
            Domain::Reals => format!(
                "{}{}, {}{}",
                if self.lo_closed { '[' } else { '(' },
                n(self.lo),
                n(self.hi),
                if self.hi_closed { ']' } else { ')' }
            ),
        }
    }
}

fn number(v: &FieldValue) -> Option<f64> {
    match v {
        FieldValue::Int(i) => Some(*i as f64),
        FieldValue::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

/// The interval of one leaf on a number field, with the field's name.
fn leaf(spec: &ConditionSpec) -> Option<(&str, Iv)> {
    let field = spec.field.as_deref()?;
    let op = spec.op?;
    let value = spec.value.as_ref()?;
    let at = |lo_closed, hi_closed| {
        number(value).map(|v| match (lo_closed, hi_closed) {
            (Some(c), None) => Iv {
                lo: v,
                lo_closed: c,
                ..ALL
            },
            (None, Some(c)) => Iv {
                hi: v,
                hi_closed: c,
                ..ALL
            },
            _ => Iv {
                lo: v,
                lo_closed: true,
                hi: v,
                hi_closed: true,
            },
        })
    };
    let iv = match op {
        CompareOp::Lt => at(None, Some(false))?,
        CompareOp::Le => at(None, Some(true))?,
        CompareOp::Gt => at(Some(false), None)?,
        CompareOp::Ge => at(Some(true), None)?,
        CompareOp::Eq => at(None, None)?,
        CompareOp::Between => match value {
            FieldValue::List(items) => match items.as_slice() {
                [lo, hi] => Iv {
                    lo: number(lo)?,
                    lo_closed: true,
                    hi: number(hi)?,
                    hi_closed: true,
                },
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    Some((field, iv))
}

/// The range a rule's condition is, when it is one: a leaf, or `all` of leaves on one field.
fn range(spec: &ConditionSpec) -> Option<(&str, Iv)> {
    match &spec.all {
        Some(items) if !items.is_empty() => {
            let mut out: Option<(&str, Iv)> = None;
            for item in items {
                let (field, iv) = leaf(item)?;
                out = match out {
                    None => Some((field, iv)),
                    Some((f, acc)) if f == field => Some((f, acc.intersect(&iv))),
                    Some(_) => return None,
                };
            }
            out
        }
        Some(_) => None,
        None => leaf(spec),
    }
}

/// A number field's domain. Whole-number fields are told by the field registry itself: a
/// built-in number field whose setter refuses `0.5` holds whole numbers, refusing `-1`
/// means none are negative, refusing 2³² means none reach it.
fn domain(catalog: &Catalog, field: &str) -> Option<Domain> {
    if catalog.field_type(RecordKind::Lead, field) != Some(FieldType::Number) {
        return None;
    }
    let Some(def) = Lead::field_def(field) else {
        return Some(Domain::Reals);
    };
    let mut probe = Lead::new("probe");
    let refuses = |v: ValueRef<'_>, probe: &mut Lead| def.set(probe, Some(v)).is_err();
    if !refuses(ValueRef::Float(0.5), &mut probe) {
        return Some(Domain::Reals);
    }
    let min = if refuses(ValueRef::Int(-1), &mut probe) {
        0.0
    } else {
        i64::MIN as f64
    };
    let max = if refuses(ValueRef::Int(i64::from(u32::MAX) + 1), &mut probe) {
        f64::from(u32::MAX)
    } else {
        i64::MAX as f64
    };
    Some(Domain::Integers { min, max })
}

/// Range rules on one field: (rule index, interval within the field's domain).
type RangeRules = Vec<(usize, Iv)>;

/// The warnings of a validated routing section.
pub(crate) fn warnings(spec: &RoutingSpec, catalog: &Catalog) -> Vec<Issue> {
    let mut out = Vec::new();
    // Range rules by field, in chain order: (rule index, interval within the domain).
    let mut by_field: BTreeMap<&str, (Domain, RangeRules)> = BTreeMap::new();
    for (i, rule) in spec.rules.iter().enumerate() {
        let Some((field, iv)) = rule.when.as_ref().and_then(range) else {
            continue;
        };
        let Some(domain) = domain(catalog, field) else {
            continue;
        };
        let iv = iv.in_domain(domain);
        if iv.is_empty() {
            out.push(Issue::new(
                format!("routing.rules[{i}].when"),
                "routing.range_empty",
                format!(
                    "rule `{}` can never match: no value of `{field}` lies in its range",
                    rule.name
                ),
            ));
            continue;
        }
        by_field
            .entry(field)
            .or_insert_with(|| (domain, Vec::new()))
            .1
            .push((i, iv));
    }
    let name = |i: usize| spec.rules.get(i).map_or("", |r| r.name.as_str());
    for (field, (domain, rules)) in &by_field {
        if rules.len() < 2 {
            continue;
        }
        // Found along the number line, then reported in that order.
        let mut found: Vec<(f64, Issue)> = Vec::new();
        for (k, &(j, later)) in rules.iter().enumerate() {
            for &(i, earlier) in rules.iter().take(k) {
                let both = earlier.intersect(&later);
                if !both.is_empty() {
                    found.push((
                        both.lo,
                        Issue::new(
                            format!("routing.rules[{j}].when"),
                            "routing.range_overlap",
                            format!(
                                "rules `{}` and `{}` both cover `{field}` {}: `{}` comes first and takes those leads",
                                name(i),
                                name(j),
                                both.show(*domain),
                                name(i)
                            ),
                        ),
                    ));
                }
            }
        }
        for (gap, before, after) in gaps(rules, *domain) {
            let (path_rule, around) = match (before, after) {
                (Some(b), Some(a)) => (a, format!("between rules `{}` and `{}`", name(b), name(a))),
                (None, Some(a)) => (a, format!("below rule `{}`", name(a))),
                (Some(b), None) => (b, format!("above rule `{}`", name(b))),
                (None, None) => continue,
            };
            found.push((
                gap.lo,
                Issue::new(
                    format!("routing.rules[{path_rule}].when"),
                    "routing.range_gap",
                    format!(
                        "no range rule on `{field}` covers {} ({around}): those leads go on to later rules or the unassignable queue",
                        gap.show(*domain)
                    ),
                ),
            ));
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        out.extend(found.into_iter().map(|f| f.1));
    }
    out.extend(unreachable(spec));
    out
}

/// The uncovered pieces of the domain, each with the rules just below and above it.
fn gaps(rules: &[(usize, Iv)], domain: Domain) -> Vec<(Iv, Option<usize>, Option<usize>)> {
    let mut sorted: Vec<(usize, Iv)> = rules.to_vec();
    sorted.sort_by(|a, b| {
        a.1.lo
            .total_cmp(&b.1.lo)
            .then(b.1.lo_closed.cmp(&a.1.lo_closed))
    });
    let (mut from, mut from_closed, end) = match domain {
        Domain::Integers { min, max } => (
            min,
            true,
            Iv {
                lo: min,
                lo_closed: true,
                hi: max,
                hi_closed: true,
            },
        ),
        Domain::Reals => (f64::NEG_INFINITY, false, ALL),
    };
    let mut out = Vec::new();
    let mut below: Option<usize> = None;
    for &(i, iv) in &sorted {
        let gap = Iv {
            lo: from,
            lo_closed: from_closed,
            hi: iv.lo,
            hi_closed: !iv.lo_closed,
        }
        .in_domain(domain);
        if !gap.is_empty() {
            out.push((gap, below, Some(i)));
        }
        // Where coverage ends: just after this interval's top, if beyond the frontier.
        let (next, next_closed) = match domain {
            Domain::Integers { .. } => (iv.hi + 1.0, true),
            Domain::Reals => (iv.hi, !iv.hi_closed),
        };
        if next > from || (next == from && from_closed && !next_closed) {
            from = next;
            from_closed = next_closed;
            below = Some(i);
        }
    }
    let tail = Iv {
        lo: from,
        lo_closed: from_closed,
        ..end
    }
    .in_domain(domain);
    if !tail.is_empty() {
        out.push((tail, below, None));
    }
    out
}

/// A rule that matches every lead and always places it (a queue) hides every rule after it.
fn unreachable(spec: &RoutingSpec) -> Option<Issue> {
    let i = spec
        .rules
        .iter()
        .position(|r| r.when.is_none() && matches!(r.assign, StrategySpec::Queue(_)))?;
    let rule = spec.rules.get(i)?;
    (i + 1 < spec.rules.len()).then(|| {
        Issue::new(
            format!("routing.rules[{}]", i + 1),
            "routing.unreachable_rule",
            format!(
                "rule `{}` matches every lead and its queue always takes it: the rules after it are never tried",
                rule.name
            ),
        )
    })
}
