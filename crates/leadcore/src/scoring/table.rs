//! An owned event table with string columns: the form the Python and C doors (and JSON
//! callers) hand to batch scoring. It is dictionary-encoded once, then scored on the
//! columnar path.

use super::batch::{BatchScores, DictColumn, EventColumns, NULL_CODE, RowError};
use super::model::Scoring;
use crate::error::{Error, Result};
use crate::model::Lead;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Events as plain columns of equal length.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Lead, Playbook};
/// use leadcore::scoring::EventTable;
/// let table: EventTable = serde_json::from_str(r#"{
///   "lead_id": ["A", "A", "B"],
///   "kind": ["trial_signup", "email_opened", "email_opened"],
///   "at": [1767225600, 1767225600, 1767225600]
/// }"#).unwrap();
/// let now = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
/// let pb = Playbook::default_playbook();
/// let out = pb.scoring().score_table(&[Lead::new("A"), Lead::new("B")], &table, now).unwrap();
/// assert_eq!(out.score(0, "engagement"), Some(27.0));
/// assert_eq!(out.score(1, "engagement"), Some(2.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventTable {
    /// The lead each event belongs to (matched against the leads' ids).
    pub lead_id: Vec<String>,
    /// Activity kind names.
    pub kind: Vec<String>,
    /// Unix seconds.
    pub at: Vec<i64>,
    /// Page of web visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<Vec<Option<String>>>,
    /// Seconds on page / duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<Vec<Option<i64>>>,
    /// Campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<Vec<Option<String>>>,
    /// Form id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_id: Option<Vec<Option<String>>>,
    /// Content id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_id: Option<Vec<Option<String>>>,
}

struct Encoded {
    codes: Vec<u32>,
    dictionary: Vec<String>,
}

impl Encoded {
    fn column(&self) -> DictColumn<'_> {
        DictColumn {
            codes: &self.codes,
            dictionary: &self.dictionary,
        }
    }
}

fn encode<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Encoded {
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut dictionary = Vec::new();
    let codes = values
        .map(|v| match v {
            None => NULL_CODE,
            Some(s) => *index.entry(s).or_insert_with(|| {
                dictionary.push(s.to_owned());
                (dictionary.len() - 1) as u32
            }),
        })
        .collect();
    Encoded { codes, dictionary }
}

fn encode_opt(col: &Option<Vec<Option<String>>>) -> Option<Encoded> {
    col.as_ref().map(|c| encode(c.iter().map(Option::as_deref)))
}

impl Scoring {
    /// Scores an [`EventTable`] for `leads` at `now`: events of unknown lead ids become row
    /// errors; everything else as [`Scoring::score_columns`].
    pub fn score_table(
        &self,
        leads: &[Lead],
        table: &EventTable,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        let ids: BTreeMap<&str, u32> = leads
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.as_str(), i as u32))
            .collect();
        if ids.len() != leads.len() {
            return Err(Error::InvalidInput {
                message: "lead ids are not unique".to_owned(),
            });
        }
        let unknown = u32::MAX;
        let lead: Vec<u32> = table
            .lead_id
            .iter()
            .map(|id| ids.get(id.as_str()).copied().unwrap_or(unknown))
            .collect();
        let kind = encode(table.kind.iter().map(|k| Some(k.as_str())));
        let (page, campaign, form_id, content_id) = (
            encode_opt(&table.page),
            encode_opt(&table.campaign),
            encode_opt(&table.form_id),
            encode_opt(&table.content_id),
        );
        let seconds: Option<Vec<i64>> = table.seconds.as_ref().map(|c| {
            c.iter()
                .map(|v| v.filter(|s| *s >= 0).unwrap_or(-1))
                .collect()
        });
        let columns = EventColumns {
            lead: &lead,
            kind: kind.column(),
            at: &table.at,
            page: page.as_ref().map(Encoded::column),
            seconds: seconds.as_deref(),
            campaign: campaign.as_ref().map(Encoded::column),
            form_id: form_id.as_ref().map(Encoded::column),
            content_id: content_id.as_ref().map(Encoded::column),
        };
        let mut out = self.score_columns(leads, &columns, now)?;
        for e in &mut out.row_errors {
            if e.reason == "unknown_lead" {
                *e = RowError {
                    row: e.row,
                    reason: e.reason.clone(),
                    message: format!(
                        "no lead with id `{}`",
                        table.lead_id.get(e.row).map_or("", String::as_str)
                    ),
                };
            }
        }
        Ok(out)
    }
}
