//! Exact score arithmetic. Every term is quantised to a multiple of 2^-20 points and summed
//! as an integer, so sums do not depend on event order, and every score and breakdown entry
//! is an exact binary fraction: while |score| < 2^32 the total equals the sum of its parts
//! exactly as `f64`, in any language. Sums saturate rather than wrap: past 2^43 points (far
//! beyond any configured cap) a score pins at the limit instead of turning into a wrong one.

/// Quantised points: multiples of 2^-20.
pub(crate) type Q = i64;

const SCALE: f64 = (1u64 << 20) as f64;

/// Largest magnitude a configured number (points, caps, thresholds) may have.
pub(crate) const MAX_CONFIGURED: f64 = 1e9;

/// Quantises a finite value (configured values are bounded by validation).
pub(crate) fn quantize(x: f64) -> Q {
    (x * SCALE).round() as Q
}

/// The exact `f64` of a quantised value.
pub(crate) fn to_f64(q: Q) -> f64 {
    q as f64 / SCALE
}

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
