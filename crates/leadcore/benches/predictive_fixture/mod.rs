//! The `odoo` predictive mode's benchmark fixture, shared by `benches/predictive.rs` and the
//! root example `examples/odoo_fixture.rs` (which writes it out for `benches/odoo_pandas.py`):
//! 1,000,000 leads, seeded and skewed: 5 teams and leads without a team, 4 stages + won,
//! country (60 values), state (300), source (12) Zipf-like, email_state with unset values.
//! Closed leads (seed 7) are won or lost; pending leads (seed 8) are open.
#![allow(dead_code)] // each includer uses part of it

use leadcore::DictColumn;
use leadcore::predictive::odoo::*;

pub const N: usize = 1_000_000;
pub const NULL: u32 = u32::MAX;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A skewed pick in 0..n (power law: value k with weight ~ 1/(k+1)).
    fn skewed(&mut self, n: u32) -> u32 {
        let u = self.unit();
        (((n as f64 + 1.0).powf(u) - 1.0) as u32).min(n - 1)
    }
}

/// Leads as dictionary-encoded columns (`NULL`: unset).
pub struct Fixture {
    pub teams: Vec<String>,
    pub stages: Vec<String>,
    pub countries: Vec<String>,
    pub states: Vec<String>,
    pub sources: Vec<String>,
    pub emails: Vec<String>,
    pub team: Vec<u32>,
    pub stage: Vec<u32>,
    pub status: Vec<OdooStatus>,
    pub country: Vec<u32>,
    pub state: Vec<u32>,
    pub source: Vec<u32>,
    pub email: Vec<u32>,
}

impl Fixture {
    /// `N` leads from `seed`: won or lost when `closed`, else open.
    pub fn new(seed: u64, closed: bool) -> Fixture {
        let mut r = Rng(seed);
        let names = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        let mut f = Fixture {
            teams: names("", 5),
            stages: ["1", "2", "3", "4", "70"].map(str::to_owned).to_vec(),
            countries: names("c", 60),
            states: names("s", 300),
            sources: names("src", 12),
            emails: ["correct", "incorrect"].map(str::to_owned).to_vec(),
            team: Vec::with_capacity(N),
            stage: Vec::with_capacity(N),
            status: Vec::with_capacity(N),
            country: Vec::with_capacity(N),
            state: Vec::with_capacity(N),
            source: Vec::with_capacity(N),
            email: Vec::with_capacity(N),
        };
        for _ in 0..N {
            let team = if r.unit() < 0.1 { NULL } else { r.skewed(5) };
            let country = r.skewed(60);
            let source = r.skewed(12);
            // conversion leans on source and country
            let p_won =
                0.15 + 0.25 * f64::from(source.is_multiple_of(3)) + 0.1 * f64::from(country < 3);
            let won = closed && r.unit() < p_won;
            let stage = if won { 4 } else { r.skewed(4) };
            f.team.push(team);
            f.stage.push(stage);
            f.status.push(match (closed, won) {
                (false, _) => OdooStatus::Open,
                (true, true) => OdooStatus::Won,
                (true, false) => OdooStatus::Lost,
            });
            f.country.push(if r.unit() < 0.05 { NULL } else { country });
            f.state
                .push(if r.unit() < 0.3 { NULL } else { r.skewed(300) });
            f.source.push(source);
            f.email.push(match r.next() % 4 {
                0 => NULL,
                1 => 1,
                _ => 0,
            });
        }
        f
    }

    /// The leads as columns (with the status column when `training`).
    pub fn columns(&self, training: bool) -> OdooColumns<'_> {
        let d = |codes, dictionary| DictColumn { codes, dictionary };
        OdooColumns {
            team: d(&self.team, &self.teams),
            stage: d(&self.stage, &self.stages),
            status: if training { &self.status } else { &[] },
            fields: vec![
                OdooColumn {
                    name: "country_id",
                    values: d(&self.country, &self.countries),
                },
                OdooColumn {
                    name: "state_id",
                    values: d(&self.state, &self.states),
                },
                OdooColumn {
                    name: "email_state",
                    values: d(&self.email, &self.emails),
                },
                OdooColumn {
                    name: "source_id",
                    values: d(&self.source, &self.sources),
                },
            ],
        }
    }

    /// Row `i` as a record (without its status).
    pub fn record(&self, i: usize) -> OdooRecord {
        let get = |codes: &[u32], dict: &[String]| dict.get(codes[i] as usize).cloned();
        let mut r = OdooRecord::new(i.to_string());
        r.team = get(&self.team, &self.teams);
        r.stage = get(&self.stage, &self.stages);
        for (name, codes, dict) in [
            ("country_id", &self.country, &self.countries),
            ("state_id", &self.state, &self.states),
            ("email_state", &self.email, &self.emails),
            ("source_id", &self.source, &self.sources),
        ] {
            if let Some(v) = get(codes, dict) {
                r.values.insert(name.to_owned(), v);
            }
        }
        r
    }
}

/// The configured fields, in configuration order (the order Odoo multiplies their factors).
pub const FIELDS: [&str; 4] = ["country_id", "state_id", "email_state", "source_id"];

/// Stages 1-4 (sequences 1-4) and the won stage 70; the four fields.
pub fn model() -> OdooModel {
    let stages = vec![
        OdooStage::new("1", 1),
        OdooStage::new("2", 2),
        OdooStage::new("3", 3),
        OdooStage::new("4", 4),
        OdooStage::won("70", 70),
    ];
    OdooModel::new(OdooConfig::new(stages).with_fields(FIELDS)).unwrap()
}
