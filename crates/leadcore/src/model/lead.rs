//! The lead: a person or organisation that showed interest.

use super::field::{FieldSource, FieldType, FieldValue};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether the lead came to us or we went to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The lead reached out (form, trial, inbound call).
    Inbound,
    /// We reached out (cold outreach, purchased list).
    Outbound,
}

/// Where a lead came from: every lead is attributable to a channel or campaign.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadSource {
    /// Channel, e.g. `"organic_search"`, `"paid_social"`, `"referral"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Campaign identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Inbound or outbound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
}

/// How to reach the lead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Company name as the lead gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

/// Facts about the lead's organisation and role: the *fit* axis of scoring.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Firmographics {
    /// Company size in employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
    /// Number of users (seats) the lead would bring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<u32>,
    /// Sales region or territory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Industry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Job title of the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A lead. Built-in fields are addressed by guards and rules under flat names (`channel`,
/// `email`, `employees`, `region`, ...; see [`Lead::BUILTIN_FIELDS`]); custom fields by
/// their own name.
///
/// ```
/// use leadcore::{FieldSource, FieldValue, Lead};
/// let lead: Lead = serde_json::from_str(r#"{
///     "id": "L-1",
///     "source": {"channel": "webinar"},
///     "firmographics": {"employees": 20},
///     "custom": {"budget": 50000}
/// }"#).unwrap();
/// assert_eq!(lead.field("employees"), Some(FieldValue::Int(20)));
/// assert_eq!(lead.field("budget"), Some(FieldValue::Int(50000)));
/// assert_eq!(lead.field("email"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lead {
    /// Host-assigned identifier.
    pub id: String,
    /// Where the lead came from.
    #[serde(default)]
    pub source: LeadSource,
    /// Contact details.
    #[serde(default)]
    pub contact: Contact,
    /// Organisation facts.
    #[serde(default)]
    pub firmographics: Firmographics,
    /// Owning rep id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Account the lead belongs to, once matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// When the lead was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Custom fields, typed by the playbook's `fields` declarations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, FieldValue>,
}

impl Lead {
    /// Built-in field names a guard or rule may use, with their types.
    pub const BUILTIN_FIELDS: &'static [(&'static str, FieldType)] = &[
        ("id", FieldType::Text),
        ("channel", FieldType::Text),
        ("campaign", FieldType::Text),
        ("direction", FieldType::Text),
        ("first_name", FieldType::Text),
        ("last_name", FieldType::Text),
        ("email", FieldType::Text),
        ("phone", FieldType::Text),
        ("company", FieldType::Text),
        ("employees", FieldType::Number),
        ("users", FieldType::Number),
        ("region", FieldType::Text),
        ("industry", FieldType::Text),
        ("title", FieldType::Text),
        ("owner", FieldType::Text),
        ("account_id", FieldType::Text),
        ("created_at", FieldType::DateTime),
    ];

    /// A lead with only its id set.
    ///
    /// ```
    /// let lead = leadcore::Lead::new("L-7");
    /// assert_eq!(lead.id, "L-7");
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        Lead {
            id: id.into(),
            ..Lead::default()
        }
    }
}

fn text(v: &Option<String>) -> Option<FieldValue> {
    v.as_ref().map(|s| FieldValue::Text(s.clone()))
}

impl FieldSource for Lead {
    fn field(&self, name: &str) -> Option<FieldValue> {
        match name {
            "id" => Some(FieldValue::Text(self.id.clone())),
            "channel" => text(&self.source.channel),
            "campaign" => text(&self.source.campaign),
            "direction" => self.source.direction.map(|d| {
                FieldValue::Text(
                    match d {
                        Direction::Inbound => "inbound",
                        Direction::Outbound => "outbound",
                    }
                    .to_owned(),
                )
            }),
            "first_name" => text(&self.contact.first_name),
            "last_name" => text(&self.contact.last_name),
            "email" => text(&self.contact.email),
            "phone" => text(&self.contact.phone),
            "company" => text(&self.contact.company),
            "employees" => self
                .firmographics
                .employees
                .map(|n| FieldValue::Int(n.into())),
            "users" => self.firmographics.users.map(|n| FieldValue::Int(n.into())),
            "region" => text(&self.firmographics.region),
            "industry" => text(&self.firmographics.industry),
            "title" => text(&self.firmographics.title),
            "owner" => text(&self.owner),
            "account_id" => text(&self.account_id),
            "created_at" => self.created_at.map(FieldValue::DateTime),
            other => self.custom.get(other).cloned(),
        }
    }
}
