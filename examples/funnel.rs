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

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use leadcore::{
    Activity, ActivityKind, Actor, Facts, FieldValue, Funnel, Lead, LifecycleState, Playbook, Role,
    TransitionRequest,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
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

/// Reads a CSV file into rows keyed by header name.
fn read_csv(path: &PathBuf) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap_or_default());
    lines
        .filter(|l| !l.is_empty())
        .map(|l| header.iter().cloned().zip(split_csv(l)).collect())
        .collect()
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
    let mqls = read_csv(&dir.join("olist_marketing_qualified_leads_dataset.csv"));
    let deals: BTreeMap<String, BTreeMap<String, String>> =
        read_csv(&dir.join("olist_closed_deals_dataset.csv"))
            .into_iter()
            .map(|r| (r["mql_id"].clone(), r))
            .collect();

    let playbook = Playbook::default_playbook();
    let contacts: Vec<(String, DateTime<Utc>, String)> = mqls
        .iter()
        .filter_map(|r| {
            Some((
                r["mql_id"].clone(),
                date(&r["first_contact_date"])?,
                r["origin"].clone(),
            ))
        })
        .collect();
    let end = contacts
        .iter()
        .map(|c| c.1)
        .chain(deals.values().filter_map(|d| minute(&d["won_date"])))
        .max()
        .expect("data has dates")
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
            .and_then(|d| Some((d, minute(&d["won_date"])?)))
        {
            Some((deal, won)) if won > *contact => {
                let at = |f: f64| {
                    *contact + Duration::seconds(((won - *contact).num_seconds() as f64 * f) as i64)
                };
                let sdr = Actor::new(deal["sdr_id"].clone(), Role::Sdr);
                let closer = Actor::new(deal["sr_id"].clone(), Role::Ae);
                let revenue: i64 = deal["declared_monthly_revenue"]
                    .parse::<f64>()
                    .unwrap_or(0.0) as i64;
                lead.custom
                    .insert("budget".into(), FieldValue::Int(revenue * 100));
                lead.custom.insert(
                    "authority".into(),
                    FieldValue::Bool(deal["has_company"] != "False"),
                );
                if !deal["business_segment"].is_empty() {
                    lead.custom.insert(
                        "need".into(),
                        FieldValue::Text(deal["business_segment"].clone()),
                    );
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
    let funnel = Funnel::compute(playbook.lifecycle(), &states, end)
        .expect("every move is at or before the end of the data");

    println!(
        "Olist marketing funnel through the default playbook: {} leads, {} closed deals, as of {}",
        contacts.len(),
        deals.len(),
        end.date_naive()
    );
    println!();
    println!(
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
        println!(
            "{:<15} {:>8} {:>8} {:>8} {:>11} {:>16}",
            s.stage, s.reached, s.entered, s.current, conv, dwell
        );
    }
    println!();
    println!(
        "{} transitions applied, {} refused, in {:.1} ms ({:.0} transitions/s including guards and history)",
        run.moved,
        run.refused.values().sum::<u64>(),
        elapsed.as_secs_f64() * 1e3,
        (run.moved + run.refused.values().sum::<u64>()) as f64 / elapsed.as_secs_f64()
    );
    for (why, n) in &run.refused {
        println!("  refused {n:>5} x {why}");
    }
}
