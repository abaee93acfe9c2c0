//! The routing benchmark fixture: 1,000 reps in 20 teams (territories, weights,
//! capacities, quotas, New York and Berlin calendars for two in five, a Los Angeles zone
//! for some), 100 rules (fit and region sets to territory pools, partner channels, industry
//! accounts to least busy, employee bands × region to team round robin, a catch-all) and
//! seeded, skewed leads. `benches/routing_python.py` builds the very same fixture (same
//! integer generator), so the Python loop and the doors route identical inputs.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use leadcore::{FieldValue, Lead, Playbook};

pub const REGIONS: [&str; 8] = [
    "NA-East",
    "NA-West",
    "EMEA-North",
    "EMEA-South",
    "DACH",
    "APAC",
    "LATAM",
    "ANZ",
];
/// Employee bands of the segment rules.
pub const BANDS: [(u64, u64); 5] = [(1, 9), (10, 49), (50, 199), (200, 999), (1000, 5000)];

/// Wednesday 2026-03-04 16:30 UTC: New York (11:30) works, Berlin (17:30) and Los Angeles
/// (08:30) do not.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 16, 30, 0).unwrap()
}

/// splitmix64: the same sequence in Rust and Python.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn playbook_yaml() -> String {
    let mut y = String::from(
        "schema_version: 1\nfields: {fit: {type: number}}\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\n\
calendars:\n  ny: {time_zone: America/New_York, hours: {mon-fri: [\"09:00-17:00\"]}, holidays: [\"2026-01-01\"]}\n  \
berlin: {time_zone: Europe/Berlin, hours: {mon-fri: [\"09:00-17:00\"]}, holidays: [\"2026-12-25\"]}\n\
routing:\n  queues: [{name: overflow}]\n  teams:\n",
    );
    for t in 0..20 {
        y += &format!("    - {{id: T{t:02}}}\n");
    }
    y += "  reps:\n";
    for r in 0..1000usize {
        let mut terr = vec![REGIONS[r % 8]];
        let second = REGIONS[(r * 3 + 1) % 8];
        if r % 3 == 0 && second != terr[0] {
            terr.push(second);
        }
        let mut extra = String::new();
        if r % 10 == 0 {
            extra += ", daily_quota: 150";
        }
        match r % 5 {
            1 => extra += ", calendar: ny",
            2 => extra += ", calendar: berlin",
            _ => {}
        }
        if r % 40 == 11 {
            extra += ", time_zone: America/Los_Angeles";
        }
        y += &format!(
            "    - {{id: R{r:04}, team: T{:02}, territories: [{}], weight: {}, capacity: {}{extra}}}\n",
            r / 50,
            terr.join(", "),
            1 + usize::from(r % 4 == 0),
            300 + (r % 7) * 50
        );
    }
    y += "  rules:\n";
    for k in 0..20usize {
        y += &format!(
            "    - {{name: fit{k:02}, when: {{all: [{{field: fit, op: ge, value: {}}}, {{field: region, op: in, value: [{}, {}]}}]}}, assign: {{round_robin: {{pool: {{team: T{:02}, territory_from: region}}}}}}}}\n",
            90 - (k % 5) * 2,
            REGIONS[k % 8],
            REGIONS[(k + 3) % 8],
            k % 20
        );
    }
    for k in 0..9usize {
        let reps: Vec<String> = (0..5).map(|j| format!("R{:04}", k * 100 + j * 7)).collect();
        y += &format!(
            "    - {{name: partner{k}, when: {{field: channel, op: eq, value: partner{k}}}, assign: {{round_robin: {{pool: {{reps: [{}]}}}}}}}}\n",
            reps.join(", ")
        );
    }
    for k in 0..30usize {
        y += &format!(
            "    - {{name: ind{k:02}, when: {{all: [{{field: industry, op: eq, value: ind{k:02}}}, {{field: employees, op: ge, value: 1000}}]}}, assign: {{least_busy: {{pool: {{team: T{:02}}}}}}}, fallback: [{{queue: overflow}}]}}\n",
            k % 20
        );
    }
    for (b, (lo, hi)) in BANDS.iter().enumerate() {
        for (g, region) in REGIONS.iter().enumerate() {
            y += &format!(
                "    - {{name: seg{b}_{g}, when: {{all: [{{field: employees, op: between, value: [{lo}, {hi}]}}, {{field: region, op: eq, value: {region}}}]}}, assign: {{round_robin: {{pool: {{team: T{:02}}}}}}}, fallback: [{{least_busy: {{pool: {{territory: {region}}}}}}}]}}\n",
                (b * 8 + g) % 20
            );
        }
    }
    y += "    - {name: rest, assign: {least_busy: {pool: {team: T19}}}, fallback: [{queue: overflow}]}\n";
    y
}

pub fn playbook() -> Playbook {
    Playbook::from_yaml(&playbook_yaml()).unwrap()
}

/// Region weights (of 100): skewed to North America and EMEA.
const REGION_WEIGHTS: [u64; 8] = [30, 15, 15, 10, 10, 10, 5, 5];
/// Band weights (of 100): most leads are small companies.
const BAND_WEIGHTS: [u64; 5] = [40, 30, 15, 10, 5];

fn weighted(rng: &mut Rng, weights: &[u64]) -> usize {
    let mut x = rng.below(weights.iter().sum());
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

pub fn leads(n: usize, seed: u64) -> Vec<Lead> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let mut l = Lead::new(format!("L{i}"));
            let band = weighted(&mut rng, &BAND_WEIGHTS);
            let (lo, hi) = BANDS[band];
            let employees = lo + rng.below(hi - lo + 1);
            if rng.below(100) >= 3 {
                l.firmographics.employees = Some(employees as u32);
            }
            let region = weighted(&mut rng, &REGION_WEIGHTS);
            if rng.below(100) >= 2 {
                l.firmographics.region = Some(REGIONS[region].to_owned());
            }
            // Zipf-like industries: ind00 most common.
            let a = rng.below(30);
            let b = rng.below(30);
            l.firmographics.industry = Some(format!("ind{:02}", a * b / 30));
            let c = rng.below(100);
            l.source.channel = Some(if c < 5 {
                format!("partner{}", c % 9)
            } else {
                "web".to_owned()
            });
            let (f1, f2) = (rng.below(100), rng.below(100));
            if rng.below(10) != 0 {
                l.custom
                    .insert("fit".into(), FieldValue::Int(((f1 * f2) / 99) as i64));
            }
            l
        })
        .collect()
}
