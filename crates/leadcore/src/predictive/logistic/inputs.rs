//! Frames as JSON (what the C door and the shared vectors hand the `logistic` mode) and
//! [`LogisticInput`], one fit-then-explain run as data.
//!
//! A frame in JSON is either a **column object** (`{"source":["web",null],"visits":[3,1.5]}`:
//! one array per column, all of one length) or **JSON lines** of row objects
//! (`{"source":"web","visits":3}` per line; a key a row leaves out is a missing value).
//! Only the columns a configuration reads (its features and its group) are read, each as
//! its feature's kind: a categorical feature (and the group) takes strings, booleans (as
//! `"true"`/`"false"`) and `null`; a numeric feature takes numbers, booleans (1/0) and
//! `null`. Any other value is an `input.invalid` error naming the column and the row. A
//! column no row holds is left out of the frame (the model then refuses it, naming it),
//! unless there are no rows at all.

use super::{Explanation, FeatureKind, Frame, FrameColumn, LogisticConfig, LogisticModel};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The columns a configuration reads, with the kind each is read as (the group as text).
fn wanted(config: &LogisticConfig) -> Vec<(&str, FeatureKind)> {
    let mut out: Vec<(&str, FeatureKind)> = config
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    if let Some(g) = &config.group {
        out.push((g.as_str(), FeatureKind::Categorical));
    }
    out
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One JSON value of a column read as `kind`.
fn cell(name: &str, row: usize, kind: FeatureKind, v: Option<&Value>) -> Result<Cell> {
    let bad = |v: &Value| {
        Error::invalid_input(format!(
            "logistic: column `{name}` row {row}: {} expected, got {}",
            match kind {
                FeatureKind::Categorical => "a string (categorical)",
                FeatureKind::Numeric => "a number",
            },
            type_of(v)
        ))
    };
    Ok(match (kind, v) {
        (_, None | Some(Value::Null)) => Cell::Missing,
        (FeatureKind::Categorical, Some(Value::String(s))) => Cell::Text(s.clone()),
        (FeatureKind::Categorical, Some(Value::Bool(b))) => Cell::Text(b.to_string()),
        (FeatureKind::Numeric, Some(Value::Number(n))) => Cell::Number(n.as_f64()),
        (FeatureKind::Numeric, Some(Value::Bool(b))) => Cell::Number(Some(f64::from(u8::from(*b)))),
        (_, Some(v)) => return Err(bad(v)),
    })
}

enum Cell {
    Missing,
    Text(String),
    Number(Option<f64>),
}

/// A column of `rows` cells read as `kind`.
fn column<'a>(
    name: &str,
    kind: FeatureKind,
    values: impl Iterator<Item = Option<&'a Value>>,
) -> Result<FrameColumn> {
    Ok(match kind {
        FeatureKind::Categorical => FrameColumn::Text(
            values
                .enumerate()
                .map(|(row, v)| {
                    cell(name, row, kind, v).map(|c| match c {
                        Cell::Text(s) => Some(s),
                        _ => None,
                    })
                })
                .collect::<Result<_>>()?,
        ),
        FeatureKind::Numeric => FrameColumn::Number(
            values
                .enumerate()
                .map(|(row, v)| {
                    cell(name, row, kind, v).map(|c| match c {
                        Cell::Number(x) => x,
                        _ => None,
                    })
                })
                .collect::<Result<_>>()?,
        ),
    })
}

/// A frame from a column object (`{"name":[values],..}`), reading the columns `config`
/// reads (see the module's rules).
///
/// ```
/// use leadcore::predictive::logistic::{FeatureSpec, FrameColumn, LogisticConfig, frame_from_columns};
/// let config = LogisticConfig::new(vec![FeatureSpec::numeric("visits")]);
/// let columns = serde_json::json!({"visits": [3, null, true], "id": ["a", "b", "c"]});
/// let f = frame_from_columns(columns.as_object().unwrap(), &config).unwrap();
/// assert_eq!(f.column("visits"), Some(&FrameColumn::Number(vec![Some(3.0), None, Some(1.0)])));
/// assert!(f.column("id").is_none());
/// ```
pub fn frame_from_columns(columns: &Map<String, Value>, config: &LogisticConfig) -> Result<Frame> {
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, v) in columns {
        match v {
            Value::Array(a) => arrays.push((name.as_str(), a)),
            other => {
                return Err(Error::invalid_input(format!(
                    "logistic: column `{name}` must be an array of values, got {}",
                    type_of(other)
                )));
            }
        }
    }
    let rows = arrays.first().map_or(0, |(_, a)| a.len());
    if let Some((name, a)) = arrays.iter().find(|(_, a)| a.len() != rows) {
        return Err(Error::invalid_input(format!(
            "logistic: column `{name}` has {} rows, the frame {rows}",
            a.len()
        )));
    }
    let mut frame = Frame::new(rows);
    for (name, kind) in wanted(config) {
        if let Some(Value::Array(values)) = columns.get(name) {
            frame = frame.with_column(name, column(name, kind, values.iter().map(Some))?)?;
        } else if rows == 0 {
            frame = frame.with_column(name, column(name, kind, std::iter::empty())?)?;
        }
    }
    Ok(frame)
}

