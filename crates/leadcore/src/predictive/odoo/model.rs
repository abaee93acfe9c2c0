//! Configuration, the compiled model and the training record.

use crate::error::{Error, Result};
use crate::model::{FieldSource, Lead, ValueRef};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Variable name of the stage in the frequency table (Odoo's).
pub(crate) const STAGE: &str = "stage_id";
/// Variable name of a tag in the frequency table (Odoo's).
pub(crate) const TAG: &str = "tag_id";
/// The configured field that turns tags on (Odoo's `crm.pls_fields` entry).
pub(crate) const TAGS_FIELD: &str = "tag_ids";

/// One stage of the pipeline as Odoo's PLS sees it: an id, a sequence, won or not.
///
/// ```
/// use leadcore::predictive::odoo::OdooStage;
/// assert!(OdooStage::won("won", 70).won);
/// assert!(!OdooStage::new("new", 1).won);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooStage {
    /// Stage id (compared as text; all-digit ids order numerically).
    pub id: String,
    /// Odoo's `sequence`: lower comes first.
    pub sequence: i64,
    /// Odoo's `is_won`.
    #[serde(default)]
    pub won: bool,
}

impl OdooStage {
    /// An ordinary stage.
    pub fn new(id: impl Into<String>, sequence: i64) -> Self {
        OdooStage {
            id: id.into(),
            sequence,
            won: false,
        }
    }

    /// A won stage.
    pub fn won(id: impl Into<String>, sequence: i64) -> Self {
        OdooStage {
            won: true,
            ..OdooStage::new(id, sequence)
        }
    }
}

fn default_keep_unset() -> Vec<String> {
    vec!["email_state".to_owned(), "phone_state".to_owned()]
}

/// The `odoo` mode's configuration (Odoo's `crm.pls_fields`, `crm.pls_start_date`, stages).
///
/// ```
/// use leadcore::predictive::odoo::{OdooConfig, OdooStage};
/// let c: OdooConfig = serde_json::from_str(
///     r#"{"stages":[{"id":"1","sequence":1},{"id":"4","sequence":70,"won":true}],
///         "fields":["country_id","tag_ids"]}"#).unwrap();
/// assert_eq!(c.keep_unset, ["email_state", "phone_state"]);
/// assert!(!c.bug_compatible);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooConfig {
    /// Every stage (Odoo increments stages by sequence, so all of them are needed).
    pub stages: Vec<OdooStage>,
    /// Lead fields used as variables, in order (Odoo's order of multiplication); `tag_ids`
    /// turns on one `tag_id` variable per tag.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Fields counted even when unset, as `"False"`.
    #[serde(default = "default_keep_unset")]
    pub keep_unset: Vec<String>,
    /// Leads created before this day are ignored by training and live updates.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// Reproduce Odoo's quirks (see the module documentation); off by default.
    #[serde(default)]
    pub bug_compatible: bool,
}

impl OdooConfig {
    /// A configuration with these stages and no fields.
    pub fn new(stages: Vec<OdooStage>) -> Self {
        OdooConfig {
            stages,
            fields: Vec::new(),
            keep_unset: default_keep_unset(),
            start_date: None,
            bug_compatible: false,
        }
    }

    /// The same with these fields.
    pub fn with_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// The same with `bug_compatible` set.
    pub fn bug_compatible(mut self, on: bool) -> Self {
        self.bug_compatible = on;
        self
    }
}

/// Won, lost or still open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OdooStatus {
    /// Neither won nor lost.
    #[default]
    Open,
    /// Won (Odoo: probability 100 / a won stage).
    Won,
    /// Lost (Odoo: archived with probability 0).
    Lost,
}

/// One lead as the `odoo` mode reads it: team, stage, status, field values as text, tags.
///
/// Values are what Odoo would turn into strings: pass only *set* values (Python-truthy: no
/// `0`, `false` or empty text; an empty string counts as unset). [`OdooRecord::from_lead`]
/// reads built-in and custom lead fields through the field registry.
///
/// ```
/// use leadcore::predictive::odoo::{OdooRecord, OdooStatus};
/// let r = OdooRecord::new("7").team("1").stage("2").status(OdooStatus::Won).tag("vip");
/// assert_eq!(r.tags, ["vip"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooRecord {
    /// Lead id.
    pub id: String,
    /// Sales team, if any.
    #[serde(default)]
    pub team: Option<String>,
    /// Stage id, if any.
    #[serde(default)]
    pub stage: Option<String>,
    /// Won, lost or open (training reads only won and lost records).
    #[serde(default)]
    pub status: OdooStatus,
    /// Field values as text, by field name; absent means unset.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Tag ids.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Day of creation (checked against [`OdooConfig::start_date`]).
    #[serde(default)]
    pub create_date: Option<NaiveDate>,
}

