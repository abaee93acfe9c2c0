//! The main job: load the default playbook, move the real Olist marketing funnel (8,000 MQLs,
//! 842 closed deals; `../shared/data/olist-marketing-funnel`) through the lead lifecycle, and
//! print the funnel with counts, conversion and dwell per stage.
//!
//! ```text
//! cargo run --release --example funnel [-- DATA_DIR]
//! ```
//!
//! The data gives each lead's first-contact date and, for closed deals, the won date, SDR and
//! closer. Everything the data does not record is stated here and derived deterministically:
//! - a lead enters as Suspect on its first-contact date; it filled an Olist landing-page form,
//!   so marketing grants MQL the same day with a form-fill score of 100;
//! - a closed deal's SDR accepts it (SRL) an hour later, reaches it by phone, books a demo and
//!   holds it at 10%, 30% and 50% of the time to its won date; BANT comes from the deal row
//!   (budget = declared monthly revenue, authority = has_company, need = business segment,
//!   timeline = won date); its closer (AE) marks it Won on the won date;
//! - an MQL without a deal is nurtured by marketing 90 days after first contact, if that day has
//!   come by the end of the data.
//!
//! Every move goes through the engine's guards: a refused move is counted, never forced.
//!
//! Without the data (a fresh clone), the job runs on a bundled synthetic sample instead: 8,000
//! made-up leads and their deals with the same columns, drawn from a fixed seed (the same
//! numbers on every run), and says so on its first line. The real data stays the default
//! whenever its two files are there.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use leadcore::{
    Activity, ActivityKind, Actor, Facts, FieldValue, Funnel, Lead, LifecycleState, Playbook, Role,
    TransitionRequest,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Splits one CSV line, honouring double quotes.
fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

type Row = BTreeMap<String, String>;

/// Reads a CSV file into rows keyed by header name.
fn read_csv(path: &Path) -> std::io::Result<Vec<Row>> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap_or_default());
    Ok(lines
        .filter(|l| !l.is_empty())
        .map(|l| header.iter().cloned().zip(split_csv(l)).collect())
        .collect())
}

const MQL_FILE: &str = "olist_marketing_qualified_leads_dataset.csv";
const DEAL_FILE: &str = "olist_closed_deals_dataset.csv";

/// The rows the job reads: marketing-qualified leads and closed deals, and what they are.
pub(crate) struct Data {
    mqls: Vec<Row>,
    deals: Vec<Row>,
    /// What the rows are, for the first line of the output.
    label: String,
}

/// The Olist files in `dir`, or the synthetic sample when `dir` does not hold them.
pub(crate) fn load(dir: &Path) -> Data {
    match (
        read_csv(&dir.join(MQL_FILE)),
        read_csv(&dir.join(DEAL_FILE)),
    ) {
        (Ok(mqls), Ok(deals)) => Data {
            mqls,
            deals,
            label: "Olist marketing funnel".to_owned(),
        },
        _ => Data {
            label: format!(
                "SYNTHETIC sample (seed {SEED}, made-up leads: {} not found, so this is not the Olist data)",
                dir.display()
            ),
            ..synthetic(8_000, SEED)
        },
    }
}

const SEED: u64 = 20_170_601;

