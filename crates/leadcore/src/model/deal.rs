//! Accounts and the opportunities (deals) they hold.

use super::catalog::RecordKind;
use super::field::{FieldType, FieldValue, ValueRef};
use super::registry::{ColumnRole, FieldDef, Record, set_required_text, set_text, text_of};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An amount of money in integer minor units (cents) and an ISO 4217 currency code.
///
/// ```
/// use leadcore::Money;
/// let m = Money::new(1_234_50, "EUR");
/// assert_eq!(m.minor, 123450);
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"minor":123450,"currency":"EUR"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Amount in minor units (e.g. cents).
    pub minor: i64,
    /// ISO 4217 currency code, e.g. `"USD"`.
    pub currency: String,
}

impl Money {
    /// Money from minor units and a currency code.
    pub fn new(minor: i64, currency: impl Into<String>) -> Self {
        Money {
            minor,
            currency: currency.into(),
        }
    }
}

/// New logo versus growth of an existing customer: win-rate benchmarks differ (30% vs 75%).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DealType {
    /// A new customer (hunter work).
    #[default]
    NewBusiness,
    /// More of what an existing customer already buys.
    Upsell,
    /// Another product to an existing customer.
    CrossSell,
}

impl DealType {
    /// The name as written in data.
    pub fn name(self) -> &'static str {
        match self {
            DealType::NewBusiness => "new_business",
            DealType::Upsell => "upsell",
            DealType::CrossSell => "cross_sell",
        }
    }
}

/// The rep's call on an open deal in the weekly forecast review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ForecastCategory {
    /// Expected to win this period.
    Commit,
    /// Might win; not sure yet.
    Upside,
    /// In the pipeline, not forecast this period.
    Pipeline,
    /// Excluded from the forecast.
    Omitted,
}

impl ForecastCategory {
    /// The name as written in data.
    pub fn name(self) -> &'static str {
        match self {
            ForecastCategory::Commit => "commit",
            ForecastCategory::Upside => "upside",
            ForecastCategory::Pipeline => "pipeline",
            ForecastCategory::Omitted => "omitted",
        }
    }
}

/// A company. It may hold several opportunities; each has its own lifecycle state and
/// progresses independently.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Host-assigned identifier.
    pub id: String,
    /// Company name.
    pub name: String,
    /// Employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
    /// Industry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Region or territory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Owning rep (the farmer for named accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Custom fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, FieldValue>,
}

impl Account {
    /// The opportunities among `all` that belong to this account.
    ///
    /// ```
    /// use leadcore::{Account, Money, Opportunity};
    /// let acme = Account { id: "A1".into(), name: "Acme".into(), ..Default::default() };
    /// let deals = vec![
    ///     Opportunity::new("O1", "A1", Money::new(100_00, "USD")),
    ///     Opportunity::new("O2", "B7", Money::new(5_00, "USD")),
    ///     Opportunity::new("O3", "A1", Money::new(900_00, "USD")),
    /// ];
    /// let ids: Vec<_> = acme.opportunities(&deals).map(|o| o.id.as_str()).collect();
    /// assert_eq!(ids, ["O1", "O3"]);
    /// ```
    pub fn opportunities<'a>(
        &'a self,
        all: &'a [Opportunity],
    ) -> impl Iterator<Item = &'a Opportunity> + 'a {
        all.iter().filter(move |o| o.account_id == self.id)
    }
}

/// A deal: amount, close date, owner, type and forecast category. Its stage lives in a
/// [`crate::LifecycleState`] driven by one of the playbook's deal pipelines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Opportunity {
    /// Host-assigned identifier.
    pub id: String,
    /// The account it belongs to.
    pub account_id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Deal amount.
    pub amount: Money,
    /// Expected close date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_close: Option<NaiveDate>,
    /// Owning rep (AE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// New business, upsell or cross-sell.
    #[serde(default, rename = "type")]
    pub deal_type: DealType,
    /// The rep's forecast call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast_category: Option<ForecastCategory>,
    /// Custom fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, FieldValue>,
}

