//! Probability calibration of a logit: none, Platt (a logistic curve on the logit) or
//! isotonic (a non-decreasing step curve, interpolated), fitted on out-of-fold logits.

use super::solver::{sigmoid, softplus};
use serde::{Deserialize, Serialize};

/// Which calibration to fit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationMethod {
    /// The model's own probability `σ(logit)`.
    None,
    /// Platt scaling: `σ(a·logit + b)`, fitted with Platt's smoothed targets
    /// (`(N₊ + 1)/(N₊ + 2)` and `1/(N₋ + 2)`); keeps the ranking when `a > 0`.
    #[default]
    Platt,
    /// Isotonic regression (pool-adjacent-violators) of the outcome on the logit,
    /// interpolated linearly between block ends and clipped to
    /// `[ISOTONIC_CLIP, 1 − ISOTONIC_CLIP]`; may tie leads the model ranked apart.
    Isotonic,
}

/// Isotonic probabilities are clipped to `[ISOTONIC_CLIP, 1 − ISOTONIC_CLIP]`, so that a
/// block of all-negative (or all-positive) training leads never predicts a certainty.
pub const ISOTONIC_CLIP: f64 = 1e-3;

/// A fitted calibration: logit → probability.
///
/// ```
/// use leadcore::predictive::logistic::Calibrator;
/// assert_eq!(Calibrator::None.probability(0.0), 0.5);
/// let p = Calibrator::Platt { a: 2.0, b: 0.0 };
/// assert!(p.probability(1.0) > Calibrator::None.probability(1.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Calibrator {
    /// `σ(logit)`.
    #[default]
    None,
    /// `σ(a·logit + b)`.
    Platt {
        /// Slope.
        a: f64,
        /// Offset.
        b: f64,
    },
    /// Knots `(x, y)`, `x` non-decreasing, interpolated linearly; flat outside.
    Isotonic {
        /// Logits.
        x: Vec<f64>,
        /// Probabilities.
        y: Vec<f64>,
    },
}

impl Calibrator {
    /// The calibrated probability of a logit (never NaN for a finite logit and a finite
    /// calibrator).
    pub fn probability(&self, logit: f64) -> f64 {
        let p = match self {
            Calibrator::None => sigmoid(logit),
            Calibrator::Platt { a, b } => sigmoid(a * logit + b),
            Calibrator::Isotonic { x, y } => interpolate(x, y, logit),
        };
        if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) }
    }

    /// Whether every number is finite and the knots are well formed.
    pub(crate) fn is_valid(&self) -> bool {
        match self {
            Calibrator::None => true,
            Calibrator::Platt { a, b } => a.is_finite() && b.is_finite(),
            Calibrator::Isotonic { x, y } => {
                !x.is_empty()
                    && x.len() == y.len()
                    && x.iter().chain(y).all(|v| v.is_finite())
                    && x.windows(2).all(|w| w[0] <= w[1])
            }
        }
    }
}

fn interpolate(x: &[f64], y: &[f64], z: f64) -> f64 {
    let (Some(&x0), Some(&xn)) = (x.first(), x.last()) else {
        return sigmoid(z);
    };
    let (y0, yn) = (
        y.first().copied().unwrap_or(0.5),
        y.last().copied().unwrap_or(0.5),
    );
    if z <= x0 {
        return y0;
    }
    if z >= xn {
        return yn;
    }
    // First knot with x > z; 1 ≤ i < len.
    let i = x.partition_point(|&k| k <= z);
    let (xa, xb, ya, yb) = (x[i - 1], x[i], y[i - 1], y[i]);
    if xb > xa {
        ya + (yb - ya) * (z - xa) / (xb - xa)
    } else {
        yb
    }
}

