//! Lead metrics over lifecycle histories (milestone counts, conversions against the seeds'
//! benchmarks, lead velocity, time from MQL to SQL, attribution by source and owner) and
//! activity metrics per rep (counts by kind, tasks done and open), as accumulators that add,
//! merge and finish, so a partitioned run merged gives the same answer as one pass.
//!
//! Definitions, for a period `[from, to)` (`to` is the snapshot):
//! - a lead **reaches** a milestone (MQL, SRL, SQL, Opportunity, Won, in that order) at its
//!   first entry into a stage of that milestone *or of a later one* (a lead that skips SRL
//!   reaches it when it reaches SQL), so the milestones' dates never decrease;
//! - **reached**: leads whose date of reaching the milestone is in the period;
//! - **conversion** A→B (cohort): of the leads that reached A in the period, those that
//!   reached B before `to`; MQL→SRL, SRL→SQL and SQL→Won, each against a benchmark range
//!   (defaults from the seeds: 20-40%, 80-90%, and the 30% new-business win rate);
//! - **lead velocity**: growth of the MQLs reached in the period over those reached in the
//!   previous period of the same length, in percent (`None` when that was zero);
//! - **MQL to SQL**: for the leads that reached SQL in the period, the time since they
//!   reached MQL (zero for a lead that skipped MQL).
//!
//! Nothing is ever NaN: a ratio over zero is `None` (JSON `null`).

use super::pipeline::{DurationStats, Period, StageEntry, check_entry, ratio};
use crate::error::{Error, Result};
use crate::lifecycle::LifecycleState;
use crate::model::{Activity, ActivityKind, Lead};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A milestone of the lead lifecycle.
///
/// ```
/// use leadcore::analytics::Milestone;
/// assert_eq!(serde_json::to_string(&Milestone::Sql).unwrap(), r#""sql""#);
/// assert!(Milestone::Mql < Milestone::Won);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// Marketing qualified.
    Mql,
    /// Sales ready / accepted (SRL, SAL).
    Srl,
    /// Sales qualified.
    Sql,
    /// A deal runs.
    Opportunity,
    /// Closed won.
    Won,
}

impl Milestone {
    /// Every milestone, in order.
    ///
    /// ```
    /// assert_eq!(leadcore::analytics::Milestone::ALL.len(), 5);
    /// ```
    pub const ALL: [Milestone; 5] = [
        Milestone::Mql,
        Milestone::Srl,
        Milestone::Sql,
        Milestone::Opportunity,
        Milestone::Won,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// A conversion step between two milestones.
///
/// ```
/// use leadcore::analytics::{Milestone, Step};
/// assert_eq!(Step::SqlToWon.from(), Milestone::Sql);
/// assert_eq!(Step::SqlToWon.to(), Milestone::Won);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// MQL to SRL (benchmark 20-40%).
    MqlToSrl,
    /// SRL to SQL (benchmark 80-90%).
    SrlToSql,
    /// SQL to Won (benchmark: the 30% new-business win rate).
    SqlToWon,
}

impl Step {
    /// Every step, in order.
    ///
    /// ```
    /// assert_eq!(leadcore::analytics::Step::ALL.len(), 3);
    /// ```
    pub const ALL: [Step; 3] = [Step::MqlToSrl, Step::SrlToSql, Step::SqlToWon];

    /// The milestone the cohort reached.
    ///
    /// ```
    /// assert_eq!(leadcore::analytics::Step::MqlToSrl.from(), leadcore::analytics::Milestone::Mql);
    /// ```
    pub fn from(self) -> Milestone {
        match self {
            Step::MqlToSrl => Milestone::Mql,
            Step::SrlToSql => Milestone::Srl,
            Step::SqlToWon => Milestone::Sql,
        }
    }

    /// The milestone converted to.
    ///
    /// ```
    /// assert_eq!(leadcore::analytics::Step::SrlToSql.to(), leadcore::analytics::Milestone::Sql);
    /// ```
    pub fn to(self) -> Milestone {
        match self {
            Step::MqlToSrl => Milestone::Srl,
            Step::SrlToSql => Milestone::Sql,
            Step::SqlToWon => Milestone::Won,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The seeds' benchmark.
    fn default_benchmark(self) -> Benchmark {
        match self {
            Step::MqlToSrl => Benchmark {
                low: 0.20,
                high: 0.40,
            },
            Step::SrlToSql => Benchmark {
                low: 0.80,
                high: 0.90,
            },
            Step::SqlToWon => Benchmark {
                low: 0.30,
                high: 0.30,
            },
        }
    }
}

/// A benchmark range of a conversion rate (fractions, `low <= high`).
///
/// ```
/// use leadcore::analytics::{Benchmark, Verdict};
/// let b = Benchmark::new(0.2, 0.4).unwrap();
/// assert_eq!(b.verdict(0.1), Verdict::Below);
/// assert_eq!(b.verdict(0.4), Verdict::Within);
/// assert!(Benchmark::new(0.5, 0.4).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    /// Lowest rate within.
    pub low: f64,
    /// Highest rate within.
    pub high: f64,
}

impl Benchmark {
    /// A range; `input.invalid` unless `0 <= low <= high <= 1`.
    ///
    /// ```
    /// assert!(leadcore::analytics::Benchmark::new(0.3, 0.3).is_ok());
    /// ```
    pub fn new(low: f64, high: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&low) || !(0.0..=1.0).contains(&high) || low > high {
            return Err(Error::invalid_input(format!(
                "benchmark {low}..{high}: need 0 <= low <= high <= 1"
            )));
        }
        Ok(Benchmark { low, high })
    }

