//! Lead and activity metrics: hand-checked numbers, merge of any partition in any order equals
//! one pass, and bad input as typed errors that change nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::analytics::{
    ActivityMetrics, ActivityReport, Benchmark, LeadHistory, LeadMetrics, LeadReport, LeadSpec,
    LeadStages, Period, StageEntry, Step, Verdict,
};
use leadcore::{Activity, ActivityKind};
use proptest::prelude::*;

fn d(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap() + Duration::days(day)
}

const DAY: i64 = 86_400;

/// Period days 10..20; the previous one days 0..10.
fn spec() -> LeadSpec {
    LeadSpec::new(
        LeadStages::default(),
        Period {
            from: d(10),
            to: d(20),
        },
    )
    .unwrap()
}

fn lead(id: &str, source: Option<&str>, owner: Option<&str>, path: &[(i64, &str)]) -> LeadHistory {
    LeadHistory {
        id: id.into(),
        source: source.map(Into::into),
        owner: owner.map(Into::into),
        created_at: None,
        history: path
            .iter()
            .map(|&(day, s)| StageEntry {
                at: d(day),
                stage: s.into(),
            })
            .collect(),
    }
}

fn leads() -> Vec<LeadHistory> {
    vec![
        lead(
            "A",
            Some("web"),
            Some("ann"),
            &[
                (0, "Suspect"),
                (10, "MQL"),
                (12, "SRL"),
                (14, "SQL Contacted"),
                (16, "Opportunity"),
                (18, "Won"),
            ],
        ),
        lead(
            "B",
            Some("web"),
            Some("ann"),
            &[(1, "Suspect"), (11, "MQL"), (13, "SRL")],
        ),
        lead(
            "C",
            Some("ads"),
            Some("bob"),
            &[(12, "MQL"), (13, "Nurture")],
        ),
        lead(
            "D",
            Some("ads"),
            Some("bob"),
            &[(5, "MQL"), (11, "SAL"), (15, "SQL Scheduled"), (17, "Lost")],
        ),
        // Skips SRL: reaches it with SQL, on day 15.
        lead("E", Some("web"), None, &[(13, "MQL"), (15, "SQL")]),
        lead("F", None, None, &[(3, "MQL")]),
        // SRL after the snapshot: not converted.
        lead("G", Some("web"), None, &[(15, "MQL"), (22, "SRL")]),
    ]
}

