//! Evaluation of probability scores: splits (seeded stratified, by time or id order, seeded
//! stratified K-fold) and metrics (exact AUC with ties, log-loss, Brier, expected calibration
//! error, calibration table). Everything is deterministic: the same input and seed give the
//! same split and the same figures on every platform.
//!
//! ```
//! use leadcore::predictive::eval::{evaluate, stratified_split};
//! let outcomes = [true, false, true, false, false, true, false, false, true, false];
//! let split = stratified_split(&outcomes, 0.3, 7).unwrap();
//! assert_eq!(split.train.len() + split.test.len(), 10);
//! let m = evaluate(&[0.9, 0.2, 0.7, 0.4], &[true, false, true, false]).unwrap();
//! assert_eq!(m.auc, Some(1.0));
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A deterministic generator (SplitMix64): small, seedable, the same on every platform.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Fisher–Yates, from the back.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Row indices of a training part and a test part, each in ascending order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

fn check_fraction(f: f64) -> Result<()> {
    if f.is_finite() && f > 0.0 && f < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "eval: test_fraction must be in (0, 1), got {f}"
        )))
    }
}

/// A seeded stratified split: within each outcome, rows are shuffled (SplitMix64 from
/// `seed`, negatives first, then positives) and the first `round(count · test_fraction)` go
/// to the test part (rounding half away from zero, per outcome), so both parts keep the
/// outcome rate.
///
/// ```
/// use leadcore::predictive::eval::stratified_split;
/// let y: Vec<bool> = (0..100).map(|i| i % 4 == 0).collect();
/// let s = stratified_split(&y, 0.2, 42).unwrap();
/// assert_eq!(s.test.len(), 20); // round(75 × 0.2) + round(25 × 0.2)
/// assert_eq!(s.test.iter().filter(|&&i| y[i]).count(), 5);
/// assert_eq!(s, stratified_split(&y, 0.2, 42).unwrap());
/// ```
pub fn stratified_split(outcomes: &[bool], test_fraction: f64, seed: u64) -> Result<Split> {
    check_fraction(test_fraction)?;
    let mut rng = SplitMix64::new(seed);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for class in [false, true] {
        let mut rows: Vec<usize> = (0..outcomes.len())
            .filter(|&i| outcomes[i] == class)
            .collect();
        rng.shuffle(&mut rows);
        let n_test = (rows.len() as f64 * test_fraction).round() as usize;
        test.extend_from_slice(&rows[..n_test]);
        train.extend_from_slice(&rows[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok(Split { train, test })
}

/// An ordered split (by time or id): rows sorted by key (ties by row), the last
/// `round(n · test_fraction)` are the test part.
///
/// ```
/// use leadcore::predictive::eval::ordered_split;
/// let s = ordered_split(&["2018-03", "2017-06", "2018-01", "2017-09"], 0.25).unwrap();
/// assert_eq!((s.train, s.test), (vec![1, 2, 3], vec![0]));
/// ```
pub fn ordered_split<K: Ord>(keys: &[K], test_fraction: f64) -> Result<Split> {
    check_fraction(test_fraction)?;
    let mut rows: Vec<usize> = (0..keys.len()).collect();
    rows.sort_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
    let n_test = (keys.len() as f64 * test_fraction).round() as usize;
    let cut = keys.len() - n_test;
    let mut train = rows[..cut].to_vec();
    let mut test = rows[cut..].to_vec();
    train.sort_unstable();
    test.sort_unstable();
    Ok(Split { train, test })
}

/// A split at a cut-off: rows whose key is before `cutoff` train, the others test.
///
/// ```
/// use leadcore::predictive::eval::cutoff_split;
/// let s = cutoff_split(&["2018-03-02", "2017-06-14", "2018-02-28"], &"2018-03-01");
/// assert_eq!((s.train, s.test), (vec![1, 2], vec![0]));
/// ```
pub fn cutoff_split<K: Ord>(keys: &[K], cutoff: &K) -> Split {
    let (train, test) = (0..keys.len()).partition(|&i| keys[i] < *cutoff);
    Split { train, test }
}

/// Seeded stratified K-fold: each row's fold in `0..k`. Within each outcome rows are
/// shuffled and dealt to folds in turn, so fold sizes and outcome rates differ by at most one
/// row per outcome.
///
/// ```
/// use leadcore::predictive::eval::stratified_folds;
/// let y = [true, true, false, false, false, false];
/// let f = stratified_folds(&y, 2, 1).unwrap();
/// assert_eq!(f.iter().filter(|&&k| k == 0).count(), 3);
/// ```
pub fn stratified_folds(outcomes: &[bool], k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(Error::invalid_input("eval: at least 2 folds are needed"));
    }
    let mut rng = SplitMix64::new(seed);
    let mut fold = vec![0; outcomes.len()];
    let mut next = 0;
    for class in [false, true] {
        let mut rows: Vec<usize> = (0..outcomes.len())
            .filter(|&i| outcomes[i] == class)
            .collect();
        rng.shuffle(&mut rows);
        for r in rows {
            fold[r] = next % k;
            next += 1;
        }
    }
    Ok(fold)
}

/// The number of equal-width bins of [`expected_calibration_error`] and of the calibration
/// table in [`evaluate`].
pub const CALIBRATION_BINS: usize = 10;

/// Probabilities are clipped to `[LOG_LOSS_EPS, 1 − LOG_LOSS_EPS]` by [`log_loss`].
pub const LOG_LOSS_EPS: f64 = 1e-15;

/// One bin of a calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Lower edge (inclusive).
    pub lower: f64,
    /// Upper edge (exclusive, except 1.0 for the last bin).
    pub upper: f64,
    /// Rows whose probability falls in the bin.
    pub count: usize,
    /// Mean predicted probability (0 when empty).
    pub mean_predicted: f64,
    /// Share of positives (0 when empty).
    pub observed: f64,
}

/// Every figure of a set of probabilities against outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Rows.
    pub rows: usize,
    /// Positive rows.
    pub positives: usize,
    /// Area under the ROC curve; `None` when only one outcome occurs.
    pub auc: Option<f64>,
    /// Mean log-loss (natural log, probabilities clipped by [`LOG_LOSS_EPS`]).
    pub log_loss: f64,
    /// Mean squared error of the probability.
    pub brier: f64,
    /// Expected calibration error over [`CALIBRATION_BINS`] equal-width bins.
    pub ece: f64,
    /// The calibration table ([`CALIBRATION_BINS`] equal-width bins).
    pub calibration: Vec<CalibrationBin>,
}