    /// Where a rate falls.
    ///
    /// ```
    /// use leadcore::analytics::{Benchmark, Verdict};
    /// assert_eq!(Benchmark::new(0.3, 0.3).unwrap().verdict(0.5), Verdict::Above);
    /// ```
    pub fn verdict(&self, rate: f64) -> Verdict {
        if rate < self.low {
            Verdict::Below
        } else if rate > self.high {
            Verdict::Above
        } else {
            Verdict::Within
        }
    }
}

/// Where a rate falls against its benchmark.
///
/// ```
/// assert_eq!(serde_json::to_string(&leadcore::analytics::Verdict::Within).unwrap(), r#""within""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Under the range.
    Below,
    /// In it (bounds included).
    Within,
    /// Over it.
    Above,
}

/// Which lifecycle stages make each milestone, and the other stages a history may hold.
///
/// The default follows the lead lifecycle of the seeds: MQL; SRL (or SAL); SQL, SQL Contacted
/// and SQL Scheduled; Opportunity; Won; and Suspect, Lost, Nurture and Disqualified besides.
///
/// ```
/// use leadcore::analytics::{LeadStages, Milestone};
/// let st = LeadStages::default();
/// assert_eq!(st.stages(Milestone::Sql), ["SQL", "SQL Contacted", "SQL Scheduled"]);
/// let mine = LeadStages::new(
///     [vec!["MQL".into()], vec!["SAL".into()], vec!["SQL".into()], vec!["Deal".into()], vec!["Closed Won".into()]],
///     vec!["New".into(), "Closed Lost".into()]).unwrap();
/// assert_eq!(mine.others(), ["New", "Closed Lost"]);
/// ```
///
/// In JSON, the stages of each milestone and the others (optional), checked as by
/// [`LeadStages::new`]:
/// ```
/// let st: leadcore::analytics::LeadStages = serde_json::from_str(r#"{"mql":["MQL"],"srl":["SAL"],
///   "sql":["SQL"],"opportunity":["Deal"],"won":["Closed Won"],"others":["New"]}"#).unwrap();
/// assert_eq!(st.others(), ["New"]);
/// assert!(serde_json::from_str::<leadcore::analytics::LeadStages>(r#"{"mql":["MQL"],"srl":["MQL"],
///   "sql":["SQL"],"opportunity":["Deal"],"won":["Won"]}"#).is_err()); // listed twice
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LeadStagesWire", into = "LeadStagesWire")]
pub struct LeadStages {
    milestones: [Vec<String>; 5],
    others: Vec<String>,
    /// Stage name to its milestone (`None`: another stage).
    lookup: BTreeMap<String, Option<Milestone>>,
}

impl Default for LeadStages {
    fn default() -> Self {
        let v = |s: &[&str]| s.iter().map(|&x| x.to_owned()).collect::<Vec<_>>();
        // The names are distinct and non-blank, so this cannot fail.
        Self::build(
            [
                v(&["MQL"]),
                v(&["SRL", "SAL"]),
                v(&["SQL", "SQL Contacted", "SQL Scheduled"]),
                v(&["Opportunity"]),
                v(&["Won"]),
            ],
            v(&["Suspect", "Lost", "Nurture", "Disqualified"]),
        )
        .unwrap_or_else(|_| LeadStages {
            milestones: Default::default(),
            others: Vec::new(),
            lookup: BTreeMap::new(),
        })
    }
}

/// The JSON form of [`LeadStages`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LeadStagesWire {
    mql: Vec<String>,
    srl: Vec<String>,
    sql: Vec<String>,
    opportunity: Vec<String>,
    won: Vec<String>,
    #[serde(default)]
    others: Vec<String>,
}

impl TryFrom<LeadStagesWire> for LeadStages {
    type Error = String;
    fn try_from(w: LeadStagesWire) -> std::result::Result<Self, String> {
        LeadStages::build([w.mql, w.srl, w.sql, w.opportunity, w.won], w.others).map_err(
            |e| match e.kind() {
                crate::error::ErrorKind::InvalidInput { message } => message.clone(),
                _ => e.to_string(),
            },
        )
    }
}

impl From<LeadStages> for LeadStagesWire {
    fn from(st: LeadStages) -> Self {
        let [mql, srl, sql, opportunity, won] = st.milestones;
        LeadStagesWire {
            mql,
            srl,
            sql,
            opportunity,
            won,
            others: st.others,
        }
    }
}

