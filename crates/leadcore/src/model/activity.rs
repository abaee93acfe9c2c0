//! Activities: everything a lead does and everything a rep does to it.

use super::field::{FieldType, FieldValue, ValueRef};
use super::registry::{set_count, set_text, text_of};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

macro_rules! activity_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal ),* $(,)?) => {
        /// The kind of an activity. Known kinds have variants; anything else a host records is
        /// [`ActivityKind::Custom`] (a playbook declares the custom kinds it uses).
        ///
        /// Written as a snake_case string:
        /// ```
        /// use leadcore::ActivityKind;
        /// let k: ActivityKind = serde_json::from_str("\"meeting_held\"").unwrap();
        /// assert_eq!(k, ActivityKind::MeetingHeld);
        /// let c: ActivityKind = serde_json::from_str("\"webinar_attended\"").unwrap();
        /// assert_eq!(c, ActivityKind::Custom("webinar_attended".into()));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ActivityKind {
            $( $(#[$doc])* $variant, )*
            /// A host-defined kind.
            Custom(String),
        }

        impl ActivityKind {
            /// Every built-in kind name.
            pub const BUILTIN: &'static [&'static str] = &[$($name),*];

            /// The kind's name as written in data.
            pub fn name(&self) -> &str {
                match self {
                    $( ActivityKind::$variant => $name, )*
                    ActivityKind::Custom(s) => s,
                }
            }

            /// Parses a name; unknown names become [`ActivityKind::Custom`].
            pub fn parse(name: &str) -> Self {
                match name {
                    $( $name => ActivityKind::$variant, )*
                    other => ActivityKind::Custom(other.to_owned()),
                }
            }
        }
    };
}

activity_kinds! {
    /// A phone call.
    Call = "call",
    /// An e-mail sent to the lead.
    EmailSent = "email_sent",
    /// The lead opened an e-mail.
    EmailOpened = "email_opened",
    /// The lead clicked a link in an e-mail.
    EmailClicked = "email_clicked",
    /// The lead forwarded an e-mail.
    EmailForwarded = "email_forwarded",
    /// The lead replied to an e-mail.
    EmailReplied = "email_replied",
    /// The lead unsubscribed.
    EmailUnsubscribed = "email_unsubscribed",
    /// A web page visit (`page`, `seconds` on page).
    WebVisit = "web_visit",
    /// A form submission (`form_id`).
    FormSubmitted = "form_submitted",
    /// A content download (`content_id`).
    ContentDownloaded = "content_downloaded",
    /// A free-trial signup.
    TrialSignup = "trial_signup",
    /// A meeting or demo was booked.
    MeetingScheduled = "meeting_scheduled",
    /// A meeting or demo took place.
    MeetingHeld = "meeting_held",
    /// The lead did not show up to a meeting.
    MeetingNoShow = "meeting_no_show",
    /// A task was assigned to a rep.
    TaskAssigned = "task_assigned",
    /// A task was done.
    TaskDone = "task_done",
}

impl fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ActivityKind {
    /// Whether the name is one of the built-in kinds.
    ///
    /// ```
    /// assert!(leadcore::ActivityKind::is_builtin("call"));
    /// assert!(!leadcore::ActivityKind::is_builtin("webinar_attended"));
    /// ```
    pub fn is_builtin(name: &str) -> bool {
        Self::BUILTIN.contains(&name)
    }
}

impl Serialize for ActivityKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ActivityKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(d)?;
        if s.is_empty() {
            return Err(serde::de::Error::custom("activity kind must not be empty"));
        }
        Ok(ActivityKind::parse(&s))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for ActivityKind {
    fn schema_name() -> Cow<'static, str> {
        "ActivityKind".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A built-in activity kind or a custom kind declared in `activity_kinds`.",
            "type": "string",
            "minLength": 1,
            "examples": Self::BUILTIN,
        })
    }
}

/// One thing that happened: a lead's engagement or a rep's touch.
///
/// ```
/// use leadcore::{Activity, ActivityKind};
/// let a: Activity = serde_json::from_str(r#"{
///     "kind": "web_visit", "at": "2026-03-01T10:00:00Z",
///     "page": "/pricing", "seconds": 95
/// }"#).unwrap();
/// assert_eq!(a.kind, ActivityKind::WebVisit);
/// assert_eq!(a.seconds, Some(95));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// What happened.
    pub kind: ActivityKind,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Host-assigned identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The lead or opportunity it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    /// The rep who did it, for rep-side activities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Page path of a web visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Seconds spent (time on page, call duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    /// E-mail or ad campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Form id of a form submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_id: Option<String>,
    /// Content id of a download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
    /// Any other attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, FieldValue>,
}

