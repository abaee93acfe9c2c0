//! What a batch needs from the playbook, compiled against the batch's columns: where each
//! rule keeps its running state in a lead's block, and for each pass over the rows (up to
//! 64 rules) one bit mask per kind and per dictionary entry of each filtered column, so a
//! row's matching rules are a handful of lookups and ANDs.

use crate::columnar::{DictColumn, EventColumns, RawText};
use crate::condition::{DictVerdicts, IntRange, RowCondition};
use crate::model::ActivityKind;
use crate::scoring::model::{Behaviour, Decay, Scoring};

/// Rules one pass over the rows handles: one bit each.
pub(crate) const RULES_PER_PASS: usize = 64;

/// Kind dictionaries up to this size have one bucket of rows per kind code (a chunk's
/// rows sorted by their codes as they are); larger ones, one per kind with rules.
pub(super) const DIRECT_KINDS: usize = 64;

/// Occurrence limits up to this many keep their times inline in the lead's block.
const INLINE_LIMIT: u32 = 8;

/// How a rule accumulates, per lead (each rule in an array of its own over the leads, so
/// the arrays of the rules a stretch of rows hits stay in cache).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Acc {
    /// A count of occurrences that weigh fully (no decay, or unlimited expiry, whose
    /// expired occurrences are left out by time).
    Count,
    /// A count that stops at `n` (at most 255), one byte per lead: a rule whose occurrence
    /// limit, or whose `max_points` over its points, is `n` or less, counts no differently
    /// beyond `n` (the limit keeps `n`, the cap the same points).
    Tiny(u8),
    /// A sum of decay factors ([`crate::scoring::points::Factors`]).
    Factors,
    /// The earliest `n` times (decaying rules with an occurrence limit): `n` per lead.
    Earliest(u32),
    /// The earliest `n` times, in a list per lead (limits above [`INLINE_LIMIT`]).
    Side(u32),
}

/// How every behaviour rule accumulates.
pub(super) struct Layout {
    /// Per flat rule.
    pub acc: Vec<Acc>,
}

impl Layout {
    pub(super) fn new(scoring: &Scoring) -> Self {
        let acc = (0..scoring.behaviours.len())
            .map(|flat| {
                let Some(b) = scoring.behaviour(flat) else {
                    return Acc::Count;
                };
                match (b.decay, b.limit) {
                    (Decay::None, _) | (Decay::Expiry(_), u32::MAX) => match counts_up_to(b) {
                        Some(n) if n <= u32::from(u8::MAX) => Acc::Tiny(n as u8),
                        _ => Acc::Count,
                    },
                    (_, u32::MAX) => Acc::Factors,
                    (_, n) if n <= INLINE_LIMIT => Acc::Earliest(n),
                    (_, n) => Acc::Side(n),
                }
            })
            .collect();
        Layout { acc }
    }
}

/// The count beyond which a rule whose occurrences weigh fully scores the same: its
/// occurrence limit, or the occurrences its `max_points` takes (`|max| / |points|`, rounded
/// up: from there on the rule's points are at or beyond its cap, which is what it scores),
/// whichever is smaller; `None` when neither bounds it.
fn counts_up_to(b: &Behaviour) -> Option<u32> {
    let by_cap = b.max_q.and_then(|max| {
        let points = b.points_q.unsigned_abs();
        (points != 0).then(|| max.unsigned_abs().div_ceil(points))
    });
    let by_limit = (b.limit != u32::MAX).then_some(u128::from(b.limit));
    let n = match (by_cap, by_limit) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    u32::try_from(n).ok()
}