impl LeadStages {
    /// The stages of each milestone (in [`Milestone::ALL`] order) and the other stages.
    /// `input.invalid`: a milestone without a stage, a blank name, a name listed twice.
    ///
    /// ```
    /// use leadcore::analytics::LeadStages;
    /// let e = LeadStages::new([vec!["A".into()], vec![], vec![], vec![], vec![]], vec![]).unwrap_err();
    /// assert_eq!(e.code(), "input.invalid");
    /// ```
    pub fn new(milestones: [Vec<String>; 5], others: Vec<String>) -> Result<Self> {
        Self::build(milestones, others)
    }

    fn build(milestones: [Vec<String>; 5], others: Vec<String>) -> Result<Self> {
        let mut lookup = BTreeMap::new();
        let tagged = Milestone::ALL
            .iter()
            .zip(&milestones)
            .flat_map(|(&m, names)| names.iter().map(move |n| (n, Some(m))))
            .chain(others.iter().map(|n| (n, None)));
        for (name, m) in tagged {
            if name.trim().is_empty() {
                return Err(Error::invalid_input("lead stages: blank stage name"));
            }
            if lookup.insert(name.clone(), m).is_some() {
                return Err(Error::invalid_input(format!(
                    "lead stages: stage `{name}` is listed twice"
                )));
            }
        }
        for (m, names) in Milestone::ALL.iter().zip(&milestones) {
            if names.is_empty() {
                return Err(Error::invalid_input(format!(
                    "lead stages: milestone `{m:?}` has no stage"
                )));
            }
        }
        Ok(LeadStages {
            milestones,
            others,
            lookup,
        })
    }

    /// The stages of a milestone.
    ///
    /// ```
    /// use leadcore::analytics::{LeadStages, Milestone};
    /// assert_eq!(LeadStages::default().stages(Milestone::Srl), ["SRL", "SAL"]);
    /// ```
    pub fn stages(&self, m: Milestone) -> &[String] {
        self.milestones.get(m.index()).map_or(&[], Vec::as_slice)
    }

    /// The other stages (known, but no milestone).
    ///
    /// ```
    /// assert!(leadcore::analytics::LeadStages::default().others().contains(&"Suspect".to_owned()));
    /// ```
    pub fn others(&self) -> &[String] {
        &self.others
    }
}

/// A lead's lifecycle history as lead metrics read it.
///
/// ```
/// let l: leadcore::analytics::LeadHistory = serde_json::from_str(r#"{"id":"L1","source":"webinar",
///   "history":[{"at":"2017-01-02T00:00:00Z","stage":"Suspect"},{"at":"2017-01-05T00:00:00Z","stage":"MQL"}]}"#).unwrap();
/// assert_eq!(l.history.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadHistory {
    /// The lead's id.
    pub id: String,
    /// Its source (channel or campaign).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Owning rep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Dated stage entries, in time order.
    #[serde(default)]
    pub history: Vec<StageEntry>,
}

impl LeadHistory {
    /// A lead's history from its lifecycle state: the lead's id, channel (as the source),
    /// owner and creation, and every stage the state entered.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{Lead, Playbook, analytics::LeadHistory};
    /// let pb = Playbook::default_playbook();
    /// let mut lead = Lead::new("L-1");
    /// lead.source.channel = Some("webinar".into());
    /// let state = pb.start("lead", "L-1", Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()).unwrap();
    /// let h = LeadHistory::from_state(&lead, &state);
    /// assert_eq!((h.source.as_deref(), h.history[0].stage.as_str()), (Some("webinar"), "Suspect"));
    /// ```
    pub fn from_state(lead: &Lead, state: &LifecycleState) -> Self {
        LeadHistory {
            id: lead.id.clone(),
            source: lead.source.channel.clone(),
            owner: lead.owner.clone(),
            created_at: lead.created_at,
            history: state
                .history()
                .iter()
                .map(|r| StageEntry {
                    at: r.at,
                    stage: r.to.clone(),
                })
                .collect(),
        }
    }
}

/// What a [`LeadMetrics`] measures: the stages, the period, the benchmarks, and whether to
/// group by owner.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::analytics::{Benchmark, LeadSpec, LeadStages, Period, Step};
/// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let spec = LeadSpec::new(LeadStages::default(), Period { from: t(11), to: t(21) }).unwrap()
///     .benchmark(Step::SqlToWon, Benchmark::new(0.25, 0.35).unwrap())
///     .by_owner(true);
/// assert_eq!(spec.previous(), Period { from: t(1), to: t(11) });
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LeadSpec {
    stages: LeadStages,
    period: Period,
    previous: Period,
    benchmarks: [Benchmark; 3],
    by_owner: bool,
}

impl LeadSpec {
    /// A spec with the seeds' benchmarks and no owner grouping; an empty period (or one
    /// whose previous period is out of range) is `input.invalid`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::analytics::{LeadSpec, LeadStages, Period};
    /// let t = Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap();
    /// assert_eq!(LeadSpec::new(LeadStages::default(), Period { from: t, to: t }).unwrap_err().code(), "input.invalid");
    /// ```
    pub fn new(stages: LeadStages, period: Period) -> Result<Self> {
        period.check()?;
        let from = period
            .from
            .checked_sub_signed(period.to - period.from)
            .ok_or_else(|| Error::invalid_input("the period before the period is out of range"))?;
        Ok(LeadSpec {
            stages,
            period,
            previous: Period {
                from,
                to: period.from,
            },
            benchmarks: Step::ALL.map(Step::default_benchmark),
            by_owner: false,
        })
    }