impl Opportunity {
    /// An opportunity with its id, account and amount.
    pub fn new(id: impl Into<String>, account_id: impl Into<String>, amount: Money) -> Self {
        Opportunity {
            id: id.into(),
            account_id: account_id.into(),
            amount,
            ..Opportunity::default()
        }
    }
}

impl Record for Opportunity {
    const KIND: RecordKind = RecordKind::Opportunity;
    const FIELDS: &'static [FieldDef<Opportunity>] = &[
        FieldDef {
            name: "id",
            field_type: FieldType::Text,
            role: ColumnRole::Key,
            get: |o| Some(ValueRef::Text(&o.id)),
            set: |o, v| set_required_text(&mut o.id, v),
        },
        FieldDef {
            name: "account_id",
            field_type: FieldType::Text,
            role: ColumnRole::Value,
            get: |o| Some(ValueRef::Text(&o.account_id)),
            set: |o, v| set_required_text(&mut o.account_id, v),
        },
        FieldDef {
            name: "name",
            field_type: FieldType::Text,
            role: ColumnRole::Value,
            get: |o| text_of(&o.name),
            set: |o, v| set_text(&mut o.name, v),
        },
        FieldDef {
            name: "amount",
            field_type: FieldType::Number,
            role: ColumnRole::Value,
            get: |o| Some(ValueRef::Int(o.amount.minor)),
            set: |o, v| match v {
                Some(ValueRef::Int(i)) => {
                    o.amount.minor = i;
                    Ok(())
                }
                _ => Err("expected an amount in minor units (an integer)".to_owned()),
            },
        },
        FieldDef {
            name: "currency",
            field_type: FieldType::Text,
            role: ColumnRole::Value,
            get: |o| Some(ValueRef::Text(&o.amount.currency)),
            set: |o, v| set_required_text(&mut o.amount.currency, v),
        },
        FieldDef {
            name: "expected_close",
            field_type: FieldType::Date,
            role: ColumnRole::Value,
            get: |o| o.expected_close.map(ValueRef::Date),
            set: |o, v| {
                o.expected_close = match v {
                    None => None,
                    Some(ValueRef::Date(d)) => Some(d),
                    Some(ValueRef::DateTime(t)) => Some(t.date_naive()),
                    Some(_) => return Err("expected a date".to_owned()),
                };
                Ok(())
            },
        },
        FieldDef {
            name: "owner",
            field_type: FieldType::Text,
            role: ColumnRole::Value,
            get: |o| text_of(&o.owner),
            set: |o, v| set_text(&mut o.owner, v),
        },
        FieldDef {
            name: "type",
            field_type: FieldType::Text,
            role: ColumnRole::Value,
            get: |o| Some(ValueRef::Text(o.deal_type.name())),
            set: |o, v| {
                let text = match v {
                    Some(ValueRef::Text(s)) => s,
                    _ => return Err("expected a deal type".to_owned()),
                };
                o.deal_type = serde_json::from_value(serde_json::Value::String(text.to_owned()))
                    .map_err(|e| e.to_string())?;
                Ok(())
            },
        },
        FieldDef {
            name: "forecast_category",
            field_type: FieldType::Text,
            role: ColumnRole::Value,
            get: |o| o.forecast_category.map(|c| ValueRef::Text(c.name())),
            set: |o, v| {
                o.forecast_category = match v {
                    None => None,
                    Some(ValueRef::Text(s)) => Some(
                        serde_json::from_value(serde_json::Value::String(s.to_owned()))
                            .map_err(|e| e.to_string())?,
                    ),
                    Some(_) => return Err("expected a forecast category".to_owned()),
                };
                Ok(())
            },
        },
    ];
    fn custom(&self) -> &BTreeMap<String, FieldValue> {
        &self.custom
    }
    fn custom_mut(&mut self) -> &mut BTreeMap<String, FieldValue> {
        &mut self.custom
    }
}
