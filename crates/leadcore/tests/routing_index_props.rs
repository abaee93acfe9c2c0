//! The rule index (which rules can match a lead, by the classes of its guarded values)
//! finds exactly the first matching rule of a linear scan: random chains of text `eq`/`in`,
//! numeric `eq`/`in`/`lt`/`le`/`gt`/`ge`/`between` (integer and fractional literals), and
//! leaves it does not index (`ne`, `not_in`, `exists`, `missing`, `contains`, `any`,
//! `not`), over a built-in number, a built-in text and a custom number (integers and
//! fractions, values on and beside the bounds, missing values). Every rule sends the lead
//! to its own queue, so the placing rule is the first whose condition holds: the lean
//! batch (index) must name the same rule as the full trace (linear walk) and as the rule
//! conditions evaluated one by one.

use chrono::{TimeZone, Utc};
use leadcore::routing::{Placed, RoutingState};
use leadcore::{FieldValue, Lead, Playbook};
use proptest::prelude::*;

const REGIONS: [&str; 4] = ["EU", "US", "APAC", "LATAM"];
/// Numbers near one another, so values fall on, between and beside bounds.
const NUMS: [&str; 8] = ["0", "5", "10", "10.5", "20", "49", "50", "100"];

#[derive(Debug, Clone)]
enum Leaf {
    Text {
        op: usize,
        a: usize,
        b: usize,
    },
    Num {
        field: usize,
        op: usize,
        a: usize,
        b: usize,
    },
}

fn leaf() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        (0usize..6, 0usize..4, 0usize..4).prop_map(|(op, a, b)| Leaf::Text { op, a, b }),
        (0usize..2, 0usize..11, 0usize..8, 0usize..8).prop_map(|(field, op, a, b)| Leaf::Num {
            field,
            op,
            a,
            b
        }),
    ]
}

fn leaf_yaml(l: &Leaf) -> String {
    match l {
        Leaf::Text { op, a, b } => {
            let (x, y) = (REGIONS[*a], REGIONS[*b]);
            match op {
                0 | 1 => format!("{{field: region, op: eq, value: {x}}}"),
                2 | 3 => format!("{{field: region, op: in, value: [{x}, {y}]}}"),
                4 => format!("{{field: region, op: ne, value: {x}}}"),
                _ => "{field: region, op: exists}".to_owned(),
            }
        }
        Leaf::Num { field, op, a, b } => {
            let f = ["employees", "fit"][*field];
            // `employees` reads integers: keep its literals whole.
            let num = |i: usize| {
                let n = NUMS[i];
                if *field == 0 && n.contains('.') {
                    "11"
                } else {
                    n
                }
            };
            let (x, y) = (num(*a), num(*b));
            let (lo, hi) = if x.parse::<f64>().unwrap() <= y.parse::<f64>().unwrap() {
                (x, y)
            } else {
                (y, x)
            };
            match op {
                0 => format!("{{field: {f}, op: eq, value: {x}}}"),
                1 => format!("{{field: {f}, op: lt, value: {x}}}"),
                2 => format!("{{field: {f}, op: le, value: {x}}}"),
                3 => format!("{{field: {f}, op: gt, value: {x}}}"),
                4 => format!("{{field: {f}, op: ge, value: {x}}}"),
                5 => format!("{{field: {f}, op: in, value: [{x}, {y}]}}"),
                6 | 7 => format!("{{field: {f}, op: between, value: [{lo}, {hi}]}}"),
                8 => format!("{{field: {f}, op: ne, value: {x}}}"),
                9 => format!("{{field: {f}, op: not_in, value: [{x}, {y}]}}"),
                _ => format!("{{field: {f}, op: missing}}"),
            }
        }
    }
}

#[derive(Debug, Clone)]
struct RuleGen {
    /// 0: no condition; 1: one leaf; 2: `all`; 3: `any`; 4: `not` of the first leaf.
    shape: usize,
    leaves: Vec<Leaf>,
}