/// SplitMix64: a fixed seed gives the same sample on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// `leads` made-up leads shaped like the Olist files: first contacts over the year from June
/// 2017, about one in ten closed within 1 to 240 days by one of 30 SDRs and 20 closers; some
/// deals lack a business segment (so a BANT guard refuses them), like the real data.
fn synthetic(leads: usize, seed: u64) -> Data {
    const ORIGINS: [&str; 9] = [
        "organic_search",
        "paid_search",
        "social",
        "email",
        "direct_traffic",
        "referral",
        "display",
        "unknown",
        "",
    ];
    const SEGMENTS: [&str; 8] = [
        "home_decor",
        "health_beauty",
        "car_accessories",
        "computers",
        "sports_leisure",
        "construction_tools_house_garden",
        "pet",
        "",
    ];
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2017, 6, 1).unwrap_or_default();
    let row = |pairs: &[(&str, String)]| -> Row {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let (mut mqls, mut deals) = (Vec::new(), Vec::new());
    for i in 0..leads {
        let id = format!("syn-{i:05}");
        let contact = start + Duration::days(rng.below(365) as i64);
        mqls.push(row(&[
            ("mql_id", id.clone()),
            ("first_contact_date", contact.format("%Y-%m-%d").to_string()),
            ("origin", rng.pick(&ORIGINS).to_owned()),
        ]));
        if rng.below(1000) < 105 {
            let won = contact.and_hms_opt(0, 0, 0).unwrap_or_default()
                + Duration::days(1 + rng.below(240) as i64)
                + Duration::minutes(rng.below(24 * 60) as i64);
            deals.push(row(&[
                ("mql_id", id),
                ("won_date", won.format("%Y-%m-%d %H:%M").to_string()),
                ("sdr_id", format!("sdr-{:02}", rng.below(30))),
                ("sr_id", format!("sr-{:02}", rng.below(20))),
                (
                    "declared_monthly_revenue",
                    format!("{}.0", rng.below(20) * 5_000),
                ),
                ("has_company", rng.pick(&["True", "False", ""]).to_owned()),
                ("business_segment", rng.pick(&SEGMENTS).to_owned()),
            ]));
        }
    }
    Data {
        mqls,
        deals,
        label: String::new(),
    }
}

fn date(s: &str) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?))
}

fn minute(s: &str) -> Option<DateTime<Utc>> {
    let d = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").ok()?;
    Some(Utc.from_utc_datetime(&d))
}

struct Run<'p> {
    playbook: &'p Playbook,
    moved: u64,
    refused: BTreeMap<String, u64>,
}

impl Run<'_> {
    fn step(&mut self, state: &mut LifecycleState, req: TransitionRequest, facts: &Facts<'_>) {
        match self.playbook.transition(state, &req, facts) {
            Ok(_) => self.moved += 1,
            Err(e) => {
                let key = match e.failed_guards() {
                    [] => e.code().to_owned(),
                    failed => failed
                        .iter()
                        .map(|f| f.guard.as_str())
                        .collect::<Vec<_>>()
                        .join("+"),
                };
                *self.refused.entry(key).or_default() += 1;
            }
        }
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/olist-marketing-funnel")
        });
    print!("{}", run(load(&dir)));
}