/// Platt scaling on (logit, outcome) pairs, by Newton's method on (a, b).
pub(crate) fn fit_platt(z: &[f64], y: &[bool]) -> Calibrator {
    let pos = y.iter().filter(|&&v| v).count() as f64;
    let neg = y.len() as f64 - pos;
    let (t_pos, t_neg) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let target = |v: bool| if v { t_pos } else { t_neg };
    let loss = |a: f64, b: f64| -> f64 {
        z.iter()
            .zip(y)
            .map(|(&zi, &yi)| {
                let e = a * zi + b;
                softplus(e) - target(yi) * e
            })
            .sum()
    };
    let (mut a, mut b) = (1.0, 0.0);
    let mut f = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
        for (&zi, &yi) in z.iter().zip(y) {
            let p = sigmoid(a * zi + b);
            let r = p - target(yi);
            let w = p * (1.0 - p);
            ga += r * zi;
            gb += r;
            haa += w * zi * zi;
            hab += w * zi;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.is_nan() || det <= 0.0 || !det.is_finite() {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        let mut t = 1.0;
        let mut moved = false;
        for _ in 0..40 {
            let (na, nb) = (a - t * da, b - t * db);
            let nf = loss(na, nb);
            if nf <= f {
                let gain = f - nf;
                a = na;
                b = nb;
                f = nf;
                moved = gain > 1e-13 * (1.0 + f.abs());
                break;
            }
            t *= 0.5;
        }
        if !moved {
            break;
        }
    }
    if a.is_finite() && b.is_finite() {
        Calibrator::Platt { a, b }
    } else {
        Calibrator::None
    }
}

/// Isotonic regression on (logit, outcome) pairs.
pub(crate) fn fit_isotonic(z: &[f64], y: &[bool]) -> Calibrator {
    let mut order: Vec<usize> = (0..z.len()).collect();
    order.sort_by(|&a, &b| z[a].total_cmp(&z[b]));
    // Blocks: (sum of outcomes, weight, first x, last x).
    let mut blocks: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let x = z[order[i]];
        let mut j = i;
        let mut s = 0.0;
        while j < order.len() && z[order[j]] == x {
            s += f64::from(u8::from(y[order[j]]));
            j += 1;
        }
        blocks.push((s, (j - i) as f64, x, x));
        i = j;
        // Pool while the last block's mean is below the one before.
        while blocks.len() >= 2 {
            let n = blocks.len();
            let (s1, w1, lo1, _) = blocks[n - 2];
            let (s2, w2, _, hi2) = blocks[n - 1];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            blocks.truncate(n - 2);
            blocks.push((s1 + s2, w1 + w2, lo1, hi2));
        }
    }
    if blocks.is_empty() {
        return Calibrator::None;
    }
    let mut x = Vec::with_capacity(blocks.len() * 2);
    let mut yv = Vec::with_capacity(blocks.len() * 2);
    for (s, w, lo, hi) in blocks {
        let v = (s / w).clamp(ISOTONIC_CLIP, 1.0 - ISOTONIC_CLIP);
        x.push(lo);
        yv.push(v);
        if hi > lo {
            x.push(hi);
            yv.push(v);
        }
    }
    Calibrator::Isotonic { x, y: yv }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_is_monotone_and_pools() {
        let z = [0.0, 1.0, 2.0, 3.0];
        let y = [false, true, false, true];
        let Calibrator::Isotonic { x, y } = fit_isotonic(&z, &y) else {
            panic!("isotonic expected");
        };
        assert!(y.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(x.first(), Some(&0.0));
        assert_eq!(y[1], 0.5);
    }

    #[test]
    fn platt_recovers_a_scaled_logit() {
        // Outcomes drawn so that the true curve is σ(2z − 1).
        let mut z = Vec::new();
        let mut y = Vec::new();
        for i in 0..400 {
            let zi = -3.0 + 6.0 * f64::from(i) / 400.0;
            let p = sigmoid(2.0 * zi - 1.0);
            for k in 0..20 {
                z.push(zi);
                y.push(f64::from(k) + 0.5 < p * 20.0);
            }
        }
        let Calibrator::Platt { a, b } = fit_platt(&z, &y) else {
            panic!("platt expected");
        };
        assert!((a - 2.0).abs() < 0.2 && (b + 1.0).abs() < 0.2, "{a} {b}");
    }
}
