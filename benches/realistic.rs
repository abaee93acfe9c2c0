//! The realistic batch-scoring fixture of issue 12, generated deterministically (seeded) and
//! never stored: an event log shaped like a real one, for `examples/realistic_fixture.rs`
//! (which writes it to files) and `benches/scoring_realistic.py` (which scores it with the
//! strongest numpy/pandas/polars peers).
//!
//! - `events` events over `leads` lead ids (default 10 M over 100 k), in time order over the
//!   180 days before [`NOW`];
//! - activity per lead lognormal (σ = 2): each lead draws a weight `exp(2·z)` and each event
//!   picks its lead with probability proportional to it, so with 100 events per lead id on
//!   average about 91% of the ids are active, the top 1% of leads hold about 38% of the
//!   events and the median active lead has about 16;
//! - kinds email_opened 34%, web_visit 28%, blog_read 13%, email_clicked 10%,
//!   content_downloaded 5%, form_submitted 4%, email_replied 3%, and 1% each of
//!   email_unsubscribed, meeting_held and trial_signup;
//! - about 500 distinct pages with Zipf popularity (near misses such as `/docs/pricing-api`,
//!   `/pricing-faq`, `/docs` and `/about/careers` for the substring and prefix rules); time
//!   on page lognormal; campaigns, forms and content ids Zipf;
//! - attributes null on kinds that do not carry them: `page` and `seconds` on web_visit and
//!   blog_read, `campaign` on the e-mail kinds, `form_id` on form_submitted, `content_id` on
//!   content_downloaded.

#![allow(dead_code)]

use leadcore::columnar::{AttrColumn, AttrValues, Column, DictColumn, EventColumns, NULL_CODE};
use leadcore::{Lead, Playbook};
use std::io::Write;
use std::path::Path;

/// Writes `data` to `dir/name` as a little-endian array of `N`-byte values (a written
/// fixture's files, which `benches/scoring_realistic.py` reads with `np.fromfile`).
pub fn write_le<T: Copy, const N: usize>(
    dir: &Path,
    name: &str,
    data: &[T],
    bytes: impl Fn(T) -> [u8; N],
) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    for &v in data {
        f.write_all(&bytes(v)).unwrap();
    }
    f.flush().unwrap();
}

/// Reads a file [`write_le`] wrote.
pub fn read_le<T, const N: usize>(dir: &Path, name: &str, from: impl Fn([u8; N]) -> T) -> Vec<T> {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    bytes
        .chunks_exact(N)
        .map(|c| from(c.try_into().unwrap()))
        .collect()
}

/// The playbook: 20 behaviour rules (see the file's header).
pub const PLAYBOOK: &str = include_str!("fixtures/realistic_playbook.yaml");
/// `now`: 2026-07-01T00:00:00Z; every event lies in the 180 days before it.
pub const NOW: i64 = 1_782_864_000;
/// Days of history.
pub const DAYS: i64 = 180;
const SPAN: u64 = DAYS as u64 * 86_400;
/// Default size: events and lead ids.
pub const EVENTS: usize = 10_000_000;
/// See [`EVENTS`].
pub const LEADS: usize = 100_000;
/// Picked among seeds 1-12 as the one whose 10 M x 100 k shape is closest to the figures.
const SEED: u64 = 10;
/// σ of the lognormal activity per lead.
const SIGMA: f64 = 2.0;

/// Activity kinds, the dictionary of the `kind` column.
pub const KINDS: [&str; 10] = [
    "email_opened",
    "web_visit",
    "blog_read",
    "email_clicked",
    "content_downloaded",
    "form_submitted",
    "email_replied",
    "email_unsubscribed",
    "meeting_held",
    "trial_signup",
];
/// Share of each kind, per mille.
const KIND_PER_MILLE: [u32; 10] = [340, 280, 130, 100, 50, 40, 30, 10, 10, 10];

/// SplitMix64: tiny, fast, deterministic on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in 0..n (n > 0), without modulo bias worth mentioning (n ≪ 2^64).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit(); // (0, 1]
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A discrete distribution sampled by binary search over cumulative weights.
struct Cumulative {
    totals: Vec<f64>,
}

impl Cumulative {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        let totals = weights
            .into_iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Cumulative { totals }
    }
    /// Zipf over `n` ranks with exponent `s`: rank r weighs 1/(r+1)^s.
    fn zipf(n: usize, s: f64) -> Self {
        Self::new((0..n).map(|r| ((r + 1) as f64).powf(-s)))
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.totals.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.totals
            .partition_point(|&c| c <= x)
            .min(self.totals.len() - 1)
    }
}

