//! Forecast categories, mapped from stage with a per-opportunity override.

use crate::model::ForecastCategory;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a deal counts in the forecast roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Open, not forecast this period.
    Pipeline,
    /// Might close this period (upside).
    BestCase,
    /// Expected to close this period.
    Commit,
    /// Closed won.
    Closed,
    /// Excluded from the forecast (e.g. closed lost).
    Omitted,
}

impl Category {
    /// Every category, in roll-up order.
    pub const ALL: [Category; 5] = [
        Category::Pipeline,
        Category::BestCase,
        Category::Commit,
        Category::Closed,
        Category::Omitted,
    ];

    /// Whether the deal is still open (its outcome is uncertain).
    ///
    /// ```
    /// use leadcore::forecast::Category;
    /// assert!(Category::Commit.is_open());
    /// assert!(!Category::Closed.is_open() && !Category::Omitted.is_open());
    /// ```
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Category::Pipeline | Category::BestCase | Category::Commit
        )
    }
}

impl From<ForecastCategory> for Category {
    /// The rep's call on an [`crate::Opportunity`] (upside is best case).
    ///
    /// ```
    /// use leadcore::{forecast::Category, ForecastCategory};
    /// assert_eq!(Category::from(ForecastCategory::Upside), Category::BestCase);
    /// ```
    fn from(c: ForecastCategory) -> Self {
        match c {
            ForecastCategory::Commit => Category::Commit,
            ForecastCategory::Upside => Category::BestCase,
            ForecastCategory::Pipeline => Category::Pipeline,
            ForecastCategory::Omitted => Category::Omitted,
        }
    }
}

/// The category each stage maps to; stages not listed map to `default`.
///
/// ```
/// use leadcore::forecast::{Category, CategoryMap};
/// let map = CategoryMap::new(Category::Pipeline)
///     .stage("Negotiation", Category::Commit)
///     .stage("Won", Category::Closed);
/// assert_eq!(map.category("Negotiation", None), Category::Commit);
/// assert_eq!(map.category("Discovery", None), Category::Pipeline);
/// // The rep's override wins, except over a closed stage.
/// assert_eq!(map.category("Discovery", Some(Category::BestCase)), Category::BestCase);
/// assert_eq!(map.category("Won", Some(Category::Pipeline)), Category::Closed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryMap {
    /// Category per stage name.
    #[serde(default)]
    pub stages: BTreeMap<String, Category>,
    /// Category of a stage not listed.
    pub default: Category,
}

impl CategoryMap {
    /// A map sending every stage to `default`.
    pub fn new(default: Category) -> Self {
        CategoryMap {
            stages: BTreeMap::new(),
            default,
        }
    }

    /// The same map with `stage` sent to `category`.
    pub fn stage(mut self, stage: impl Into<String>, category: Category) -> Self {
        self.stages.insert(stage.into(), category);
        self
    }

    /// The category of a deal at `stage` with the rep's `override_`. An override applies to
    /// open stages only: a stage mapped to `Closed` or `Omitted` is an outcome, not a call.
    pub fn category(&self, stage: &str, override_: Option<Category>) -> Category {
        let by_stage = self.stages.get(stage).copied().unwrap_or(self.default);
        match override_ {
            Some(o) if by_stage.is_open() => o,
            _ => by_stage,
        }
    }
}
