//! Lead metrics in and out as Arrow: lead histories from a leads table and a table of their
//! stage entries, and a lead report out as record batches (the funnel a row per step, the
//! summary, and a row per source or owner).

use crate::analytics::{id_texts, texts, times};
use crate::table::{ChunkedColumn, Table};
use crate::{Result, invalid};
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use leadcore::analytics::{
    Conversion, LeadFunnel, LeadGroup, LeadHistory, LeadReport, StageEntry, Verdict,
};
use std::collections::HashMap;
use std::sync::Arc;

fn lead_id_column<'a>(t: &'a Table, what: &str) -> Result<&'a ChunkedColumn> {
    t.column("lead_id")
        .or_else(|| t.column("id"))
        .ok_or_else(|| invalid(format!("{what} need a `lead_id` (or `id`) column")))
}

/// Lead histories from a table of leads with `lead_id` (or `id`) and optionally `source`,
/// `owner` (text) and `created_at` (timestamps, dates or Unix seconds), and a table of their
/// stage entries with `lead_id` (or `id`), `at` and `stage`, sorted by time within each lead
/// (ties keep row order). A repeated lead id, a stage row naming no lead of the first table,
/// or without a time or a stage, is an error naming the row. Other columns are ignored.
///
/// ```
/// use arrow_array::{ArrayRef, BooleanArray, Int64Array, StringArray};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let col = |n: &str, a: ArrayRef| ChunkedColumn::new(n, a);
/// let leads = Table::new(vec![
///     col("lead_id", Arc::new(StringArray::from(vec!["A", "B"]))),
///     col("source", Arc::new(StringArray::from(vec![Some("web"), None]))),
/// ]);
/// let hist = Table::new(vec![
///     col("lead_id", Arc::new(StringArray::from(vec!["A", "A"]))),
///     col("at", Arc::new(Int64Array::from(vec![200, 100]))),
///     col("stage", Arc::new(StringArray::from(vec!["SQL", "MQL"]))),
/// ]);
/// let leads = leadcore_arrow::lead_histories(&leads, &hist).unwrap();
/// assert_eq!(leads[0].history[0].stage, "MQL");
/// assert_eq!((leads[1].source.as_deref(), leads[1].history.len()), (None, 0));
/// ```
pub fn lead_histories(leads: &Table, history: &Table) -> Result<Vec<LeadHistory>> {
    const W: &str = "leads";
    let ids = id_texts(lead_id_column(leads, W)?, W)?;
    let mut out: Vec<LeadHistory> = Vec::with_capacity(ids.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(ids.len());
    for (row, id) in ids.into_iter().enumerate() {
        let id = id.ok_or_else(|| invalid(format!("{W}, row {row}: no lead_id")))?;
        if index.insert(id.clone(), row).is_some() {
            return Err(invalid(format!(
                "{W}, row {row}: lead `{id}` is listed twice"
            )));
        }
        out.push(LeadHistory {
            id,
            ..Default::default()
        });
    }
    if let Some(c) = leads.column("source") {
        for (l, v) in out.iter_mut().zip(texts(c, W)?) {
            l.source = v;
        }
    }
    if let Some(c) = leads.column("owner") {
        for (l, v) in out.iter_mut().zip(texts(c, W)?) {
            l.owner = v;
        }
    }
    if let Some(c) = leads.column("created_at") {
        for (l, t) in out.iter_mut().zip(times(c, W)?) {
            l.created_at = t;
        }
    }
    const H: &str = "stage history";
    let ids = id_texts(lead_id_column(history, H)?, H)?;
    let at = times(
        history
            .column("at")
            .ok_or_else(|| invalid("stage history needs an `at` column"))?,
        H,
    )?;
    let stage = texts(
        history
            .column("stage")
            .ok_or_else(|| invalid("stage history needs a `stage` column"))?,
        H,
    )?;
    if at.len() != ids.len() || stage.len() != ids.len() {
        return Err(invalid("stage history columns differ in length"));
    }
    for (row, ((id, at), stage)) in ids.into_iter().zip(at).zip(stage).enumerate() {
        let (Some(id), Some(at), Some(stage)) = (id, at, stage) else {
            return Err(invalid(format!(
                "{H}, row {row}: lead_id, at and stage are all required"
            )));
        };
        let i = *index
            .get(&id)
            .ok_or_else(|| invalid(format!("{H}, row {row}: no lead `{id}` in the leads")))?;
        if let Some(l) = out.get_mut(i) {
            l.history.push(StageEntry { at, stage });
        }
    }
    for l in &mut out {
        l.history.sort_by_key(|e| e.at);
    }
    Ok(out)
}

fn verdict(v: Option<Verdict>) -> Option<&'static str> {
    v.map(|v| match v {
        Verdict::Below => "below",
        Verdict::Within => "within",
        Verdict::Above => "above",
    })
}