/// A frame from JSON text: a column object, or JSON lines of row objects (the module's
/// rules). Text that is one JSON object whose every value is an array is a column object;
/// anything else is read as JSON lines (blank lines skipped).
///
/// ```
/// use leadcore::predictive::logistic::{FeatureSpec, FrameColumn, LogisticConfig, frame_from_json};
/// let config = LogisticConfig::new(vec![FeatureSpec::categorical("source")]);
/// let lines = "{\"source\":\"web\"}\n{\"visits\":2}\n";
/// let f = frame_from_json(lines, &config).unwrap();
/// assert_eq!(f.column("source"), Some(&FrameColumn::Text(vec![Some("web".into()), None])));
/// let columns = frame_from_json(r#"{"source":["web",null]}"#, &config).unwrap();
/// assert_eq!(columns, f);
/// assert_eq!(frame_from_json("{\"source\":3}", &config).unwrap_err().code(), "input.invalid");
/// ```
pub fn frame_from_json(text: &str, config: &LogisticConfig) -> Result<Frame> {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text)
        && map.values().all(Value::is_array)
    {
        return frame_from_columns(&map, config);
    }
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(row)) => rows.push(row),
            Ok(other) => {
                return Err(Error::invalid_input(format!(
                    "logistic: line {}: a row must be a JSON object, got {}",
                    i + 1,
                    type_of(&other)
                )));
            }
            Err(e) => {
                return Err(Error::invalid_input(format!(
                    "logistic: line {}: {e}",
                    i + 1
                )));
            }
        }
    }
    let mut frame = Frame::new(rows.len());
    for (name, kind) in wanted(config) {
        if rows.is_empty() || rows.iter().any(|r| r.contains_key(name)) {
            frame =
                frame.with_column(name, column(name, kind, rows.iter().map(|r| r.get(name)))?)?;
        }
    }
    Ok(frame)
}

/// One `logistic` run as data (the shared vectors' `logistic` event): fit on `train` (a
/// column object) with outcomes `won`, then explain every row of `score`.
///
/// ```
/// use leadcore::predictive::logistic::LogisticInput;
/// let input = LogisticInput::from_json(r#"{
///   "config": {"features": [{"name": "visits", "kind": "numeric"}], "calibration": "none"},
///   "train": {"visits": [0, 1, 2, 5, 8, 9]},
///   "won": [false, false, true, false, true, true],
///   "score": {"visits": [7]}}"#).unwrap();
/// let out = input.run().unwrap();
/// assert!(out[0].probability > 0.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticInput {
    /// The configuration.
    pub config: LogisticConfig,
    /// The training frame, as a column object.
    pub train: Map<String, Value>,
    /// One outcome per training row (`true`: won).
    pub won: Vec<bool>,
    /// The frame to explain, as a column object.
    pub score: Map<String, Value>,
}

impl LogisticInput {
    /// Reads the input from JSON; bad JSON is an `input.invalid` error.
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "logistic")
    }

    /// Fits, then explains each row of `score`.
    pub fn run(&self) -> Result<Vec<Explanation>> {
        let train = frame_from_columns(&self.train, &self.config)?;
        let model = LogisticModel::fit(self.config.clone(), &train, &self.won)?;
        model.explain(&frame_from_columns(&self.score, model.config())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predictive::logistic::FeatureSpec;

    fn config() -> LogisticConfig {
        LogisticConfig::new(vec![
            FeatureSpec::categorical("source"),
            FeatureSpec::numeric("visits"),
        ])
        .group("team", 10.0)
    }

    #[test]
    fn lines_and_columns_give_the_same_frame() {
        let lines = "{\"source\":\"web\",\"visits\":1,\"team\":\"a\"}\n\n{\"visits\":null,\"source\":true}\n";
        let cols = r#"{"source":["web","true"],"visits":[1,null],"team":["a",null]}"#;
        assert_eq!(
            frame_from_json(lines, &config()).unwrap(),
            frame_from_json(cols, &config()).unwrap()
        );
    }

    #[test]
    fn bad_values_and_shapes_are_input_errors() {
        for text in [
            r#"{"source":["web"],"visits":["3"]}"#,
            r#"{"source":["web"],"visits":[1, 2]}"#,
            r#"{"source":[1]}"#,
            "[1,2]",
            "{\"source\":\"web\"}\nnot json",
            r#"{"source":{"a":1}}"#,
        ] {
            let e = frame_from_json(text, &config()).unwrap_err();
            assert_eq!(e.code(), "input.invalid", "{text}");
        }
    }

    #[test]
    fn empty_text_is_an_empty_frame_with_every_column() {
        let f = frame_from_json("", &config()).unwrap();
        assert_eq!(f.rows(), 0);
        assert!(f.column("visits").is_some() && f.column("team").is_some());
        let g = frame_from_json("{}", &config()).unwrap();
        assert_eq!(g, f);
    }
}