/// Moves every lead of `data` through the lifecycle; the report to print.
pub(crate) fn run(data: Data) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let field = |r: &Row, k: &str| r.get(k).cloned().unwrap_or_default();
    let mqls = data.mqls;
    let deals: BTreeMap<String, Row> = data
        .deals
        .into_iter()
        .map(|r| (field(&r, "mql_id"), r))
        .collect();

    let playbook = Playbook::default_playbook();
    let contacts: Vec<(String, DateTime<Utc>, String)> = mqls
        .iter()
        .filter_map(|r| {
            Some((
                field(r, "mql_id"),
                date(&field(r, "first_contact_date"))?,
                field(r, "origin"),
            ))
        })
        .collect();
    let end = contacts
        .iter()
        .map(|c| c.1)
        .chain(deals.values().filter_map(|d| minute(&field(d, "won_date"))))
        .max()
        .unwrap_or_default()
        + Duration::days(1);

    let timer = Instant::now();
    let mut run = Run {
        playbook: &playbook,
        moved: 0,
        refused: BTreeMap::new(),
    };
    let marketing = Actor::new("marketing", Role::Marketing);
    let mut states = Vec::with_capacity(contacts.len());
    for (id, contact, origin) in &contacts {
        let mut lead = Lead::new(id.clone());
        lead.source.channel = Some(origin.clone()).filter(|o| !o.is_empty());
        let mut state = playbook
            .start("lead", id, *contact)
            .expect("lead pipeline exists");
        let form_fill = Facts::new().record(&lead).score("lead", 100.0);
        run.step(
            &mut state,
            TransitionRequest::new("MQL", marketing.clone(), *contact),
            &form_fill,
        );

        match deals
            .get(id)
            .and_then(|d| Some((d, minute(&field(d, "won_date"))?)))
        {
            Some((deal, won)) if won > *contact => {
                let at = |f: f64| {
                    *contact + Duration::seconds(((won - *contact).num_seconds() as f64 * f) as i64)
                };
                let sdr = Actor::new(field(deal, "sdr_id"), Role::Sdr);
                let closer = Actor::new(field(deal, "sr_id"), Role::Ae);
                let revenue: i64 = field(deal, "declared_monthly_revenue")
                    .parse::<f64>()
                    .unwrap_or(0.0) as i64;
                lead.custom
                    .insert("budget".into(), FieldValue::Int(revenue * 100));
                lead.custom.insert(
                    "authority".into(),
                    FieldValue::Bool(field(deal, "has_company") != "False"),
                );
                let segment = field(deal, "business_segment");
                if !segment.is_empty() {
                    lead.custom.insert("need".into(), FieldValue::Text(segment));
                }
                lead.custom
                    .insert("timeline".into(), FieldValue::Date(won.date_naive()));
                let activities = [
                    Activity::new(ActivityKind::Call, at(0.1)),
                    Activity::new(ActivityKind::MeetingScheduled, at(0.3)),
                    Activity::new(ActivityKind::MeetingHeld, at(0.5)),
                ];
                let facts = Facts::new().record(&lead).activities(&activities);
                let srl = (*contact + Duration::hours(1)).min(at(0.05));
                run.step(
                    &mut state,
                    TransitionRequest::new("SRL", sdr.clone(), srl),
                    &facts,
                );
                for (to, when) in [
                    ("SQL Contacted", 0.1),
                    ("SQL Scheduled", 0.3),
                    ("Opportunity", 0.5),
                ] {
                    run.step(
                        &mut state,
                        TransitionRequest::new(to, sdr.clone(), at(when)),
                        &facts,
                    );
                }
                run.step(
                    &mut state,
                    TransitionRequest::new("Won", closer, won),
                    &facts,
                );
            }
            _ => {
                let nurture_at = *contact + Duration::days(90);
                if nurture_at <= end {
                    let req = TransitionRequest::new("Nurture", marketing.clone(), nurture_at)
                        .with_reason("no deal within 90 days");
                    run.step(&mut state, req, &Facts::new().record(&lead));
                }
            }
        }
        states.push(state);
    }
    let elapsed = timer.elapsed();
    // Every move is at or before the end of the data, and every state was made here.
    let funnel = match Funnel::compute(playbook.lifecycle(), &states, end) {
        Ok(f) => f,
        Err(e) => return format!("cannot compute the funnel: {e}\n"),
    };

    let _ = writeln!(
        out,
        "{} through the default playbook: {} leads, {} closed deals, as of {}",
        data.label,
        contacts.len(),
        deals.len(),
        end.date_naive()
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<15} {:>8} {:>8} {:>8} {:>11} {:>16}",
        "stage", "reached", "entered", "now", "conv.->next", "mean dwell (d)"
    );
    for s in &funnel.stages {
        let conv = s
            .conversion_to_next
            .map_or("-".to_owned(), |c| format!("{:.1}%", c * 100.0));
        let dwell = s
            .mean_dwell_seconds
            .map_or("-".to_owned(), |d| format!("{:.1}", d / 86_400.0));
        let _ = writeln!(
            out,
            "{:<15} {:>8} {:>8} {:>8} {:>11} {:>16}",
            s.stage, s.reached, s.entered, s.current, conv, dwell
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} transitions applied, {} refused, in {:.1} ms ({:.0} transitions/s including guards and history)",
        run.moved,
        run.refused.values().sum::<u64>(),
        elapsed.as_secs_f64() * 1e3,
        (run.moved + run.refused.values().sum::<u64>()) as f64 / elapsed.as_secs_f64()
    );
    for (why, n) in &run.refused {
        let _ = writeln!(out, "  refused {n:>5} x {why}");
    }
    out
}
