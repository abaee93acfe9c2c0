//! The wire forms of the bottleneck, lead-metrics and activity-metrics runs: what the C door,
//! the Python `*_report` functions and the shared vectors take (JSON, snake_case, unknown
//! fields refused), each read with `from_json` (a located `input.invalid`) and run in one
//! pass with `run`.

use super::bottleneck::{BottleneckReport, BottleneckSpec, Bottlenecks};
use super::leads::{
    ActivityMetrics, ActivityReport, Benchmark, LeadHistory, LeadMetrics, LeadReport, LeadSpec,
    LeadStages, Step,
};
use super::pipeline::{DealHistory, Period, PipelineStages, StageDef};
use crate::error::{Error, Result};
use crate::lifecycle::Pipeline;
use crate::model::Activity;
use crate::time::Duration;
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `stages` when given (named `name`), else those of the playbook `pipeline` the door
/// resolved.
fn stages_of(
    stages: Option<&Vec<StageDef>>,
    name: Option<&str>,
    pipeline: Option<&Pipeline>,
    what: &str,
) -> Result<PipelineStages> {
    match (stages, pipeline) {
        (Some(s), _) => PipelineStages::new(name.unwrap_or("pipeline"), s.clone()),
        (None, Some(p)) => Ok(PipelineStages::from_pipeline(p)),
        (None, None) => Err(Error::invalid_input(format!(
            "{what} need `stages` or a playbook `pipeline`"
        ))),
    }
}

/// The wire form of one bottleneck run: the stages (or a playbook deal pipeline), the
/// period, the thresholds of a [`BottleneckSpec`] (each optional, its default otherwise),
/// leak thresholds per open stage as durations (`"30d"`, `"1w"`, `"36h"`), and the
/// opportunities.
///
/// ```
/// let input = leadcore::analytics::BottleneckInput::from_json(r#"{"stages":["Open",{"name":"Lost","kind":"lost"}],
///   "period":{"from":"2017-01-31T00:00:00Z","to":"2017-02-10T00:00:00Z"},"baseline_periods":1,"min_count":1,
///   "leak_after":{"Open":"7d"},
///   "opportunities":[{"id":"A","owner":"ann","history":[{"at":"2017-01-25T00:00:00Z","stage":"Open"}]}]}"#).unwrap();
/// let report = input.run(None).unwrap();
/// assert_eq!(report.stages[0].leak_threshold_seconds, Some(7 * 86_400));
/// assert_eq!((report.leaks[0].id.as_str(), report.leaks[0].days_in_stage), ("A", 16));
/// let bad = leadcore::analytics::BottleneckInput::from_json(r#"{"stages":["Open"],
///   "period":{"from":"2017-01-31T00:00:00Z","to":"2017-02-10T00:00:00Z"},"leak_after":{"Open":"soon"},"opportunities":[]}"#);
/// assert!(bad.unwrap_err().to_string().contains("at `leak_after.Open`"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BottleneckInput {
    /// The stages in order; or none, with `pipeline` naming a playbook deal pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageDef>>,
    /// A playbook pipeline's name, when `stages` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// The period; its end is the snapshot.
    pub period: Period,
    /// Periods in the baseline (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_periods: Option<u32>,
    /// The factor over the baseline that flags a stage (default 1.25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// The least count a flag needs (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u64>,
    /// How many deals closest to closing to list (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closest: Option<usize>,
    /// Leak thresholds by open stage (default: the baseline's p90 dwell).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub leak_after: BTreeMap<String, Duration>,
    /// The opportunities.
    pub opportunities: Vec<DealHistory>,
}