/// A funnel's conversion step.
type StepOf = fn(&LeadFunnel) -> &Conversion;

/// The conversion steps: name, from and to milestones, and the step of a funnel.
const STEPS: [(&str, &str, &str, StepOf); 3] = [
    ("mql_to_srl", "mql", "srl", |f| &f.mql_to_srl),
    ("srl_to_sql", "srl", "sql", |f| &f.srl_to_sql),
    ("sql_to_won", "sql", "won", |f| &f.sql_to_won),
];

fn batch(fields: Vec<Field>, columns: Vec<ArrayRef>, what: &str) -> Result<RecordBatch> {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| invalid(format!("cannot build the {what} batch: {e}")))
}

/// Columns of a batch being built, each named with its type.
#[derive(Default)]
pub(crate) struct Columns {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
}

impl Columns {
    pub(crate) fn text(&mut self, name: &str, v: Vec<Option<String>>) {
        self.fields.push(Field::new(name, DataType::Utf8, true));
        self.columns.push(Arc::new(StringArray::from(v)));
    }
    pub(crate) fn count(&mut self, name: &str, v: Vec<u64>) {
        self.fields.push(Field::new(name, DataType::UInt64, true));
        self.columns.push(Arc::new(UInt64Array::from(v)));
    }
    pub(crate) fn int(&mut self, name: &str, v: Vec<Option<i64>>) {
        self.fields.push(Field::new(name, DataType::Int64, true));
        self.columns.push(Arc::new(Int64Array::from(v)));
    }
    pub(crate) fn flag(&mut self, name: &str, v: Vec<bool>) {
        self.fields.push(Field::new(name, DataType::Boolean, true));
        self.columns.push(Arc::new(BooleanArray::from(v)));
    }
    pub(crate) fn float(&mut self, name: &str, v: Vec<Option<f64>>) {
        self.fields.push(Field::new(name, DataType::Float64, true));
        self.columns.push(Arc::new(Float64Array::from(v)));
    }
    pub(crate) fn finish(self, what: &str) -> Result<RecordBatch> {
        batch(self.fields, self.columns, what)
    }
}

/// One group per row: the key column `key` (null: missing), `leads`, the milestones reached
/// (`mql`, `srl`, `sql`, `opportunity`, `won`), then per step its `<step>_cohort`,
/// `<step>_converted`, `<step>` (the rate) and `<step>_verdict`.
fn groups_batch(key: &str, groups: &[LeadGroup]) -> Result<RecordBatch> {
    let mut c = Columns::default();
    c.text(key, groups.iter().map(|g| g.key.clone()).collect());
    c.count("leads", groups.iter().map(|g| g.funnel.leads).collect());
    let reached = |f: fn(&LeadFunnel) -> u64| groups.iter().map(|g| f(&g.funnel)).collect();
    c.count("mql", reached(|f| f.reached.mql));
    c.count("srl", reached(|f| f.reached.srl));
    c.count("sql", reached(|f| f.reached.sql));
    c.count("opportunity", reached(|f| f.reached.opportunity));
    c.count("won", reached(|f| f.reached.won));
    for (name, _, _, step) in STEPS {
        let conv: Vec<&Conversion> = groups.iter().map(|g| step(&g.funnel)).collect();
        c.count(
            &format!("{name}_cohort"),
            conv.iter().map(|s| s.cohort).collect(),
        );
        c.count(
            &format!("{name}_converted"),
            conv.iter().map(|s| s.converted).collect(),
        );
        c.float(name, conv.iter().map(|s| s.rate).collect());
        c.text(
            &format!("{name}_verdict"),
            conv.iter()
                .map(|s| verdict(s.verdict).map(str::to_owned))
                .collect(),
        );
    }
    c.finish(&format!("lead metrics by {key}"))
}

