//! An owned event table with plain columns: the JSON wire form of a batch (what the C door
//! and the vectors hand to batch scoring), dictionary-encoded once into [`EventColumns`].

use super::{AttrColumn, DictBuilder, DictColumn, EventColumns, OwnedAttr};
use crate::error::{Error, Result};
use crate::model::{Activity, FieldType, FieldValue, closest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Events as plain columns of equal length: `lead_id`, `kind`, `at` (Unix seconds), and one
/// column per activity attribute, named as conditions name it (`page`, `seconds`,
/// `campaign`, `form_id`, `content_id`, `attrs.NAME`), `null` where an event lacks it.
///
/// ```
/// use leadcore::columnar::EventTable;
/// let table: EventTable = serde_json::from_str(r#"{
///   "lead_id": ["A", "B"], "kind": ["web_visit", "web_visit"], "at": [0, 60],
///   "page": ["/pricing", null], "attrs.tier": ["gold", "silver"]
/// }"#).unwrap();
/// let encoded = table.encode().unwrap();
/// let attrs = encoded.attr_columns();
/// let columns = encoded.with_attrs(&attrs);
/// assert_eq!(columns.attr("page").unwrap().get(0), Some(leadcore::ValueRef::Text("/pricing")));
/// let bad: EventTable = serde_json::from_str(r#"{"lead_id": [], "kind": [], "at": [], "pgae": []}"#).unwrap();
/// assert_eq!(bad.encode().unwrap_err().to_string(),
///     "invalid input: unknown event column `pgae` (did you mean `page`?); attributes are page, seconds, campaign, form_id, content_id or attrs.NAME");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventTable {
    /// The lead each event belongs to (matched against the leads' ids).
    pub lead_id: Vec<String>,
    /// Activity kind names.
    pub kind: Vec<String>,
    /// Unix seconds.
    pub at: Vec<i64>,
    /// Attribute columns by name.
    #[serde(flatten)]
    pub attrs: BTreeMap<String, Vec<Option<FieldValue>>>,
}

/// An [`EventTable`] dictionary-encoded: owns the buffers [`EncodedEvents::with_attrs`] borrows.
#[derive(Debug)]
pub struct EncodedEvents {
    /// Lead ids, encoded.
    pub lead_id: DictBuilder,
    kind: DictBuilder,
    at: Vec<i64>,
    names: Vec<String>,
    attrs: Vec<OwnedAttr>,
}

impl EncodedEvents {
    /// Events from owned columns (what a reader of another format, such as Arrow, builds):
    /// every column must have as many rows as `at`.
    pub fn from_parts(
        lead_id: DictBuilder,
        kind: DictBuilder,
        at: Vec<i64>,
        attrs: Vec<(String, OwnedAttr)>,
    ) -> Result<Self> {
        let rows = at.len();
        let lengths = [("lead_id", lead_id.codes.len()), ("kind", kind.codes.len())]
            .into_iter()
            .chain(attrs.iter().map(|(n, a)| (n.as_str(), a.values().len())));
        for (name, len) in lengths {
            if len != rows {
                return Err(Error::invalid_input(format!(
                    "event columns have different lengths: `{name}` has {len}, `at` has {rows}"
                )));
            }
        }
        let (names, attrs) = attrs.into_iter().unzip();
        Ok(EncodedEvents {
            lead_id,
            kind,
            at,
            names,
            attrs,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Attribute columns, borrowed (pass them as [`EventColumns::attrs`]).
    pub fn attr_columns(&self) -> Vec<AttrColumn<'_>> {
        self.names
            .iter()
            .zip(&self.attrs)
            .map(|(name, a)| AttrColumn {
                name,
                values: a.values(),
            })
            .collect()
    }

    /// The lead id column.
    pub fn lead_ids(&self) -> DictColumn<'_> {
        self.lead_id.column()
    }

    /// The columns, with the given attribute columns (from [`EncodedEvents::attr_columns`]);
    /// `lead` is empty: rows are matched by [`EncodedEvents::lead_ids`].
    pub fn with_attrs<'a>(&'a self, attrs: &'a [AttrColumn<'a>]) -> EventColumns<'a> {
        EventColumns {
            lead: &[],
            kind: self.kind.column(),
            at: &self.at,
            attrs,
        }
    }
}

impl EventTable {
    /// Checks and encodes the table: equal lengths, known attribute columns (a misspelt one
    /// is an error naming the closest attribute), values of each built-in attribute of its
    /// declared type.
    pub fn encode(&self) -> Result<EncodedEvents> {
        let rows = self.at.len();
        let bad = |message: String| Error::invalid_input(message);
        for (name, len) in [("lead_id", self.lead_id.len()), ("kind", self.kind.len())] {
            if len != rows {
                return Err(bad(format!(
                    "event columns have different lengths: `{name}` has {len}, `at` has {rows}"
                )));
            }
        }
        let mut lead_id = DictBuilder::default();
        for id in &self.lead_id {
            lead_id.push(Some(id));
        }
        let mut kind = DictBuilder::default();
        for k in &self.kind {
            kind.push(Some(k));
        }
        let mut names = Vec::new();
        let mut attrs = Vec::new();
        for (name, values) in &self.attrs {
            let def = Activity::attribute_def(name);
            if def.is_none() && name.strip_prefix("attrs.").is_none_or(str::is_empty) {
                let hint = closest(name, crate::model::ATTRIBUTES.iter().map(|a| a.name))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                let known: Vec<&str> = crate::model::ATTRIBUTES.iter().map(|a| a.name).collect();
                return Err(bad(format!(
                    "unknown event column `{name}`{hint}; attributes are {} or attrs.NAME",
                    known.join(", ")
                )));
            }
            if values.len() != rows {
                return Err(bad(format!(
                    "event columns have different lengths: `{name}` has {}, `at` has {rows}",
                    values.len()
                )));
            }
            if let Some(def) = def {
                for (row, v) in values.iter().enumerate() {
                    if let Some(v) = v {
                        let ok = match def.field_type {
                            // A whole number out of range is a `bad_value` row error of
                            // the batch (as `score` and `record` refuse the activity).
                            FieldType::Number if def.name == "seconds" => {
                                matches!(v, FieldValue::Int(_))
                            }
                            ty => v.coerce(ty).is_some(),
                        };
                        if !ok {
                            return Err(bad(format!(
                                "event column `{name}` row {row}: {} is not a {} value{}",
                                serde_json::to_string(v).unwrap_or_default(),
                                def.field_type.name(),
                                if def.name == "seconds" {
                                    " (whole seconds)"
                                } else {
                                    ""
                                }
                            )));
                        }
                    }
                }
            }
            attrs.push(OwnedAttr::from_values(name, values).map_err(bad)?);
            names.push(name.clone());
        }
        Ok(EncodedEvents {
            lead_id,
            kind,
            at: self.at.clone(),
            names,
            attrs,
        })
    }
}