#[test]
fn hand_checked_figures() {
    let mut m = LeadMetrics::new(spec().by_owner(true));
    for l in leads() {
        m.add(&l).unwrap();
    }
    let r = m.finish().unwrap();
    let f = &r.funnel;
    assert_eq!(f.leads, 7);
    // Reached in the period: MQL A10 B11 C12 E13 G15; SRL A12 B13 D11 E15; SQL A14 D15 E15;
    // Opportunity A16; Won A18.
    let c = f.reached;
    assert_eq!((c.mql, c.srl, c.sql, c.opportunity, c.won), (5, 4, 3, 1, 1));
    // MQL->SRL: A B C E G, of whom A B E reached SRL before day 20: 3/5, above 20-40%.
    assert_eq!((f.mql_to_srl.cohort, f.mql_to_srl.converted), (5, 3));
    assert_eq!(f.mql_to_srl.rate, Some(0.6));
    assert_eq!(f.mql_to_srl.verdict, Some(Verdict::Above));
    // SRL->SQL: A B D E, of whom A D E: 3/4, below 80-90%.
    assert_eq!(f.srl_to_sql.rate, Some(0.75));
    assert_eq!(f.srl_to_sql.verdict, Some(Verdict::Below));
    // SQL->Won: A D E, A won: 1/3, above 30%.
    assert_eq!(
        (
            f.sql_to_won.cohort,
            f.sql_to_won.converted,
            f.sql_to_won.verdict
        ),
        (3, 1, Some(Verdict::Above))
    );
    assert_eq!(
        f.sql_to_won.benchmark,
        Benchmark {
            low: 0.3,
            high: 0.3
        }
    );
    // Velocity: 5 MQLs against D and F in days 0..10: +150%.
    assert_eq!((r.velocity.mqls, r.velocity.previous_mqls), (5, 2));
    assert_eq!(r.velocity.growth_percent, Some(150.0));
    // MQL->SQL of A (4 d), D (10 d), E (2 d): median the 2nd of 3, p90 the 3rd.
    assert_eq!(r.mql_to_sql.count, 3);
    assert_eq!(r.mql_to_sql.median_seconds, Some(4 * DAY));
    assert_eq!(r.mql_to_sql.p90_seconds, Some(10 * DAY));

    // By source: missing (F), ads (C D), web (A B E G).
    let keys: Vec<_> = r.by_source.iter().map(|g| g.key.as_deref()).collect();
    assert_eq!(keys, [None, Some("ads"), Some("web")]);
    let none = &r.by_source[0].funnel;
    assert_eq!(
        (none.leads, none.reached.mql, none.mql_to_srl.rate),
        (1, 0, None)
    );
    assert_eq!(none.mql_to_srl.verdict, None);
    let ads = &r.by_source[1].funnel;
    assert_eq!(
        (ads.reached.mql, ads.reached.srl, ads.reached.sql),
        (1, 1, 1)
    );
    assert_eq!(ads.mql_to_srl.rate, Some(0.0)); // C went to nurture
    assert_eq!(ads.srl_to_sql.rate, Some(1.0)); // D
    assert_eq!(ads.sql_to_won.rate, Some(0.0)); // D lost
    let web = &r.by_source[2].funnel;
    assert_eq!(
        (web.reached.mql, web.reached.srl, web.reached.sql),
        (4, 3, 2)
    );
    assert_eq!(web.mql_to_srl.rate, Some(0.75));
    assert_eq!((web.srl_to_sql.cohort, web.srl_to_sql.converted), (3, 2));
    assert_eq!(web.sql_to_won.rate, Some(0.5));

    // By owner: missing (E F G), ann (A B), bob (C D).
    let owners = r.by_owner.as_ref().unwrap();
    let keys: Vec<_> = owners
        .iter()
        .map(|g| (g.key.as_deref(), g.funnel.leads))
        .collect();
    assert_eq!(keys, [(None, 3), (Some("ann"), 2), (Some("bob"), 2)]);

    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["funnel"]["mql_to_srl"]["verdict"], "above");
    assert_eq!(json["funnel"]["mql_to_srl"]["benchmark"]["high"], 0.4);
    assert_eq!(json["by_source"][2]["key"], "web");
}

#[test]
fn benchmarks_and_stage_names_are_configurable() {
    let stages = LeadStages::new(
        [
            vec!["Marketing Qualified".into()],
            vec!["Accepted".into()],
            vec!["Qualified".into()],
            vec!["Deal".into()],
            vec!["Closed Won".into()],
        ],
        vec!["New".into()],
    )
    .unwrap();
    let spec = LeadSpec::new(
        stages,
        Period {
            from: d(10),
            to: d(20),
        },
    )
    .unwrap()
    .benchmark(Step::MqlToSrl, Benchmark::new(0.9, 1.0).unwrap());
    let mut m = LeadMetrics::new(spec);
    m.add(&lead(
        "A",
        None,
        None,
        &[(1, "New"), (11, "Marketing Qualified"), (12, "Closed Won")],
    ))
    .unwrap();
    let r = m.finish().unwrap();
    // Won reaches every milestone before it on day 12.
    assert_eq!(r.funnel.reached.srl, 1);
    assert_eq!(r.funnel.mql_to_srl.rate, Some(1.0));
    assert_eq!(r.funnel.mql_to_srl.verdict, Some(Verdict::Within));
    assert_eq!(r.funnel.srl_to_sql.benchmark.low, 0.8); // the others keep the seeds'
}

#[test]
fn bad_input_is_a_typed_error_naming_the_lead_and_changes_nothing() {
    let mut m = LeadMetrics::new(spec());
    m.add(&leads()[0]).unwrap();
    let before = m.finish().unwrap();
    let bad = [
        lead("U", None, None, &[(11, "MQL"), (12, "Nope")]),
        lead("O", None, None, &[(12, "MQL"), (11, "SRL")]),
        LeadHistory {
            created_at: Some(d(12)),
            ..lead("C", None, None, &[(11, "MQL")])
        },
    ];
    for l in bad {
        let e = m.add(&l).unwrap_err();
        assert_eq!(e.code(), "input.invalid");
        assert!(e.to_string().contains(&format!("`{}`", l.id)), "{e}");
    }
    assert_eq!(m.finish().unwrap(), before);

    assert!(
        LeadSpec::new(
            LeadStages::default(),
            Period {
                from: d(3),
                to: d(2)
            }
        )
        .is_err()
    );
    assert!(Benchmark::new(f64::NAN, 0.5).is_err());
    assert!(Benchmark::new(0.1, 1.5).is_err());
    let dup = LeadStages::new(
        [
            vec!["A".into()],
            vec!["A".into()],
            vec!["B".into()],
            vec!["C".into()],
            vec!["D".into()],
        ],
        vec![],
    );
    assert!(dup.is_err());
    let blank = LeadStages::new(
        [
            vec![" ".into()],
            vec!["A".into()],
            vec!["B".into()],
            vec!["C".into()],
            vec!["D".into()],
        ],
        vec![],
    );
    assert!(blank.is_err());
}