fn check(p: &[f64], y: &[bool], probabilities: bool) -> Result<()> {
    if p.len() != y.len() {
        return Err(Error::invalid_input(format!(
            "eval: {} scores for {} outcomes",
            p.len(),
            y.len()
        )));
    }
    if p.is_empty() {
        return Err(Error::invalid_input("eval: no rows"));
    }
    if let Some((i, v)) = p
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || (probabilities && !(0.0..=1.0).contains(*v)))
    {
        return Err(Error::invalid_input(format!(
            "eval: score {v} at row {i} is not {}",
            if probabilities {
                "a probability"
            } else {
                "finite"
            }
        )));
    }
    Ok(())
}

/// Exact AUC (the Mann–Whitney statistic): the share of (positive, negative) pairs the score
/// orders correctly, a tie counting one half. `None` when only one outcome occurs. Scores
/// need only be finite (logits work as well as probabilities).
///
/// ```
/// use leadcore::predictive::eval::auc;
/// assert_eq!(auc(&[0.1, 0.5, 0.5, 0.9], &[false, false, true, true]).unwrap(), Some(0.875));
/// assert_eq!(auc(&[0.3, 0.4], &[true, true]).unwrap(), None);
/// ```
pub fn auc(scores: &[f64], outcomes: &[bool]) -> Result<Option<f64>> {
    check(scores, outcomes, false)?;
    let pos = outcomes.iter().filter(|&&y| y).count();
    let neg = outcomes.len() - pos;
    if pos == 0 || neg == 0 {
        return Ok(None);
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Twice the rank sum of positives, with mid-ranks for ties (integers, exact).
    let mut twice_rank_sum: u128 = 0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j, mean (i + 1 + j) / 2.
        let twice_mid = (i + 1 + j) as u128;
        let pos_here = order[i..j].iter().filter(|&&r| outcomes[r]).count() as u128;
        twice_rank_sum += twice_mid * pos_here;
        i = j;
    }
    let (pos, neg) = (pos as u128, neg as u128);
    let twice_u = twice_rank_sum - pos * (pos + 1);
    Ok(Some(twice_u as f64 / (2 * pos * neg) as f64))
}

/// Mean log-loss, probabilities clipped to `[1e-15, 1 − 1e-15]`.
///
/// ```
/// use leadcore::predictive::eval::log_loss;
/// let l = log_loss(&[0.5, 0.5], &[true, false]).unwrap();
/// assert!((l - std::f64::consts::LN_2).abs() < 1e-15);
/// ```
pub fn log_loss(probabilities: &[f64], outcomes: &[bool]) -> Result<f64> {
    check(probabilities, outcomes, true)?;
    let total: f64 = probabilities
        .iter()
        .zip(outcomes)
        .map(|(&p, &y)| {
            let p = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            -libm::log(if y { p } else { 1.0 - p })
        })
        .sum();
    Ok(total / probabilities.len() as f64)
}

/// Brier score: mean of `(p − y)²`.
///
/// ```
/// use leadcore::predictive::eval::brier;
/// assert_eq!(brier(&[1.0, 0.5], &[true, false]).unwrap(), 0.125);
/// ```
pub fn brier(probabilities: &[f64], outcomes: &[bool]) -> Result<f64> {
    check(probabilities, outcomes, true)?;
    let total: f64 = probabilities
        .iter()
        .zip(outcomes)
        .map(|(&p, &y)| (p - f64::from(u8::from(y))).powi(2))
        .sum();
    Ok(total / probabilities.len() as f64)
}