    /// Replaces a step's benchmark.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{Benchmark, LeadSpec, LeadStages, Period, Step};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let spec = LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap()
    ///     .benchmark(Step::SqlToWon, Benchmark::new(0.75, 0.75).unwrap()); // upsell
    /// ```
    pub fn benchmark(mut self, step: Step, benchmark: Benchmark) -> Self {
        if let Some(b) = self.benchmarks.get_mut(step.index()) {
            *b = benchmark;
        }
        self
    }

    /// Whether the report also groups by owner.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadSpec, LeadStages, Period};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let spec = LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap().by_owner(true);
    /// ```
    pub fn by_owner(mut self, yes: bool) -> Self {
        self.by_owner = yes;
        self
    }

    /// The stages.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadSpec, LeadStages, Period};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let spec = LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap();
    /// assert_eq!(spec.stages(), &LeadStages::default());
    /// ```
    pub fn stages(&self) -> &LeadStages {
        &self.stages
    }

    /// The period.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadSpec, LeadStages, Period};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let spec = LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap();
    /// assert_eq!(spec.period().from, t(4));
    /// ```
    pub fn period(&self) -> Period {
        self.period
    }

    /// The previous period of the same length (for lead velocity).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadSpec, LeadStages, Period};
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = LeadSpec::new(LeadStages::default(), Period { from: t(3), to: t(5) }).unwrap();
    /// assert_eq!(spec.previous(), Period { from: t(1), to: t(3) });
    /// ```
    pub fn previous(&self) -> Period {
        self.previous
    }
}

/// Counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Counts {
    leads: u64,
    reached: [u64; 5],
    cohort: [u64; 3],
    converted: [u64; 3],
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.leads += o.leads;
        for (a, b) in self.reached.iter_mut().zip(o.reached) {
            *a += b;
        }
        for (a, b) in self.cohort.iter_mut().zip(o.cohort) {
            *a += b;
        }
        for (a, b) in self.converted.iter_mut().zip(o.converted) {
            *a += b;
        }
    }

    fn funnel(&self, spec: &LeadSpec) -> LeadFunnel {
        let r = |m: Milestone| self.reached.get(m.index()).copied().unwrap_or(0);
        let step = |s: Step| {
            let i = s.index();
            let cohort = self.cohort.get(i).copied().unwrap_or(0);
            let converted = self.converted.get(i).copied().unwrap_or(0);
            let rate = ratio(converted, cohort);
            let benchmark = spec
                .benchmarks
                .get(i)
                .copied()
                .unwrap_or_else(|| s.default_benchmark());
            Conversion {
                cohort,
                converted,
                rate,
                benchmark,
                verdict: rate.map(|x| benchmark.verdict(x)),
            }
        };
        LeadFunnel {
            leads: self.leads,
            reached: MilestoneCounts {
                mql: r(Milestone::Mql),
                srl: r(Milestone::Srl),
                sql: r(Milestone::Sql),
                opportunity: r(Milestone::Opportunity),
                won: r(Milestone::Won),
            },
            mql_to_srl: step(Step::MqlToSrl),
            srl_to_sql: step(Step::SrlToSql),
            sql_to_won: step(Step::SqlToWon),
        }
    }
}

/// The lead-metrics accumulator: `add` lead histories, `merge` another accumulator of the
/// same spec, `finish` into a [`LeadReport`].
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use leadcore::analytics::{LeadHistory, LeadMetrics, LeadSpec, LeadStages, Period, StageEntry};
/// let d = |day| Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap() + Duration::days(day);
/// let spec = LeadSpec::new(LeadStages::default(), Period { from: d(10), to: d(20) }).unwrap();
/// let lead = |id: &str, path: &[(i64, &str)]| LeadHistory { id: id.into(), source: Some("web".into()),
///     history: path.iter().map(|&(day, s)| StageEntry { at: d(day), stage: s.into() }).collect(),
///     ..Default::default() };
/// let mut a = LeadMetrics::new(spec.clone());
/// a.add(&lead("A", &[(10, "MQL"), (12, "SRL"), (14, "SQL")])).unwrap();
/// let mut b = LeadMetrics::new(spec);
/// b.add(&lead("B", &[(11, "MQL")])).unwrap();
/// a.merge(b).unwrap();
/// let r = a.finish().unwrap();
/// assert_eq!(r.funnel.reached.mql, 2);
/// assert_eq!(r.funnel.mql_to_srl.rate, Some(0.5));
/// assert_eq!(r.mql_to_sql.median_seconds, Some(4 * 86_400));
/// assert_eq!(r.velocity.growth_percent, None); // no MQL in the previous period
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LeadMetrics {
    spec: Arc<LeadSpec>,
    total: Counts,
    previous_mqls: u64,
    mql_to_sql: Vec<i64>,
    by_source: BTreeMap<Option<String>, Counts>,
    by_owner: BTreeMap<Option<String>, Counts>,
}