impl BottleneckInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    ///
    /// ```
    /// let e = leadcore::analytics::BottleneckInput::from_json(r#"{"stages":["Open"],"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"opportunities":[],"shoe":1}"#).unwrap_err();
    /// assert_eq!(e.code(), "input.invalid");
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "bottleneck input")
    }

    /// The stages: `stages` when given, else those of `pipeline` (the door looks it up in
    /// its playbook and passes it).
    ///
    /// ```
    /// use leadcore::{Playbook, analytics::BottleneckInput};
    /// let input = BottleneckInput::from_json(r#"{"pipeline":"new_business","period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"opportunities":[]}"#).unwrap();
    /// let pb = Playbook::default_playbook();
    /// assert!(input.stages(Some(pb.pipeline("new_business").unwrap())).is_ok());
    /// assert_eq!(input.stages(None).unwrap_err().code(), "input.invalid");
    /// ```
    pub fn stages(&self, pipeline: Option<&Pipeline>) -> Result<PipelineStages> {
        stages_of(
            self.stages.as_ref(),
            self.pipeline.as_deref(),
            pipeline,
            "bottlenecks",
        )
    }

    /// The spec: the stages, the period and the thresholds given (an unknown stage in
    /// `leak_after` is `lifecycle.unknown_stage`; a bad threshold `input.invalid`).
    ///
    /// ```
    /// let input = leadcore::analytics::BottleneckInput::from_json(r#"{"stages":["Open"],"period":{"from":"2017-01-11T00:00:00Z","to":"2017-01-21T00:00:00Z"},"baseline_periods":1,"opportunities":[]}"#).unwrap();
    /// assert_eq!(input.spec(None).unwrap().baseline().from.to_rfc3339(), "2017-01-01T00:00:00+00:00");
    /// ```
    pub fn spec(&self, pipeline: Option<&Pipeline>) -> Result<BottleneckSpec> {
        let mut spec = BottleneckSpec::new(self.stages(pipeline)?, self.period)?;
        if let Some(n) = self.baseline_periods {
            spec = spec.baseline_periods(n)?;
        }
        if let Some(f) = self.factor {
            spec = spec.factor(f)?;
        }
        if let Some(n) = self.min_count {
            spec = spec.min_count(n);
        }
        if let Some(k) = self.closest {
            spec = spec.closest(k);
        }
        for (stage, after) in &self.leak_after {
            spec = spec.leak_after(stage, TimeDelta::seconds(after.seconds()))?;
        }
        Ok(spec)
    }

    /// Runs it in one pass.
    ///
    /// ```
    /// let input = leadcore::analytics::BottleneckInput::from_json(r#"{"stages":["Open"],"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"opportunities":[{"id":"A","stage":"Open"}]}"#).unwrap();
    /// assert_eq!(input.run(None).unwrap().closest_to_closing[0].id, "A");
    /// ```
    pub fn run(&self, pipeline: Option<&Pipeline>) -> Result<BottleneckReport> {
        let mut b = Bottlenecks::new(self.spec(pipeline)?);
        for o in &self.opportunities {
            b.add(o)?;
        }
        b.finish()
    }
}

/// The wire form of one lead-metrics run: the period, the lead stages (default: the seeds'
/// lifecycle), benchmarks replacing the seeds' per step, whether to group by owner too, and
/// the leads' histories.
///
/// ```
/// let input = leadcore::analytics::LeadMetricsInput::from_json(r#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},
///   "benchmarks":{"sql_to_won":{"low":0.25,"high":0.35}},"by_owner":true,
///   "leads":[{"id":"L1","owner":"ann","history":[{"at":"2017-01-02T00:00:00Z","stage":"MQL"},{"at":"2017-01-09T00:00:00Z","stage":"SQL"}]}]}"#).unwrap();
/// let r = input.run().unwrap();
/// assert_eq!((r.funnel.reached.mql, r.funnel.reached.srl), (1, 1)); // SQL reaches SRL too
/// assert_eq!(r.funnel.sql_to_won.benchmark.low, 0.25);
/// assert_eq!(r.by_owner.unwrap()[0].key.as_deref(), Some("ann"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadMetricsInput {
    /// The period; its end is the snapshot.
    pub period: Period,
    /// The stages of each milestone (default: [`LeadStages::default`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<LeadStages>,
    /// Benchmarks replacing the seeds' (`mql_to_srl`, `srl_to_sql`, `sql_to_won`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub benchmarks: BTreeMap<Step, Benchmark>,
    /// Whether the report groups by owner too.
    #[serde(default)]
    pub by_owner: bool,
    /// The leads.
    pub leads: Vec<LeadHistory>,
}

