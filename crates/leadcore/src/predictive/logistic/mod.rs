//! The `logistic` mode: a regularised logistic regression on features read through the
//! field registry, with optional team → global pooling, out-of-fold calibration and exact
//! per-feature explanations.
//!
//! # The model
//! - **Features** ([`FeatureSpec`]): categorical fields one-hot, rare levels (fewer than
//!   `min_count` training rows) pooled into an `other` level, missing values as their own
//!   `missing` level; numeric fields as a standardised linear term and/or quantile bins,
//!   missing (absent, NaN, ±∞) as their own column.
//! - **Fit**: minimises `Σ log-loss + ½·l2·Σ β²` (the intercept unpenalised) by Newton's
//!   method with step halving, sums in row order: the same data and configuration give the
//!   same coefficients, bit for bit.
//! - **Team → global pooling** ([`LogisticConfig::group`]): with a group column (a team), each
//!   team gets its own intercept and its own deviation from every categorical level's global
//!   effect, penalised by `group_l2`. A team with few leads keeps the global effects (the
//!   penalty shrinks its deviations to 0); a team with many leads moves away from them; a
//!   team unseen in training (or none) is scored on the global effects alone.
//! - **Calibration** ([`CalibrationMethod`], Platt by default): fitted on out-of-fold logits
//!   (seeded stratified K-fold, `folds` = 5: each fold scored by a model trained on the
//!   others), then applied to the model fitted on every row. With fewer than 2 leads of an
//!   outcome for the folds, calibration is skipped (`Calibrator::None`).
//! - **Explanation** ([`Explanation`]): the intercept and one log-odds contribution per
//!   feature (plus the team's intercept); `intercept + Σ contributions` (summed in order) is
//!   the model's logit **exactly**, because scoring computes the logit that way.
//!
//! # Neutral results and errors
//! - A category never seen in training scores as the `other` level (the pooled rare levels'
//!   weight; 0, i.e. no effect beyond the intercept, when training had no rare level).
//! - A NaN or infinite number scores as missing; numbers beyond the training range are
//!   clamped to it.
//! - Training on an empty frame, on outcomes that are all won or all lost, with a column
//!   missing or of the wrong type, or with a bad configuration is an `input.invalid` error;
//!   so is scoring a frame without a model's column, with a column of the other type, or
//!   tagged with another schema. A stored model of another `schema_version` is a
//!   `state.unsupported_version` error. Probabilities are never NaN.
//!
//! ```
//! use leadcore::predictive::logistic::{FeatureSpec, Frame, LogisticConfig, LogisticModel};
//! let source: Vec<Option<&str>> = (0..40).map(|i| Some(if i % 2 == 0 { "web" } else { "fair" })).collect();
//! let won: Vec<bool> = (0..40).map(|i| i % 2 == 0 && i % 3 != 0 || i % 7 == 0).collect();
//! let frame = Frame::new(40).with_text("source", source).unwrap();
//! let config = LogisticConfig::new(vec![FeatureSpec::categorical("source")]);
//! let model = LogisticModel::fit(config, &frame, &won).unwrap();
//! let p = model.predict(&frame).unwrap();
//! assert!(p[0] > p[1]); // "web" converts more often
//! let e = &model.explain(&frame).unwrap()[0];
//! let sum = e.contributions.iter().fold(e.intercept, |s, c| s + c.logit);
//! assert_eq!(sum, e.logit);
//! ```

mod calibrate;
mod features;
mod frame;
mod inputs;
mod solver;

pub use calibrate::{CalibrationMethod, Calibrator, ISOTONIC_CLIP};
pub use features::{Encoding, FeatureKind, FeatureSpec, MISSING, OTHER};
pub use frame::{Frame, FrameColumn};
pub use inputs::{LogisticInput, frame_from_columns, frame_from_json};

use super::eval::stratified_folds;
use crate::error::{Error, ErrorKind, Result};
use calibrate::{fit_isotonic, fit_platt};
use serde::{Deserialize, Serialize};
use solver::{Design, sigmoid};
use std::collections::BTreeSet;

/// The stored model's schema version.
pub const SCHEMA_VERSION: u32 = 1;

