//! Accounts and the opportunities (deals) they hold.

use super::field::{FieldSource, FieldType, FieldValue};
use chrono::NaiveDate;
use schemars::JsonSchema;
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Built-in field names a guard may use on an opportunity, with their types.
    pub const BUILTIN_FIELDS: &'static [(&'static str, FieldType)] = &[
        ("id", FieldType::Text),
        ("account_id", FieldType::Text),
        ("name", FieldType::Text),
        ("amount", FieldType::Number),
        ("currency", FieldType::Text),
        ("expected_close", FieldType::Date),
        ("owner", FieldType::Text),
        ("type", FieldType::Text),
        ("forecast_category", FieldType::Text),
    ];

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

impl FieldSource for Opportunity {
    fn field(&self, name: &str) -> Option<FieldValue> {
        match name {
            "id" => Some(FieldValue::Text(self.id.clone())),
            "account_id" => Some(FieldValue::Text(self.account_id.clone())),
            "name" => self.name.clone().map(FieldValue::Text),
            "amount" => Some(FieldValue::Int(self.amount.minor)),
            "currency" => Some(FieldValue::Text(self.amount.currency.clone())),
            "expected_close" => self.expected_close.map(FieldValue::Date),
            "owner" => self.owner.clone().map(FieldValue::Text),
            "type" => Some(FieldValue::Text(self.deal_type.name().to_owned())),
            "forecast_category" => self
                .forecast_category
                .map(|c| FieldValue::Text(c.name().to_owned())),
            other => self.custom.get(other).cloned(),
        }
    }
}
