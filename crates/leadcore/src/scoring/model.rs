//! A validated scoring setup: models compiled for fast matching and exact evaluation.

use super::conditions;
use super::points::{Factors, Q, quantize, snap};
use super::spec::{
    DecaySpec, GradeBand, ModelSpec, Occurrence, RuleSpec, ScoringSpec, ThresholdSpec,
};
use crate::condition::compile::Sink;
use crate::condition::{Condition, Context};
use crate::model::{Activity, ActivityKind, Catalog, FieldSource};
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

/// Decay compiled to seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Decay {
    None,
    Expiry(i64),
    Step { keep: f64, period: i64 },
    HalfLife(f64),
}

impl Decay {
    fn compile(spec: DecaySpec) -> Self {
        match spec {
            DecaySpec::None => Decay::None,
            DecaySpec::Expiry { days } => Decay::Expiry(i64::from(days) * DAY),
            DecaySpec::Step {
                percent,
                period_days,
            } => Decay::Step {
                keep: 1.0 - percent / 100.0,
                period: i64::from(period_days.max(1)) * DAY,
            },
            DecaySpec::HalfLife { days } => Decay::HalfLife(days * DAY as f64),
        }
    }

    /// The factor for an event `age` seconds old (age >= 0). A half-life factor is
    /// [`HalfLife::factor`]'s (`2^(-age/h)` within a few ulp); a step factor
    /// `keep^⌊age/period⌋`.
    #[inline]
    pub(crate) fn factor(self, age: i64) -> f64 {
        match self {
            Decay::None => 1.0,
            Decay::Expiry(limit) => {
                if age < limit {
                    1.0
                } else {
                    0.0
                }
            }
            Decay::Step { keep, period } => libm::pow(keep, (age.max(0) / period) as f64),
            Decay::HalfLife(h) => half_life(h, Divisor::of_seconds(h), age, |k, j| part(h, k, j)),
        }
    }
}

/// A half-life `h`'s factor for an event `age` seconds old (a negative age counts as 0),
/// given `h` as whole seconds ([`Divisor::of_seconds`]) and its parts (`part(k, j)` is
/// [`part`]`(h, k, j)`, from a table or not).
///
/// Where `h` is a whole number of seconds (below 2^32), the age is split into whole
/// half-lives `q` and a remainder `r`, and the factor is `2^-q · g(r)` with `g(r)` the
/// product `((G₀·G₁)·G₂)·G₃` of the factors of `r`'s bytes (`Gₖ = part(k, byte k of r)`;
/// `G₃` only where `r` has a fourth byte), each `2^(-(byte·256^k)/h)` by [`exp2_neg`]. So a
/// table of 4 × 256 values gives every factor with three or four look-ups and a few
/// multiplications instead of an `exp2_neg`; the factor is within a few ulp of `2^(-age/h)`
/// (each part is; the products round, the power of two is exact) and exact after whole
/// half-lives (0.5, 0.25, ...). Otherwise it is [`exp2_neg`]`(age / h)`.
#[inline(always)]
fn half_life(h: f64, whole: Option<Divisor>, age: i64, part: impl Fn(usize, u64) -> f64) -> f64 {
    let Some(whole) = whole else {
        return exp2_neg_of_ratio(age.max(0) as u64, h);
    };
    let (q, g) = half_lives(whole, age, part);
    if q <= 1022 {
        g * f64::from_bits((1023 - q) << 52)
    } else if q <= 1074 {
        g * f64::from_bits(1u64 << 52) * f64::from_bits((1023 + 1022 - q) << 52)
    } else {
        0.0
    }
}

/// A half-life of `whole` seconds' factor for an event `age` seconds old as `(q, g)`: the
/// factor is `2^-q · g` ([`half_life`]), `g` the product of the remainder's parts.
#[inline(always)]
fn half_lives(whole: Divisor, age: i64, part: impl Fn(usize, u64) -> f64) -> (u64, f64) {
    let (q, r) = whole.div_rem(age.max(0) as u64);
    let mut g = part(0, r & 255) * part(1, r >> 8 & 255) * part(2, r >> 16 & 255);
    if r >> 24 != 0 {
        g *= part(3, r >> 24 & 255);
    }
    (q, g)
}