fn default_l2() -> f64 {
    1.0
}
fn default_group_l2() -> f64 {
    10.0
}
fn default_folds() -> u32 {
    5
}
fn default_max_iterations() -> u32 {
    100
}

/// The `logistic` mode's configuration.
///
/// ```
/// use leadcore::predictive::logistic::{CalibrationMethod, LogisticConfig};
/// let c: LogisticConfig = serde_json::from_str(
///     r#"{"features":[{"name":"source","kind":"categorical"}],"calibration":"isotonic"}"#).unwrap();
/// assert_eq!((c.l2, c.folds, c.calibration), (1.0, 5, CalibrationMethod::Isotonic));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticConfig {
    /// The features, in explanation order.
    pub features: Vec<FeatureSpec>,
    /// L2 penalty of every coefficient but the intercept (> 0).
    #[serde(default = "default_l2")]
    pub l2: f64,
    /// A text column of groups (teams) for team → global pooling.
    #[serde(default)]
    pub group: Option<String>,
    /// L2 penalty of the team intercepts and deviations (> 0; larger pools harder).
    #[serde(default = "default_group_l2")]
    pub group_l2: f64,
    /// Calibration.
    #[serde(default)]
    pub calibration: CalibrationMethod,
    /// Folds of the out-of-fold calibration (≥ 2).
    #[serde(default = "default_folds")]
    pub folds: u32,
    /// Seed of the fold split.
    #[serde(default)]
    pub seed: u64,
    /// Newton iterations at most.
    #[serde(default = "default_max_iterations")]
    pub max_iterations: u32,
    /// The schema (playbook or feature set id) frames must carry, when set.
    #[serde(default)]
    pub schema: Option<String>,
}

impl LogisticConfig {
    /// The defaults with these features.
    pub fn new(features: Vec<FeatureSpec>) -> Self {
        LogisticConfig {
            features,
            l2: default_l2(),
            group: None,
            group_l2: default_group_l2(),
            calibration: CalibrationMethod::default(),
            folds: default_folds(),
            seed: 0,
            max_iterations: default_max_iterations(),
            schema: None,
        }
    }

    /// With this penalty.
    pub fn l2(mut self, l2: f64) -> Self {
        self.l2 = l2;
        self
    }

    /// With team → global pooling on this column, at this penalty.
    pub fn group(mut self, column: impl Into<String>, group_l2: f64) -> Self {
        self.group = Some(column.into());
        self.group_l2 = group_l2;
        self
    }

    /// With this calibration.
    pub fn calibration(mut self, method: CalibrationMethod) -> Self {
        self.calibration = method;
        self
    }

    /// With this many folds and this seed.
    pub fn folds(mut self, folds: u32, seed: u64) -> Self {
        self.folds = folds;
        self.seed = seed;
        self
    }

    /// With this schema tag.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.features.is_empty() {
            problems.push("at least one feature is needed".to_owned());
        }
        let mut seen = BTreeSet::new();
        for f in &self.features {
            if f.name.is_empty() {
                problems.push("a feature name is empty".to_owned());
            } else if !seen.insert(f.name.as_str()) {
                problems.push(format!("feature `{}` is listed twice", f.name));
            }
            if f.bins > 1000 {
                problems.push(format!("feature `{}`: at most 1000 bins", f.name));
            }
        }
        if let Some(g) = &self.group
            && seen.contains(g.as_str())
        {
            problems.push(format!("group column `{g}` is also a feature"));
        }
        if !(self.l2.is_finite() && self.l2 > 0.0) {
            problems.push(format!("l2 must be positive, got {}", self.l2));
        }
        if !(self.group_l2.is_finite() && self.group_l2 > 0.0) {
            problems.push(format!("group_l2 must be positive, got {}", self.group_l2));
        }
        if self.folds < 2 {
            problems.push("at least 2 folds are needed".to_owned());
        }
        if self.max_iterations == 0 {
            problems.push("max_iterations must be at least 1".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_input(format!(
                "logistic: {}",
                problems.join("; ")
            )))
        }
    }
}

