//! The playbook: stages, transitions, guards and actions as data, loaded from JSON, TOML or
//! YAML and validated up front. Only a validated [`Playbook`] reaches the engine.

mod lifecycle;
pub mod limits;
mod load;
mod spec;
pub(crate) mod validate;

pub use crate::lifecycle::{
    BackMoves, GuardSpec, Pipeline, PipelineSpec, Stage, StageKind, StageSpec, TransitionSpec,
};
pub use load::Format;
pub use spec::{FieldSpec, PLAYBOOK_SCHEMA_VERSION, PlaybookSpec};

use crate::error::{Error, ErrorKind, Issue, Result};
use crate::lifecycle::LifecycleState;
use crate::model::{Catalog, FieldType, RecordKind};
use crate::routing::Routing;
use crate::scoring::Scoring;
use crate::sla::Sla;
use crate::time::Calendars;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// The default playbook shipped with the crate (YAML), matching the recommended lifecycle:
/// Suspect, MQL, SRL, SQL Contacted, SQL Scheduled, Opportunity, Won, Lost, Nurture,
/// Disqualified; plus the example deal pipeline To contact → ... → Deal won.
pub const DEFAULT_PLAYBOOK_YAML: &str = include_str!("default_playbook.yaml");

/// The same default playbook as JSON, generated from [`DEFAULT_PLAYBOOK_YAML`] (a test keeps
/// them equal; `LEADCORE_BLESS=1` rewrites it): what [`Playbook::default_playbook`] reads, so
/// a build without the `yaml` feature has it too.
pub const DEFAULT_PLAYBOOK_JSON: &str = include_str!("default_playbook.json");

/// A validated playbook.
///
/// ```
/// use leadcore::Playbook;
/// let pb = Playbook::default_playbook();
/// assert_eq!(pb.lifecycle().initial().name(), "Suspect");
/// assert!(pb.pipeline("new_business").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    spec: PlaybookSpec,
    lifecycle: Pipeline,
    pipelines: Vec<Pipeline>,
    fields: BTreeMap<String, FieldType>,
    catalog: Catalog,
    scoring: Scoring,
    routing: Routing,
    calendars: Calendars,
    sla: Sla,
    warnings: Vec<Issue>,
}