/// A lead report as named record batches, in order:
/// - `funnel`: a row per conversion step: `step` (`mql_to_srl`, `srl_to_sql`, `sql_to_won`),
///   `from`, `to` (milestones), `cohort` (leads that reached `from` in the period),
///   `converted` (of them, those that reached `to` before the snapshot), `rate`,
///   `benchmark_low`, `benchmark_high`, `verdict` (`below`, `within`, `above`; null without
///   a rate);
/// - `summary`: one row: `leads`, the milestones reached in the period (`mql`, `srl`, `sql`,
///   `opportunity`, `won`), `previous_mqls`, `mql_growth_percent`, and the time from MQL to
///   SQL (`mql_to_sql_count`, `mql_to_sql_mean_s`, `mql_to_sql_median_s`,
///   `mql_to_sql_p90_s`);
/// - `by_source`, and `by_owner` when the report has it: a row per group, by key (missing
///   first): the key (`source` or `owner`), `leads`, the milestones reached, and per step
///   `<step>_cohort`, `<step>_converted`, `<step>` (the rate) and `<step>_verdict`.
///
/// ```
/// use leadcore::analytics::LeadMetricsInput;
/// let input = LeadMetricsInput::from_json(r#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},
///   "leads":[{"id":"L1","source":"web","history":[{"at":"2017-01-02T00:00:00Z","stage":"MQL"}]}]}"#).unwrap();
/// let batches = leadcore_arrow::lead_report_batches(&input.run().unwrap()).unwrap();
/// let names: Vec<&str> = batches.iter().map(|b| b.0).collect();
/// assert_eq!(names, ["funnel", "summary", "by_source"]);
/// assert_eq!(batches[0].1.num_rows(), 3);
/// ```
pub fn lead_report_batches(r: &LeadReport) -> Result<Vec<(&'static str, RecordBatch)>> {
    let mut f = Columns::default();
    let conv: Vec<&Conversion> = STEPS.iter().map(|s| (s.3)(&r.funnel)).collect();
    f.text("step", STEPS.iter().map(|s| Some(s.0.to_owned())).collect());
    f.text("from", STEPS.iter().map(|s| Some(s.1.to_owned())).collect());
    f.text("to", STEPS.iter().map(|s| Some(s.2.to_owned())).collect());
    f.count("cohort", conv.iter().map(|c| c.cohort).collect());
    f.count("converted", conv.iter().map(|c| c.converted).collect());
    f.float("rate", conv.iter().map(|c| c.rate).collect());
    f.float(
        "benchmark_low",
        conv.iter().map(|c| Some(c.benchmark.low)).collect(),
    );
    f.float(
        "benchmark_high",
        conv.iter().map(|c| Some(c.benchmark.high)).collect(),
    );
    f.text(
        "verdict",
        conv.iter()
            .map(|c| verdict(c.verdict).map(str::to_owned))
            .collect(),
    );
    let mut s = Columns::default();
    let reached = &r.funnel.reached;
    s.count("leads", vec![r.funnel.leads]);
    s.count("mql", vec![reached.mql]);
    s.count("srl", vec![reached.srl]);
    s.count("sql", vec![reached.sql]);
    s.count("opportunity", vec![reached.opportunity]);
    s.count("won", vec![reached.won]);
    s.count("previous_mqls", vec![r.velocity.previous_mqls]);
    s.float("mql_growth_percent", vec![r.velocity.growth_percent]);
    s.count("mql_to_sql_count", vec![r.mql_to_sql.count]);
    s.float("mql_to_sql_mean_s", vec![r.mql_to_sql.mean_seconds]);
    s.int("mql_to_sql_median_s", vec![r.mql_to_sql.median_seconds]);
    s.int("mql_to_sql_p90_s", vec![r.mql_to_sql.p90_seconds]);
    let mut out = vec![
        ("funnel", f.finish("lead funnel")?),
        ("summary", s.finish("lead summary")?),
        ("by_source", groups_batch("source", &r.by_source)?),
    ];
    if let Some(owners) = &r.by_owner {
        out.push(("by_owner", groups_batch("owner", owners)?));
    }
    Ok(out)
}