impl Activity {
    /// An activity of `kind` at `at`, every optional attribute empty.
    pub fn new(kind: ActivityKind, at: DateTime<Utc>) -> Self {
        Activity {
            kind,
            at,
            id: None,
            subject_id: None,
            actor: None,
            page: None,
            seconds: None,
            campaign: None,
            form_id: None,
            content_id: None,
            attrs: BTreeMap::new(),
        }
    }
}

/// One built-in attribute of an activity: name, type, getter and setter. Any other attribute
/// lives in [`Activity::attrs`] and is addressed as `attrs.NAME`.
pub struct AttributeDef {
    /// Name used by conditions and as an event column name.
    pub name: &'static str,
    /// Declared type.
    pub field_type: FieldType,
    get: for<'a> fn(&'a Activity) -> Option<ValueRef<'a>>,
    set: fn(&mut Activity, Option<ValueRef<'_>>) -> Result<(), String>,
    /// For a whole-number attribute: the range of integers it holds (what lets a batch
    /// check an integer column in one pass instead of row by row).
    pub(crate) int_range: Option<(i64, i64)>,
}

impl fmt::Debug for AttributeDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttributeDef")
            .field("name", &self.name)
            .field("field_type", &self.field_type)
            .finish()
    }
}

impl AttributeDef {
    /// The attribute's value in `activity`.
    pub fn get<'a>(&self, activity: &'a Activity) -> Option<ValueRef<'a>> {
        (self.get)(activity)
    }
    /// Sets (or clears) the attribute; the message says what is wrong with the value.
    pub fn set(&self, activity: &mut Activity, value: Option<ValueRef<'_>>) -> Result<(), String> {
        (self.set)(activity, value)
    }
}

/// Every built-in activity attribute.
///
/// ```
/// use leadcore::model::ATTRIBUTES;
/// let names: Vec<&str> = ATTRIBUTES.iter().map(|a| a.name).collect();
/// assert_eq!(names, ["page", "seconds", "campaign", "form_id", "content_id"]);
/// ```
pub const ATTRIBUTES: &[AttributeDef] = &[
    AttributeDef {
        name: "page",
        field_type: FieldType::Text,
        get: |a| text_of(&a.page),
        set: |a, v| set_text(&mut a.page, v),
        int_range: None,
    },
    AttributeDef {
        name: "seconds",
        field_type: FieldType::Number,
        get: |a| a.seconds.map(|s| ValueRef::Int(s.into())),
        set: |a, v| set_count(&mut a.seconds, v),
        int_range: Some((0, u32::MAX as i64)),
    },
    AttributeDef {
        name: "campaign",
        field_type: FieldType::Text,
        get: |a| text_of(&a.campaign),
        set: |a, v| set_text(&mut a.campaign, v),
        int_range: None,
    },
    AttributeDef {
        name: "form_id",
        field_type: FieldType::Text,
        get: |a| text_of(&a.form_id),
        set: |a, v| set_text(&mut a.form_id, v),
        int_range: None,
    },
    AttributeDef {
        name: "content_id",
        field_type: FieldType::Text,
        get: |a| text_of(&a.content_id),
        set: |a, v| set_text(&mut a.content_id, v),
        int_range: None,
    },
];

impl Activity {
    /// A built-in attribute definition by name.
    pub fn attribute_def(name: &str) -> Option<&'static AttributeDef> {
        ATTRIBUTES.iter().find(|a| a.name == name)
    }

    /// An attribute by name: a built-in one (`page`, `seconds`, ...) or `attrs.NAME`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{Activity, ActivityKind, ValueRef};
    /// let mut a = Activity::new(ActivityKind::WebVisit, Utc.timestamp_opt(0, 0).unwrap());
    /// a.page = Some("/pricing".into());
    /// a.attrs.insert("tier".into(), "gold".into());
    /// assert_eq!(a.attribute("page"), Some(ValueRef::Text("/pricing")));
    /// assert_eq!(a.attribute("attrs.tier"), Some(ValueRef::Text("gold")));
    /// assert_eq!(a.attribute("seconds"), None);
    /// ```
    pub fn attribute(&self, name: &str) -> Option<ValueRef<'_>> {
        match name.strip_prefix("attrs.") {
            Some(key) => self.attrs.get(key).map(FieldValue::as_value_ref),
            None => Self::attribute_def(name).and_then(|d| d.get(self)),
        }
    }
}