/// Fisher–Yates, seeded.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

const TOPICS: [&str; 20] = [
    "lead-scoring",
    "crm-hygiene",
    "sales-velocity",
    "mql-vs-sql",
    "routing-rules",
    "forecasting",
    "pipeline-reviews",
    "buyer-intent",
    "account-based-marketing",
    "nurture-emails",
    "speed-to-lead",
    "win-rates",
    "quota-setting",
    "territory-planning",
    "data-quality",
    "churn",
    "onboarding",
    "product-updates",
    "case-study",
    "webinar-recap",
];
const DOC_SECTIONS: [&str; 6] = ["api", "guides", "sdk", "reference", "integrations", "admin"];
const DOC_TOPICS: [&str; 20] = [
    "getting-started",
    "authentication",
    "webhooks",
    "rate-limits",
    "scoring-rules",
    "routing",
    "sla",
    "exports",
    "imports",
    "fields",
    "permissions",
    "errors",
    "pagination",
    "changelog",
    "faq",
    "limits",
    "sandbox",
    "events",
    "leads",
    "accounts",
];
const COMPANIES: [&str; 30] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "wonka",
    "soylent",
    "tyrell",
    "cyberdyne",
    "aperture",
    "oscorp",
    "massive",
    "vandelay",
    "pied-piper",
    "dunder",
    "gringotts",
    "monarch",
    "nakatomi",
    "prestige",
    "sterling",
    "virtucon",
    "zorg",
    "bluth",
    "kramerica",
    "gekko",
    "duff",
    "ollivander",
    "octan",
];
const TOOLS: [&str; 30] = [
    "salesforce",
    "hubspot",
    "pipedrive",
    "zendesk",
    "intercom",
    "slack",
    "teams",
    "gmail",
    "outlook",
    "zoom",
    "calendly",
    "segment",
    "snowflake",
    "bigquery",
    "postgres",
    "stripe",
    "shopify",
    "marketo",
    "pardot",
    "mailchimp",
    "linkedin",
    "google-ads",
    "zapier",
    "make",
    "airtable",
    "notion",
    "jira",
    "github",
    "okta",
    "auth0",
];