impl LeadMetrics {
    /// An empty accumulator.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadMetrics, LeadSpec, LeadStages, Period};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let m = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap());
    /// assert_eq!(m.finish().unwrap().funnel.mql_to_srl.rate, None);
    /// ```
    pub fn new(spec: impl Into<Arc<LeadSpec>>) -> Self {
        LeadMetrics {
            spec: spec.into(),
            total: Counts::default(),
            previous_mqls: 0,
            mql_to_sql: Vec::new(),
            by_source: BTreeMap::new(),
            by_owner: BTreeMap::new(),
        }
    }

    /// The spec.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadMetrics, LeadSpec, LeadStages, Period};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let m = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap());
    /// assert_eq!(m.spec().period().to, t(7));
    /// ```
    pub fn spec(&self) -> &LeadSpec {
        &self.spec
    }

    /// Adds one lead. Refused (`input.invalid`, naming the lead), leaving the accumulator
    /// unchanged: a stage that is neither a milestone's nor another known one, entries out
    /// of time order, an entry before the creation.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadHistory, LeadMetrics, LeadSpec, LeadStages, Period, StageEntry};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let mut m = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap());
    /// let bad = LeadHistory { id: "L9".into(), history: vec![StageEntry { at: t(5), stage: "Nope".into() }], ..Default::default() };
    /// let e = m.add(&bad).unwrap_err();
    /// assert!(e.to_string().contains("L9"));
    /// ```
    pub fn add(&mut self, lead: &LeadHistory) -> Result<()> {
        let reach = reach_dates(&self.spec.stages, lead)?;
        let spec = Arc::clone(&self.spec);
        let period = spec.period;
        let mut c = Counts {
            leads: 1,
            ..Counts::default()
        };
        for (n, at) in c.reached.iter_mut().zip(&reach) {
            if at.is_some_and(|t| period.contains(t)) {
                *n = 1;
            }
        }
        for s in Step::ALL {
            let i = s.index();
            let (Some(cohort), Some(converted)) = (c.cohort.get_mut(i), c.converted.get_mut(i))
            else {
                continue;
            };
            if reach
                .get(s.from().index())
                .copied()
                .flatten()
                .is_some_and(|t| period.contains(t))
            {
                *cohort = 1;
                if reach
                    .get(s.to().index())
                    .copied()
                    .flatten()
                    .is_some_and(|t| t < period.to)
                {
                    *converted = 1;
                }
            }
        }
        let at = |m: Milestone| reach.get(m.index()).copied().flatten();
        if at(Milestone::Mql).is_some_and(|t| spec.previous.contains(t)) {
            self.previous_mqls += 1;
        }
        if let (Some(mql), Some(sql)) = (at(Milestone::Mql), at(Milestone::Sql))
            && period.contains(sql)
        {
            self.mql_to_sql.push((sql - mql).num_seconds());
        }
        self.total.add(&c);
        self.by_source
            .entry(lead.source.clone())
            .or_default()
            .add(&c);
        if spec.by_owner {
            self.by_owner.entry(lead.owner.clone()).or_default().add(&c);
        }
        Ok(())
    }

    /// Adds another accumulator of the same spec (`input.invalid` otherwise). Any partition
    /// of the leads, merged in any order, gives the same report as one pass.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadMetrics, LeadSpec, LeadStages, Period};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let spec = LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap();
    /// let mut a = LeadMetrics::new(spec.clone());
    /// assert!(a.merge(LeadMetrics::new(spec.clone())).is_ok());
    /// assert!(a.merge(LeadMetrics::new(spec.by_owner(true))).is_err());
    /// ```
    pub fn merge(&mut self, other: LeadMetrics) -> Result<()> {
        if !Arc::ptr_eq(&self.spec, &other.spec) && self.spec != other.spec {
            return Err(Error::invalid_input(
                "cannot merge lead metrics of different stages, periods, benchmarks or grouping",
            ));
        }
        self.total.add(&other.total);
        self.previous_mqls += other.previous_mqls;
        self.mql_to_sql.extend(other.mql_to_sql);
        for (into, from) in [
            (&mut self.by_source, other.by_source),
            (&mut self.by_owner, other.by_owner),
        ] {
            for (k, c) in from {
                into.entry(k).or_default().add(&c);
            }
        }
        Ok(())
    }