/// [`exp2_neg`]`(a / h)`, out of the inner loops (only a half-life that is not a whole
/// number of seconds takes it).
#[inline(never)]
fn exp2_neg_of_ratio(a: u64, h: f64) -> f64 {
    exp2_neg(a as f64 / h)
}

/// Division by a fixed `w` (`1 <= w < 2^32`) without a divide instruction (which takes
/// tens of cycles in the batch's inner loop): `m = ⌊(2^64 - 1) / w⌋`, and for `a < 2^63`
/// the high word of `a · m` is `⌊a / w⌋` or one less.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Divisor {
    w: u64,
    m: u64,
}

impl Divisor {
    /// A divisor of `w`, if `1 <= w < 2^32`.
    fn new(w: u64) -> Option<Divisor> {
        (1..1 << 32)
            .contains(&w)
            .then(|| Divisor { w, m: u64::MAX / w })
    }

    /// `h` as whole seconds, if it is a whole number below 2^32.
    fn of_seconds(h: f64) -> Option<Divisor> {
        if (1.0..4_294_967_296.0).contains(&h) && h.fract() == 0.0 {
            Divisor::new(h as u64)
        } else {
            None
        }
    }

    /// `(⌊a / w⌋, a mod w)` for `a < 2^63`.
    #[inline(always)]
    fn div_rem(self, a: u64) -> (u64, u64) {
        let q = ((u128::from(a) * u128::from(self.m)) >> 64) as u64;
        let r = a - q * self.w;
        if r >= self.w {
            (q + 1, r - self.w)
        } else {
            (q, r)
        }
    }
}

/// The factor of byte `j` in place `k` of a remainder: `2^(-(j·256^k)/h)`.
fn part(h: f64, k: usize, j: u64) -> f64 {
    exp2_neg((j << (8 * k)) as f64 / h)
}

/// A half-life decay with its parts by table (see [`half_life`]): the batch's inner loop
/// computes a factor per event, and [`exp2_neg`] there cost about a tenth of the batch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HalfLife {
    h: f64,
    whole: Option<Divisor>,
    /// `part(h, k, j)` at `256·k + j`.
    parts: Box<[f64; 4 * 256]>,
}

impl HalfLife {
    /// The table of a half-life decay.
    fn of(decay: Decay) -> Option<HalfLife> {
        match decay {
            Decay::HalfLife(h) => Some(HalfLife::new(h)),
            _ => None,
        }
    }

    fn new(h: f64) -> Self {
        let mut parts = Box::new([0.0; 4 * 256]);
        for (i, p) in parts.iter_mut().enumerate() {
            *p = part(h, i / 256, (i % 256) as u64);
        }
        HalfLife {
            h,
            whole: Divisor::of_seconds(h),
            parts,
        }
    }

    /// The factor for an event `age` seconds old: [`Decay::factor`]'s, by table.
    #[inline]
    pub(crate) fn factor(&self, age: i64) -> f64 {
        half_life(self.h, self.whole, age, |k, j| {
            self.parts[256 * k + j as usize]
        })
    }

