//! The lead: a person or organisation that showed interest.

use super::catalog::RecordKind;
use super::field::{FieldType, FieldValue, ValueRef};
use super::registry::{
    ColumnRole, FieldDef, Record, set_count, set_required_text, set_text, text_of,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether the lead came to us or we went to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The lead reached out (form, trial, inbound call).
    Inbound,
    /// We reached out (cold outreach, purchased list).
    Outbound,
}

/// Where a lead came from: every lead is attributable to a channel or campaign.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
///
/// ```
/// let mut lead = leadcore::Lead::new("L-1");
/// lead.firmographics.employees = Some(120);
/// lead.firmographics.industry = Some("retail".into());
/// assert_eq!(lead.firmographics.employees, Some(120));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
/// `email`, `employees`, `region`, ...: its [`Record::FIELDS`]); custom fields by their own
/// name.
///
/// ```
/// use leadcore::{FieldSource, FieldValue, Lead, ValueRef};
/// let lead: Lead = serde_json::from_str(r#"{
///     "id": "L-1",
///     "source": {"channel": "webinar"},
///     "firmographics": {"employees": 20},
///     "custom": {"budget": 50000}
/// }"#).unwrap();
/// assert_eq!(lead.field_ref("employees"), Some(ValueRef::Int(20)));
/// assert_eq!(lead.field("budget"), Some(FieldValue::Int(50000)));
/// assert_eq!(lead.field("email"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

macro_rules! lead_fields {
    ($( $name:literal : $ty:ident, $role:ident, get $get:expr, set $set:expr; )*) => {
        impl Record for Lead {
            const KIND: RecordKind = RecordKind::Lead;
            const FIELDS: &'static [FieldDef<Lead>] = &[$(
                FieldDef {
                    name: $name,
                    field_type: FieldType::$ty,
                    role: ColumnRole::$role,
                    get: $get,
                    set: $set,
                },
            )*];
            fn custom(&self) -> &BTreeMap<String, FieldValue> {
                &self.custom
            }
            fn custom_mut(&mut self) -> &mut BTreeMap<String, FieldValue> {
                &mut self.custom
            }
        }
    };
}

lead_fields! {
    "id": Text, Key, get |l| Some(ValueRef::Text(&l.id)), set |l, v| set_required_text(&mut l.id, v);
    "channel": Text, Value, get |l| text_of(&l.source.channel), set |l, v| set_text(&mut l.source.channel, v);
    "campaign": Text, Value, get |l| text_of(&l.source.campaign), set |l, v| set_text(&mut l.source.campaign, v);
    "direction": Text, Value, get |l| l.source.direction.map(|d| ValueRef::Text(d.name())), set set_direction;
    "first_name": Text, Value, get |l| text_of(&l.contact.first_name), set |l, v| set_text(&mut l.contact.first_name, v);
    "last_name": Text, Value, get |l| text_of(&l.contact.last_name), set |l, v| set_text(&mut l.contact.last_name, v);
    "email": Text, Value, get |l| text_of(&l.contact.email), set |l, v| set_text(&mut l.contact.email, v);
    "phone": Text, Value, get |l| text_of(&l.contact.phone), set |l, v| set_text(&mut l.contact.phone, v);
    "company": Text, Value, get |l| text_of(&l.contact.company), set |l, v| set_text(&mut l.contact.company, v);
    "employees": Number, Value, get |l| l.firmographics.employees.map(|n| ValueRef::Int(n.into())), set |l, v| set_count(&mut l.firmographics.employees, v);
    "users": Number, Value, get |l| l.firmographics.users.map(|n| ValueRef::Int(n.into())), set |l, v| set_count(&mut l.firmographics.users, v);
    "region": Text, Value, get |l| text_of(&l.firmographics.region), set |l, v| set_text(&mut l.firmographics.region, v);
    "industry": Text, Value, get |l| text_of(&l.firmographics.industry), set |l, v| set_text(&mut l.firmographics.industry, v);
    "title": Text, Value, get |l| text_of(&l.firmographics.title), set |l, v| set_text(&mut l.firmographics.title, v);
    "owner": Text, Value, get |l| text_of(&l.owner), set |l, v| set_text(&mut l.owner, v);
    "account_id": Text, Value, get |l| text_of(&l.account_id), set |l, v| set_text(&mut l.account_id, v);
    "created_at": DateTime, Value, get |l| l.created_at.map(ValueRef::DateTime), set set_created_at;
}

fn set_direction(l: &mut Lead, v: Option<ValueRef<'_>>) -> Result<(), String> {
    l.source.direction = match v {
        None => None,
        Some(ValueRef::Text("inbound")) => Some(Direction::Inbound),
        Some(ValueRef::Text("outbound")) => Some(Direction::Outbound),
        Some(_) => return Err("expected `inbound` or `outbound`".to_owned()),
    };
    Ok(())
}

fn set_created_at(l: &mut Lead, v: Option<ValueRef<'_>>) -> Result<(), String> {
    l.created_at = match v {
        None => None,
        Some(ValueRef::DateTime(t)) => Some(t),
        Some(ValueRef::Date(d)) => Some(d.and_time(chrono::NaiveTime::MIN).and_utc()),
        Some(_) => return Err("expected an instant".to_owned()),
    };
    Ok(())
}

impl Direction {
    /// `inbound` or `outbound`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}
