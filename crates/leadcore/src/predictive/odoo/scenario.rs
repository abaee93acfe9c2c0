//! One self-contained `odoo` run as data (the shared vectors' `odoo_score` event): train or
//! load a table, apply live writes, score leads.

use super::live::{LiveSemantics, OdooLiveLead, OdooWrite, Transition};
use super::model::{OdooConfig, OdooModel, OdooRecord};
use super::predict::OdooPrediction;
use super::table::{FrequencyRow, FrequencyTable};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// One write of a scenario: the lead's id and the keys written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteInput {
    /// Id of a lead in [`OdooScoreInput::live`].
    pub id: String,
    /// The keys written.
    #[serde(flatten)]
    pub write: OdooWrite,
}

/// An `odoo` run: `config`; a table from `train` (closed records, a rebuild) or `table` (not
/// both; neither is an empty table); `writes` applied in order to the `live` leads under
/// `semantics`; then `score` scored as one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooScoreInput {
    /// The configuration.
    pub config: OdooConfig,
    /// Closed (and open, ignored) records to train on.
    #[serde(default)]
    pub train: Option<Vec<OdooRecord>>,
    /// A table to start from.
    #[serde(default)]
    pub table: Option<FrequencyTable>,
    /// Leads the writes act on.
    #[serde(default)]
    pub live: Vec<OdooLiveLead>,
    /// Writes, in order.
    #[serde(default)]
    pub writes: Vec<WriteInput>,
    /// Live-update semantics.
    #[serde(default)]
    pub semantics: LiveSemantics,
    /// Leads to score.
    #[serde(default)]
    pub score: Vec<OdooRecord>,
    /// Explain each score.
    #[serde(default)]
    pub explain: bool,
    /// Return the final table's rows (only these variables, when given and not empty).
    #[serde(default)]
    pub show_table: Option<Vec<String>>,
}

/// The outcome of an [`OdooScoreInput`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OdooScoreOutput {
    /// Per write, the changes it counted.
    pub writes: Vec<Vec<Transition>>,
    /// The scores, in order.
    pub predictions: Vec<OdooPrediction>,
    /// The table's rows, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<Vec<FrequencyRow>>,
}

impl OdooScoreInput {
    /// Reads one from JSON: a stored `table` of another `schema_version` is a
    /// `state.unsupported_version` error (as for every stored form), anything else wrong an
    /// `input.invalid` one.
    ///
    /// ```
    /// use leadcore::predictive::odoo::OdooScoreInput;
    /// let err = OdooScoreInput::from_json(r#"{"config": {"stages": []},
    ///   "table": {"schema_version": 9, "rows": []}, "score": []}"#).unwrap_err();
    /// assert_eq!(err.code(), "state.unsupported_version");
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        let bad = |e: serde_json::Error| Error::invalid_input(format!("odoo_score: {e}"));
        let value: serde_json::Value = serde_json::from_str(text).map_err(bad)?;
        let found = value
            .get("table")
            .and_then(|t| t.get("schema_version"))
            .and_then(serde_json::Value::as_u64);
        if let Some(found) = found
            && found != u64::from(super::table::SCHEMA_VERSION)
        {
            return Err(Error::from(crate::error::ErrorKind::UnsupportedVersion {
                what: "odoo frequency table".to_owned(),
                found: u32::try_from(found).unwrap_or(u32::MAX),
                supported: super::table::SCHEMA_VERSION,
            }));
        }
        serde_json::from_value(value).map_err(bad)
    }
}

/// Runs an [`OdooScoreInput`].
///
/// ```
/// use leadcore::predictive::odoo::{OdooScoreInput, odoo_score};
/// let input = OdooScoreInput::from_json(r#"{
///   "config": {"stages": [{"id":"1","sequence":1},{"id":"9","sequence":70,"won":true}]},
///   "train": [{"id":"a","stage":"1","status":"lost"},{"id":"b","stage":"9","status":"won"}],
///   "score": [{"id":"c","stage":"1"}]}"#).unwrap();
/// assert_eq!(odoo_score(&input).unwrap().predictions[0].probability, Some(50.0));
/// ```
pub fn odoo_score(input: &OdooScoreInput) -> Result<OdooScoreOutput> {
    let model = OdooModel::new(input.config.clone())?;
    let mut table = match (&input.train, &input.table) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_input(
                "odoo_score: give `train` or `table`, not both",
            ));
        }
        (Some(records), None) => model.train(records)?,
        (None, Some(t)) => t.clone(),
        (None, None) => FrequencyTable::new(),
    };
    let mut live = input.live.clone();
    let mut writes = Vec::with_capacity(input.writes.len());
    for w in &input.writes {
        let lead = live
            .iter_mut()
            .find(|l| l.record.id == w.id)
            .ok_or_else(|| Error::invalid_input(format!("odoo_score: no live lead `{}`", w.id)))?;
        writes.push(model.apply_write(&mut table, lead, &w.write, input.semantics)?);
    }
    let predictions = model.predict_batch(&table, &input.score, input.explain)?;
    let table = input.show_table.as_ref().map(|vars| {
        table
            .rows()
            .into_iter()
            .filter(|r| vars.is_empty() || vars.contains(&r.variable))
            .collect()
    });
    Ok(OdooScoreOutput {
        writes,
        predictions,
        table,
    })
}