    /// [`Factors::fixed`]`(self.factor(age))`, the same bits, in fewer steps: the factor is
    /// `g · 2^-q` ([`half_life`]), a power of two times `g`, so on the `2^-96` grid it is
    /// `⌊g · 2^(96 - q)⌋`, which is `g`'s mantissa shifted once, without the product, its
    /// range checks and a second shift (the batch's inner loop computes one per decaying row).
    /// Always inlined: called from more than one place, the compiler made it a call in the
    /// batch's factor loop.
    #[inline(always)]
    pub(crate) fn fixed(&self, age: i64) -> u128 {
        let Some(whole) = self.whole else {
            return Factors::fixed(self.factor(age));
        };
        let (q, g) = half_lives(whole, age, |k, j| self.parts[256 * k + j as usize]);
        // g is 2^(-r/h) for a remainder r < h, within a few ulp: in (2^-2, 1], exponent 1021
        // to 1023 (any other takes the general way). Then g = m · 2^(e - 1075), and
        // ⌊g · 2^(96 - q)⌋ is ⌊(m · 2^44) / 2^(1023 - e + q)⌋ (m · 2^44 < 2^97: no bit lost).
        let bits = g.to_bits();
        let e = bits >> 52;
        if !(1021..=1023).contains(&e) {
            return Factors::fixed(self.factor(age));
        }
        let m = u128::from((bits & ((1 << 52) - 1)) | (1 << 52)) << 44;
        let shift = 1023 - e + q;
        if shift < 128 { m >> shift } else { 0 }
    }
}

/// `2^(-j/64)`, correctly rounded, for `j` in `0..64`.
const EXP2_64THS: [u64; 64] = [
    0x3ff0000000000000,
    0x3fefa7c1819e90d8,
    0x3fef50765b6e4540,
    0x3feefa1bee615a27,
    0x3feea4afa2a490da,
    0x3fee502ee78b3ff6,
    0x3fedfc97337b9b5f,
    0x3feda9e603db3285,
    0x3fed5818dcfba487,
    0x3fed072d4a07897c,
    0x3fecb720dcef9069,
    0x3fec67f12e57d14b,
    0x3fec199bdd85529c,
    0x3febcc1e904bc1d2,
    0x3feb7f76f2fb5e47,
    0x3feb33a2b84f15fb,
    0x3feae89f995ad3ad,
    0x3fea9e6b5579fdbf,
    0x3fea5503b23e255d,
    0x3fea0c667b5de565,
    0x3fe9c49182a3f090,
    0x3fe97d829fde4e50,
    0x3fe93737b0cdc5e5,
    0x3fe8f1ae99157736,
    0x3fe8ace5422aa0db,
    0x3fe868d99b4492ed,
    0x3fe82589994cce13,
    0x3fe7e2f336cf4e62,
    0x3fe7a11473eb0187,
    0x3fe75feb564267c9,
    0x3fe71f75e8ec5f74,
    0x3fe6dfb23c651a2f,
    0x3fe6a09e667f3bcd,
    0x3fe6623882552225,
    0x3fe6247eb03a5585,
    0x3fe5e76f15ad2148,
    0x3fe5ab07dd485429,
    0x3fe56f4736b527da,
    0x3fe5342b569d4f82,
    0x3fe4f9b2769d2ca7,
    0x3fe4bfdad5362a27,
    0x3fe486a2b5c13cd0,
    0x3fe44e086061892d,
    0x3fe4160a21f72e2a,
    0x3fe3dea64c123422,
    0x3fe3a7db34e59ff7,
    0x3fe371a7373aa9cb,
    0x3fe33c08b26416ff,
    0x3fe306fe0a31b715,
    0x3fe2d285a6e4030b,
    0x3fe29e9df51fdee1,
    0x3fe26b4565e27cdd,
    0x3fe2387a6e756238,
    0x3fe2063b88628cd6,
    0x3fe1d4873168b9aa,
    0x3fe1a35beb6fcb75,
    0x3fe172b83c7d517b,
    0x3fe1429aaea92de0,
    0x3fe11301d0125b51,
    0x3fe0e3ec32d3d1a2,
    0x3fe0b5586cf9890f,
    0x3fe0874518759bc8,
    0x3fe059b0d3158574,
    0x3fe02c9a3e778061,
];

/// Taylor coefficients of `2^(-r) = e^(-r·ln 2)`: `(-ln 2)^k / k!`, correctly rounded.
const EXP2_TAYLOR: [f64; 7] = [
    -std::f64::consts::LN_2,
    0.24022650695910072,
    -0.05550410866482158,
    0.009618129107628477,
    -0.0013333558146428443,
    0.0001540353039338161,
    -1.5252733804059841e-05,
];