/// A filtered text column of one pass: the pass's rules a missing value lets through, then
/// those each dictionary entry lets through (every rule that does not filter on this
/// column included), then those a code outside the dictionary lets through (none of the
/// filtered ones).
pub(super) struct DictMask<'a> {
    pub codes: &'a [u32],
    pub masks: Vec<u64>,
    /// Rules that filter on this column.
    pub involved: u64,
    /// The column and its name, for the bad-code error.
    pub name: &'a str,
    pub col: DictColumn<'a>,
    /// The column as its producer holds it, where it is raw (`codes` then not read).
    pub raw: Option<RawText<'a>>,
}

/// What the rows of one kind need read.
pub(super) struct KindPlan {
    /// The pass's rules of this kind.
    pub mask: u64,
    /// Indices into [`Pass::dicts`] its rules filter on.
    pub dicts: Vec<usize>,
    /// The integer columns its rules compare: an index into [`Pass::ints`], and the
    /// intervals of its own rules on that column (a row is not tested against another
    /// kind's).
    pub ints: Vec<(usize, Vec<Ranged>)>,
    /// Its rules whose occurrences count only from a time on: bit, first counted time (as
    /// [`Pass::from`]).
    pub from: Vec<(u64, i64)>,
    /// Its rules with general row tests.
    pub tested: u64,
}

/// The intervals of the rules comparing one integer column.
pub(super) struct IntGroup<'a> {
    pub col: crate::columnar::Column<'a, i64>,
    pub ranges: Vec<Ranged>,
}

/// A rule's interval: the row passes when its value lies in `lo..=hi`, or (no value) when
/// `null` says so.
#[derive(Clone, Copy)]
pub(super) struct Ranged {
    pub bit: u64,
    pub lo: i64,
    pub hi: i64,
    pub null: bool,
}

/// A rule of one pass, as the update loop reads it.
pub(super) struct Hot<'a> {
    /// The rule's flat index (its state in the block).
    pub flat: usize,
    pub rule: Option<&'a Behaviour>,
}

/// One pass over the rows: up to [`RULES_PER_PASS`] rules.
pub(super) struct Pass<'a> {
    pub hot: Vec<Hot<'a>>,
    /// Per kind code: the pass's rules of that kind.
    pub kind_masks: Vec<u64>,
    /// Per bucket of rows: what its rows need read (filled by [`Pass::finish`]). A bucket
    /// is a kind code, or where the kinds' dictionary is large, one of the kinds with
    /// rules ([`Pass::buckets`]).
    pub kinds: Vec<KindPlan>,
    /// Where the kinds' dictionary holds more than [`DIRECT_KINDS`] kinds: each kind code's
    /// bucket (one per set of rules a kind has, then one past the last for the kinds
    /// without rules), so a chunk's rows are sorted into at most one bucket per rule
    /// whatever the dictionary's size.
    pub buckets: Option<Vec<u32>>,
    pub dicts: Vec<DictMask<'a>>,
    /// Rules whose occurrences count only from a time on (window, unlimited expiry):
    /// bit, first counted time.
    pub from: Vec<(u64, i64)>,
    /// Integer comparisons, by column.
    pub ints: Vec<IntGroup<'a>>,
    /// Rules with a row test the masks and intervals do not cover (conditions across
    /// columns).
    pub tested: u64,

    /// Per rule bit: its remaining row tests.
    pub tests: Vec<Vec<RowCondition<'a>>>,
}