/// ~500 pages, most popular first (the Zipf rank order), and which of them are blog posts.
fn pages(rng: &mut Rng) -> (Vec<String>, Vec<u32>) {
    // The head of the ranking, in order; the near misses sit among it.
    let head = [
        "/",
        "/pricing",
        "/features",
        "/blog",
        "/docs",
        "/demo",
        "/signup",
        "/login",
        "/pricing/enterprise",
        "/docs/pricing-api",
        "/customers",
        "/integrations",
        "/about",
        "/pricing-faq",
        "/careers",
        "/contact",
        "/security",
        "/pricing/teams",
        "/blog/pricing-strategies",
        "/about/careers",
    ];
    let mut tail: Vec<String> = [
        "/features/scoring",
        "/features/routing",
        "/features/sla",
        "/features/forecasting",
        "/partners",
        "/changelog",
        "/status",
        "/legal/privacy",
        "/legal/terms",
        "/pricing/compare",
        "/careers/engineering",
        "/careers/sales",
        "/careers/marketing",
        "/docsearch",
        "/docs/api/pricing",
        "/blog/how-we-price",
        "/events",
        "/webinars",
        "/resources",
        "/compare/hubspot",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for t in TOPICS {
        for n in 1..=14 {
            tail.push(format!("/blog/{t}-{n}"));
        }
    }
    for s in DOC_SECTIONS {
        for t in DOC_TOPICS {
            tail.push(format!("/docs/{s}/{t}"));
        }
    }
    for c in COMPANIES {
        tail.push(format!("/customers/{c}"));
    }
    for t in TOOLS {
        tail.push(format!("/integrations/{t}"));
    }
    shuffle(&mut tail, rng);
    let all: Vec<String> = head.iter().map(|s| s.to_string()).chain(tail).collect();
    let blog = (0..all.len() as u32)
        .filter(|&i| all[i as usize].starts_with("/blog/"))
        .collect();
    (all, blog)
}

fn campaigns(rng: &mut Rng) -> Vec<String> {
    let mut tail: Vec<String> = (1..=26)
        .map(|w| format!("newsletter-2026-w{w:02}"))
        .collect();
    for t in &TOPICS[..12] {
        tail.push(format!("nurture-{t}"));
    }
    for m in ["jan", "feb", "mar", "apr", "may", "jun"] {
        tail.push(format!("product-update-{m}"));
        tail.push(format!("webinar-invite-{m}"));
    }
    tail.extend(
        [
            "re-engagement",
            "trial-onboarding",
            "event-berlin",
            "event-nyc",
        ]
        .map(String::from),
    );
    shuffle(&mut tail, rng);
    ["welcome", "newsletter-2026-w01", "spring-launch"]
        .iter()
        .map(|s| s.to_string())
        .chain(tail.into_iter().filter(|c| c != "newsletter-2026-w01"))
        .collect()
}

fn forms() -> Vec<String> {
    [
        "newsletter",
        "ebook-gate",
        "contact",
        "demo-request",
        "webinar-q1",
        "webinar-q2",
        "pricing-quote",
        "contact-sales",
        "webinar-roadmap",
        "trial-extension",
        "event-berlin",
        "event-nyc",
        "support",
        "feedback",
        "survey-nps",
        "careers-apply",
        "partner-apply",
        "beta-waitlist",
        "community",
        "download-gate",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn contents(rng: &mut Rng) -> Vec<String> {
    let mut tail: Vec<String> = [
        "whitepaper-security",
        "whitepaper-migration",
        "ebook-lead-scoring",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for t in TOPICS {
        tail.push(format!("guide-{t}"));
        tail.push(format!("checklist-{t}"));
    }
    for c in &COMPANIES[..20] {
        tail.push(format!("case-study-{c}"));
    }
    for n in 1..=15 {
        tail.push(format!("template-{n:02}"));
    }
    shuffle(&mut tail, rng);
    ["report-state-of-sales-2026", "whitepaper-roi"]
        .iter()
        .map(|s| s.to_string())
        .chain(tail)
        .collect()
}

/// The fixture's columns, owned; [`Realistic::columns`] lends them as the core's
/// [`EventColumns`].
pub struct Realistic {
    /// One lead per id `0..leads`, id written in decimal (all of them, active or not).
    pub leads: Vec<Lead>,
    /// The same ids as integers (`lead_ids[i] == i`).
    pub lead_ids: Vec<i64>,
    /// Per event: index into `leads` (which equals the lead's integer id).
    pub lead: Vec<u32>,
    pub kind: Vec<u32>,
    /// Unix seconds, ascending.
    pub at: Vec<i64>,
    pub page: Vec<u32>,
    /// Time on page; 0 where not valid.
    pub seconds: Vec<i64>,
    pub seconds_valid: Vec<bool>,
    pub campaign: Vec<u32>,
    pub form: Vec<u32>,
    pub content: Vec<u32>,
    pub kinds: Vec<String>,
    pub pages: Vec<String>,
    pub campaigns: Vec<String>,
    pub forms: Vec<String>,
    pub contents: Vec<String>,
}

/// What a generated fixture looks like (to compare with the figures).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub events: usize,
    pub leads: usize,
    /// Leads with at least one event.
    pub active_leads: usize,
    /// Share of the events held by the top 1% of leads (of all lead ids).
    pub top1_share: f64,
    /// Median events per active lead.
    pub median_active: f64,
    pub max_per_lead: usize,
    pub distinct_pages: usize,
    /// Share of each kind, in [`KINDS`] order.
    pub kind_shares: Vec<f64>,
}

impl Realistic {
    /// Generates `events` events over `leads` lead ids (both > 0), deterministically.
    pub fn generate(events: usize, leads: usize) -> Realistic {
        assert!(
            events > 0 && leads > 0,
            "the fixture needs events and leads"
        );
        let mut rng = Rng::new(SEED);
        let (pages, blog) = pages(&mut rng);
        let campaigns = campaigns(&mut rng);
        let forms = forms();
        let contents = contents(&mut rng);

        let activity = Cumulative::new((0..leads).map(|_| (SIGMA * rng.normal()).exp()));
        let kind_of = Cumulative::new(KIND_PER_MILLE.map(f64::from));
        let web_page = Cumulative::zipf(pages.len(), 1.0);
        let blog_page = Cumulative::zipf(blog.len(), 0.9);
        let campaign_of = Cumulative::zipf(campaigns.len(), 1.1);
        let form_of = Cumulative::zipf(forms.len(), 1.0);
        let content_of = Cumulative::zipf(contents.len(), 1.0);
        let kind_code = |name: &str| KINDS.iter().position(|&k| k == name).unwrap() as u32;
        let (web, blog_read) = (kind_code("web_visit"), kind_code("blog_read"));
        let form_kind = kind_code("form_submitted");
        let content_kind = kind_code("content_downloaded");

        let mut f = Realistic {
            leads: (0..leads).map(|i| Lead::new(i.to_string())).collect(),
            lead_ids: (0..leads as i64).collect(),
            lead: Vec::with_capacity(events),
            kind: Vec::with_capacity(events),
            at: Vec::with_capacity(events),
            page: Vec::with_capacity(events),
            seconds: Vec::with_capacity(events),
            seconds_valid: Vec::with_capacity(events),
            campaign: Vec::with_capacity(events),
            form: Vec::with_capacity(events),
            content: Vec::with_capacity(events),
            kinds: KINDS.iter().map(|s| s.to_string()).collect(),
            pages,
            campaigns,
            forms,
            contents,
        };
        let start = NOW - SPAN as i64;
        for i in 0..events as u64 {
            // Stratified times: one per slot of SPAN/events seconds, so ascending, all < NOW.
            f.at.push(start + ((i * SPAN + rng.below(SPAN)) / events as u64) as i64);
            f.lead.push(activity.sample(&mut rng) as u32);
            let kind = kind_of.sample(&mut rng) as u32;
            f.kind.push(kind);
            let name = KINDS[kind as usize];
            let (page, seconds) = if kind == web {
                // Time on page: median 40 s.
                let s = (40f64.ln() + 1.3 * rng.normal()).exp();
                (web_page.sample(&mut rng) as u32, Some(s))
            } else if kind == blog_read {
                // Reading a post: median 150 s.
                let s = (150f64.ln() + 0.9 * rng.normal()).exp();
                (blog[blog_page.sample(&mut rng)], Some(s))
            } else {
                (NULL_CODE, None)
            };
            f.page.push(page);
            f.seconds
                .push(seconds.map_or(0, |s| (s.floor() as i64).min(4 * 3600)));
            f.seconds_valid.push(seconds.is_some());
            f.campaign.push(if name.starts_with("email_") {
                campaign_of.sample(&mut rng) as u32
            } else {
                NULL_CODE
            });
            f.form.push(if kind == form_kind {
                form_of.sample(&mut rng) as u32
            } else {
                NULL_CODE
            });
            f.content.push(if kind == content_kind {
                content_of.sample(&mut rng) as u32
            } else {
                NULL_CODE
            });
        }
        f
    }

    /// The attribute columns: page, seconds, campaign, form_id, content_id.
    pub fn attrs(&self) -> [AttrColumn<'_>; 5] {
        let text = |name, codes, dictionary| AttrColumn {
            name,
            values: AttrValues::Text(DictColumn { codes, dictionary }),
        };
        [
            text("page", &self.page[..], &self.pages[..]),
            AttrColumn {
                name: "seconds",
                values: AttrValues::Int(Column {
                    values: &self.seconds,
                    valid: Some(&self.seconds_valid),
                }),
            },
            text("campaign", &self.campaign[..], &self.campaigns[..]),
            text("form_id", &self.form[..], &self.forms[..]),
            text("content_id", &self.content[..], &self.contents[..]),
        ]
    }

    /// Writes the event columns to `dir`, one file each (the dictionaries go to meta.json,
    /// which the writer makes).
    pub fn write_columns(&self, dir: &Path) {
        write_le(dir, "lead.u32", &self.lead, u32::to_le_bytes);
        write_le(dir, "lead_id.i64", &self.lead_ids, i64::to_le_bytes);
        write_le(dir, "kind.u32", &self.kind, u32::to_le_bytes);
        write_le(dir, "at.i64", &self.at, i64::to_le_bytes);
        write_le(dir, "page.u32", &self.page, u32::to_le_bytes);
        write_le(dir, "seconds.i64", &self.seconds, i64::to_le_bytes);
        write_le(dir, "seconds_valid.u8", &self.seconds_valid, |v| {
            [u8::from(v)]
        });
        write_le(dir, "campaign.u32", &self.campaign, u32::to_le_bytes);
        write_le(dir, "form_id.u32", &self.form, u32::to_le_bytes);
        write_le(dir, "content_id.u32", &self.content, u32::to_le_bytes);
    }

    /// The fixture [`Realistic::write_columns`] wrote to `dir`, with the dictionaries and the
    /// number of leads of its `meta.json`.
    pub fn read_columns(dir: &Path, meta: &serde_json::Value) -> Realistic {
        let strings = |key: &str| -> Vec<String> {
            meta[key]
                .as_array()
                .unwrap_or_else(|| panic!("meta.json has no `{key}`"))
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let u32s = |name| read_le(dir, name, u32::from_le_bytes);
        let i64s = |name| read_le(dir, name, i64::from_le_bytes);
        let n = meta["leads"].as_u64().unwrap() as usize;
        Realistic {
            leads: (0..n).map(|i| Lead::new(i.to_string())).collect(),
            lead_ids: i64s("lead_id.i64"),
            lead: u32s("lead.u32"),
            kind: u32s("kind.u32"),
            at: i64s("at.i64"),
            page: u32s("page.u32"),
            seconds: i64s("seconds.i64"),
            seconds_valid: read_le(dir, "seconds_valid.u8", |[b]: [u8; 1]| b != 0),
            campaign: u32s("campaign.u32"),
            form: u32s("form_id.u32"),
            content: u32s("content_id.u32"),
            kinds: strings("kinds"),
            pages: strings("pages"),
            campaigns: strings("campaigns"),
            forms: strings("form_ids"),
            contents: strings("content_ids"),
        }
    }

    /// The events as the core's columns (`attrs` from [`Realistic::attrs`]).
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

    /// The realised shape.
    pub fn shape(&self) -> Shape {
        let mut per_lead = vec![0usize; self.leads.len()];
        for &l in &self.lead {
            per_lead[l as usize] += 1;
        }
        let mut sorted = per_lead.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let top = sorted.len().div_ceil(100);
        let top1_share = sorted[..top].iter().sum::<usize>() as f64 / self.lead.len().max(1) as f64;
        let active: Vec<usize> = sorted.iter().copied().filter(|&c| c > 0).collect();
        let median_active = match active.len() {
            0 => 0.0,
            n if n % 2 == 1 => active[n / 2] as f64,
            n => (active[n / 2 - 1] + active[n / 2]) as f64 / 2.0,
        };
        let mut seen = vec![false; self.pages.len()];
        let mut kind_counts = vec![0usize; self.kinds.len()];
        for (&p, &k) in self.page.iter().zip(&self.kind) {
            if p != NULL_CODE {
                seen[p as usize] = true;
            }
            kind_counts[k as usize] += 1;
        }
        Shape {
            events: self.lead.len(),
            leads: self.leads.len(),
            active_leads: active.len(),
            top1_share,
            median_active,
            max_per_lead: sorted.first().copied().unwrap_or(0),
            distinct_pages: seen.iter().filter(|&&s| s).count(),
            kind_shares: kind_counts
                .iter()
                .map(|&c| c as f64 / self.lead.len().max(1) as f64)
                .collect(),
        }
    }
}

/// The fixture's playbook.
pub fn playbook() -> Playbook {
    Playbook::from_yaml(PLAYBOOK).expect("the realistic playbook is valid")
}

impl Realistic {
    /// The same events with their rows in a random order (seeded).
    pub fn shuffled(&self, seed: u64) -> Realistic {
        let n = self.at.len();
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = Rng::new(seed);
        for i in (1..n).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let pick = |v: &[u32]| order.iter().map(|&i| v[i]).collect::<Vec<_>>();
        Realistic {
            leads: self.leads.clone(),
            lead_ids: self.lead_ids.clone(),
            lead: pick(&self.lead),
            kind: pick(&self.kind),
            at: order.iter().map(|&i| self.at[i]).collect(),
            page: pick(&self.page),
            seconds: order.iter().map(|&i| self.seconds[i]).collect(),
            seconds_valid: order.iter().map(|&i| self.seconds_valid[i]).collect(),
            campaign: pick(&self.campaign),
            form: pick(&self.form),
            content: pick(&self.content),
            kinds: self.kinds.clone(),
            pages: self.pages.clone(),
            campaigns: self.campaigns.clone(),
            forms: self.forms.clone(),
            contents: self.contents.clone(),
        }
    }
}