/// `2^-x` for `x >= 0`, within a few ulp, in plain `f64` operations (the same bits on
/// every platform, no FMA): `x = n + j/64 + r` with `0 <= r < 1/64`; `2^-r` by its Taylor
/// series (seven terms: truncation below 2^-68), `2^(-j/64)` from a table, `2^-n` exactly.
/// Exact at whole `x` (a half-life factor after whole half-lives: 0.5, 0.25, ...). Much
/// cheaper than `exp2` through `libm`, which matters in the batch's inner loop.
#[inline]
pub(crate) fn exp2_neg(x: f64) -> f64 {
    // Also NaN: no weight.
    if x.is_nan() || x >= 1075.0 {
        return 0.0;
    }
    let x = x.max(0.0);
    // floor(64x): exact scaling by a power of two.
    let k = (x * 64.0) as u64;
    let r = x - (k as f64) / 64.0;
    let c = &EXP2_TAYLOR;
    let p = 1.0
        + r * (c[0] + r * (c[1] + r * (c[2] + r * (c[3] + r * (c[4] + r * (c[5] + r * c[6]))))));
    let y = f64::from_bits(EXP2_64THS[(k & 63) as usize]) * p;
    let n = (k >> 6) as i64;
    if n <= 1022 {
        y * f64::from_bits(((1023 - n) as u64) << 52)
    } else {
        // Below the normal range: two exact steps.
        y * f64::from_bits(1u64 << 52) * f64::from_bits(((1023 + 1022 - n) as u64) << 52)
    }
}

/// Steps a step decay keeps in its table.
const STEP_TABLE: usize = 256;

/// A step decay's factors by table, for the batch's inner loop: `keep^k` for
/// `k < STEP_TABLE`, as [`Decay::factor`] computes them (the same `libm::pow`), each also
/// on the sums' grid ([`Factors::fixed`]), and the period as a [`Divisor`] where it is one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StepPowers {
    period: Option<Divisor>,
    /// `keep^k`, and its grid value.
    powers: Box<[(f64, u128)]>,
}

impl StepPowers {
    fn new(decay: Decay) -> Option<StepPowers> {
        match decay {
            Decay::Step { keep, period } => Some(StepPowers {
                period: u64::try_from(period).ok().and_then(Divisor::new),
                powers: (0..STEP_TABLE)
                    .map(|k| libm::pow(keep, k as f64))
                    .map(|f| (f, Factors::fixed(f)))
                    .collect(),
            }),
            _ => None,
        }
    }

    /// The factor for an event `age` seconds old, if the table holds it.
    #[inline]
    fn factor(&self, age: i64) -> Option<f64> {
        self.powers.get(self.steps(age)?).map(|p| p.0)
    }

    /// [`StepPowers::factor`] on the sums' grid: a look-up instead of the conversion.
    #[inline]
    fn fixed(&self, age: i64) -> Option<u128> {
        self.powers.get(self.steps(age)?).map(|p| p.1)
    }

    /// Whole periods in `age` (none for a negative age), where the period is a divisor.
    #[inline]
    fn steps(&self, age: i64) -> Option<usize> {
        usize::try_from(self.period?.div_rem(age.max(0) as u64).0).ok()
    }
}

/// A compiled behaviour rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Behaviour {
    pub activity: ActivityKind,
    /// Filters and `when`, as one condition on the activity (`None`: every activity).
    pub filter: Option<Condition>,
    pub points: f64,
    pub points_q: Q,
    /// How many earliest occurrences count (`u32::MAX`: every one).
    pub limit: u32,
    pub max_q: Option<Q>,
    pub window: Option<i64>,
    pub decay: Decay,
    /// A step decay's factors by table.
    pub step_powers: Option<StepPowers>,
    /// A half-life decay's factors.
    pub half_life: Option<HalfLife>,
}