/// The calibration table over `bins` equal-width bins of `[0, 1]`: bin `b` holds
/// probabilities in `[b/bins, (b+1)/bins)`, the last bin also 1.0.
///
/// ```
/// use leadcore::predictive::eval::calibration_table;
/// let t = calibration_table(&[0.05, 0.15, 0.95, 1.0], &[false, true, true, true], 10).unwrap();
/// assert_eq!((t[9].count, t[9].observed), (2, 1.0));
/// ```
pub fn calibration_table(
    probabilities: &[f64],
    outcomes: &[bool],
    bins: usize,
) -> Result<Vec<CalibrationBin>> {
    check(probabilities, outcomes, true)?;
    if bins == 0 {
        return Err(Error::invalid_input("eval: at least one bin is needed"));
    }
    let mut sum_p = vec![0.0; bins];
    let mut pos = vec![0usize; bins];
    let mut count = vec![0usize; bins];
    for (&p, &y) in probabilities.iter().zip(outcomes) {
        let b = ((p * bins as f64) as usize).min(bins - 1);
        sum_p[b] += p;
        count[b] += 1;
        pos[b] += usize::from(y);
    }
    Ok((0..bins)
        .map(|b| {
            let n = count[b];
            CalibrationBin {
                lower: b as f64 / bins as f64,
                upper: (b + 1) as f64 / bins as f64,
                count: n,
                mean_predicted: if n == 0 { 0.0 } else { sum_p[b] / n as f64 },
                observed: if n == 0 {
                    0.0
                } else {
                    pos[b] as f64 / n as f64
                },
            }
        })
        .collect())
}

/// Expected calibration error over 10 equal-width bins: `Σ_b (n_b / n) · |mean p_b − rate_b|`,
/// empty bins contributing nothing.
///
/// ```
/// use leadcore::predictive::eval::expected_calibration_error;
/// let e = expected_calibration_error(&[0.25, 0.25, 0.25, 0.25], &[true, false, false, false]).unwrap();
/// assert_eq!(e, 0.0);
/// ```
pub fn expected_calibration_error(probabilities: &[f64], outcomes: &[bool]) -> Result<f64> {
    let table = calibration_table(probabilities, outcomes, CALIBRATION_BINS)?;
    Ok(ece_of(&table, probabilities.len()))
}

fn ece_of(table: &[CalibrationBin], n: usize) -> f64 {
    table
        .iter()
        .map(|b| b.count as f64 / n as f64 * (b.mean_predicted - b.observed).abs())
        .sum()
}

/// Every metric at once.
///
/// ```
/// use leadcore::predictive::eval::evaluate;
/// let m = evaluate(&[0.8, 0.3, 0.6], &[true, false, false]).unwrap();
/// assert_eq!((m.rows, m.positives, m.auc), (3, 1, Some(1.0)));
/// assert!(m.brier > 0.0 && m.log_loss > 0.0);
/// ```
pub fn evaluate(probabilities: &[f64], outcomes: &[bool]) -> Result<Metrics> {
    let calibration = calibration_table(probabilities, outcomes, CALIBRATION_BINS)?;
    Ok(Metrics {
        rows: probabilities.len(),
        positives: outcomes.iter().filter(|&&y| y).count(),
        auc: auc(probabilities, outcomes)?,
        log_loss: log_loss(probabilities, outcomes)?,
        brier: brier(probabilities, outcomes)?,
        ece: ece_of(&calibration, probabilities.len()),
        calibration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_pair_counting() {
        let s = [0.1, 0.4, 0.4, 0.4, 0.8, 0.2, 0.8];
        let y = [false, true, false, true, true, false, false];
        let mut good = 0.0;
        let mut pairs = 0.0;
        for i in 0..s.len() {
            for j in 0..s.len() {
                if y[i] && !y[j] {
                    pairs += 1.0;
                    good += if s[i] > s[j] {
                        1.0
                    } else if s[i] == s[j] {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
        }
        assert_eq!(auc(&s, &y).unwrap(), Some(good / pairs));
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert_eq!(auc(&[], &[]).unwrap_err().code(), "input.invalid");
        assert!(brier(&[f64::NAN], &[true]).is_err());
        assert!(log_loss(&[1.5], &[true]).is_err());
        assert!(evaluate(&[0.5], &[true, false]).is_err());
        assert!(stratified_split(&[true], 1.0, 0).is_err());
        assert!(stratified_folds(&[true], 1, 0).is_err());
    }

    #[test]
    fn splits_cover_every_row_once() {
        let y: Vec<bool> = (0..37).map(|i| i % 3 == 0).collect();
        let s = stratified_split(&y, 0.3, 9).unwrap();
        let mut all: Vec<usize> = s.train.iter().chain(&s.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..37).collect::<Vec<_>>());
        assert_ne!(s, stratified_split(&y, 0.3, 10).unwrap());
    }
}
