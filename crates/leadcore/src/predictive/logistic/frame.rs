//! A frame: the named columns (text or numbers) a logistic model reads.

use super::features::{FeatureKind, FeatureSpec};
use crate::error::{Error, Result};
use crate::model::{FieldSource, ValueRef};
use std::collections::BTreeMap;

/// One column of a [`Frame`]: text (categorical features, the group) or numbers (numeric
/// features). `None`, and for numbers NaN or ±∞, is a missing value.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameColumn {
    /// Text values.
    Text(Vec<Option<String>>),
    /// Numbers.
    Number(Vec<Option<f64>>),
}

impl FrameColumn {
    fn len(&self) -> usize {
        match self {
            FrameColumn::Text(v) => v.len(),
            FrameColumn::Number(v) => v.len(),
        }
    }

    /// `"text"` or `"number"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            FrameColumn::Text(_) => "text",
            FrameColumn::Number(_) => "number",
        }
    }
}

/// Named columns of equal length, optionally tagged with the schema (playbook or feature
/// set) they were read with. A model refuses a frame that misses one of its columns, holds
/// one with the other type, or carries another schema tag.
///
/// ```
/// use leadcore::predictive::logistic::Frame;
/// let f = Frame::new(2)
///     .with_text("source", [Some("google"), None]).unwrap()
///     .with_numbers("visits", [Some(3.0), Some(f64::NAN)]).unwrap();
/// assert_eq!(f.rows(), 2);
/// assert!(Frame::new(2).with_numbers("visits", [Some(1.0)]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    rows: usize,
    columns: BTreeMap<String, FrameColumn>,
    schema: Option<String>,
}

impl Frame {
    /// An empty frame of `rows` rows.
    pub fn new(rows: usize) -> Self {
        Frame {
            rows,
            ..Frame::default()
        }
    }

    /// The same frame with one more column; an error when its length differs from the
    /// frame's or the name is taken.
    pub fn with_column(mut self, name: impl Into<String>, column: FrameColumn) -> Result<Self> {
        let name = name.into();
        if column.len() != self.rows {
            return Err(Error::invalid_input(format!(
                "logistic: column `{name}` has {} rows, the frame {}",
                column.len(),
                self.rows
            )));
        }
        if self.columns.contains_key(&name) {
            return Err(Error::invalid_input(format!(
                "logistic: column `{name}` is given twice"
            )));
        }
        self.columns.insert(name, column);
        Ok(self)
    }

    /// With a text column.
    pub fn with_text<S: Into<String>>(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<S>>,
    ) -> Result<Self> {
        let values = values.into_iter().map(|v| v.map(Into::into)).collect();
        self.with_column(name, FrameColumn::Text(values))
    }

    /// With a number column.
    pub fn with_numbers(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> Result<Self> {
        self.with_column(name, FrameColumn::Number(values.into_iter().collect()))
    }

    /// Tagged with the schema (playbook or feature set id) its columns follow.
    pub fn with_schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&FrameColumn> {
        self.columns.get(name)
    }

    /// The schema tag.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The frame of these rows, in this order (a split's part).
    ///
    /// ```
    /// use leadcore::predictive::logistic::{Frame, FrameColumn};
    /// let f = Frame::new(3).with_numbers("x", [Some(1.0), Some(2.0), None]).unwrap();
    /// let g = f.select(&[2, 0]).unwrap();
    /// assert_eq!(g.column("x"), Some(&FrameColumn::Number(vec![None, Some(1.0)])));
    /// ```
    pub fn select(&self, rows: &[usize]) -> Result<Frame> {
        if let Some(bad) = rows.iter().find(|&&r| r >= self.rows) {
            return Err(Error::invalid_input(format!(
                "logistic: row {bad} is past the frame's {} rows",
                self.rows
            )));
        }
        let columns = self
            .columns
            .iter()
            .map(|(name, c)| {
                let c = match c {
                    FrameColumn::Text(v) => {
                        FrameColumn::Text(rows.iter().map(|&r| v[r].clone()).collect())
                    }
                    FrameColumn::Number(v) => {
                        FrameColumn::Number(rows.iter().map(|&r| v[r]).collect())
                    }
                };
                (name.clone(), c)
            })
            .collect();
        Ok(Frame {
            rows: rows.len(),
            columns,
            schema: self.schema.clone(),
        })
    }

    /// A frame read from records (leads, opportunities) through the field registry: one
    /// column per feature, read by name (built-in fields, then custom fields), and `group`
    /// as a text column when given. A categorical feature takes any value as text (numbers
    /// as written, dates `YYYY-MM-DD`, lists joined with `,`); a numeric feature takes
    /// numbers and booleans (1/0) and refuses text that is not a number.
    ///
    /// ```
    /// use leadcore::Lead;
    /// use leadcore::predictive::logistic::{FeatureSpec, Frame, FrameColumn};
    /// let mut lead = Lead::new("L-1");
    /// lead.firmographics.employees = Some(20);
    /// let f = Frame::from_records(&[lead], &[FeatureSpec::numeric("employees")], None).unwrap();
    /// assert_eq!(f.column("employees"), Some(&FrameColumn::Number(vec![Some(20.0)])));
    /// ```
    pub fn from_records<R: FieldSource>(
        records: &[R],
        features: &[FeatureSpec],
        group: Option<&str>,
    ) -> Result<Frame> {
        let mut frame = Frame::new(records.len());
        for f in features {
            let column = match f.kind {
                FeatureKind::Categorical => FrameColumn::Text(
                    records
                        .iter()
                        .map(|r| r.field_ref(&f.name).map(value_text))
                        .collect(),
                ),
                FeatureKind::Numeric => FrameColumn::Number(
                    records
                        .iter()
                        .enumerate()
                        .map(|(i, r)| value_number(&f.name, i, r.field_ref(&f.name)))
                        .collect::<Result<_>>()?,
                ),
            };
            frame = frame.with_column(f.name.clone(), column)?;
        }
        if let Some(g) = group {
            let column = records
                .iter()
                .map(|r| r.field_ref(g).map(value_text))
                .collect();
            frame = frame.with_column(g, FrameColumn::Text(column))?;
        }
        Ok(frame)
    }
}

fn value_text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Bool(b) => b.to_string(),
        ValueRef::Int(i) => i.to_string(),
        ValueRef::Float(f) => f.to_string(),
        ValueRef::Date(d) => d.format("%Y-%m-%d").to_string(),
        ValueRef::DateTime(t) => t.to_rfc3339(),
        ValueRef::Text(s) => s.to_owned(),
        ValueRef::List(items) => items
            .iter()
            .map(|i| value_text(i.as_value_ref()))
            .collect::<Vec<_>>()
            .join(","),
    }
}

fn value_number(name: &str, row: usize, v: Option<ValueRef<'_>>) -> Result<Option<f64>> {
    Ok(match v {
        None => None,
        Some(ValueRef::Int(i)) => Some(i as f64),
        Some(ValueRef::Float(f)) => Some(f),
        Some(ValueRef::Bool(b)) => Some(f64::from(u8::from(b))),
        Some(ValueRef::Text(s)) => match s.trim().parse::<f64>() {
            Ok(x) => Some(x),
            Err(_) if s.trim().is_empty() => None,
            Err(_) => {
                return Err(Error::invalid_input(format!(
                    "logistic: row {row}: `{name}` is numeric, got text `{s}`"
                )));
            }
        },
        Some(other) => {
            return Err(Error::invalid_input(format!(
                "logistic: row {row}: `{name}` is numeric, got a {} value",
                other.field_type().name()
            )));
        }
    })
}