impl Behaviour {
    /// The decay factor of one occurrence `age` seconds old.
    #[inline]
    pub(crate) fn factor(&self, age: i64) -> f64 {
        if let Some(half_life) = &self.half_life {
            return half_life.factor(age);
        }
        if let Some(f) = self.step_powers.as_ref().and_then(|s| s.factor(age)) {
            return f;
        }
        self.decay.factor(age)
    }

    /// [`Factors::fixed`]`(self.factor(age))`, the same bits: a half-life's factor put on
    /// the grid in one step ([`HalfLife::fixed`]), a step decay's looked up on it.
    #[inline]
    pub(crate) fn fixed(&self, age: i64) -> u128 {
        if let Some(half_life) = &self.half_life {
            return half_life.fixed(age);
        }
        if let Some(f) = self.step_powers.as_ref().and_then(|s| s.fixed(age)) {
            return f;
        }
        Factors::fixed(self.decay.factor(age))
    }

    /// The raw points of occurrences at `times` that each weigh their own decay factor at
    /// `now`: the factors summed exactly, so in any order, then times the points. What the
    /// per-lead tally and the batch's finish both compute, the same bits.
    #[inline]
    pub(crate) fn decayed_points(&self, now: i64, times: impl IntoIterator<Item = i64>) -> Q {
        let mut sum = 0u128;
        for at in times {
            sum = sum.saturating_add(self.fixed(now.saturating_sub(at)));
        }
        Factors(sum).points(self.points)
    }

    /// The raw points of `n` occurrences that weigh fully: `points × n`, as the breakdown
    /// reports it (one rounding to `f64`).
    #[inline]
    pub(crate) fn count_points(&self, n: u64) -> Q {
        snap(self.points_q.saturating_mul(Q::from(n)))
    }

    /// Whether the activity is of the rule's kind and passes its condition. A missing
    /// attribute fails the comparisons on it and nothing else.
    pub(crate) fn matches(&self, a: &Activity) -> bool {
        a.kind == self.activity
            && self
                .filter
                .as_ref()
                .is_none_or(|c| c.holds(&Context::new().activity(a)))
    }
}

/// A compiled fit rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fit {
    pub condition: Condition,
    pub points_q: Q,
}

impl Fit {
    pub(crate) fn matches(&self, record: &dyn FieldSource) -> bool {
        self.condition.holds(&Context::new().record(record))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RuleKind {
    Behaviour(Behaviour),
    Fit(Fit),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    pub name: String,
    pub group: Option<usize>,
    pub kind: RuleKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    pub name: String,
    pub rules: Vec<Rule>,
    pub combine: Vec<(usize, f64)>,
    pub groups: Vec<(String, Q)>,
    pub cap: Option<Q>,
    pub floor: Option<Q>,
    pub grades: Vec<GradeBand>,
    pub thresholds: Vec<ThresholdSpec>,
    /// First index of this model's behaviour rules in the flat behaviour list.
    pub behaviour_base: usize,
}

/// A validated scoring setup, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    pub(crate) spec: ScoringSpec,
    pub(crate) models: Vec<Model>,
    /// Every behaviour rule of every model, flat: (model, rule index in model).
    pub(crate) behaviours: Vec<(usize, usize)>,
    /// Flat behaviour indices by activity kind.
    pub(crate) by_kind: BTreeMap<ActivityKind, Vec<usize>>,
    pub(crate) tolerance: i64,
    /// Fingerprint of rule and threshold names, stamped on score states.
    pub(crate) layout: u64,
    pub(crate) threshold_count: usize,
}

impl Scoring {
    /// Compiles a spec the validator accepted (against the same catalog).
    pub(crate) fn build(spec: &ScoringSpec, catalog: &Catalog) -> Self {
        let mut behaviours = Vec::new();
        let mut by_kind: BTreeMap<ActivityKind, Vec<usize>> = BTreeMap::new();
        let mut models: Vec<Model> = Vec::new();
        for (m, ms) in spec.models.iter().enumerate() {
            let model = compile_model(ms, &models, behaviours.len(), catalog);
            for (r, rule) in model.rules.iter().enumerate() {
                if let RuleKind::Behaviour(b) = &rule.kind {
                    by_kind
                        .entry(b.activity.clone())
                        .or_default()
                        .push(behaviours.len());
                    behaviours.push((m, r));
                }
            }
            models.push(model);
        }
        let layout = fingerprint(spec);
        let threshold_count = models.iter().map(|m| m.thresholds.len()).sum();
        Scoring {
            spec: spec.clone(),
            models,
            behaviours,
            by_kind,
            tolerance: i64::from(spec.future_tolerance_seconds),
            layout,
            threshold_count,
        }
    }