impl Playbook {
    /// Validates a spec; every problem is reported at once in [`ErrorKind::InvalidPlaybook`].
    pub fn from_spec(spec: PlaybookSpec) -> Result<Self> {
        let catalog = validate::catalog(&spec);
        let issues = validate::validate(&spec, &catalog);
        if !issues.is_empty() {
            return Err(Error::from(ErrorKind::InvalidPlaybook(issues)));
        }
        let lifecycle = Pipeline::build(&spec.lifecycle, &catalog, RecordKind::Lead);
        let pipelines = spec
            .pipelines
            .iter()
            .map(|p| Pipeline::build(p, &catalog, RecordKind::Opportunity))
            .collect();
        let fields = spec
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.field_type))
            .collect();
        let scoring = Scoring::build(&spec.scoring, &catalog);
        let calendars = Calendars::build(&spec.calendars);
        let routing = Routing::build(&spec.routing, &catalog, &calendars);
        let sla = Sla::build(&spec.sla, &catalog, &calendars);
        let warnings = routing.warnings().to_vec();
        Ok(Playbook {
            spec,
            lifecycle,
            pipelines,
            fields,
            catalog,
            scoring,
            routing,
            calendars,
            sla,
            warnings,
        })
    }

    /// Parses and validates playbook text in the given format.
    ///
    /// ```
    /// use leadcore::{Format, Playbook};
    /// let toml = r#"
    /// schema_version = 1
    /// [lifecycle]
    /// name = "lead"
    /// initial = "New"
    /// stages = [{ name = "New" }, { name = "Qualified" }]
    /// transitions = [{ from = "New", to = "Qualified" }]
    /// "#;
    /// let pb = Playbook::parse(toml, Format::Toml).unwrap();
    /// assert_eq!(pb.lifecycle().stages().len(), 2);
    /// ```
    pub fn parse(text: &str, format: Format) -> Result<Self> {
        Self::from_spec(load::parse_spec(text, format)?)
    }

    /// [`Playbook::parse`] for JSON.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::parse(text, Format::Json)
    }

    /// [`Playbook::parse`] for TOML. Without the `toml` feature (on by default) this fails
    /// with `playbook.parse`, its [`ParseError::missing_feature`](crate::ParseError) `toml`.
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::parse(text, Format::Toml)
    }

    /// [`Playbook::parse`] for YAML. Without the `yaml` feature (on by default) this fails
    /// with `playbook.parse`, its [`ParseError::missing_feature`](crate::ParseError) `yaml`.
    pub fn from_yaml(text: &str) -> Result<Self> {
        Self::parse(text, Format::Yaml)
    }

    /// The default playbook ([`DEFAULT_PLAYBOOK_YAML`], read from its JSON copy
    /// [`DEFAULT_PLAYBOOK_JSON`] so that every build has it, whatever its features).
    pub fn default_playbook() -> Self {
        // The shipped text is checked by this crate's tests; failing here is a build defect.
        #[allow(clippy::expect_used)]
        Self::from_json(DEFAULT_PLAYBOOK_JSON).expect("the bundled default playbook is valid")
    }

    /// The spec this playbook was built from.
    pub fn spec(&self) -> &PlaybookSpec {
        &self.spec
    }

    /// The playbook as JSON (the spec, which loads back to an equal playbook).
    ///
    /// ```
    /// use leadcore::Playbook;
    /// let pb = Playbook::default_playbook();
    /// assert_eq!(Playbook::from_json(&pb.to_json()).unwrap(), pb);
    /// ```
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string(&self.spec).unwrap_or_default()
    }

    /// The lead lifecycle.
    pub fn lifecycle(&self) -> &Pipeline {
        &self.lifecycle
    }

    /// The deal pipelines.
    pub fn pipelines(&self) -> &[Pipeline] {
        &self.pipelines
    }

    /// A pipeline by name: the lifecycle or a deal pipeline.
    pub fn pipeline(&self, name: &str) -> Result<&Pipeline> {
        if self.lifecycle.name() == name {
            return Ok(&self.lifecycle);
        }
        self.pipelines
            .iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                Error::from(ErrorKind::UnknownPipeline {
                    pipeline: name.to_owned(),
                })
            })
    }

    /// The scoring setup (empty when the playbook declares none).
    pub fn scoring(&self) -> &Scoring {
        &self.scoring
    }

    /// The routing setup (no rules when the playbook declares none: every lead goes to the
    /// unassignable queue).
    pub fn routing(&self) -> &Routing {
        &self.routing
    }

    /// The SLA policies (none when the playbook declares none).
    pub fn sla(&self) -> &Sla {
        &self.sla
    }

    /// Every SLA policy's status at `now` for a lead whose lifecycle record is `state` (its
    /// history gives the stage changes), with its activities.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use leadcore::sla::SlaState;
    /// use leadcore::{Lead, Playbook};
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: MQL, stages: [{name: MQL}, {name: SRL}], transitions: [{from: MQL, to: SRL}]}
    /// sla: {policies: [{name: handoff, target: 4h, start: {stage: [MQL]}, stop: {stage: [SRL]}}]}
    /// "#).unwrap();
    /// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let state = pb.start("lead", "L-1", t0).unwrap();
    /// let s = pb.sla_status(&Lead::new("L-1"), &[], &state, t0 + Duration::hours(5));
    /// assert_eq!(s[0].status, SlaState::Breached);
    /// ```
    pub fn sla_status(
        &self,
        lead: &crate::Lead,
        activities: &[crate::Activity],
        state: &LifecycleState,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<crate::sla::SlaStatus> {
        let stages: Vec<crate::sla::StageChange> = state
            .history()
            .iter()
            .map(|t| crate::sla::StageChange {
                at: t.at,
                stage: t.to.clone(),
            })
            .collect();
        let facts = crate::sla::SlaFacts::new(lead)
            .activities(activities)
            .stages(&stages);
        self.sla.statuses(facts, now)
    }

    /// The named business calendars (`calendars:`).
    pub fn calendars(&self) -> &Calendars {
        &self.calendars
    }

    /// What looks wrong without making the playbook invalid (gaps and overlaps of routing
    /// range rules, unreachable rules), each at its path with a stable code.
    ///
    /// ```
    /// assert!(leadcore::Playbook::default_playbook().warnings().is_empty());
    /// ```
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// The names this playbook declares (custom fields, activity kinds, score models): what
    /// conditions are compiled against and what a leads table is checked with.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Declared custom fields and their types.
    pub fn fields(&self) -> &BTreeMap<String, FieldType> {
        &self.fields
    }

    /// The JSON Schema of the playbook format, generated from the types (feature `schema`,
    /// on by default).
    ///
    /// ```
    /// let schema = leadcore::Playbook::json_schema();
    /// assert!(schema["properties"]["lifecycle"].is_object());
    /// ```
    #[cfg(feature = "schema")]
    pub fn json_schema() -> serde_json::Value {
        let schema = schemars::schema_for!(PlaybookSpec);
        serde_json::to_value(schema).unwrap_or_default()
    }
}

impl Serialize for Playbook {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.spec.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Playbook {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let spec = PlaybookSpec::deserialize(d)?;
        Playbook::from_spec(spec).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_playbook_is_valid_in_every_format() {
        let pb = Playbook::default_playbook();
        let json = pb.to_json();
        assert_eq!(Playbook::from_json(&json).unwrap(), pb);
        #[cfg(feature = "toml")]
        {
            let toml_text = toml::to_string(pb.spec()).unwrap();
            assert_eq!(Playbook::from_toml(&toml_text).unwrap(), pb);
        }
    }

    #[test]
    fn default_playbook_has_the_domain_stages() {
        let pb = Playbook::default_playbook();
        let names: Vec<&str> = pb.lifecycle().stages().iter().map(|s| s.name()).collect();
        for want in [
            "Suspect",
            "MQL",
            "SRL",
            "SQL Contacted",
            "SQL Scheduled",
            "Opportunity",
            "Won",
            "Lost",
            "Nurture",
            "Disqualified",
        ] {
            assert!(names.contains(&want), "missing {want}");
        }
    }
}