impl<'a> Pass<'a> {
    /// The passes for `scoring`'s rules over `events` at `now` (Unix seconds).
    pub(super) fn plan(
        scoring: &'a Scoring,
        events: &EventColumns<'a>,
        raw: &[RawText<'a>],
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
            .map(|rules| {
                let mut pass = Pass::new(scoring, events, &kinds, rules, now);
                for d in &mut pass.dicts {
                    d.raw = raw.iter().find(|r| r.column == d.name).copied();
                }
                pass
            })
            .collect()
    }

    fn new(
        scoring: &'a Scoring,
        events: &EventColumns<'a>,
        kinds: &[ActivityKind],
        rules: &[usize],
        now: i64,
    ) -> Pass<'a> {
        let mut pass = Pass {
            hot: Vec::with_capacity(rules.len()),
            kind_masks: vec![0; kinds.len()],
            kinds: Vec::new(),
            buckets: None,
            dicts: Vec::new(),
            from: Vec::new(),
            ints: Vec::new(),
            tested: 0,

            tests: Vec::with_capacity(rules.len()),
        };
        for (i, &flat) in rules.iter().enumerate() {
            let bit = 1u64 << i;
            let b = scoring.behaviour(flat);
            pass.hot.push(Hot { flat, rule: b });
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
                        pass.add_int(bit, range);
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
        pass.finish();
        pass
    }

    /// Per bucket of rows: the text columns, integer columns and windows its kind's rules
    /// read.
    fn finish(&mut self) {
        let masks: Vec<u64> = if self.kind_masks.len() > DIRECT_KINDS {
            // One bucket per set of rules a kind has (a kind's rules are its activity's, so
            // there are at most as many as the pass has rules, whatever the dictionary
            // repeats), in the order they first come; the kinds without rules last.
            let mut with_rules: Vec<u64> = Vec::new();
            let mut bucket_of = std::collections::BTreeMap::new();
            for &m in self.kind_masks.iter().filter(|&&m| m != 0) {
                bucket_of.entry(m).or_insert_with(|| {
                    with_rules.push(m);
                    with_rules.len() as u32 - 1
                });
            }
            let skip = with_rules.len() as u32;
            self.buckets = Some(
                self.kind_masks
                    .iter()
                    .map(|m| bucket_of.get(m).copied().unwrap_or(skip))
                    .collect(),
            );
            with_rules
        } else {
            self.kind_masks.clone()
        };
        self.kinds = masks
            .iter()
            .map(|&mask| KindPlan {
                mask,
                dicts: (0..self.dicts.len())
                    .filter(|&d| self.dicts[d].involved & mask != 0)
                    .collect(),
                ints: self
                    .ints
                    .iter()
                    .enumerate()
                    .map(|(g, group)| {
                        let mine = group.ranges.iter().filter(|r| r.bit & mask != 0);
                        (g, mine.copied().collect::<Vec<_>>())
                    })
                    .filter(|(_, ranges)| !ranges.is_empty())
                    .collect(),
                from: self
                    .from
                    .iter()
                    .filter(|(bit, _)| bit & mask != 0)
                    .copied()
                    .collect(),
                tested: self.tested & mask,
            })
            .collect();
    }

    /// Adds a rule's interval on an integer column to that column's group.
    fn add_int(&mut self, bit: u64, range: IntRange<'a>) {
        let ranged = Ranged {
            bit,
            lo: range.lo,
            hi: range.hi,
            null: range.null,
        };
        match self
            .ints
            .iter_mut()
            .find(|g| std::ptr::eq(g.col.values, range.col.values))
        {
            Some(g) => g.ranges.push(ranged),
            None => self.ints.push(IntGroup {
                col: range.col,
                ranges: vec![ranged],
            }),
        }
    }

    /// ANDs a rule's verdicts on a text column into that column's masks.
    fn add_dict(&mut self, bit: u64, v: DictVerdicts<'a>) {
        let len = v.verdicts.len() - 1;
        let at = match self
            .dicts
            .iter()
            // By name: a raw column's codes are empty (not read), so no two differ by
            // address.
            .position(|d| d.name == v.name)
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
                    raw: None,
                });
                self.dicts.len() - 1
            }
        };
        let d = &mut self.dicts[at];
        d.involved |= bit;
        // Entry 0: a missing value (its verdict is last in `verdicts`); entry c + 1: code c.
        for (code, ok) in v.verdicts.iter().enumerate() {
            let entry = if code == len { 0 } else { code + 1 };
            if !ok {
                d.masks[entry] &= !bit;
            }
        }
        d.masks[len + 1] &= !bit;
    }
}
