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
    round_to_i128(x * SCALE)
}

/// [`quantize`] (a combined model's term is quantised the same way).
pub(crate) fn quantize_wide(x: f64) -> Wide {
    quantize(x)
}

/// The `f64` nearest a quantised value (exact for values from [`quantize`] and [`snap`]).
pub(crate) fn to_f64(q: Q) -> f64 {
    let m = u128_to_f64(q.unsigned_abs()) / SCALE;
    if q < 0 { -m } else { m }
}

/// `m as f64` (rounded to nearest, ties to even), without the software conversion the
/// baseline x86-64 target calls for it (a batch makes one or two per lead and rule): the
/// top 63 bits, with a sticky bit for the rest, converted by the hardware and scaled back.
#[inline]
pub(crate) fn u128_to_f64(m: u128) -> f64 {
    if m >> 63 == 0 {
        return m as u64 as i64 as f64;
    }
    // Bits dropped to leave 63: 1 to 65.
    let drop = 65 - m.leading_zeros();
    let top = (m >> drop) as u64;
    // Any dropped bit set: a sticky one in the lowest place, below the rounding's guard bit
    // (63 bits kept, 53 rounded to), so ties and the rest round as the whole value would.
    let sticky = u64::from(m & ((1u128 << drop) - 1) != 0);
    (top | sticky) as i64 as f64 * f64::from_bits(u64::from(1023 + drop) << 52)
}

/// `x.round() as i128` (halves away from zero, saturating, NaN to 0), without the library
/// call and the software conversion the baseline x86-64 target calls for them.
#[inline]
pub(crate) fn round_to_i128(x: f64) -> i128 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x.abs() < TWO_63 {
        // Truncated by the hardware; the fraction left is exact (`x` and `t` are within one
        // of each other).
        let t = x as i64;
        let frac = x - t as f64;
        let up = i64::from(frac >= 0.5) - i64::from(frac <= -0.5);
        return i128::from(t + up);
    }
    if x.is_nan() {
        return 0;
    }
    // At least 2^63: a whole number, the 53-bit mantissa shifted left (or beyond i128).
    let bits = x.to_bits();
    let shift = ((bits >> 52) & 0x7ff) as i32 - 1075;
    if shift > 127 - 53 {
        return if x < 0.0 { i128::MIN } else { i128::MAX };
    }
    let m = i128::from((bits & ((1 << 52) - 1)) | (1 << 52)) << shift;
    if x < 0.0 { -m } else { m }
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

    /// The sum as an `f64` (rounded once).
    pub(crate) fn to_f64(self) -> f64 {
        u128_to_f64(self.0) / (1u128 << FACTOR_BITS) as f64
    }

    /// `points × Σ factors`, quantised: a decaying rule's raw points.
    pub(crate) fn points(self, points: f64) -> Q {
        quantize(points * self.to_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Values around every width: all bits, few bits, halves and ties.
    fn wide_values() -> impl Strategy<Value = u128> {
        prop_oneof![
            any::<u128>(),
            (any::<u128>(), 0u32..128).prop_map(|(v, s)| v >> s),
            (0u32..128, 0u32..128).prop_map(|(a, b)| (1u128 << a) | (1u128 << b)),
            (54u32..128, any::<bool>()).prop_map(|(a, odd)| (1u128 << a)
                | (u128::from(odd) << (a - 53))
                | (1u128 << (a - 54))),
        ]
    }

    proptest! {
        /// The fast conversions give the same bits as the language's.
        #[test]
        fn conversions_are_the_languages(m in wide_values(), neg: bool) {
            prop_assert_eq!(u128_to_f64(m).to_bits(), (m as f64).to_bits());
            let q = if neg { -((m >> 1) as i128) } else { (m >> 1) as i128 };
            prop_assert_eq!(to_f64(q).to_bits(), (q as f64 / SCALE).to_bits());
            prop_assert_eq!(Factors(m).to_f64().to_bits(), (m as f64 / (1u128 << 96) as f64).to_bits());
        }

        #[test]
        fn rounding_is_the_languages(bits: u64, k in -4i64..4, scale in 0i32..140) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(round_to_i128(x), x.round() as i128);
            // Halves, near-halves and whole numbers of every size.
            let y = (k as f64 + 0.5) * 2f64.powi(scale - 60);
            for v in [y, -y, y.next_up(), y.next_down(), (k as f64) * 2f64.powi(scale)] {
                prop_assert_eq!(round_to_i128(v), v.round() as i128, "{}", v);
            }
        }
    }

    #[test]
    fn rounding_edges_are_the_languages() {
        for v in [
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            4503599627370495.5,
            9223372036854775807.0,
            9223372036854775808.0,
            -9223372036854775808.0,
            1.7014118346046923e38,
            -1.7014118346046923e38,
            1.7014118346046925e38,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::MIN,
            -0.0,
            5e-324,
        ] {
            assert_eq!(round_to_i128(v), v.round() as i128, "{v}");
        }
        for m in [
            0,
            1,
            u128::MAX,
            1 << 63,
            (1 << 64) - 1,
            (1 << 53) + 1,
            1 << 127,
        ] {
            assert_eq!(u128_to_f64(m).to_bits(), (m as f64).to_bits(), "{m}");
        }
    }

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
        let fs = [1.0, 0.5, 0.25, 0.1, 1e-9, 2f64.powi(-60)];
        let s = Factors(fs.iter().map(|&f| Factors::fixed(f)).sum());
        let float: f64 = fs.iter().sum();
        assert!((s.to_f64() - float).abs() <= float * 1e-15);
        let t = Factors(fs.iter().rev().map(|&f| Factors::fixed(f)).sum());
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
