//! Penalised logistic regression by Newton's method (IRLS) with step halving: a dense
//! Cholesky solve of the p × p system each iteration, rows kept sparse. Sums run in row
//! order, so a fit is deterministic.

use crate::error::{Error, Result};

/// Rows as sparse (column, value) lists; column 0 is the intercept.
pub(crate) struct Design {
    pub(crate) width: usize,
    pub(crate) rows: Vec<Vec<(usize, f64)>>,
}

/// The outcome of a fit.
pub(crate) struct Fitted {
    pub(crate) beta: Vec<f64>,
    pub(crate) iterations: u32,
    pub(crate) converged: bool,
}

/// `ln(1 + e^x)` without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    x.max(0.0) + libm::log1p(libm::exp(-x.abs()))
}

/// The logistic function without overflow.
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

fn dot(row: &[(usize, f64)], beta: &[f64]) -> f64 {
    row.iter().map(|&(j, x)| beta[j] * x).sum()
}

/// Penalised negative log-likelihood.
fn objective(d: &Design, y: &[bool], penalty: &[f64], beta: &[f64]) -> f64 {
    let mut f = 0.0;
    for (row, &yi) in d.rows.iter().zip(y) {
        let eta = dot(row, beta);
        f += softplus(eta) - if yi { eta } else { 0.0 };
    }
    f + 0.5
        * penalty
            .iter()
            .zip(beta)
            .map(|(l, b)| l * b * b)
            .sum::<f64>()
}

/// In-place Cholesky of a symmetric positive-definite matrix (row-major, lower triangle
/// used), then the solution of `A x = b`; `None` when not positive definite.
fn cholesky_solve(a: &mut [f64], n: usize, b: &[f64]) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d.is_nan() || d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = libm::sqrt(d);
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    let mut z = b.to_vec();
    for i in 0..n {
        let mut s = z[i];
        for k in 0..i {
            s -= a[i * n + k] * z[k];
        }
        z[i] = s / a[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = z[i];
        for k in i + 1..n {
            s -= a[k * n + i] * z[k];
        }
        z[i] = s / a[i * n + i];
    }
    Some(z)
}

/// Minimises `Σ softplus(η) − y·η + ½ Σ λ_j β_j²` from `start`. Needs every penalty but the
/// intercept's to be positive and both outcomes present (checked by the caller).
pub(crate) fn fit(
    d: &Design,
    y: &[bool],
    penalty: &[f64],
    start: Vec<f64>,
    max_iterations: u32,
) -> Result<Fitted> {
    let p = d.width;
    let mut beta = start;
    let mut f = objective(d, y, penalty, &beta);
    let mut iterations = 0;
    let mut converged = false;
    let mut h = vec![0.0; p * p];
    while iterations < max_iterations {
        iterations += 1;
        h.iter_mut().for_each(|v| *v = 0.0);
        let mut g: Vec<f64> = penalty.iter().zip(&beta).map(|(l, b)| -l * b).collect();
        for (row, &yi) in d.rows.iter().zip(y) {
            let mu = sigmoid(dot(row, &beta));
            let r = f64::from(u8::from(yi)) - mu;
            let w = mu * (1.0 - mu);
            for &(j, xj) in row {
                g[j] += r * xj;
                let wx = w * xj;
                for &(k, xk) in row {
                    if k <= j {
                        h[j * p + k] += wx * xk;
                    }
                }
            }
        }
        for j in 0..p {
            h[j * p + j] += penalty[j] + 1e-10;
        }
        let step = cholesky_solve(&mut h, p, &g).ok_or_else(|| {
            Error::invalid_input("logistic: the fit is singular (is every penalty positive?)")
        })?;
        // Step halving until the objective does not rise (beyond rounding noise, which
        // near the optimum is larger than a Newton step's true gain).
        let slack = 1e-12 * (1.0 + f.abs());
        let mut t = 1.0;
        let mut next = beta.clone();
        let mut accepted = false;
        for _ in 0..40 {
            for j in 0..p {
                next[j] = beta[j] + t * step[j];
            }
            let f_next = objective(d, y, penalty, &next);
            if f_next <= f + slack {
                f = f_next;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        let largest = step.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
        if accepted {
            beta.clone_from(&next);
        }
        if !accepted || largest < 1e-10 {
            converged = accepted || largest < 1e-6;
            break;
        }
    }
    if beta.iter().any(|b| !b.is_finite()) || !f.is_finite() {
        return Err(Error::invalid_input(
            "logistic: the fit diverged (non-finite coefficients)",
        ));
    }
    Ok(Fitted {
        beta,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves() {
        let mut a = vec![4.0, 0.0, 2.0, 3.0];
        let x = cholesky_solve(&mut a, 2, &[2.0, 5.0]).unwrap();
        assert!((x[0] + 0.5).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn a_one_column_fit_finds_the_log_odds() {
        // 30 of 100 positive, intercept only: β = ln(30/70).
        let rows = vec![vec![(0, 1.0)]; 100];
        let y: Vec<bool> = (0..100).map(|i| i < 30).collect();
        let d = Design { width: 1, rows };
        let fit = fit(&d, &y, &[0.0], vec![0.0], 50).unwrap();
        assert!(fit.converged);
        assert!((fit.beta[0] - (30.0_f64 / 70.0).ln()).abs() < 1e-9);
    }
}