impl OdooRecord {
    /// A record with only an id.
    pub fn new(id: impl Into<String>) -> Self {
        OdooRecord {
            id: id.into(),
            ..OdooRecord::default()
        }
    }

    /// With this team.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// With this stage.
    pub fn stage(mut self, stage: impl Into<String>) -> Self {
        self.stage = Some(stage.into());
        self
    }

    /// With this status.
    pub fn status(mut self, status: OdooStatus) -> Self {
        self.status = status;
        self
    }

    /// With this field value.
    pub fn value(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.values.insert(field.into(), value.into());
        self
    }

    /// With one more tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// A record from a [`Lead`]: each of `fields` read through the field registry (built-in
    /// fields, then custom ones) and written as Odoo would (`True`, `42`, `2.5`, dates as
    /// `YYYY-MM-DD`); unset and falsy values (`false`, `0`, empty text or list) are left out.
    /// Team, stage, status and tags are not lead fields here: the caller sets them.
    ///
    /// ```
    /// use leadcore::Lead;
    /// use leadcore::predictive::odoo::OdooRecord;
    /// let mut lead = Lead::new("L-1");
    /// lead.firmographics.employees = Some(20);
    /// let r = OdooRecord::from_lead(&lead, &["employees", "budget"]).team("1");
    /// assert_eq!(r.values.get("employees").map(String::as_str), Some("20"));
    /// assert!(!r.values.contains_key("budget"));
    /// ```
    pub fn from_lead(lead: &Lead, fields: &[&str]) -> Self {
        let mut r = OdooRecord::new(lead.id.clone());
        for &f in fields {
            if let Some(v) = lead.field_ref(f).and_then(odoo_text) {
                r.values.insert(f.to_owned(), v);
            }
        }
        r
    }
}