    /// The report.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{LeadMetrics, LeadSpec, LeadStages, Period};
    /// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let r = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap())
    ///     .finish().unwrap();
    /// assert_eq!(r.by_owner, None);
    /// assert!(serde_json::to_string(&r).unwrap().contains(r#""sql_to_won":{"cohort":0"#));
    /// ```
    pub fn finish(&self) -> Result<LeadReport> {
        let spec = &self.spec;
        let group = |m: &BTreeMap<Option<String>, Counts>| {
            m.iter()
                .map(|(k, c)| LeadGroup {
                    key: k.clone(),
                    funnel: c.funnel(spec),
                })
                .collect::<Vec<_>>()
        };
        let mqls = self.total.reached.first().copied().unwrap_or(0);
        let prev = self.previous_mqls;
        let growth_percent = (prev > 0).then(|| {
            let diff = i128::from(mqls) - i128::from(prev);
            diff as f64 * 100.0 / prev as f64
        });
        Ok(LeadReport {
            period: spec.period,
            funnel: self.total.funnel(spec),
            velocity: LeadVelocity {
                previous: spec.previous,
                mqls,
                previous_mqls: prev,
                growth_percent,
            },
            mql_to_sql: DurationStats::of(&self.mql_to_sql),
            by_source: group(&self.by_source),
            by_owner: spec.by_owner.then(|| group(&self.by_owner)),
        })
    }
}

/// The date each milestone was reached (index = milestone), checked.
fn reach_dates(stages: &LeadStages, lead: &LeadHistory) -> Result<[Option<DateTime<Utc>>; 5]> {
    let bad = |m: String| Error::invalid_input(format!("lead `{}`: {m}", lead.id));
    let mut reach = [None; 5];
    let mut prev: Option<DateTime<Utc>> = None;
    for (k, e) in lead.history.iter().enumerate() {
        let m = stages.lookup.get(&e.stage).ok_or_else(|| {
            bad(format!(
                "history[{k}]: unknown stage `{}` (not a milestone's nor another known stage)",
                e.stage
            ))
        })?;
        check_entry(k, e, prev, lead.created_at).map_err(bad)?;
        prev = Some(e.at);
        if let Some(m) = m {
            for slot in reach.iter_mut().take(m.index() + 1) {
                slot.get_or_insert(e.at);
            }
        }
    }
    Ok(reach)
}

/// Leads reaching each milestone in the period.
///
/// ```
/// let m = leadcore::analytics::MilestoneCounts { mql: 4, srl: 1, sql: 1, opportunity: 0, won: 0 };
/// assert!(serde_json::to_string(&m).unwrap().starts_with(r#"{"mql":4"#));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneCounts {
    /// MQL.
    pub mql: u64,
    /// SRL (SAL).
    pub srl: u64,
    /// SQL.
    pub sql: u64,
    /// Opportunity.
    pub opportunity: u64,
    /// Won.
    pub won: u64,
}

/// One conversion step's cohort, rate and verdict against its benchmark.
///
/// ```
/// use leadcore::analytics::{Benchmark, Conversion, Verdict};
/// let c = Conversion { cohort: 10, converted: 3, rate: Some(0.3),
///     benchmark: Benchmark::new(0.2, 0.4).unwrap(), verdict: Some(Verdict::Within) };
/// assert!(serde_json::to_string(&c).unwrap().ends_with(r#""verdict":"within"}"#));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// Leads that reached the first milestone in the period.
    pub cohort: u64,
    /// Of them, those that reached the second before the snapshot.
    pub converted: u64,
    /// `converted / cohort` (`None` for an empty cohort).
    pub rate: Option<f64>,
    /// The benchmark range.
    pub benchmark: Benchmark,
    /// Where the rate falls (`None` without a rate).
    pub verdict: Option<Verdict>,
}

/// Milestone counts and conversions of a set of leads.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use leadcore::analytics::{LeadMetrics, LeadSpec, LeadStages, Period};
/// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
/// let f = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap())
///     .finish().unwrap().funnel;
/// assert_eq!((f.leads, f.srl_to_sql.benchmark.low), (0, 0.8));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeadFunnel {
    /// Leads added.
    pub leads: u64,
    /// Leads reaching each milestone in the period.
    pub reached: MilestoneCounts,
    /// MQL to SRL.
    pub mql_to_srl: Conversion,
    /// SRL to SQL.
    pub srl_to_sql: Conversion,
    /// SQL to Won.
    pub sql_to_won: Conversion,
}

/// Growth of MQLs over the previous period.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use leadcore::analytics::{LeadMetrics, LeadSpec, LeadStages, Period};
/// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
/// let v = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap())
///     .finish().unwrap().velocity;
/// assert_eq!((v.mqls, v.growth_percent), (0, None));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeadVelocity {
    /// The previous period.
    pub previous: Period,
    /// MQLs reached in the period.
    pub mqls: u64,
    /// MQLs reached in the previous period.
    pub previous_mqls: u64,
    /// `(mqls - previous_mqls) / previous_mqls × 100` (`None` when `previous_mqls` is 0).
    pub growth_percent: Option<f64>,
}

/// One group's funnel (by source or owner; `key` `None`: missing).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use leadcore::analytics::{LeadHistory, LeadMetrics, LeadSpec, LeadStages, Period};
/// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
/// let mut m = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap());
/// m.add(&LeadHistory { id: "A".into(), ..Default::default() }).unwrap();
/// let g = &m.finish().unwrap().by_source[0];
/// assert_eq!((g.key.as_deref(), g.funnel.leads), (None, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeadGroup {
    /// The source or owner.
    pub key: Option<String>,
    /// Its funnel.
    #[serde(flatten)]
    pub funnel: LeadFunnel,
}