/// A feature as fitted: its encoding and one weight per local column (`0` missing, `1`
/// other or linear, then levels or bins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedFeature {
    /// The feature's name.
    pub name: String,
    /// What training learned.
    pub encoding: Encoding,
    /// Weights (log-odds).
    pub weights: Vec<f64>,
}

/// A team as fitted: its intercept and, per feature, its deviations from the global weights
/// (empty for numeric features).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedGroup {
    /// The team.
    pub name: String,
    /// Its intercept (added to the global one).
    pub intercept: f64,
    /// Per feature, in order: deviations aligned with the feature's weights.
    pub deviations: Vec<Vec<f64>>,
}

/// How the fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitSummary {
    /// Training rows.
    pub rows: usize,
    /// Positive training rows.
    pub positives: usize,
    /// Coefficients.
    pub coefficients: usize,
    /// Newton iterations of the final fit.
    pub iterations: u32,
    /// Whether the final fit converged.
    pub converged: bool,
    /// Folds used for calibration (0: none).
    pub calibration_folds: u32,
}

/// One feature's share of a lead's logit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The feature (or the group column, for a team's intercept).
    pub feature: String,
    /// What the lead held: the level, [`OTHER`], [`MISSING`], or the number.
    pub value: String,
    /// Log-odds added to the logit.
    pub logit: f64,
}

/// A lead's score and its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The global intercept.
    pub intercept: f64,
    /// Per feature in order, then the team's intercept when the model has groups.
    pub contributions: Vec<Contribution>,
    /// `intercept + Σ contributions`, summed in order: the model's logit.
    pub logit: f64,
    /// `σ(logit)`.
    pub raw_probability: f64,
    /// The calibrated probability.
    pub probability: f64,
}

/// The fitted coefficients, without calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Core {
    intercept: f64,
    features: Vec<FittedFeature>,
    groups: Vec<FittedGroup>,
}

/// A trained `logistic` model: serde data (versioned) a host trains offline and scores
/// online with.
///
/// ```
/// use leadcore::predictive::logistic::{FeatureSpec, Frame, LogisticConfig, LogisticModel};
/// let frame = Frame::new(6).with_numbers("visits", [0.0, 1.0, 2.0, 5.0, 8.0, 9.0].map(Some)).unwrap();
/// let won = [false, false, true, false, true, true];
/// let model = LogisticModel::fit(LogisticConfig::new(vec![FeatureSpec::numeric("visits")]), &frame, &won).unwrap();
/// let back = LogisticModel::from_json(&model.to_json()).unwrap();
/// assert_eq!(back.predict(&frame).unwrap(), model.predict(&frame).unwrap());
/// let other = Frame::new(6).with_numbers("pages", [1.0; 6].map(Some)).unwrap();
/// assert_eq!(model.predict(&other).unwrap_err().code(), "input.invalid");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticModel {
    schema_version: u32,
    config: LogisticConfig,
    coefficients: Core,
    calibrator: Calibrator,
    summary: FitSummary,
}

/// A frame's columns bound to a model's features.
struct Bound<'f> {
    features: Vec<&'f FrameColumn>,
    group: Option<&'f [Option<String>]>,
    group_name: &'f str,
}

fn bind<'f>(config: &'f LogisticConfig, frame: &'f Frame) -> Result<Bound<'f>> {
    if let Some(want) = &config.schema
        && frame.schema() != Some(want.as_str())
    {
        return Err(Error::invalid_input(format!(
            "logistic: the model reads schema `{want}`, the frame is {}",
            frame
                .schema()
                .map_or("untagged".to_owned(), |s| format!("`{s}`"))
        )));
    }
    let mut problems = Vec::new();
    let mut features = Vec::with_capacity(config.features.len());
    for f in &config.features {
        match (frame.column(&f.name), f.kind) {
            (None, _) => problems.push(format!("no column `{}`", f.name)),
            (Some(c @ FrameColumn::Text(_)), FeatureKind::Categorical)
            | (Some(c @ FrameColumn::Number(_)), FeatureKind::Numeric) => features.push(c),
            (Some(c), kind) => problems.push(format!(
                "column `{}` holds {}, the model reads it as {}",
                f.name,
                c.type_name(),
                match kind {
                    FeatureKind::Categorical => "categorical text",
                    FeatureKind::Numeric => "numbers",
                }
            )),
        }
    }
    let group = match &config.group {
        None => None,
        Some(g) => match frame.column(g) {
            Some(FrameColumn::Text(v)) => Some(v.as_slice()),
            Some(c) => {
                problems.push(format!(
                    "group column `{g}` holds {}, text is needed",
                    c.type_name()
                ));
                None
            }
            None => {
                problems.push(format!("no group column `{g}`"));
                None
            }
        },
    };
    if problems.is_empty() {
        Ok(Bound {
            features,
            group,
            group_name: config.group.as_deref().unwrap_or(""),
        })
    } else {
        Err(Error::invalid_input(format!(
            "logistic: {}",
            problems.join("; ")
        )))
    }
}

