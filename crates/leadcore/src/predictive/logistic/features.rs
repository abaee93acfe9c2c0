//! Features: what the configuration asks for ([`FeatureSpec`]) and what training learned of
//! each ([`Encoding`]: kept levels, ranges, bin edges), and how a value becomes columns.

use super::frame::FrameColumn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Categorical (one-hot) or numeric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// One column per kept level, plus `missing` and `other`.
    Categorical,
    /// A standardised linear term and/or quantile bins, plus `missing`.
    Numeric,
}

fn default_min_count() -> u32 {
    5
}

fn yes() -> bool {
    true
}

/// One feature of a logistic model: a frame column read as categorical or numeric.
///
/// - Categorical: levels seen fewer than `min_count` times in training pool into one
///   `other` level, which also takes levels never seen in training; an absent value, an empty
///   or blank text, or a text listed in `missing_values` (e.g. a form's `"Select"`) is the
///   `missing` level.
/// - Numeric: `log` first maps `x` to `sign(x)·ln(1 + |x|)`; values are clamped to the
///   training range; `linear` adds the standardised value (training mean and standard
///   deviation) as one column; `bins > 0` adds one-hot quantile bins (edges from the training
///   values). NaN, ±∞ and absent values are the `missing` column (and 0 in the linear term).
///
/// ```
/// use leadcore::predictive::logistic::FeatureSpec;
/// let f: FeatureSpec = serde_json::from_str(r#"{"name":"visits","kind":"numeric","bins":8}"#).unwrap();
/// assert_eq!(f, FeatureSpec::numeric("visits").bins(8));
/// assert_eq!(FeatureSpec::categorical("city").min_count, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    /// The frame column (a lead field name when read from records).
    pub name: String,
    /// Categorical or numeric.
    pub kind: FeatureKind,
    /// Categorical: levels seen fewer times in training pool into `other`.
    #[serde(default = "default_min_count")]
    pub min_count: u32,
    /// Categorical: texts read as missing.
    #[serde(default)]
    pub missing_values: Vec<String>,
    /// Numeric: quantile bins (0: none).
    #[serde(default)]
    pub bins: u32,
    /// Numeric: a standardised linear term.
    #[serde(default = "yes")]
    pub linear: bool,
    /// Numeric: `sign(x)·ln(1 + |x|)` before anything else.
    #[serde(default)]
    pub log: bool,
}

impl FeatureSpec {
    /// A categorical feature (`min_count` 5).
    pub fn categorical(name: impl Into<String>) -> Self {
        FeatureSpec {
            name: name.into(),
            kind: FeatureKind::Categorical,
            min_count: default_min_count(),
            missing_values: Vec::new(),
            bins: 0,
            linear: true,
            log: false,
        }
    }

    /// A numeric feature (a linear term, no bins).
    pub fn numeric(name: impl Into<String>) -> Self {
        FeatureSpec {
            kind: FeatureKind::Numeric,
            ..FeatureSpec::categorical(name)
        }
    }

    /// With this `min_count`.
    pub fn min_count(mut self, n: u32) -> Self {
        self.min_count = n;
        self
    }

    /// With these texts read as missing.
    pub fn missing_values<S: Into<String>>(mut self, v: impl IntoIterator<Item = S>) -> Self {
        self.missing_values = v.into_iter().map(Into::into).collect();
        self
    }

    /// With this many quantile bins.
    pub fn bins(mut self, n: u32) -> Self {
        self.bins = n;
        self
    }

    /// With or without the linear term.
    pub fn linear(mut self, on: bool) -> Self {
        self.linear = on;
        self
    }

    /// With the log transform.
    pub fn log(mut self) -> Self {
        self.log = true;
        self
    }
}

/// What training learned of a feature. Local columns: `0` missing, `1` other (categorical) or
/// the linear term (numeric), then one per level or bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Encoding {
    /// A categorical feature.
    Categorical {
        /// Kept levels, sorted.
        levels: Vec<String>,
        /// Texts read as missing.
        missing_values: Vec<String>,
    },
    /// A numeric feature.
    Numeric {
        /// The log transform applies.
        log: bool,
        /// The linear term is used.
        linear: bool,
        /// Bins are used.
        binned: bool,
        /// Training minimum (after the transform); values are clamped to `[min, max]`.
        min: f64,
        /// Training maximum.
        max: f64,
        /// Training mean.
        mean: f64,
        /// Training standard deviation (1 when 0).
        sd: f64,
        /// Inner bin edges, increasing: bin `b` holds values with `b` edges `≤` them.
        edges: Vec<f64>,
    },
}

/// Label of the `missing` level in explanations.
pub const MISSING: &str = "(missing)";
/// Label of the `other` level in explanations.
pub const OTHER: &str = "(other)";

/// Up to two (local column, value) entries and the label of what the row held.
pub(crate) struct Encoded {
    pub(crate) entries: [(usize, f64); 2],
    pub(crate) len: usize,
    pub(crate) label: String,
}

impl Encoded {
    fn one(col: usize, label: String) -> Self {
        Encoded {
            entries: [(col, 1.0), (0, 0.0)],
            len: 1,
            label,
        }
    }
}

