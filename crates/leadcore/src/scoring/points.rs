//! Exact score arithmetic. Scores are summed as integers on a grid of 2^-72 points, so sums
//! do not depend on event order and every step is exact.
//!
//! What a score card reports is consistent to the bit: each breakdown entry (a rule's raw
//! points, each cap, floor and combined term) is rounded to an `f64` *once*, and the exact
//! sum of those `f64` entries is what the model totals, caps and floors; the score is that
//! exact sum rounded once. So the score equals the breakdown's correctly rounded sum
//! (Python's `math.fsum` of the entries gives it), in any language.
//!
//! A decaying rule's raw points are `points × Σ factor`, the factors (each `≤ 1`) summed
//! exactly as 2^-96 fixed point ([`Factors`]) and the product rounded once: within a few
//! ulp of the same sum taken term by term in `f64`, whatever the order of the events.
//!
//! A score (and the raw points of a rule without `max_points`) must lie within ±2^43
//! points: beyond that the call fails with a typed error instead of giving a pinned or
//! wrapped number. Validation cannot rule this out, since a rule counting every
//! occurrence grows with the events it is given.

/// Quantised points: multiples of 2^-72.
pub(crate) type Q = i128;

/// Bits below the point of a [`Q`].
const FRACTION_BITS: i32 = 72;

const SCALE: f64 = (1u128 << FRACTION_BITS) as f64;

/// Quantised points summed without overflow (saturating sums that read as beyond a score).
pub(crate) type Wide = i128;

/// Largest magnitude a configured number (points, caps, thresholds) may have.
pub(crate) const MAX_CONFIGURED: f64 = 1e9;

/// Quantises a finite value. The result is exactly an `f64` (`to_f64` gives it back
/// without rounding): a value of magnitude at least 2^-20 lies on the grid already, a
/// smaller one rounds to it. Out-of-range values saturate (and read as beyond a score).
pub(crate) fn quantize(x: f64) -> Q {
    (x * SCALE).round() as Q
}

/// [`quantize`] (a combined model's term is quantised the same way).
pub(crate) fn quantize_wide(x: f64) -> Wide {
    quantize(x)
}

/// The `f64` nearest a quantised value (exact for values from [`quantize`] and [`snap`]).
pub(crate) fn to_f64(q: Q) -> f64 {
    q as f64 / SCALE
}

/// [`to_f64`].
pub(crate) fn wide_to_f64(q: Wide) -> f64 {
    to_f64(q)
}

/// The grid value of the `f64` nearest `q`: what a breakdown entry reports.
pub(crate) fn snap(q: Wide) -> Wide {
    quantize(to_f64(q))
}

/// The largest score magnitude, in points, for messages.
pub(crate) const MAX_SCORE_POINTS: f64 = (1u64 << 43) as f64;

/// Grid units of [`MAX_SCORE_POINTS`].
const MAX_SCORE_Q: Q = 1 << (43 + FRACTION_BITS);

/// The value as a score, if it is one: strictly within ±2^43 points.
pub(crate) fn narrow(q: Wide) -> Option<Q> {
    (q.unsigned_abs() < MAX_SCORE_Q.unsigned_abs()).then_some(q)
}

/// Decay factors (each in `[0, 1]`) summed exactly: 2^-96 fixed point, each factor
/// truncated to the grid (below a relative 2^-40 even for a factor of 2^-56). Holds
/// 2^32 factors of 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Factors(pub u128);

/// Bits below the point of a [`Factors`] sum.
const FACTOR_BITS: i32 = 96;

impl Factors {
    /// A factor in `[0, 1]` on the grid (truncated; NaN and negatives read as 0).
    #[inline]
    pub(crate) fn fixed(f: f64) -> u128 {
        let bits = f.to_bits();
        // Negative, NaN, zero and subnormal (below 2^-1022): nothing on a 2^-96 grid.
        let exp = ((bits >> 52) & 0x7ff) as i32;
        if bits >> 63 != 0 || exp == 0 || exp == 0x7ff {
            return 0;
        }
        let mantissa = u128::from((bits & ((1 << 52) - 1)) | (1 << 52));
        // value = mantissa × 2^(exp - 1075); on the grid: mantissa × 2^(exp - 1075 + 96).
        let shift = exp - 1075 + FACTOR_BITS;
        if shift >= 0 {
            // f <= 1 keeps this within 53 + 44 bits.
            mantissa << shift.min(74)
        } else if shift > -128 {
            mantissa >> (-shift)
        } else {
            0
        }
    }

    /// Adds a factor.
    #[inline]
    pub(crate) fn add(&mut self, f: f64) {
        self.0 = self.0.saturating_add(Self::fixed(f));
    }

    /// The sum as an `f64` (rounded once).
    pub(crate) fn to_f64(self) -> f64 {
        self.0 as f64 / (1u128 << FACTOR_BITS) as f64
    }

    /// `points × Σ factors`, quantised: a decaying rule's raw points.
    pub(crate) fn points(self, points: f64) -> Q {
        quantize(points * self.to_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_values_are_exact_floats() {
        for x in [0.1, 2.0 / 3.0, 1e-3, 15.0, -5.0, 1e-9, 123_456.789, 3e-30] {
            let q = quantize(x);
            assert_eq!(quantize(to_f64(q)), q, "{x}");
            assert_eq!(snap(q), q);
        }
        // A sum of exact floats snaps to its correctly rounded value.
        let q = quantize(0.1) * 3;
        assert_eq!(to_f64(snap(q)), to_f64(q));
    }

    #[test]
    fn factors_sum_exactly_and_read_back() {
        let mut s = Factors::default();
        let fs = [1.0, 0.5, 0.25, 0.1, 1e-9, 2f64.powi(-60)];
        for f in fs {
            s.add(f);
        }
        let float: f64 = fs.iter().sum();
        assert!((s.to_f64() - float).abs() <= float * 1e-15);
        let mut t = Factors::default();
        for f in fs.iter().rev() {
            t.add(*f);
        }
        assert_eq!(s, t);
        assert_eq!(Factors::fixed(1.0), 1u128 << 96);
        assert_eq!(Factors::fixed(-0.5), 0);
        assert_eq!(Factors::fixed(f64::NAN), 0);
        assert_eq!(Factors::fixed(2f64.powi(-96)), 1);
        assert_eq!(Factors::fixed(2f64.powi(-97)), 0);
    }

    #[test]
    fn scores_are_bounded_at_two_to_the_43() {
        assert!(narrow(quantize(8.0e12)).is_some());
        assert!(narrow(quantize(9.0e12)).is_none());
        assert!(narrow(Wide::MAX).is_none());
        assert!(narrow(Wide::MIN).is_none());
    }
}