    /// The spec it was built from.
    pub fn spec(&self) -> &ScoringSpec {
        &self.spec
    }

    /// Model names, in declaration order.
    pub fn model_names(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.name.as_str()).collect()
    }

    pub(crate) fn model_index(&self, name: &str) -> Option<usize> {
        self.models.iter().position(|m| m.name == name)
    }

    pub(crate) fn behaviour(&self, flat: usize) -> Option<&Behaviour> {
        let &(m, r) = self.behaviours.get(flat)?;
        match &self.models.get(m)?.rules.get(r)?.kind {
            RuleKind::Behaviour(b) => Some(b),
            RuleKind::Fit(_) => None,
        }
    }
}

/// FNV-1a over the canonical JSON of everything a score state's contents depend on, in
/// order: each model's name, each behaviour rule as written (kind, filters and `when`,
/// points, occurrence, `max_points`, window) with its effective decay, each threshold's
/// name, level, hysteresis and refire policy, and what counts as engagement and follow-up.
/// A state made for other rules (even under the same names) is refused instead of misread.
fn fingerprint(spec: &ScoringSpec) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |value: serde_json::Value| {
        let text = crate::wire::canonical_json(&value);
        for b in text.bytes().chain([0xff]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for m in &spec.models {
        eat(serde_json::json!({ "model": m.name }));
        for r in &m.rules {
            if let RuleSpec::Behaviour { decay, .. } = r {
                eat(serde_json::json!({ "rule": r, "decay": decay.unwrap_or(m.decay) }));
            }
        }
        for t in &m.thresholds {
            eat(serde_json::json!({
                "threshold": t.name, "at": t.at, "hysteresis": t.hysteresis, "refire": t.refire
            }));
        }
    }
    eat(serde_json::json!({
        "hotness": spec.hotness.as_ref().map(|h| &h.kinds),
        "engagement": spec.zombie.as_ref().map(|z| &z.engagement_kinds),
        "follow_ups": spec.zombie.as_ref().map(|z| &z.follow_up_kinds),
    }));
    h
}

fn compile_model(
    ms: &ModelSpec,
    earlier: &[Model],
    behaviour_base: usize,
    catalog: &Catalog,
) -> Model {
    // Validation has reported any problem already; conditions that failed it cannot reach
    // here, so the issues collected while compiling again are dropped.
    let mut dropped = Vec::new();
    let mut sink = Sink {
        prefix: "rule",
        issues: &mut dropped,
    };
    let groups: Vec<(String, Q)> = ms
        .groups
        .iter()
        .map(|g| (g.name.clone(), quantize(g.cap)))
        .collect();
    let rules = ms
        .rules
        .iter()
        .map(|r| {
            let group = r
                .group()
                .and_then(|g| groups.iter().position(|(n, _)| n == g));
            let kind = match r {
                RuleSpec::Behaviour {
                    activity,
                    filters,
                    when,
                    points,
                    occurrence,
                    max_points,
                    window_days,
                    decay,
                    ..
                } => RuleKind::Behaviour(Behaviour {
                    activity: activity.clone(),
                    filter: conditions::behaviour("", filters, when.as_ref(), catalog, &mut sink)
                        .ok()
                        .flatten(),
                    points: *points,
                    points_q: quantize(*points),
                    limit: match occurrence {
                        Occurrence::Every => u32::MAX,
                        Occurrence::Once => 1,
                        Occurrence::AtMost(n) => *n,
                    },
                    max_q: max_points.map(quantize),
                    window: window_days.map(|d| i64::from(d) * DAY),
                    decay: Decay::compile(decay.unwrap_or(ms.decay)),
                    step_powers: StepPowers::new(Decay::compile(decay.unwrap_or(ms.decay))),
                    half_life: HalfLife::of(Decay::compile(decay.unwrap_or(ms.decay))),
                }),
                RuleSpec::Fit { points, .. } => RuleKind::Fit(Fit {
                    condition: conditions::fit_rule("", r, catalog, &mut sink)
                        .unwrap_or_else(Condition::never),
                    points_q: quantize(*points),
                }),
            };
            Rule {
                name: r.name().to_owned(),
                group,
                kind,
            }
        })
        .collect();
    Model {
        name: ms.name.clone(),
        rules,
        combine: ms
            .combine
            .iter()
            .filter_map(|w| {
                earlier
                    .iter()
                    .position(|m| m.name == w.model)
                    .map(|i| (i, w.weight))
            })
            .collect(),
        groups,
        cap: ms.cap.map(quantize),
        floor: ms.floor.map(quantize),
        grades: ms.grades.clone(),
        thresholds: ms.thresholds.clone(),
        behaviour_base,
    }
}

#[cfg(test)]
mod tests {
    use super::{Decay, Divisor, Factors, HalfLife, STEP_TABLE, StepPowers, exp2_neg};
    use proptest::prelude::*;

    proptest! {
        /// A half-life's factor put on the sums' grid in one step is the same as the factor
        /// computed, then put on the grid: at any age, for half-lives of whole seconds
        /// (short, long, above 2^24 seconds) and not.
        #[test]
        fn a_factor_on_the_grid_in_one_step_is_the_factor_on_the_grid(
            h in prop_oneof![
                1u64..100,
                86_400u64..90 * 86_400,
                (1u64 << 24)..(1u64 << 32),
            ],
            fraction in prop_oneof![3 => Just(0.0), 1 => 0.01f64..0.99],
            age in prop_oneof![
                -100i64..100_000_000,
                0i64..i64::MAX,
            ],
            whole in 0u64..1100,
        ) {
            let h = h as f64 + fraction;
            let table = HalfLife::new(h);
            // Also exactly at, and one second off, a whole number of half-lives.
            let near = (h * whole as f64) as i64;
            for a in [age, near, near.saturating_sub(1), near.saturating_add(1)] {
                prop_assert_eq!(table.fixed(a), Factors::fixed(table.factor(a)), "h {} age {}", h, a);
            }
        }

        /// A step decay's factor looked up on the grid is the factor computed, then put on
        /// the grid: at any age (in the table and past it, at and beside a step), for
        /// periods of whole seconds and keeps from 1% to 99%.
        #[test]
        fn a_step_factor_on_the_grid_is_the_factor_on_the_grid(
            period in prop_oneof![1i64..100, 86_400i64..90 * 86_400],
            keep in 0.01f64..0.99,
            age in prop_oneof![-100i64..100_000_000, 0i64..i64::MAX],
            steps in 0i64..300,
        ) {
            let decay = Decay::Step { keep, period };
            let powers = StepPowers::new(decay).unwrap();
            let near = period.saturating_mul(steps);
            // The table holds every age of fewer than STEP_TABLE whole periods.
            prop_assert_eq!(powers.fixed(near).is_some(), (steps as usize) < STEP_TABLE);
            for a in [age, near, near.saturating_sub(1), near.saturating_add(1)] {
                if let Some(looked_up) = powers.fixed(a) {
                    prop_assert_eq!(looked_up, Factors::fixed(decay.factor(a)), "age {}", a);
                }
            }
        }
    }

    #[test]
    fn a_divisor_divides_exactly() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for w in [1, 2, 3, 7, 86_400, 604_800, 3_888_000, (1 << 32) - 1] {
            let d = Divisor::new(w).unwrap();
            for a in [0, 1, w - 1, w, w + 1, (1 << 63) - 1, (1 << 63) - w] {
                assert_eq!(d.div_rem(a), (a / w, a % w), "{a} / {w}");
            }
            for _ in 0..10_000 {
                let a = next() >> (1 + next() % 63);
                assert_eq!(d.div_rem(a), (a / w, a % w), "{a} / {w}");
            }
        }
        assert!(Divisor::new(0).is_none() && Divisor::new(1 << 32).is_none());
    }

    #[test]
    fn step_factors_by_table_are_the_formula() {
        let decay = Decay::Step {
            keep: 0.75,
            period: 30 * 86_400,
        };
        let table = StepPowers::new(decay).unwrap();
        let mut age = -100i64;
        while age < 300 * 30 * 86_400 {
            let f = table.factor(age).unwrap_or_else(|| decay.factor(age));
            assert_eq!(f.to_bits(), decay.factor(age).to_bits(), "{age}");
            age += 86_399 + age.abs() / 7;
        }
    }

    #[test]
    fn half_life_factors_are_close_to_exp2_the_same_by_table_and_exact_at_whole_half_lives() {
        // Half-lives of whole seconds (7 days, 45 days, one second, above 2^24 seconds) and
        // of a fraction of a second (a third of a day), which takes `exp2_neg(age / h)`.
        for days in [7.0, 45.0, 1.0 / 86_400.0, 300.0, 1.0 / 3.0] {
            let h = days * 86_400.0;
            let table = HalfLife::new(h);
            let mut worst = 0.0f64;
            let mut age = 0i64;
            while age < 400 * 86_400 {
                let f = table.factor(age);
                assert_eq!(
                    f.to_bits(),
                    Decay::HalfLife(h).factor(age).to_bits(),
                    "{days} {age}"
                );
                let x = age as f64 / h;
                let reference = libm::exp2(-x);
                if reference > 1e-300 {
                    // The reference itself is off by up to `x · ln 2 · ε/2` relative (from
                    // rounding `age / h`); the factor, within a few ulp besides.
                    let error = ((f - reference) / reference).abs();
                    worst = worst.max(error / (1.0 + x));
                }
                age += 7_919 + age / 3;
            }
            assert!(
                worst < 4.0 * f64::EPSILON,
                "half-life {days} d: worst {worst:e}"
            );
        }
        let week = HalfLife::new(7.0 * 86_400.0);
        for n in 0..1075 {
            let f = week.factor(n * 7 * 86_400);
            assert_eq!(f, libm::exp2(-(n as f64)), "after {n} half-lives");
        }
        assert_eq!(week.factor(-5), 1.0);
        assert_eq!(week.factor(i64::MAX), 0.0);
        assert_eq!(week.factor(1076 * 7 * 86_400), 0.0);
    }

    #[test]
    fn exp2_neg_is_within_a_few_ulp_of_libm_and_exact_at_whole_numbers() {
        let mut worst = 0.0f64;
        let mut x = 0.0;
        while x < 80.0 {
            let (mine, reference) = (exp2_neg(x), libm::exp2(-x));
            worst = worst.max(((mine - reference) / reference).abs());
            x += 0.000_731_1;
        }
        assert!(worst < 4.0 * f64::EPSILON, "worst relative error {worst:e}");
        for n in 0..1074 {
            assert_eq!(exp2_neg(f64::from(n)), libm::exp2(-f64::from(n)), "2^-{n}");
        }
        assert_eq!(exp2_neg(2000.0), 0.0);
        assert_eq!(exp2_neg(f64::NAN), 0.0);
        assert_eq!(exp2_neg(-1.0), 1.0);
    }
}
