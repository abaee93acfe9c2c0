//! What a batch needs from the playbook, compiled against the batch's columns: where each
//! rule keeps its running state in a lead's block, and for each pass over the rows (up to
//! 64 rules) one bit mask per kind and per dictionary entry of each filtered column, so a
//! row's matching rules are a handful of lookups and ANDs.

use crate::columnar::{DictColumn, EventColumns, NULL_CODE};
use crate::condition::{DictVerdicts, IntRange, RowCondition};
use crate::model::ActivityKind;
use crate::scoring::model::{Decay, FactorTable, Scoring};

/// Rules one pass over the rows handles: one bit each.
pub(super) const RULES_PER_PASS: usize = 64;

/// Occurrence limits up to this many keep their times inline in the lead's block.
const INLINE_LIMIT: u32 = 8;

/// Where and how a rule accumulates in a lead's block (of `u64` words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Acc {
    /// A count of occurrences that weigh fully (no decay, or unlimited expiry, whose
    /// expired occurrences are left out by time): one word.
    Count(usize),
    /// A sum of decay factors ([`crate::scoring::points::Factors`]): two words.
    Factors(usize),
    /// The earliest `n` times (decaying rules with an occurrence limit): a count word, then
    /// `n` times.
    Earliest(usize, u32),
    /// The earliest `n` times, in the side table at this slot (limits above
    /// [`INLINE_LIMIT`]).
    Side(usize, u32),
}

/// The block layout of every behaviour rule.
pub(super) struct Layout {
    /// Per flat rule.
    pub acc: Vec<Acc>,
    /// Words per lead.
    pub stride: usize,
    /// Side-table slots per lead.
    pub side_slots: usize,
    /// Per side-table slot: how many times it keeps.
    pub side_limits: Vec<u32>,
}

impl Layout {
    pub(super) fn new(scoring: &Scoring) -> Self {
        let (mut stride, mut side_limits) = (0, Vec::new());
        let mut take = |words: usize| {
            stride += words;
            stride - words
        };
        let acc = (0..scoring.behaviours.len())
            .map(|flat| {
                let Some(b) = scoring.behaviour(flat) else {
                    return Acc::Count(take(1));
                };
                match (b.decay, b.limit) {
                    (Decay::None, _) | (Decay::Expiry(_), u32::MAX) => Acc::Count(take(1)),
                    (_, u32::MAX) => Acc::Factors(take(2)),
                    (_, n) if n <= INLINE_LIMIT => Acc::Earliest(take(1 + n as usize), n),
                    (_, n) => {
                        side_limits.push(n);
                        Acc::Side(side_limits.len() - 1, n)
                    }
                }
            })
            .collect();
        Layout {
            acc,
            stride,
            side_slots: side_limits.len(),
            side_limits,
        }
    }
}

/// A filtered text column of one pass: per dictionary entry, the pass's rules the entry
/// lets through (every rule that does not filter on this column included); then the
/// verdicts for a missing value and, last, for a code outside the dictionary (none).
pub(super) struct DictMask<'a> {
    pub codes: &'a [u32],
    pub masks: Vec<u64>,
    /// Rules that filter on this column.
    pub involved: u64,
    /// The column and its name, for the bad-code error.
    pub name: &'a str,
    pub col: DictColumn<'a>,
}

impl DictMask<'_> {
    /// Where row `row`'s value reads its mask: its code, the missing entry, or past it
    /// for a code outside the dictionary.
    #[inline(always)]
    pub(super) fn index(&self, row: usize) -> usize {
        let len = self.masks.len() - 2;
        let code = self.codes[row];
        if code == NULL_CODE {
            len
        } else {
            (code as usize).min(len + 1)
        }
    }
}

/// A rule of one pass, as the update loop reads it.
pub(super) struct Hot<'a> {
    pub acc: Acc,
    pub table: Option<&'a FactorTable>,
}

/// One pass over the rows: up to [`RULES_PER_PASS`] rules.
pub(super) struct Pass<'a> {
    pub hot: Vec<Hot<'a>>,
    /// Per kind code: the pass's rules of that kind.
    pub kind_masks: Vec<u64>,
    pub dicts: Vec<DictMask<'a>>,
    /// Rules whose occurrences count only from a time on (window, unlimited expiry):
    /// bit, first counted time.
    pub from: Vec<(u64, i64)>,
    /// Integer comparisons: rule bit, interval.
    pub ints: Vec<(u64, IntRange<'a>)>,
    /// Rules with integer comparisons.
    pub int_bits: u64,
    /// Rules with a row test the masks and intervals do not cover (conditions across
    /// columns).
    pub tested: u64,
    /// Rules that count, sum factors, keep times.
    pub count_bits: u64,
    pub factor_bits: u64,
    pub time_bits: u64,
    /// Per rule bit: its remaining row tests.
    pub tests: Vec<Vec<RowCondition<'a>>>,
}