fn rule() -> impl Strategy<Value = RuleGen> {
    (
        prop_oneof![1 => Just(0usize), 8 => Just(1), 8 => Just(2), 2 => Just(3), 1 => Just(4)],
        proptest::collection::vec(leaf(), 1..4),
    )
        .prop_map(|(shape, leaves)| RuleGen { shape, leaves })
}

fn playbook(rules: &[RuleGen]) -> Playbook {
    let mut y = String::from(
        "schema_version: 1\nfields: {fit: {type: number}}\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\nrouting:\n  reps: [{id: A}]\n  queues:\n",
    );
    for i in 0..rules.len() {
        y += &format!("    - {{name: q{i}}}\n");
    }
    y += "  rules:\n";
    for (i, r) in rules.iter().enumerate() {
        let leaves: Vec<String> = r.leaves.iter().map(leaf_yaml).collect();
        let when = match r.shape {
            0 => None,
            1 => Some(leaves[0].clone()),
            2 => Some(format!("{{all: [{}]}}", leaves.join(", "))),
            3 => Some(format!("{{any: [{}]}}", leaves.join(", "))),
            _ => Some(format!("{{not: {}}}", leaves[0])),
        };
        let when = when.map_or(String::new(), |w| format!("when: {w}, "));
        y += &format!("    - {{name: r{i}, {when}assign: {{queue: q{i}}}}}\n");
    }
    Playbook::from_yaml(&y).unwrap_or_else(|e| panic!("{e}\n{y}"))
}

#[derive(Debug, Clone)]
struct LeadGen {
    employees: Option<u32>,
    region: Option<usize>,
    /// An index into `NUMS` and an offset in tenths (values on and beside the bounds).
    fit: Option<(usize, i32, bool)>,
}

fn lead() -> impl Strategy<Value = LeadGen> {
    (
        proptest::option::weighted(0.85, prop_oneof![0u32..120, Just(10), Just(50)]),
        proptest::option::weighted(0.85, 0usize..5),
        proptest::option::weighted(0.85, (0usize..8, -10i32..=10, any::<bool>())),
    )
        .prop_map(|(employees, region, fit)| LeadGen {
            employees,
            region,
            fit,
        })
}

fn make(i: usize, g: &LeadGen) -> Lead {
    let mut l = Lead::new(format!("L{i}"));
    l.firmographics.employees = g.employees;
    // Region 4 is text no rule names.
    l.firmographics.region = g
        .region
        .map(|r| REGIONS.get(r).copied().unwrap_or("MARS").to_owned());
    if let Some((n, tenths, as_int)) = g.fit {
        let base: f64 = NUMS[n].parse().unwrap();
        let v = base + f64::from(tenths) / 10.0;
        let value = if as_int && v.fract() == 0.0 {
            FieldValue::Int(v as i64)
        } else {
            FieldValue::Float(v)
        };
        l.custom.insert("fit".into(), value);
    }
    l
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_index_finds_the_first_matching_rule(
        rules in proptest::collection::vec(rule(), 1..80),
        leads in proptest::collection::vec(lead(), 1..40),
    ) {
        let pb = playbook(&rules);
        let routing = pb.routing();
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let leads: Vec<Lead> = leads.iter().enumerate().map(|(i, g)| make(i, g)).collect();
        let mut state = RoutingState::new();
        let lean = routing.assign_batch_lean(&mut state, &leads, now).unwrap();
        for (i, lead) in leads.iter().enumerate() {
            let full = routing.route(&RoutingState::new(), lead, now).unwrap();
            // The linear scan: the first rule whose trace entry matched.
            let first = full.trace.iter().position(|t| t.matched);
            prop_assert_eq!(lean.rule[i].map(|r| r as usize), first, "lead {:?}", lead);
            prop_assert_eq!(full.rule.as_deref(), first.map(|r| routing.rule_names()[r]));
            let want = match lean.rule[i] {
                Some(r) => Placed::Queue(r),
                None => Placed::Queue(routing.queue_names().len() as u32 - 1),
            };
            prop_assert_eq!(lean.placed[i], want);
        }
    }
}