fn group_of<'a>(bound: &'a Bound<'_>, row: usize) -> Option<&'a str> {
    bound
        .group
        .and_then(|g| g.get(row))
        .and_then(Option::as_deref)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl Core {
    /// Fits on `rows` of the frame.
    fn fit(
        config: &LogisticConfig,
        bound: &Bound<'_>,
        rows: &[usize],
        y: &[bool],
    ) -> Result<(Core, u32, bool, usize)> {
        let encodings: Vec<Encoding> = config
            .features
            .iter()
            .zip(&bound.features)
            .map(|(spec, col)| Encoding::fit(spec, col, rows))
            .collect();
        let widths: Vec<usize> = encodings.iter().map(Encoding::width).collect();
        let mut offsets = Vec::with_capacity(widths.len());
        let mut width = 1;
        for w in &widths {
            offsets.push(width);
            width += w;
        }
        let feature_width = width;
        let groups: Vec<String> = rows
            .iter()
            .filter_map(|&r| group_of(bound, r))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(str::to_owned)
            .collect();
        // Per group: intercept column, then the categorical features' columns.
        let group_width = 1 + encodings
            .iter()
            .zip(&widths)
            .filter(|(e, _)| e.is_categorical())
            .map(|(_, w)| w)
            .sum::<usize>();
        width += groups.len() * group_width;
        let mut penalty = vec![config.l2; width];
        penalty[0] = 0.0;
        for p in &mut penalty[feature_width..] {
            *p = config.group_l2;
        }
        let mut design = Design {
            width,
            rows: Vec::with_capacity(rows.len()),
        };
        for &r in rows {
            let g = group_of(bound, r)
                .and_then(|g| groups.binary_search_by(|x| x.as_str().cmp(g)).ok())
                .map(|gi| feature_width + gi * group_width);
            let mut entries = vec![(0, 1.0)];
            if let Some(base) = g {
                entries.push((base, 1.0));
            }
            let mut cat_offset = 1;
            for ((enc, col), &off) in encodings.iter().zip(&bound.features).zip(&offsets) {
                let e = enc.encode(col, r);
                for &(local, x) in &e.entries[..e.len] {
                    entries.push((off + local, x));
                    if let (Some(base), true) = (g, enc.is_categorical()) {
                        entries.push((base + cat_offset + local, x));
                    }
                }
                if enc.is_categorical() {
                    cat_offset += enc.width();
                }
            }
            design.rows.push(entries);
        }
        let pos = rows.iter().filter(|&&r| y[r]).count() as f64;
        let n = rows.len() as f64;
        let mut start = vec![0.0; width];
        start[0] = libm::log((pos + 0.5) / (n - pos + 0.5));
        let y_rows: Vec<bool> = rows.iter().map(|&r| y[r]).collect();
        let fit = solver::fit(&design, &y_rows, &penalty, start, config.max_iterations)?;
        let beta = fit.beta;
        let features = config
            .features
            .iter()
            .zip(encodings)
            .zip(offsets.iter().zip(&widths))
            .map(|((spec, encoding), (&off, &w))| FittedFeature {
                name: spec.name.clone(),
                encoding,
                weights: beta[off..off + w].to_vec(),
            })
            .collect::<Vec<_>>();
        let groups = groups
            .into_iter()
            .enumerate()
            .map(|(gi, name)| {
                let base = feature_width + gi * group_width;
                let mut cat_offset = 1;
                let deviations = features
                    .iter()
                    .map(|f| {
                        if f.encoding.is_categorical() {
                            let w = f.weights.len();
                            let d = beta[base + cat_offset..base + cat_offset + w].to_vec();
                            cat_offset += w;
                            d
                        } else {
                            Vec::new()
                        }
                    })
                    .collect();
                FittedGroup {
                    name,
                    intercept: beta[base],
                    deviations,
                }
            })
            .collect();
        Ok((
            Core {
                intercept: beta[0],
                features,
                groups,
            },
            fit.iterations,
            fit.converged,
            width,
        ))
    }

    /// A row's logit, pushing contributions when asked. The logit is the intercept plus each
    /// contribution in the order pushed.
    fn score(&self, bound: &Bound<'_>, row: usize, mut out: Option<&mut Vec<Contribution>>) -> f64 {
        let group = group_of(bound, row).and_then(|g| {
            self.groups
                .binary_search_by(|x| x.name.as_str().cmp(g))
                .ok()
                .and_then(|i| self.groups.get(i))
        });
        let mut logit = self.intercept;
        for (fi, (f, col)) in self.features.iter().zip(&bound.features).enumerate() {
            let e = f.encoding.encode(col, row);
            let dev = group.and_then(|g| g.deviations.get(fi));
            let mut c = 0.0;
            for &(local, x) in &e.entries[..e.len] {
                let w = f.weights.get(local).copied().unwrap_or(0.0)
                    + dev.and_then(|d| d.get(local)).copied().unwrap_or(0.0);
                c += w * x;
            }
            logit += c;
            if let Some(out) = out.as_deref_mut() {
                out.push(Contribution {
                    feature: f.name.clone(),
                    value: e.label,
                    logit: c,
                });
            }
        }
        if let Some(g) = group {
            logit += g.intercept;
            if let Some(out) = out {
                out.push(Contribution {
                    feature: bound.group_name.to_owned(),
                    value: g.name.clone(),
                    logit: g.intercept,
                });
            }
        }
        logit
    }

    fn is_valid(&self) -> bool {
        self.intercept.is_finite()
            && self
                .features
                .iter()
                .all(|f| f.weights.len() == f.encoding.width() && finite(&f.weights))
            && self.groups.iter().all(|g| {
                g.intercept.is_finite()
                    && g.deviations.len() == self.features.len()
                    && g.deviations.iter().all(|d| finite(d))
            })
    }
}

fn finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

impl LogisticModel {
    /// Trains on a frame and its outcomes (`true`: won).
    pub fn fit(config: LogisticConfig, frame: &Frame, outcomes: &[bool]) -> Result<LogisticModel> {
        config.validate()?;
        if frame.rows() == 0 {
            return Err(Error::invalid_input(
                "logistic: the training frame is empty",
            ));
        }
        if outcomes.len() != frame.rows() {
            return Err(Error::invalid_input(format!(
                "logistic: {} outcomes for {} rows",
                outcomes.len(),
                frame.rows()
            )));
        }
        let pos = outcomes.iter().filter(|&&y| y).count();
        let neg = outcomes.len() - pos;
        if pos == 0 || neg == 0 {
            return Err(Error::invalid_input(
                "logistic: training needs both won and lost leads",
            ));
        }
        let bound = bind(&config, frame)?;
        let all: Vec<usize> = (0..frame.rows()).collect();
        let (core, iterations, converged, coefficients) =
            Core::fit(&config, &bound, &all, outcomes)?;
        let k = (config.folds as usize).min(pos).min(neg);
        let (calibrator, calibration_folds) =
            if config.calibration == CalibrationMethod::None || k < 2 {
                (Calibrator::None, 0)
            } else {
                let fold = stratified_folds(outcomes, k, config.seed)?;
                let mut oof = vec![0.0; all.len()];
                for f in 0..k {
                    let train: Vec<usize> = all.iter().copied().filter(|&r| fold[r] != f).collect();
                    let (part, ..) = Core::fit(&config, &bound, &train, outcomes)?;
                    for r in all.iter().copied().filter(|&r| fold[r] == f) {
                        oof[r] = part.score(&bound, r, None);
                    }
                }
                let c = match config.calibration {
                    CalibrationMethod::Isotonic => fit_isotonic(&oof, outcomes),
                    _ => fit_platt(&oof, outcomes),
                };
                (c, k as u32)
            };
        Ok(LogisticModel {
            schema_version: SCHEMA_VERSION,
            summary: FitSummary {
                rows: frame.rows(),
                positives: pos,
                coefficients,
                iterations,
                converged,
                calibration_folds,
            },
            config,
            coefficients: core,
            calibrator,
        })
    }

    fn check(&self) -> Result<()> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(Error::from(ErrorKind::UnsupportedVersion {
                what: "logistic model".to_owned(),
                found: self.schema_version,
                supported: SCHEMA_VERSION,
            }));
        }
        let names_match = self.coefficients.features.len() == self.config.features.len()
            && self
                .coefficients
                .features
                .iter()
                .zip(&self.config.features)
                .all(|(f, s)| {
                    f.name == s.name
                        && f.encoding.is_categorical() == (s.kind == FeatureKind::Categorical)
                });
        if !names_match || !self.coefficients.is_valid() || !self.calibrator.is_valid() {
            return Err(Error::invalid_input(
                "logistic: the stored model is inconsistent (features, weights or calibration)",
            ));
        }
        Ok(())
    }

    /// Each row's logit (before calibration).
    pub fn predict_logits(&self, frame: &Frame) -> Result<Vec<f64>> {
        self.check()?;
        let bound = bind(&self.config, frame)?;
        Ok((0..frame.rows())
            .map(|r| self.coefficients.score(&bound, r, None))
            .collect())
    }

    /// Each row's calibrated probability of winning, in `[0, 1]`.
    pub fn predict(&self, frame: &Frame) -> Result<Vec<f64>> {
        Ok(self
            .predict_logits(frame)?
            .into_iter()
            .map(|z| self.calibrator.probability(z))
            .collect())
    }

    /// Each row's explanation.
    pub fn explain(&self, frame: &Frame) -> Result<Vec<Explanation>> {
        self.check()?;
        let bound = bind(&self.config, frame)?;
        Ok((0..frame.rows())
            .map(|r| {
                let mut contributions = Vec::with_capacity(self.coefficients.features.len() + 1);
                let logit = self.coefficients.score(&bound, r, Some(&mut contributions));
                Explanation {
                    intercept: self.coefficients.intercept,
                    contributions,
                    logit,
                    raw_probability: sigmoid(logit),
                    probability: self.calibrator.probability(logit),
                }
            })
            .collect())
    }

    /// The configuration.
    pub fn config(&self) -> &LogisticConfig {
        &self.config
    }

    /// The global intercept.
    pub fn intercept(&self) -> f64 {
        self.coefficients.intercept
    }

    /// The fitted features.
    pub fn features(&self) -> &[FittedFeature] {
        &self.coefficients.features
    }

    /// The fitted teams.
    pub fn groups(&self) -> &[FittedGroup] {
        &self.coefficients.groups
    }

    /// The calibration.
    pub fn calibrator(&self) -> &Calibrator {
        &self.calibrator
    }

    /// How the fit went.
    pub fn summary(&self) -> &FitSummary {
        &self.summary
    }

    /// The model as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A model from JSON, checked: another `schema_version` is a `state.unsupported_version`
    /// error, an inconsistent model an `input.invalid` one.
    pub fn from_json(text: &str) -> Result<LogisticModel> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let v: Version = serde_json::from_str(text)
            .map_err(|e| Error::invalid_input(format!("logistic model: {e}")))?;
        if v.schema_version != SCHEMA_VERSION {
            return Err(Error::from(ErrorKind::UnsupportedVersion {
                what: "logistic model".to_owned(),
                found: v.schema_version,
                supported: SCHEMA_VERSION,
            }));
        }
        let m: LogisticModel = serde_json::from_str(text)
            .map_err(|e| Error::invalid_input(format!("logistic model: {e}")))?;
        m.check()?;
        Ok(m)
    }
}
