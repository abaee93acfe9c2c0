//! Event rows back to [`Activity`] values, grouped by lead: for engines that read a lead's
//! whole timeline (SLA clocks) rather than fold events into sums.

use super::{EventColumns, NULL_CODE, RowError, RowErrorReason};
use crate::model::{Activity, ActivityKind};
use chrono::DateTime;

impl EventColumns<'_> {
    /// Every row as an [`Activity`] of its lead (`lead[row]`, an index below `leads`), each
    /// lead's activities in time order. A row that cannot be one (an unknown lead, no kind,
    /// no time, a value its attribute cannot hold) is a [`RowError`], never dropped silently.
    ///
    /// ```
    /// use leadcore::columnar::{AttrColumn, EventTable};
    /// let table: EventTable = serde_json::from_str(r#"{
    ///   "lead_id": ["B", "A", "B"], "kind": ["call", "web_visit", "call"], "at": [120, 60, 0],
    ///   "page": [null, "/pricing", null]
    /// }"#).unwrap();
    /// let encoded = table.encode().unwrap();
    /// let attrs = encoded.attr_columns();
    /// let leads = [leadcore::Lead::new("A"), leadcore::Lead::new("B")];
    /// let index = leadcore::columnar::lead_index(&leads, encoded.lead_ids()).unwrap();
    /// let columns = leadcore::EventColumns { lead: &index, ..encoded.with_attrs(&attrs) };
    /// let (per_lead, errors) = columns.activities(2);
    /// assert!(errors.is_empty());
    /// assert_eq!(per_lead[0][0].page.as_deref(), Some("/pricing"));
    /// assert_eq!(per_lead[1].iter().map(|a| a.at.timestamp()).collect::<Vec<_>>(), [0, 120]);
    /// ```
    pub fn activities(&self, leads: usize) -> (Vec<Vec<Activity>>, Vec<RowError>) {
        let mut out: Vec<Vec<Activity>> = vec![Vec::new(); leads];
        let mut errors = Vec::new();
        let kinds: Vec<ActivityKind> = self
            .kind
            .dictionary
            .iter()
            .map(|k| ActivityKind::parse(k))
            .collect();
        let builtin: Vec<Option<&crate::model::AttributeDef>> = self
            .attrs
            .iter()
            .map(|c| Activity::attribute_def(c.name))
            .collect();
        'rows: for row in 0..self.at.len() {
            let lead = self.lead.get(row).map_or(usize::MAX, |&l| l as usize);
            if lead >= leads {
                errors.push(RowError {
                    row,
                    reason: RowErrorReason::UnknownLead,
                    message: "the event's lead is not among the leads".to_owned(),
                });
                continue;
            }
            let code = self.kind.codes.get(row).copied().unwrap_or(NULL_CODE);
            let Some(kind) = kinds.get(code as usize) else {
                errors.push(RowError {
                    row,
                    reason: RowErrorReason::BadValue,
                    message: "the event has no kind".to_owned(),
                });
                continue;
            };
            let Some(at) = DateTime::from_timestamp(self.at[row], 0) else {
                errors.push(RowError {
                    row,
                    reason: RowErrorReason::InvalidTime,
                    message: if self.at[row] == super::NULL_TIME {
                        "the event has no time".to_owned()
                    } else {
                        format!("event time {} is not a representable instant", self.at[row])
                    },
                });
                continue;
            };
            let mut activity = Activity::new(kind.clone(), at);
            for (c, def) in self.attrs.iter().zip(&builtin) {
                let value = c.values.get(row);
                match def {
                    Some(def) => {
                        if let Err(why) = def.set(&mut activity, value) {
                            errors.push(RowError {
                                row,
                                reason: RowErrorReason::BadValue,
                                message: format!("event column `{}`: {why}", c.name),
                            });
                            continue 'rows;
                        }
                    }
                    None => {
                        if let Some(v) = value {
                            let key = c.name.strip_prefix("attrs.").unwrap_or(c.name);
                            activity.attrs.insert(key.to_owned(), v.to_owned_value());
                        }
                    }
                }
            }
            out[lead].push(activity);
        }
        for list in &mut out {
            list.sort_by_key(|a| a.at);
        }
        (out, errors)
    }
}
