//! The deterministic scoring fixture shared by the criterion bench and the pandas/numpy
//! baseline (which reads it from files written by `examples/scoring_fixture.rs`).

#![allow(dead_code)]

use leadcore::columnar::{AttrColumn, AttrValues, Column, DictColumn, EventColumns, NULL_CODE};
use leadcore::{Lead, Playbook};

pub const PLAYBOOK: &str = include_str!("fixtures/scoring_playbook.yaml");
pub const KINDS: [&str; 14] = [
    "email_opened",
    "email_clicked",
    "web_visit",
    "email_sent",
    "form_submitted",
    "email_replied",
    "email_forwarded",
    "content_downloaded",
    "trial_signup",
    "meeting_scheduled",
    "meeting_held",
    "meeting_no_show",
    "email_unsubscribed",
    "call",
];
/// Relative frequency of each kind (sums to 1000).
const WEIGHTS: [u32; 14] = [300, 120, 300, 120, 20, 30, 10, 40, 5, 10, 8, 2, 5, 30];
pub const PAGES: [&str; 6] = ["/pricing", "/blog/a", "/blog/b", "/docs/api", "/", "/about"];
pub const CAMPAIGNS: [&str; 4] = ["spring", "summer", "autumn", "winter"];
pub const REGIONS: [&str; 4] = ["EMEA", "NA", "APAC", "LATAM"];
pub const TITLES: [&str; 4] = ["Head of Sales", "Engineer", "CEO", "Analyst"];
/// `now` of the benchmark: 2026-01-01T00:00:00Z.
pub const NOW: i64 = 1_767_225_600;
const SPAN: u64 = 365 * 86_400;

/// xorshift64*: tiny, deterministic, same sequence in Python.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next_u64() >> 32) % n
    }
}

pub struct Fixture {
    pub leads: Vec<Lead>,
    pub lead: Vec<u32>,
    pub kind: Vec<u32>,
    pub at: Vec<i64>,
    pub page: Vec<u32>,
    pub seconds: Vec<i64>,
    pub seconds_valid: Vec<bool>,
    pub campaign: Vec<u32>,
    pub kinds: Vec<String>,
    pub pages: Vec<String>,
    pub campaigns: Vec<String>,
}

impl Fixture {
    pub fn generate(leads: usize, events: usize) -> Fixture {
        let mut rng = Rng::new(0x5EED);
        let leads: Vec<Lead> = (0..leads)
            .map(|i| {
                let mut l = Lead::new(format!("L{i}"));
                l.firmographics.employees = Some(rng.below(1000) as u32);
                l.firmographics.users = Some(rng.below(100) as u32);
                l.firmographics.region = Some(REGIONS[rng.below(4) as usize].to_owned());
                l.firmographics.title = Some(TITLES[rng.below(4) as usize].to_owned());
                l
            })
            .collect();
        let mut cumulative = [0u32; 14];
        let mut acc = 0;
        for (c, w) in cumulative.iter_mut().zip(WEIGHTS) {
            acc += w;
            *c = acc;
        }
        let n = leads.len() as u64;
        let mut f = Fixture {
            leads,
            lead: Vec::with_capacity(events),
            kind: Vec::with_capacity(events),
            at: Vec::with_capacity(events),
            page: Vec::with_capacity(events),
            seconds: Vec::with_capacity(events),
            seconds_valid: Vec::with_capacity(events),
            campaign: Vec::with_capacity(events),
            kinds: KINDS.iter().map(|s| s.to_string()).collect(),
            pages: PAGES.iter().map(|s| s.to_string()).collect(),
            campaigns: CAMPAIGNS.iter().map(|s| s.to_string()).collect(),
        };
        for _ in 0..events {
            let pick = rng.below(1000) as u32;
            let kind = cumulative.iter().position(|&c| pick < c).unwrap_or(0) as u32;
            f.lead.push(rng.below(n) as u32);
            f.kind.push(kind);
            // Time-ordered stream over the year before NOW, a few in the future.
            f.at.push(NOW - SPAN as i64 + rng.below(SPAN + 3600) as i64);
            let web = KINDS[kind as usize] == "web_visit";
            f.page
                .push(if web { rng.below(6) as u32 } else { NULL_CODE });
            f.seconds.push(if web { rng.below(300) as i64 } else { -1 });
            f.seconds_valid.push(web);
            let mail = KINDS[kind as usize].starts_with("email");
            f.campaign
                .push(if mail { rng.below(4) as u32 } else { NULL_CODE });
        }
        f
    }

    /// The attribute columns: page, seconds, campaign.
    pub fn attrs(&self) -> [AttrColumn<'_>; 3] {
        [
            AttrColumn {
                name: "page",
                values: AttrValues::Text(DictColumn {
                    codes: &self.page,
                    dictionary: &self.pages,
                }),
            },
            AttrColumn {
                name: "seconds",
                values: AttrValues::Int(Column {
                    values: &self.seconds,
                    valid: Some(&self.seconds_valid),
                }),
            },
            AttrColumn {
                name: "campaign",
                values: AttrValues::Text(DictColumn {
                    codes: &self.campaign,
                    dictionary: &self.campaigns,
                }),
            },
        ]
    }

    pub fn columns<'a>(&'a self, attrs: &'a [AttrColumn<'a>]) -> EventColumns<'a> {
        EventColumns {
            lead: &self.lead,
            kind: DictColumn {
                codes: &self.kind,
                dictionary: &self.kinds,
            },
            at: &self.at,
            attrs,
        }
    }
}

pub fn playbook() -> Playbook {
    Playbook::from_yaml(PLAYBOOK).expect("bench playbook is valid")
}