#[test]
fn nothing_added_is_a_report_without_nan() {
    let r = LeadMetrics::new(spec()).finish().unwrap();
    assert!(!serde_json::to_string(&r).unwrap().contains("NaN"));
    assert_eq!(r.funnel.sql_to_won.rate, None);
    assert_eq!(r.velocity.growth_percent, None);
    assert!(r.by_source.is_empty());
}

fn act(kind: ActivityKind, day: i64, actor: Option<&str>, id: Option<&str>) -> Activity {
    let mut a = Activity::new(kind, d(day));
    a.actor = actor.map(Into::into);
    a.id = id.map(Into::into);
    a
}

#[test]
fn activity_metrics_hand_checked() {
    use ActivityKind::*;
    // Period days 2..9.
    let mut m = ActivityMetrics::new(Period {
        from: d(2),
        to: d(9),
    })
    .unwrap();
    let list = [
        act(Call, 3, Some("ann"), None),
        act(EmailSent, 4, Some("ann"), None),
        act(EmailSent, 10, Some("ann"), None), // after the period
        act(TaskAssigned, 3, Some("ann"), Some("t1")),
        act(TaskAssigned, 1, Some("ann"), Some("t2")), // before the period, never done: open
        act(TaskDone, 5, Some("ann"), Some("t1")),
        act(TaskAssigned, 4, Some("ann"), Some("t3")),
        act(TaskDone, 12, Some("ann"), Some("t3")), // done after the snapshot: open
        act(MeetingScheduled, 3, Some("bob"), None),
        act(TaskDone, 4, Some("bob"), Some("t4")), // no assignment seen: bob's
        act(EmailOpened, 3, None, None),           // the lead's
    ];
    for a in &list {
        m.add(a).unwrap();
    }
    let r = m.finish().unwrap();
    // In the period: ann 5 (call, email, t1 assigned, t1 done, t3 assigned), bob 2, none 1.
    assert_eq!((r.activities, r.unattributed), (8, 1));
    let ann = &r.reps[0];
    assert_eq!((ann.rep.as_str(), ann.total), ("ann", 5));
    assert_eq!(ann.by_kind["task_assigned"], 2);
    assert_eq!(ann.by_kind["email_sent"], 1);
    assert_eq!(
        (ann.tasks.assigned, ann.tasks.done, ann.tasks.open),
        (2, 1, 2)
    );
    let bob = &r.reps[1];
    assert_eq!((bob.rep.as_str(), bob.total), ("bob", 2));
    assert_eq!(
        (bob.tasks.assigned, bob.tasks.done, bob.tasks.open),
        (0, 1, 0)
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["reps"][0]["tasks"]["open"], 2);
}

#[test]
fn activity_bad_input_is_a_typed_error() {
    let p = Period {
        from: d(2),
        to: d(9),
    };
    let mut m = ActivityMetrics::new(p).unwrap();
    let e = m
        .add(&act(ActivityKind::TaskDone, 3, Some("ann"), None))
        .unwrap_err();
    assert_eq!(e.code(), "input.invalid");
    let e = m
        .add(&act(ActivityKind::TaskAssigned, 3, None, Some("t9")))
        .unwrap_err();
    assert!(e.to_string().contains("t9"), "{e}");
    assert_eq!(m.finish().unwrap().activities, 0);
    assert!(
        ActivityMetrics::new(Period {
            from: d(2),
            to: d(2)
        })
        .is_err()
    );
}

const STAGES: [&str; 9] = [
    "Suspect",
    "MQL",
    "SRL",
    "SQL Contacted",
    "Opportunity",
    "Won",
    "Lost",
    "Nurture",
    "SQL",
];