/// A value as Odoo's `str(value)` would write it, or `None` when Python finds it falsy.
fn odoo_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Bool(false) | ValueRef::Int(0) => None,
        ValueRef::Bool(true) => Some("True".to_owned()),
        ValueRef::Int(i) => Some(i.to_string()),
        ValueRef::Float(f) if f == 0.0 || f.is_nan() => None,
        ValueRef::Float(f) => Some(python_float_repr(f)),
        ValueRef::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
        ValueRef::DateTime(t) => Some(t.format("%Y-%m-%d %H:%M:%S").to_string()),
        ValueRef::Text("") => None,
        ValueRef::Text(s) => Some(s.to_owned()),
        ValueRef::List([]) => None,
        ValueRef::List(items) => Some(
            items
                .iter()
                .filter_map(|i| odoo_text(i.as_value_ref()))
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

/// Python's `repr` of a float for the usual range (`20.0`, `2.5`).
fn python_float_repr(f: f64) -> String {
    let s = format!("{f}");
    if s.contains(['.', 'e', 'E', 'i', 'N']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// Odoo's order of ids: all-digit ids numerically, before any other id, others as text.
pub(crate) fn id_order(a: &str, b: &str) -> Ordering {
    fn digits(s: &str) -> bool {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
    }
    match (digits(a), digits(b)) {
        (true, true) => {
            let (ta, tb) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
            ta.len()
                .cmp(&tb.len())
                .then_with(|| ta.cmp(tb))
                .then_with(|| a.cmp(b))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// Odoo's `team_id asc`: ids as [`id_order`], no team last.
pub(crate) fn team_order(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => id_order(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A validated configuration: stage lookups, the first stage, the variable list.
///
/// ```
/// use leadcore::predictive::odoo::{OdooConfig, OdooModel, OdooStage};
/// let bad = OdooConfig::new(vec![]);
/// assert_eq!(OdooModel::new(bad).unwrap_err().code(), "input.invalid");
/// ```
#[derive(Debug, Clone)]
pub struct OdooModel {
    pub(crate) config: OdooConfig,
    /// Stage id → index in `config.stages`.
    pub(crate) stage_index: BTreeMap<String, usize>,
    /// Index of the first stage (lowest sequence, then id).
    pub(crate) first_stage: usize,
    /// Configured fields without `tag_ids`, in order.
    pub(crate) fields: Vec<String>,
    /// Whether tags are variables.
    pub(crate) use_tags: bool,
    /// Per configured field: counted as `"False"` when unset.
    pub(crate) keep_unset: Vec<bool>,
}

impl OdooModel {
    /// Checks the configuration: at least one stage, stage ids unique and non-empty, field
    /// names unique, non-empty and not `stage_id`, `team_id` or `tag_id`.
    pub fn new(config: OdooConfig) -> Result<Self> {
        let mut problems = Vec::new();
        if config.stages.is_empty() {
            problems.push("odoo: at least one stage is needed".to_owned());
        }
        let mut stage_index = BTreeMap::new();
        for (i, s) in config.stages.iter().enumerate() {
            if s.id.is_empty() {
                problems.push(format!("odoo: stages[{i}] has an empty id"));
            } else if stage_index.insert(s.id.clone(), i).is_some() {
                problems.push(format!("odoo: stage `{}` is listed twice", s.id));
            }
        }
        let mut seen = BTreeSet::new();
        let mut fields = Vec::new();
        let mut use_tags = false;
        for f in &config.fields {
            if f.is_empty() || [STAGE, "team_id", TAG].contains(&f.as_str()) {
                problems.push(format!("odoo: `{f}` cannot be a configured field"));
            } else if !seen.insert(f.as_str()) {
                problems.push(format!("odoo: field `{f}` is listed twice"));
            } else if f == TAGS_FIELD {
                use_tags = true;
            } else {
                fields.push(f.clone());
            }
        }
        if !problems.is_empty() {
            return Err(Error::invalid_input(problems.join("; ")));
        }
        let first_stage = (0..config.stages.len())
            .min_by(|&a, &b| {
                let (sa, sb) = (&config.stages[a], &config.stages[b]);
                sa.sequence
                    .cmp(&sb.sequence)
                    .then_with(|| id_order(&sa.id, &sb.id))
            })
            .unwrap_or(0);
        let keep_unset = fields
            .iter()
            .map(|f| config.keep_unset.iter().any(|k| k == f))
            .collect();
        Ok(OdooModel {
            config,
            stage_index,
            first_stage,
            fields,
            use_tags,
            keep_unset,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &OdooConfig {
        &self.config
    }

    /// The first stage's id (the prior's row).
    pub fn first_stage(&self) -> &str {
        &self.config.stages[self.first_stage].id
    }

    pub(crate) fn stage(&self, id: &str) -> Result<&OdooStage> {
        self.stage_index
            .get(id)
            .map(|&i| &self.config.stages[i])
            .ok_or_else(|| Error::invalid_input(format!("odoo: unknown stage `{id}`")))
    }

    pub(crate) fn is_won_stage(&self, id: &str) -> bool {
        self.stage_index
            .get(id)
            .is_some_and(|&i| self.config.stages[i].won)
    }

    /// Whether the record counts (its creation day is not before the start date).
    pub(crate) fn in_window(&self, r: &OdooRecord) -> bool {
        match (self.config.start_date, r.create_date) {
            (Some(start), Some(created)) => created >= start,
            _ => true,
        }
    }

    /// The record's (variable, value) pairs other than the stage, in Odoo's order: fields in
    /// configuration order, then tags (each once, first occurrence kept).
    pub(crate) fn value_vars<'r>(&'r self, r: &'r OdooRecord) -> Vec<(&'r str, &'r str)> {
        let mut out = Vec::with_capacity(self.fields.len() + r.tags.len());
        for (f, &keep) in self.fields.iter().zip(&self.keep_unset) {
            match r.values.get(f).map(String::as_str) {
                Some(v) if !v.is_empty() => out.push((f.as_str(), v)),
                _ if keep => out.push((f.as_str(), "False")),
                _ => {}
            }
        }
        if self.use_tags {
            let mut seen = BTreeSet::new();
            for t in &r.tags {
                if !t.is_empty() && seen.insert(t.as_str()) {
                    out.push((TAG, t.as_str()));
                }
            }
        }
        out
    }

    /// The stage of a record, checked: `None` when unset (or empty), an error when unknown.
    pub(crate) fn record_stage<'r>(&self, r: &'r OdooRecord) -> Result<Option<&'r str>> {
        match r.stage.as_deref() {
            None | Some("") => Ok(None),
            Some(s) => self.stage(s).map(|_| Some(s)),
        }
    }
}