fn text_value<'a>(v: Option<&'a str>, missing: &[String]) -> Option<&'a str> {
    v.map(str::trim)
        .filter(|s| !s.is_empty() && !missing.iter().any(|m| m == s))
}

fn transform(x: Option<f64>, log: bool) -> Option<f64> {
    let x = x.filter(|x| x.is_finite())?;
    Some(if log {
        libm::copysign(libm::log1p(x.abs()), x)
    } else {
        x
    })
}

impl Encoding {
    /// Learns a feature from the training rows of its column (the caller checked the type).
    pub(crate) fn fit(spec: &FeatureSpec, column: &FrameColumn, rows: &[usize]) -> Encoding {
        match column {
            FrameColumn::Text(values) => {
                let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
                for &r in rows {
                    if let Some(v) = text_value(values[r].as_deref(), &spec.missing_values) {
                        *counts.entry(v).or_default() += 1;
                    }
                }
                Encoding::Categorical {
                    levels: counts
                        .into_iter()
                        .filter(|&(_, n)| n >= spec.min_count)
                        .map(|(v, _)| v.to_owned())
                        .collect(),
                    missing_values: spec.missing_values.clone(),
                }
            }
            FrameColumn::Number(values) => {
                let mut xs: Vec<f64> = rows
                    .iter()
                    .filter_map(|&r| transform(values[r], spec.log))
                    .collect();
                xs.sort_by(f64::total_cmp);
                let n = xs.len();
                let (min, max) = (
                    xs.first().copied().unwrap_or(0.0),
                    xs.last().copied().unwrap_or(0.0),
                );
                // Mean by running update and spread on values scaled to [-1, 1]: finite for
                // any finite input.
                let mut mean = 0.0;
                for (k, &x) in xs.iter().enumerate() {
                    mean += (x - mean) / (k + 1) as f64;
                }
                let scale = min.abs().max(max.abs());
                let sd = if n == 0 || scale == 0.0 {
                    1.0
                } else {
                    let m = mean / scale;
                    let var = xs.iter().map(|x| (x / scale - m).powi(2)).sum::<f64>() / n as f64;
                    scale * libm::sqrt(var)
                };
                let sd = if sd > 0.0 && sd.is_finite() { sd } else { 1.0 };
                let mut edges: Vec<f64> = Vec::new();
                let bins = spec.bins as usize;
                for i in 1..bins {
                    let q = xs[(i * n / bins).min(n.saturating_sub(1))..]
                        .first()
                        .copied()
                        .unwrap_or(min);
                    if q > min && edges.last().is_none_or(|&e| q > e) {
                        edges.push(q);
                    }
                }
                Encoding::Numeric {
                    log: spec.log,
                    linear: spec.linear,
                    binned: bins > 0,
                    min,
                    max,
                    mean,
                    sd,
                    edges,
                }
            }
        }
    }

    /// The number of local columns.
    pub(crate) fn width(&self) -> usize {
        match self {
            Encoding::Categorical { levels, .. } => 2 + levels.len(),
            Encoding::Numeric { binned, edges, .. } => {
                2 + if *binned { edges.len() + 1 } else { 0 }
            }
        }
    }

    /// Whether this is categorical (team deviations apply to it).
    pub(crate) fn is_categorical(&self) -> bool {
        matches!(self, Encoding::Categorical { .. })
    }

    /// A row's entries (the caller checked the column type against the encoding).
    pub(crate) fn encode(&self, column: &FrameColumn, row: usize) -> Encoded {
        match (self, column) {
            (
                Encoding::Categorical {
                    levels,
                    missing_values,
                },
                FrameColumn::Text(values),
            ) => match text_value(values.get(row).and_then(Option::as_deref), missing_values) {
                None => Encoded::one(0, MISSING.to_owned()),
                Some(v) => match levels.binary_search_by(|l| l.as_str().cmp(v)) {
                    Ok(i) => Encoded::one(2 + i, v.to_owned()),
                    Err(_) => Encoded::one(1, OTHER.to_owned()),
                },
            },
            (
                Encoding::Numeric {
                    log,
                    linear,
                    binned,
                    min,
                    max,
                    mean,
                    sd,
                    edges,
                },
                FrameColumn::Number(values),
            ) => match transform(values.get(row).copied().flatten(), *log) {
                None => Encoded::one(0, MISSING.to_owned()),
                Some(t) => {
                    let t = t.max(*min).min(*max);
                    let raw = values.get(row).copied().flatten().unwrap_or(t);
                    let mut e = Encoded {
                        entries: [(0, 0.0); 2],
                        len: 0,
                        label: raw.to_string(),
                    };
                    if *linear {
                        let z = (t - mean) / sd;
                        let z = if z.is_nan() { 0.0 } else { z.clamp(-1e6, 1e6) };
                        e.entries[e.len] = (1, z);
                        e.len += 1;
                    }
                    if *binned {
                        e.entries[e.len] = (2 + edges.partition_point(|&x| x <= t), 1.0);
                        e.len += 1;
                    }
                    e
                }
            },
            // Types are checked before encoding; a mismatch reads as missing.
            _ => Encoded::one(0, MISSING.to_owned()),
        }
    }
}