impl<'a> Pass<'a> {
    /// The passes for `scoring`'s rules over `events` at `now` (Unix seconds).
    pub(super) fn plan(
        scoring: &'a Scoring,
        layout: &Layout,
        events: &EventColumns<'a>,
        now: i64,
    ) -> Vec<Pass<'a>> {
        let flats: Vec<usize> = (0..scoring.behaviours.len()).collect();
        let kinds: Vec<ActivityKind> = events
            .kind
            .dictionary
            .iter()
            .map(|k| ActivityKind::parse(k))
            .collect();
        flats
            .chunks(RULES_PER_PASS)
            .map(|rules| Pass::new(scoring, layout, events, &kinds, rules, now))
            .collect()
    }

    fn new(
        scoring: &'a Scoring,
        layout: &Layout,
        events: &EventColumns<'a>,
        kinds: &[ActivityKind],
        rules: &[usize],
        now: i64,
    ) -> Pass<'a> {
        let mut pass = Pass {
            hot: Vec::with_capacity(rules.len()),
            kind_masks: vec![0; kinds.len()],
            dicts: Vec::new(),
            from: Vec::new(),
            ints: Vec::new(),
            int_bits: 0,
            tested: 0,
            count_bits: 0,
            factor_bits: 0,
            time_bits: 0,
            tests: Vec::with_capacity(rules.len()),
        };
        for (i, &flat) in rules.iter().enumerate() {
            let bit = 1u64 << i;
            let b = scoring.behaviour(flat);
            match layout.acc[flat] {
                Acc::Count(_) => pass.count_bits |= bit,
                Acc::Factors(_) => pass.factor_bits |= bit,
                Acc::Earliest(..) | Acc::Side(..) => pass.time_bits |= bit,
            }
            pass.hot.push(Hot {
                acc: layout.acc[flat],
                table: b.and_then(|b| b.table.as_ref()),
            });
            let mut tests = Vec::new();
            let Some(b) = b else {
                pass.tests.push(tests);
                continue;
            };
            let mut never = false;
            if let Some(filter) = &b.filter {
                for part in RowCondition::compile(filter, events).conjuncts() {
                    if matches!(part, RowCondition::Const(false)) {
                        never = true;
                    } else if let Some(v) = part.dict_verdicts() {
                        pass.add_dict(bit, v);
                    } else if let Some(range) = part.int_range() {
                        pass.ints.push((bit, range));
                        pass.int_bits |= bit;
                    } else {
                        tests.push(part);
                    }
                }
            }
            if !tests.is_empty() {
                pass.tested |= bit;
            }
            pass.tests.push(tests);
            if never {
                continue;
            }
            for (code, kind) in kinds.iter().enumerate() {
                if *kind == b.activity {
                    pass.kind_masks[code] |= bit;
                }
            }
            let mut from = b.window.map_or(i64::MIN, |w| now.saturating_sub(w));
            if let (Decay::Expiry(limit), u32::MAX) = (b.decay, b.limit) {
                // Counted while `now - at < limit`.
                from = from.max(now.saturating_sub(limit).saturating_add(1));
            }
            if from != i64::MIN {
                pass.from.push((bit, from));
            }
        }
        pass
    }

    /// ANDs a rule's verdicts on a text column into that column's masks.
    fn add_dict(&mut self, bit: u64, v: DictVerdicts<'a>) {
        let len = v.verdicts.len() - 1;
        let at = match self
            .dicts
            .iter()
            .position(|d| std::ptr::eq(d.codes, v.codes))
        {
            Some(at) => at,
            None => {
                let mut masks = vec![u64::MAX; len + 2];
                // A code outside the dictionary lets no filtered rule through.
                masks[len + 1] = 0;
                self.dicts.push(DictMask {
                    codes: v.codes,
                    masks,
                    involved: 0,
                    name: v.name,
                    col: v.col,
                });
                self.dicts.len() - 1
            }
        };
        let d = &mut self.dicts[at];
        d.involved |= bit;
        for (mask, ok) in d.masks.iter_mut().zip(&v.verdicts) {
            if !ok {
                *mask &= !bit;
            }
        }
        d.masks[len + 1] &= !bit;
    }
}