impl LeadMetricsInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    ///
    /// ```
    /// let e = leadcore::analytics::LeadMetricsInput::from_json(r#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"benchmarks":{"mql_to_won":{"low":0,"high":1}},"leads":[]}"#).unwrap_err();
    /// assert!(e.to_string().contains("benchmarks"), "{e}");
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "lead metrics input")
    }

    /// The spec (a benchmark outside `0 <= low <= high <= 1` is `input.invalid`).
    ///
    /// ```
    /// let input = leadcore::analytics::LeadMetricsInput::from_json(r#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"benchmarks":{"mql_to_srl":{"low":0.5,"high":0.4}},"leads":[]}"#).unwrap();
    /// assert_eq!(input.spec().unwrap_err().code(), "input.invalid");
    /// ```
    pub fn spec(&self) -> Result<LeadSpec> {
        let mut spec = LeadSpec::new(self.stages.clone().unwrap_or_default(), self.period)?
            .by_owner(self.by_owner);
        for (&step, b) in &self.benchmarks {
            spec = spec.benchmark(step, Benchmark::new(b.low, b.high)?);
        }
        Ok(spec)
    }

    /// Runs it in one pass.
    ///
    /// ```
    /// let input = leadcore::analytics::LeadMetricsInput::from_json(r#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"leads":[{"id":"L1"}]}"#).unwrap();
    /// assert_eq!(input.run().unwrap().funnel.leads, 1);
    /// ```
    pub fn run(&self) -> Result<LeadReport> {
        let mut m = LeadMetrics::new(self.spec()?);
        for lead in &self.leads {
            m.add(lead)?;
        }
        m.finish()
    }
}

/// The wire form of one activity-metrics run: the period and the activities.
///
/// ```
/// let input = leadcore::analytics::ActivityMetricsInput::from_json(r#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-01-08T00:00:00Z"},
///   "activities":[{"kind":"call","at":"2017-01-02T00:00:00Z","actor":"ann"},
///                 {"kind":"task_assigned","at":"2017-01-02T00:00:00Z","actor":"ann","id":"t1"}]}"#).unwrap();
/// let r = input.run().unwrap();
/// assert_eq!((r.reps[0].rep.as_str(), r.reps[0].total, r.reps[0].tasks.open), ("ann", 2, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityMetricsInput {
    /// The period; its end is the snapshot.
    pub period: Period,
    /// The activities.
    pub activities: Vec<Activity>,
}

impl ActivityMetricsInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    ///
    /// ```
    /// let e = leadcore::analytics::ActivityMetricsInput::from_json(r#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-01-08T00:00:00Z"},"activities":[{"kind":"call"}]}"#).unwrap_err();
    /// assert!(e.to_string().contains("at `activities[0]`"), "{e}");
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "activity metrics input")
    }

    /// Runs it in one pass (an empty period, a task activity without an `id` or an
    /// assignment without an `actor` is `input.invalid`).
    ///
    /// ```
    /// let input = leadcore::analytics::ActivityMetricsInput::from_json(r#"{"period":{"from":"2017-01-08T00:00:00Z","to":"2017-01-08T00:00:00Z"},"activities":[]}"#).unwrap();
    /// assert_eq!(input.run().unwrap_err().code(), "input.invalid");
    /// ```
    pub fn run(&self) -> Result<ActivityReport> {
        let mut m = ActivityMetrics::new(self.period)?;
        for a in &self.activities {
            m.add(a)?;
        }
        m.finish()
    }
}