/// The finished lead metrics.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use leadcore::analytics::{LeadMetrics, LeadSpec, LeadStages, Period};
/// # let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
/// let r = LeadMetrics::new(LeadSpec::new(LeadStages::default(), Period { from: t(4), to: t(7) }).unwrap())
///     .finish().unwrap();
/// assert_eq!(r.mql_to_sql.count, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeadReport {
    /// The period.
    pub period: Period,
    /// Every lead.
    pub funnel: LeadFunnel,
    /// Lead velocity.
    pub velocity: LeadVelocity,
    /// Time from MQL to SQL of the leads that reached SQL in the period.
    pub mql_to_sql: DurationStats,
    /// Attribution per source, ordered by source (missing first).
    pub by_source: Vec<LeadGroup>,
    /// Per owner, when asked for.
    pub by_owner: Option<Vec<LeadGroup>>,
}

/// One task: its assignment (earliest) and completion (earliest), by task id.
#[derive(Debug, Clone, Default, PartialEq)]
struct Task {
    assigned: Option<(DateTime<Utc>, String)>,
    done: Option<(DateTime<Utc>, Option<String>)>,
}

/// Activity metrics per rep: activities by kind in the period, and tasks assigned, done and
/// open. The rep is an activity's `actor`; activities without one are counted apart.
///
/// Tasks are `task_assigned` and `task_done` activities sharing an `id` (the task's). A
/// task belongs to its assignee (the `actor` of its `task_assigned`, else of its
/// `task_done`); it is **assigned** in the period when assigned in it, **done** in the
/// period when done in it, and **open** at `to` when assigned before `to` and not done
/// before `to`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Activity, ActivityKind, analytics::{ActivityMetrics, Period}};
/// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let act = |kind, d, id: &str| { let mut a = Activity::new(kind, t(d));
///     a.actor = Some("ann".into()); a.id = Some(id.into()); a };
/// let mut m = ActivityMetrics::new(Period { from: t(1), to: t(8) }).unwrap();
/// m.add(&act(ActivityKind::Call, 2, "c1")).unwrap();
/// m.add(&act(ActivityKind::TaskAssigned, 2, "t1")).unwrap();
/// m.add(&act(ActivityKind::TaskAssigned, 3, "t2")).unwrap();
/// m.add(&act(ActivityKind::TaskDone, 4, "t1")).unwrap();
/// let r = m.finish().unwrap();
/// assert_eq!(r.reps[0].by_kind["call"], 1);
/// assert_eq!((r.reps[0].tasks.assigned, r.reps[0].tasks.done, r.reps[0].tasks.open), (2, 1, 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityMetrics {
    period: Period,
    activities: u64,
    unattributed: u64,
    kinds: BTreeMap<String, BTreeMap<String, u64>>,
    tasks: BTreeMap<String, Task>,
}

impl ActivityMetrics {
    /// An empty accumulator; an empty period is `input.invalid`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let t = Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap();
    /// let p = leadcore::analytics::Period { from: t, to: t };
    /// assert!(leadcore::analytics::ActivityMetrics::new(p).is_err());
    /// ```
    pub fn new(period: Period) -> Result<Self> {
        period.check()?;
        Ok(ActivityMetrics {
            period,
            activities: 0,
            unattributed: 0,
            kinds: BTreeMap::new(),
            tasks: BTreeMap::new(),
        })
    }

    /// Adds one activity. A task activity (`task_assigned`, `task_done`) without an `id`,
    /// or a `task_assigned` without an `actor`, is `input.invalid` (and changes nothing).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::{Activity, ActivityKind, analytics::{ActivityMetrics, Period}};
    /// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let mut m = ActivityMetrics::new(Period { from: t(1), to: t(8) }).unwrap();
    /// assert!(m.add(&Activity::new(ActivityKind::TaskDone, t(2))).is_err());
    /// ```
    pub fn add(&mut self, a: &Activity) -> Result<()> {
        let is_task = matches!(a.kind, ActivityKind::TaskAssigned | ActivityKind::TaskDone);
        let what = || format!("`{}` activity at {}", a.kind, a.at.to_rfc3339());
        if is_task && a.id.is_none() {
            return Err(Error::invalid_input(format!(
                "{} has no `id` (the task's id)",
                what()
            )));
        }
        if a.kind == ActivityKind::TaskAssigned && a.actor.is_none() {
            let id = a.id.as_deref().unwrap_or_default();
            return Err(Error::invalid_input(format!(
                "task `{id}`: {} has no `actor` (the assignee)",
                what()
            )));
        }
        if self.period.contains(a.at) {
            self.activities += 1;
            match &a.actor {
                Some(rep) => {
                    *self
                        .kinds
                        .entry(rep.clone())
                        .or_default()
                        .entry(a.kind.name().to_owned())
                        .or_insert(0) += 1;
                }
                None => self.unattributed += 1,
            }
        }
        if let (true, Some(id)) = (is_task, &a.id) {
            let mut t = Task::default();
            if a.kind == ActivityKind::TaskAssigned {
                t.assigned = a.actor.clone().map(|r| (a.at, r));
            } else {
                t.done = Some((a.at, a.actor.clone()));
            }
            merge_task(self.tasks.entry(id.clone()).or_default(), t);
        }
        Ok(())
    }

