//! An owned event table with string columns: the form the Python and C doors (and JSON
//! callers) hand to batch scoring. It is dictionary-encoded once, then scored on the
//! columnar path.

use super::batch::{BatchScores, DictColumn, EventColumns, NULL_CODE};
use super::model::Scoring;
use crate::error::{Error, Result};
use crate::model::Lead;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
        let lead_id = encode(table.lead_id.iter().map(|k| Some(k.as_str())));
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
            lead: &[],
            kind: kind.column(),
            at: &table.at,
            page: page.as_ref().map(Encoded::column),
            seconds: seconds.as_deref(),
            campaign: campaign.as_ref().map(Encoded::column),
            form_id: form_id.as_ref().map(Encoded::column),
            content_id: content_id.as_ref().map(Encoded::column),
        };
        self.score_columns_by_id(leads, lead_id.column(), &columns, now)
    }

    /// [`Scoring::score_columns`] with each row's lead given by id, as a dictionary column
    /// (`events.lead` is ignored): lead ids must be unique; a row whose id matches no lead,
    /// or has none, is an `unknown_lead` row error naming the id.
    pub fn score_columns_by_id(
        &self,
        leads: &[Lead],
        lead_ids: DictColumn<'_>,
        events: &EventColumns<'_>,
        now: DateTime<Utc>,
    ) -> Result<BatchScores> {
        let lead = lead_index(leads, lead_ids)?;
        let mut out = self.score_columns(
            leads,
            &EventColumns {
                lead: &lead,
                ..*events
            },
            now,
        )?;
        for e in &mut out.row_errors {
            if e.reason == "unknown_lead" {
                let id = lead_ids
                    .codes
                    .get(e.row)
                    .and_then(|&c| lead_ids.dictionary.get(c as usize));
                e.message = match id {
                    Some(id) => format!("no lead with id `{id}`"),
                    None => "the event has no lead id".to_owned(),
                };
            }
        }
        Ok(out)
    }
}

/// Each row's index in `leads` for the row's lead id (`u32::MAX` for an id no lead has, or
/// none): what [`Scoring::score_columns_by_id`] scores with. Lead ids must be unique.
///
/// ```
/// use leadcore::{DictColumn, Lead};
/// let dictionary = ["B".to_owned(), "A".to_owned(), "Z".to_owned()];
/// let ids = DictColumn { codes: &[1, 0, 2, u32::MAX], dictionary: &dictionary };
/// let rows = leadcore::scoring::lead_index(&[Lead::new("A"), Lead::new("B")], ids).unwrap();
/// assert_eq!(rows, [0, 1, u32::MAX, u32::MAX]);
/// ```
pub fn lead_index(leads: &[Lead], lead_ids: DictColumn<'_>) -> Result<Vec<u32>> {
    let ids: HashMap<&str, u32> = leads
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i as u32))
        .collect();
    if ids.len() != leads.len() {
        return Err(Error::InvalidInput {
            message: "lead ids are not unique".to_owned(),
        });
    }
    let entries: Vec<u32> = lead_ids
        .dictionary
        .iter()
        .map(|id| ids.get(id.as_str()).copied().unwrap_or(u32::MAX))
        .collect();
    Ok(lead_ids
        .codes
        .iter()
        .map(|&c| entries.get(c as usize).copied().unwrap_or(u32::MAX))
        .collect())
}
