//! Exact score arithmetic. Every term is quantised to a multiple of 2^-20 points and summed
//! as an integer, so sums do not depend on event order, and every score and breakdown entry
//! is an exact binary fraction: while |score| < 2^32 the total equals the sum of its parts
//! exactly as `f64`, in any language.
//!
//! Sums are kept in 128 bits ([`Wide`]), so they neither wrap nor saturate; a score (and the
//! raw points of a rule without `max_points`) must lie within ±2^43 points ([`Q`], 64 bits):
//! beyond that the call fails with a typed error instead of giving a pinned or wrapped
//! number. Validation cannot rule this out, since a rule counting every occurrence grows
//! with the events it is given.

/// Quantised points: multiples of 2^-20.
pub(crate) type Q = i64;

const SCALE: f64 = (1u64 << 20) as f64;

/// Quantised points summed without overflow: every term fits in [`Q`], and no batch holds
/// 2^64 of them.
pub(crate) type Wide = i128;

/// Largest magnitude a configured number (points, caps, thresholds) may have.
pub(crate) const MAX_CONFIGURED: f64 = 1e9;

/// Quantises a finite value (configured values are bounded by validation).
pub(crate) fn quantize(x: f64) -> Q {
    (x * SCALE).round() as Q
}

/// Quantises a finite value into the wide type (a combined model's term: a score of up to
/// 2^43 points times a weight of up to 1e9).
pub(crate) fn quantize_wide(x: f64) -> Wide {
    (x * SCALE).round() as Wide
}

/// The exact `f64` of a quantised value.
pub(crate) fn to_f64(q: Q) -> f64 {
    q as f64 / SCALE
}

/// The `f64` of a wide quantised value (exact below 2^53 units).
pub(crate) fn wide_to_f64(q: Wide) -> f64 {
    q as f64 / SCALE
}

/// The value as a score, if it is one: strictly within ±(2^63 - 1) units (about ±2^43
/// points; the bounds themselves are where a 64-bit running sum pins, so they count as
/// beyond).
pub(crate) fn narrow(q: Wide) -> Option<Q> {
    Q::try_from(q).ok().filter(|&q| q != Q::MIN && q != Q::MAX)
}

/// The largest score magnitude, in points, for messages.
pub(crate) const MAX_SCORE_POINTS: f64 = (1u64 << 43) as f64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_values_sum_exactly_as_floats() {
        let terms = [0.1, 2.0 / 3.0, 1e-3, 15.0, -5.0].map(quantize);
        let exact: Q = terms.iter().sum();
        let float_sum: f64 = terms.iter().rev().map(|&q| to_f64(q)).sum();
        assert_eq!(to_f64(exact), float_sum);
    }
}