    /// Adds another accumulator of the same period (`input.invalid` otherwise).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::analytics::{ActivityMetrics, Period};
    /// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let mut a = ActivityMetrics::new(Period { from: t(1), to: t(8) }).unwrap();
    /// assert!(a.merge(ActivityMetrics::new(Period { from: t(1), to: t(9) }).unwrap()).is_err());
    /// ```
    pub fn merge(&mut self, other: ActivityMetrics) -> Result<()> {
        if self.period != other.period {
            return Err(Error::invalid_input(
                "cannot merge activity metrics of different periods",
            ));
        }
        self.activities += other.activities;
        self.unattributed += other.unattributed;
        for (rep, kinds) in other.kinds {
            let mine = self.kinds.entry(rep).or_default();
            for (k, n) in kinds {
                *mine.entry(k).or_insert(0) += n;
            }
        }
        for (id, t) in other.tasks {
            merge_task(self.tasks.entry(id).or_default(), t);
        }
        Ok(())
    }

    /// The report: one row per rep, by rep id.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::analytics::{ActivityMetrics, Period};
    /// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let r = ActivityMetrics::new(Period { from: t(1), to: t(8) }).unwrap().finish().unwrap();
    /// assert!(r.reps.is_empty());
    /// ```
    pub fn finish(&self) -> Result<ActivityReport> {
        let p = self.period;
        let mut reps: BTreeMap<String, RepActivity> = self
            .kinds
            .iter()
            .map(|(rep, kinds)| {
                (
                    rep.clone(),
                    RepActivity {
                        rep: rep.clone(),
                        total: kinds.values().sum(),
                        by_kind: kinds.clone(),
                        tasks: TaskCounts::default(),
                    },
                )
            })
            .collect();
        for t in self.tasks.values() {
            let rep = match (&t.assigned, &t.done) {
                (Some((_, r)), _) | (None, Some((_, Some(r)))) => r,
                _ => continue,
            };
            let row = reps.entry(rep.clone()).or_insert_with(|| RepActivity {
                rep: rep.clone(),
                total: 0,
                by_kind: BTreeMap::new(),
                tasks: TaskCounts::default(),
            });
            let assigned_at = t.assigned.as_ref().map(|(at, _)| *at);
            let done_at = t.done.as_ref().map(|(at, _)| *at);
            if assigned_at.is_some_and(|at| p.contains(at)) {
                row.tasks.assigned += 1;
            }
            if done_at.is_some_and(|at| p.contains(at)) {
                row.tasks.done += 1;
            }
            if assigned_at.is_some_and(|at| at < p.to) && done_at.is_none_or(|at| at >= p.to) {
                row.tasks.open += 1;
            }
        }
        Ok(ActivityReport {
            period: p,
            activities: self.activities,
            unattributed: self.unattributed,
            reps: reps.into_values().collect(),
        })
    }
}

/// Keeps the earliest assignment and completion (ties by rep), whatever the order.
fn merge_task(into: &mut Task, t: Task) {
    if let Some(a) = t.assigned
        && into.assigned.as_ref().is_none_or(|b| a < *b)
    {
        into.assigned = Some(a);
    }
    if let Some(d) = t.done
        && into.done.as_ref().is_none_or(|b| d < *b)
    {
        into.done = Some(d);
    }
}

/// A rep's tasks.
///
/// ```
/// let t = leadcore::analytics::TaskCounts::default();
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"assigned":0,"done":0,"open":0}"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounts {
    /// Assigned in the period.
    pub assigned: u64,
    /// Done in the period.
    pub done: u64,
    /// Open at the snapshot (assigned before it, not done before it).
    pub open: u64,
}

/// One rep's activity.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Activity, ActivityKind, analytics::{ActivityMetrics, Period}};
/// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let mut m = ActivityMetrics::new(Period { from: t(1), to: t(8) }).unwrap();
/// let mut a = Activity::new(ActivityKind::EmailSent, t(2));
/// a.actor = Some("bo".into());
/// m.add(&a).unwrap();
/// assert_eq!(m.finish().unwrap().reps[0].total, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RepActivity {
    /// The rep.
    pub rep: String,
    /// Activities in the period.
    pub total: u64,
    /// The same by kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Tasks.
    pub tasks: TaskCounts,
}

/// The finished activity metrics.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Activity, ActivityKind, analytics::{ActivityMetrics, Period}};
/// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let mut m = ActivityMetrics::new(Period { from: t(1), to: t(8) }).unwrap();
/// m.add(&Activity::new(ActivityKind::EmailOpened, t(2))).unwrap(); // the lead's, no rep
/// let r = m.finish().unwrap();
/// assert_eq!((r.activities, r.unattributed), (1, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActivityReport {
    /// The period.
    pub period: Period,
    /// Activities in the period.
    pub activities: u64,
    /// Of them, those without a rep.
    pub unattributed: u64,
    /// One row per rep, by rep id.
    pub reps: Vec<RepActivity>,
}
