//! Python's `round(x, 2)`: the exact binary value rounded half-even to two decimals.

/// Python's `round(x, 2)` for a finite `x`: the double's exact decimal value rounded to two
/// decimals, ties to even, read back as the nearest double (so `34.375 → 34.38`,
/// `0.125 → 0.12`, and `2.675 → 2.67` because 2.675 is stored as 2.67499999…).
///
/// ```
/// use leadcore::predictive::odoo::python_round2;
/// assert_eq!(python_round2(34.375), 34.38);
/// assert_eq!(python_round2(0.125), 0.12);
/// assert_eq!(python_round2(2.675), 2.67);
/// assert_eq!(python_round2(33.4873), 33.49);
/// ```
pub fn python_round2(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let y = x * 100.0;
    if y.abs() < 1e15 {
        let frac = y - y.floor();
        // Far from a tie, rounding the product rounds the exact value the same way.
        if (frac - 0.5).abs() > 1e-6 {
            return y.round_ties_even() / 100.0;
        }
    } else {
        return x;
    }
    exact_round2(x)
}

/// The slow, exact path: the double's full decimal expansion, rounded by hand.
fn exact_round2(x: f64) -> f64 {
    let neg = x < 0.0;
    let text = format!("{:.1100}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.as_bytes();
    let digit = |i: usize| frac.get(i).map_or(0, |d| u64::from(d - b'0'));
    let whole: u64 = int.parse().unwrap_or(0);
    let mut n = whole * 100 + digit(0) * 10 + digit(1);
    let next = digit(2);
    let rest_zero = frac.iter().skip(3).all(|&d| d == b'0');
    let up = next > 5 || (next == 5 && (!rest_zero || n % 2 == 1));
    if up {
        n += 1;
    }
    let r = n as f64 / 100.0;
    if neg { -r } else { r }
}

/// Odoo's final step: `min(max(round(100 * p, 2), 0.01), 99.99)`.
pub(crate) fn odoo_percent(p: f64) -> f64 {
    python_round2(100.0 * p).clamp(0.01, 99.99)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_and_near_ties() {
        assert_eq!(python_round2(0.375), 0.38);
        assert_eq!(python_round2(0.385), 0.39); // 0.385 is stored above the tie
        assert_eq!(python_round2(1.005), 1.0); // stored below
        assert_eq!(python_round2(99.995), 100.0); // stored above (99.99500000000000454…)
        assert_eq!(python_round2(50.0), 50.0);
        assert_eq!(python_round2(0.0), 0.0);
        assert_eq!(exact_round2(34.375), 34.38);
        assert_eq!(exact_round2(34.365), 34.37); // 34.36500000000000198951966012828052043914794921875
        assert_eq!(odoo_percent(1.0), 99.99);
        assert_eq!(odoo_percent(0.0), 0.01);
    }
}