fn any_lead() -> impl Strategy<Value = LeadHistory> {
    (
        0u32..20,
        proptest::collection::vec((0i64..6, 0usize..STAGES.len()), 0..6),
        0usize..3,
        0usize..3,
    )
        .prop_map(|(id, steps, source, owner)| {
            let mut day = 0;
            let history = steps
                .into_iter()
                .map(|(gap, s)| {
                    day += gap;
                    StageEntry {
                        at: d(day),
                        stage: STAGES[s].into(),
                    }
                })
                .collect();
            LeadHistory {
                id: format!("L{id}"),
                source: [None, Some("web"), Some("ads")][source].map(Into::into),
                owner: [None, Some("ann"), Some("bob")][owner].map(Into::into),
                created_at: None,
                history,
            }
        })
}

fn any_activity() -> impl Strategy<Value = Activity> {
    (0usize..5, 0i64..20, 0usize..3, 0usize..4).prop_map(|(k, day, actor, id)| {
        let kind = [
            ActivityKind::Call,
            ActivityKind::EmailSent,
            ActivityKind::TaskAssigned,
            ActivityKind::TaskDone,
            ActivityKind::EmailOpened,
        ][k]
            .clone();
        let actor = match (&kind, actor) {
            (ActivityKind::TaskAssigned, 0) => Some("ann"),
            (_, a) => [None, Some("ann"), Some("bob")][a],
        };
        act(kind, day, actor, Some(["t0", "t1", "t2", "t3"][id]))
    })
}

fn lead_pass(spec: &LeadSpec, leads: &[LeadHistory]) -> LeadMetrics {
    let mut m = LeadMetrics::new(spec.clone());
    for l in leads {
        m.add(l).unwrap();
    }
    m
}

fn activity_pass(p: Period, list: &[Activity]) -> ActivityMetrics {
    let mut m = ActivityMetrics::new(p).unwrap();
    for a in list {
        m.add(a).unwrap();
    }
    m
}

fn partition(len: usize, cuts: Vec<usize>) -> Vec<(usize, usize)> {
    let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(len)).collect();
    cuts.push(0);
    cuts.push(len);
    cuts.sort_unstable();
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lead_metrics_merge_of_any_partition_in_any_order_equals_one_pass(
        (leads, shuffled) in proptest::collection::vec(any_lead(), 0..40)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        cuts in proptest::collection::vec(0usize..40, 0..5),
        reverse in any::<bool>(),
    ) {
        let spec = spec().by_owner(true);
        let whole: LeadReport = lead_pass(&spec, &leads).finish().unwrap();
        let mut parts: Vec<LeadMetrics> = partition(shuffled.len(), cuts)
            .into_iter()
            .map(|(a, b)| lead_pass(&spec, &shuffled[a..b]))
            .collect();
        if reverse {
            parts.reverse();
        }
        let mut merged = LeadMetrics::new(spec.clone());
        for p in parts {
            merged.merge(p).unwrap();
        }
        let merged = merged.finish().unwrap();
        prop_assert_eq!(&merged, &whole);
        prop_assert!(!serde_json::to_string(&merged).unwrap().contains("NaN"));
        // Sources partition the leads.
        let by_source: u64 = merged.by_source.iter().map(|g| g.funnel.leads).sum();
        prop_assert_eq!(by_source, merged.funnel.leads);
    }

    #[test]
    fn activity_metrics_merge_of_any_partition_in_any_order_equals_one_pass(
        (list, shuffled) in proptest::collection::vec(any_activity(), 0..40)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        cuts in proptest::collection::vec(0usize..40, 0..5),
        reverse in any::<bool>(),
    ) {
        let p = Period { from: d(5), to: d(15) };
        let whole: ActivityReport = activity_pass(p, &list).finish().unwrap();
        let mut parts: Vec<ActivityMetrics> = partition(shuffled.len(), cuts)
            .into_iter()
            .map(|(a, b)| activity_pass(p, &shuffled[a..b]))
            .collect();
        if reverse {
            parts.reverse();
        }
        let mut merged = ActivityMetrics::new(p).unwrap();
        for part in parts {
            merged.merge(part).unwrap();
        }
        prop_assert_eq!(merged.finish().unwrap(), whole);
    }
}
