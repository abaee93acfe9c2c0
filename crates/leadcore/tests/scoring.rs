//! Scoring behaviour users rely on: the seed's worked example, decay, caps, thresholds,
//! validation, bad events, and incremental == batch == per-lead at any `now`, in any order.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadcore::scoring::{Direction, ScoreSignal};
use leadcore::{Activity, ActivityKind, Lead, Playbook};
use leadcore::{EventTable, FieldValue, RowErrorReason};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// Steps `x` along a xorshift64 sequence: the tests' seeded stand-in for random data.
fn next(x: &mut u64) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
}

/// Event columns of rows' lead indices, kind codes into `kinds` and times, with no
/// attribute column.
fn bare_events<'a>(
    lead: &'a [u32],
    kind: &'a [u32],
    kinds: &'a [String],
    at: &'a [i64],
) -> leadcore::columnar::EventColumns<'a> {
    leadcore::columnar::EventColumns {
        lead,
        kind: leadcore::columnar::DictColumn {
            codes: kind,
            dictionary: kinds,
        },
        at,
        attrs: &[],
    }
}

fn act(kind: ActivityKind, at: DateTime<Utc>) -> Activity {
    Activity::new(kind, at)
}

fn visit(page: &str, at: DateTime<Utc>) -> Activity {
    let mut a = act(ActivityKind::WebVisit, at);
    a.page = Some(page.into());
    a
}

#[test]
fn seed_worked_example_lead_a_76_lead_b_19() {
    let pb = Playbook::default_playbook();
    let s = pb.scoring();
    let t = t0();
    let mut a = Vec::new();
    for i in 0..3 {
        a.push(act(
            ActivityKind::ContentDownloaded,
            t + Duration::minutes(i),
        ));
        a.push(act(
            ActivityKind::EmailOpened,
            t + Duration::minutes(10 + i),
        ));
        a.push(act(
            ActivityKind::EmailClicked,
            t + Duration::minutes(20 + i),
        ));
    }
    a.push(act(ActivityKind::TrialSignup, t + Duration::hours(1)));
    let b = [
        visit("/pricing", t),
        act(ActivityKind::EmailOpened, t),
        act(ActivityKind::EmailOpened, t + Duration::minutes(1)),
    ];
    let now = t + Duration::days(1);
    let card_a = s.score(&Lead::new("A"), &a, now, true).unwrap();
    let card_b = s.score(&Lead::new("B"), &b, now, true).unwrap();
    assert_eq!(card_a.score("engagement"), Some(76.0));
    assert_eq!(card_b.score("engagement"), Some(19.0));
    // The breakdown names each rule and its events.
    let eng = &card_a.models[0];
    let downloads = eng
        .rules
        .iter()
        .find(|r| r.rule == "content_download")
        .unwrap();
    assert_eq!((downloads.occurrences, downloads.points), (3, 30.0));
    assert_eq!(downloads.contributions.len(), 3);
}

/// The breakdown's exact sum, rounded once (Python's `math.fsum`): every entry is a
/// multiple of 2^-72 points.
fn sum_of_breakdown(m: &leadcore::ModelScore) -> f64 {
    let scale = 2f64.powi(72);
    let entries = m.rules.iter().map(|r| r.points);
    let exact: i128 = entries
        .chain(m.adjustments.iter().map(|a| a.points))
        .map(|x| {
            let q = x * scale;
            assert_eq!(q.fract(), 0.0, "{x} is not on the 2^-72 grid");
            q as i128
        })
        .sum();
    exact as f64 / scale
}

/// An attribute column of text.
fn texts(values: impl IntoIterator<Item = Option<String>>) -> Vec<Option<FieldValue>> {
    values
        .into_iter()
        .map(|v| v.map(FieldValue::Text))
        .collect()
}

/// An attribute column of integers.
fn ints(values: impl IntoIterator<Item = Option<i64>>) -> Vec<Option<FieldValue>> {
    values.into_iter().map(|v| v.map(FieldValue::Int)).collect()
}

const DECAYING: &str = r#"
schema_version: 1
activity_kinds: [webinar_attended]
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: web
      decay: {type: half_life, days: 7}
      cap: 60
      groups: [{name: email, cap: 12}]
      rules:
        - {type: behaviour, name: pricing, activity: web_visit, points: 15,
           filters: [{attr: page, op: contains, value: pricing}, {attr: seconds, op: ge, value: 30}]}
        - {type: behaviour, name: opens, activity: email_opened, points: 3, group: email}
        - {type: behaviour, name: clicks, activity: email_clicked, points: 5, group: email, occurrence: {at_most: 2}}
        - {type: behaviour, name: webinar, activity: webinar_attended, points: 20, occurrence: once,
           decay: {type: expiry, days: 30}}
        - {type: behaviour, name: recent_forms, activity: form_submitted, points: 7, window_days: 14,
           max_points: 10, decay: {type: step, percent: 25, period_days: 7}}
        - {type: behaviour, name: unsub, activity: email_unsubscribed, points: -9.5}
    - name: fit
      rules:
        - {type: fit, name: size, field: employees, op: range, min: 11, max: 500, points: 20}
        - {type: fit, name: region, field: region, op: in, value: [EMEA, NA], points: 5}
      grades:
        - {grade: A, min: 20}
        - {grade: B, min: 5, max: 20}
        - {grade: C, max: 5}
    - name: total
      combine: [{model: web, weight: 0.5}, {model: fit, weight: 1}]
      floor: 0
      thresholds:
        - {name: hot, at: 30, hysteresis: 5, on_up: [{kind: notify, params: {to: owner}}],
           on_down: [{kind: add_to_nurture}]}
    - name: extra
      rules:
        - {type: behaviour, name: docs_or_long, activity: web_visit, points: 4, occurrence: {at_most: 3},
           when: {any: [{attr: page, op: starts_with, value: /docs}, {not: {attr: seconds, op: lt, value: 60}}]}}
        - {type: behaviour, name: not_blog, activity: web_visit, points: 1,
           when: {not: {attr: page, op: contains, value: BLOG, case_insensitive: true}}}
        # counts that stop where the cap is reached (a cap no multiple of the points)
        - {type: behaviour, name: capped_opens, activity: email_opened, points: 0.75, max_points: 2}
        - {type: behaviour, name: capped_unsubs, activity: email_unsubscribed, points: -2.5, max_points: 6}
        # a second kind comparing `seconds`, and windows on two kinds (each kind's rows are
        # tested against its own rules' intervals and windows only)
        - {type: behaviour, name: quick_opens, activity: email_opened, points: 2, window_days: 2,
           filters: [{attr: seconds, op: le, value: 40}]}
        - {type: behaviour, name: recent_visits, activity: web_visit, points: 1, window_days: 3}
        # earliest occurrences that decay, within a window (the batch keeps the counted
        # times per lead and sums their factors as they are, unsorted)
        - {type: behaviour, name: recent_clicks, activity: email_clicked, points: 2, window_days: 5,
           occurrence: {at_most: 2}, decay: {type: half_life, days: 3}}
        - {type: behaviour, name: stepped_forms, activity: form_submitted, points: 3,
           occurrence: {at_most: 3}, decay: {type: step, percent: 50, period_days: 2}}
        - {type: fit, name: not_apac, points: 2,
           when: {not: {field: region, op: eq, value: apac, case_insensitive: true}}}
"#;

#[test]
fn breakdown_sums_to_the_total_exactly() {
    let pb = Playbook::from_yaml(DECAYING).unwrap();
    let t = t0();
    let mut events = Vec::new();
    for i in 0..9 {
        let mut v = visit("/pricing", t + Duration::hours(7 * i));
        v.seconds = Some(45);
        events.push(v);
        events.push(act(ActivityKind::EmailOpened, t + Duration::hours(5 * i)));
        events.push(act(ActivityKind::EmailClicked, t + Duration::hours(3 * i)));
        events.push(act(ActivityKind::FormSubmitted, t + Duration::days(i)));
    }
    let mut lead = Lead::new("L");
    lead.firmographics.employees = Some(40);
    let card = pb
        .scoring()
        .score(&lead, &events, t + Duration::days(10), true)
        .unwrap();
    for m in &card.models {
        assert_eq!(m.score, sum_of_breakdown(m), "{}", m.model);
    }
    let web = &card.models[0];
    assert!(
        web.adjustments.iter().any(|a| a.name == "email"),
        "group cap applies"
    );
    assert!(
        web.adjustments.iter().any(|a| a.name == "recent_forms"),
        "rule cap applies"
    );
    let clicks = web.rules.iter().find(|r| r.rule == "clicks").unwrap();
    assert_eq!(clicks.occurrences, 2);
    let pricing = web.rules.iter().find(|r| r.rule == "pricing").unwrap();
    let last = pricing.contributions.last().unwrap();
    assert!(last.decay_factor < 1.0 && last.decay_factor > 0.0);
    assert_eq!(card.models[1].grade.as_deref(), Some("A"));
}

#[test]
fn decay_kinds_follow_their_formulas() {
    let pb = Playbook::from_yaml(DECAYING).unwrap();
    let s = pb.scoring();
    let t = t0();
    let lead = Lead::new("L");
    let mut v = visit("/pricing", t);
    v.seconds = Some(60);
    let web =
        |events: &[Activity], now| s.score(&lead, events, now, false).unwrap().models[0].score;
    // Half-life of 7 days: 15 -> 7.5 after a week, exactly (whole half-lives are exact).
    assert_eq!(web(std::slice::from_ref(&v), t + Duration::days(7)), 7.5);
    // Expiry after 30 days.
    let w = [act(ActivityKind::Custom("webinar_attended".into()), t)];
    assert_eq!(web(&w, t + Duration::days(29)), 20.0);
    assert_eq!(web(&w, t + Duration::days(30)), 0.0);
    // Step: -25% per full week, within a 14-day window.
    let f = [act(ActivityKind::FormSubmitted, t)];
    assert_eq!(web(&f, t + Duration::days(6)), 7.0);
    assert_eq!(web(&f, t + Duration::days(7)), 5.25);
    assert_eq!(web(&f, t + Duration::days(15)), 0.0);
}

#[test]
fn thresholds_fire_up_and_down_with_hysteresis() {
    let pb = Playbook::from_yaml(DECAYING).unwrap();
    let s = pb.scoring();
    let mut lead = Lead::new("L");
    lead.firmographics.employees = Some(40); // fit 20, total = web/2 + 20
    let mut state = s.new_state("L");
    let t = t0();
    let mut up = Vec::new();
    for i in 0..3 {
        let mut v = visit("/pricing", t + Duration::minutes(i));
        v.seconds = Some(31);
        up.extend(
            s.apply(&mut state, &lead, &v, t + Duration::minutes(i))
                .unwrap(),
        );
    }
    let crossings: Vec<_> = up
        .iter()
        .filter_map(|sig| match sig {
            ScoreSignal::Threshold {
                direction, actions, ..
            } => Some((*direction, actions[0].kind.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(crossings, [(Direction::Up, "notify".to_owned())]);
    // Decay carries it down; no event needed.
    let later = s
        .check_thresholds(&mut state, &lead, t + Duration::days(30))
        .unwrap();
    assert!(matches!(
        &later[..],
        [ScoreSignal::Threshold {
            direction: Direction::Down,
            ..
        }]
    ));
    // Going back in time is refused and changes nothing.
    let before = state.clone();
    assert!(s.check_thresholds(&mut state, &lead, t).is_err());
    assert_eq!(state, before);
}

#[test]
fn invalid_scoring_rules_are_each_located() {
    let yaml = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: m
      groups: [{name: g, cap: -5}]
      decay: {type: half_life, days: 0}
      rules:
        - {type: behaviour, name: a, activity: email_opened, points: 1e300}
        - {type: behaviour, name: b, activity: telepathy, points: -2e6}
        - {type: behaviour, name: c, activity: web_visit, points: 1, filters: [{attr: shoe, op: eq, value: x}]}
        - {type: fit, name: d, field: shoe_size, op: eq, value: 42, points: 1}
        - {type: behaviour, name: e, activity: email_opened, points: 1, max_points: -3, decay: {type: half_life, days: -1}}
      grades:
        - {grade: A, min: 50}
        - {grade: B, min: 20, max: 60}
"#;
    let err = Playbook::from_yaml(yaml).unwrap_err();
    assert_eq!(err.code(), "playbook.invalid", "{err}");
    let got: Vec<(&str, &str)> = err
        .issues()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    for want in [
        ("scoring.models[0].groups[0].cap", "group.invalid_cap"),
        ("scoring.models[0].rules[0].points", "rule.invalid_points"),
        ("scoring.models[0].rules[1].points", "rule.invalid_points"),
        (
            "scoring.models[0].rules[1].activity",
            "rule.unknown_activity_kind",
        ),
        (
            "scoring.models[0].rules[2].filters[0].attr",
            "rule.unknown_attribute",
        ),
        ("scoring.models[0].rules[3].field", "rule.unknown_field"),
        ("scoring.models[0].rules[4].max_points", "rule.invalid_cap"),
        (
            "scoring.models[0].rules[4].decay.days",
            "decay.invalid_half_life",
        ),
        ("scoring.models[0].decay.days", "decay.invalid_half_life"),
        ("scoring.models[0].grades[1]", "grade.overlap"),
    ] {
        assert!(got.contains(&want), "missing {want:?} in {got:#?}");
    }
    // NaN and infinities are refused while parsing, at their path.
    let nan = yaml.replace("points: 1e300", "points: .nan");
    let err = Playbook::from_yaml(&nan).unwrap_err();
    assert_eq!(err.code(), "playbook.parse");
    assert!(
        err.to_string()
            .contains("scoring.models[0].rules[0].points"),
        "{err}"
    );
    // Rust callers building a spec by hand get the validator's answer.
    let mut spec = Playbook::default_playbook().spec().clone();
    spec.scoring.models[0].cap = Some(f64::INFINITY);
    let err = Playbook::from_spec(spec).unwrap_err();
    assert_eq!(err.issues()[0].path, "scoring.models[0].cap");
}

#[test]
fn bad_rows_are_reported_per_row_and_the_rest_is_scored() {
    let pb = Playbook::default_playbook();
    let now = t0();
    let t = now.timestamp();
    let table = EventTable {
        lead_id: vec![
            "A".into(),
            "ghost".into(),
            "A".into(),
            "A".into(),
            "A".into(),
        ],
        kind: vec![
            "trial_signup".into(),
            "email_opened".into(),
            "email_opened".into(),
            "web_visit".into(),
            "email_clicked".into(),
        ],
        at: vec![t - 60, t, t + 86_400 * 365, t - 5, t - 1],
        attrs: [("page".to_owned(), texts([None, None, None, None, None]))].into(),
    };
    let out = pb
        .scoring()
        .score_table(&[Lead::new("A")], &table, now)
        .unwrap();
    let reasons: Vec<(usize, &str)> = out
        .row_errors
        .iter()
        .map(|e| (e.row, e.reason.code()))
        .collect();
    // A visit without a page is not a bad row: it just does not match the pricing rule.
    assert_eq!(reasons, [(1, "unknown_lead"), (2, "in_future")]);
    assert_eq!(out.score(0, "engagement"), Some(30.0));
}

// ---- incremental == batch == per-lead, at any now, in any order -------------------------

const KINDS: [&str; 6] = [
    "web_visit",
    "email_opened",
    "email_clicked",
    "form_submitted",
    "email_unsubscribed",
    "webinar_attended",
];
const PAGES: [&str; 3] = ["/pricing", "/blog/x", "/docs"];

/// An activity; page index 3 and seconds >= 120 mean "absent".
fn activity(kind: usize, offset_min: i64, page: usize, seconds: u32) -> Activity {
    let mut a = Activity::new(
        ActivityKind::parse(KINDS[kind]),
        t0() + Duration::minutes(offset_min),
    );
    a.page = PAGES.get(page).map(|p| (*p).into());
    a.seconds = (seconds < 120).then_some(seconds);
    a
}

/// Appends `a` as a row of `table` (its page and seconds to their columns), for lead `L{lead}`,
/// or for "nobody" (a lead id no lead has).
fn push_event(
    table: &mut EventTable,
    pages: &mut Vec<Option<String>>,
    secs: &mut Vec<Option<i64>>,
    lead: Option<usize>,
    a: &Activity,
) {
    table
        .lead_id
        .push(lead.map_or_else(|| "nobody".into(), |l| format!("L{l}")));
    table.kind.push(a.kind.name().to_owned());
    table.at.push(a.at.timestamp());
    pages.push(a.page.clone());
    secs.push(a.seconds.map(i64::from));
}

/// `table` scored on `threads` threads, through the columns a door hands the core.
fn on_threads(
    s: &leadcore::Scoring,
    leads: &[Lead],
    table: &EventTable,
    now: DateTime<Utc>,
    threads: usize,
) -> leadcore::BatchScores {
    let encoded = table.encode().unwrap();
    let index = leadcore::columnar::lead_index(leads, encoded.lead_ids()).unwrap();
    let attrs = encoded.attr_columns();
    let cols = leadcore::columnar::EventColumns {
        lead: &index,
        ..encoded.with_attrs(&attrs)
    };
    s.score_columns_parallel(leads, &cols, now, threads)
        .unwrap()
}

/// Property-test cases: `PROPTEST_CASES` when set (a long run asks for more), else 200.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn incremental_batch_and_per_lead_agree(
        // minutes after t0; one in ten from 142-209 years before it (older than the u32
        // seconds the batch keeps its earliest occurrences in)
        events in prop::collection::vec((
            0usize..KINDS.len(),
            prop_oneof![9 => 0i64..60 * 24 * 40, 1 => -110_000_000i64..-75_000_000],
            0usize..4,
            0u32..150,
            0usize..3,
        ), 0..60),
        now_min in 0i64..60 * 24 * 60,
        employees in prop::option::of(0u32..1000),
        seed in any::<u64>(),
    ) {
        let pb = Playbook::from_yaml(DECAYING).unwrap();
        let s = pb.scoring();
        let now = t0() + Duration::minutes(now_min);
        let horizon = now + Duration::days(400);
        let leads: Vec<Lead> = (0..3).map(|i| {
            let mut l = Lead::new(format!("L{i}"));
            l.firmographics.employees = employees.map(|e| e + i as u32 * 100);
            l
        }).collect();
        let acts: Vec<(usize, Activity)> = events
            .iter()
            .map(|&(k, m, p, sec, lead)| (lead, activity(k, m, p, sec)))
            .collect();

        // Incremental: events applied one by one, in a shuffled order.
        let mut order: Vec<usize> = (0..acts.len()).collect();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            next(&mut x);
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut states: Vec<_> = leads.iter().map(|l| s.new_state(l.id.clone())).collect();
        let mut rejected = std::collections::BTreeSet::new();
        for &i in &order {
            let (lead, a) = &acts[i];
            let before = states[*lead].clone();
            match s.record(&mut states[*lead], a, horizon) {
                Ok(()) => {}
                Err(e) => {
                    prop_assert_eq!(e.code(), "score.bad_event");
                    prop_assert_eq!(&states[*lead], &before);
                    rejected.insert(i);
                }
            }
        }

        // Batch: one table, original order.
        let table = EventTable {
            lead_id: acts.iter().map(|(l, _)| format!("L{l}")).collect(),
            kind: acts.iter().map(|(_, a)| a.kind.name().to_owned()).collect(),
            at: acts.iter().map(|(_, a)| a.at.timestamp()).collect(),
            attrs: [
                ("page".to_owned(), texts(acts.iter().map(|(_, a)| a.page.clone()))),
                ("seconds".to_owned(), ints(acts.iter().map(|(_, a)| a.seconds.map(i64::from)))),
            ]
            .into(),
        };
        let batch = s.score_table(&leads, &table, now).unwrap();
        // Missing attributes never make an event bad: the incremental path refuses only
        // events past its horizon, the batch only events past `now` plus the tolerance.
        prop_assert!(rejected.is_empty());
        prop_assert!(batch.row_errors.iter().all(|e| e.reason == RowErrorReason::InFuture));

        for (i, lead) in leads.iter().enumerate() {
            let card = s.card(&states[i], lead, now, true).unwrap();
            let mine: Vec<Activity> = acts
                .iter()
                .enumerate()
                .filter(|(k, (l, a))| *l == i && !rejected.contains(k) && a.at <= now + Duration::seconds(300))
                .map(|(_, (_, a))| a.clone())
                .collect();
            let per_lead = s.score(lead, &mine, now, false).unwrap();
            for m in &card.models {
                prop_assert_eq!(Some(m.score), batch.score(i, &m.model));
                prop_assert_eq!(Some(m.score), per_lead.score(&m.model));
                prop_assert_eq!(m.score, sum_of_breakdown(m));
            }
        }
    }
}

#[test]
fn large_batches_visited_by_lead_range_give_per_lead_scores() {
    // Over 65,536 rows and enough leads for several lead ranges: the partitioned path.
    let pb = Playbook::from_yaml(DECAYING).unwrap();
    let s = pb.scoring();
    let now = t0() + Duration::days(30);
    let n_leads = 40_000;
    let leads: Vec<Lead> = (0..n_leads).map(|i| Lead::new(format!("L{i}"))).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut per_lead: Vec<Vec<Activity>> = vec![Vec::new(); n_leads];
    let mut table = EventTable::default();
    let (mut pages, mut secs) = (Vec::new(), Vec::new());
    for row in 0..100_000 {
        next(&mut x);
        let lead = (x % n_leads as u64) as usize;
        let a = activity(
            (x >> 20) as usize % KINDS.len(),
            (x >> 30) as i64 % (60 * 24 * 40),
            (x >> 40) as usize % 3,
            (x >> 50) as u32 % 120,
        );
        push_event(
            &mut table,
            &mut pages,
            &mut secs,
            (row != 777).then_some(lead),
            &a,
        );
        if row != 777 && a.at <= now + Duration::seconds(300) {
            per_lead[lead].push(a);
        }
    }
    table.attrs.insert("page".to_owned(), texts(pages));
    table.attrs.insert("seconds".to_owned(), ints(secs));
    let batch = s.score_table(&leads, &table, now).unwrap();
    assert_eq!(
        batch
            .row_errors
            .iter()
            .filter(|e| e.reason == RowErrorReason::UnknownLead)
            .count(),
        1
    );
    assert!(
        batch.row_errors.windows(2).all(|w| w[0].row < w[1].row),
        "row errors in row order"
    );
    for (i, lead) in leads.iter().enumerate().step_by(97) {
        let card = s.score(lead, &per_lead[i], now, false).unwrap();
        for m in &card.models {
            assert_eq!(
                Some(m.score),
                batch.score(i, &m.model),
                "lead {i} model {}",
                m.model
            );
        }
    }

    // The same bits on two and three threads, and with the rows in reverse order.
    let columns = |table: &EventTable| {
        let encoded = table.encode().unwrap();
        let index = leadcore::columnar::lead_index(&leads, encoded.lead_ids()).unwrap();
        (encoded, index)
    };
    let (encoded, index) = columns(&table);
    let attrs = encoded.attr_columns();
    let cols = leadcore::columnar::EventColumns {
        lead: &index,
        ..encoded.with_attrs(&attrs)
    };
    for threads in [2, 3] {
        let parallel = s
            .score_columns_parallel(&leads, &cols, now, threads)
            .unwrap();
        assert_eq!(parallel.scores, batch.scores, "{threads} threads");
        assert_eq!(parallel.grades, batch.grades);
        assert_eq!(parallel.row_errors.len(), batch.row_errors.len());
    }
    let mut reversed = table.clone();
    reversed.lead_id.reverse();
    reversed.kind.reverse();
    reversed.at.reverse();
    for column in reversed.attrs.values_mut() {
        column.reverse();
    }
    let backwards = s.score_table(&leads, &reversed, now).unwrap();
    assert_eq!(backwards.scores, batch.scores, "rows in reverse order");
}

#[test]
fn threads_take_pieces_of_a_large_batch_and_give_the_same_bits_and_row_errors() {
    // Enough rows (2.5 M) for three threads, each taking many pieces in turn: the scores,
    // grades and row errors (unknown leads and rows after `now`, in row order) are those of
    // one thread, bit for bit, however the pieces fell to the threads.
    let pb = Playbook::from_yaml(DECAYING).unwrap();
    let s = pb.scoring();
    let now = t0() + Duration::days(30);
    let n_leads = 20_000usize;
    let leads: Vec<Lead> = (0..n_leads).map(|i| Lead::new(format!("L{i}"))).collect();
    let rows = 2_500_000usize;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut table = EventTable::default();
    let (mut pages, mut secs) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    for row in 0..rows {
        next(&mut x);
        // time order with jitter, the last minutes past `now`; leads skewed to the low ids
        let minute = (row as i64 * 60 * 24 * 31) / rows as i64 - (x >> 44) as i64 % 30;
        let lead = ((x % n_leads as u64) * ((x >> 32) % n_leads as u64)) as usize / n_leads;
        let a = activity(
            (x >> 20) as usize % KINDS.len(),
            minute,
            (x >> 40) as usize % 3,
            (x >> 50) as u32 % 120,
        );
        let known = row % 400_009 != 7;
        push_event(&mut table, &mut pages, &mut secs, known.then_some(lead), &a);
    }
    table.attrs.insert("page".to_owned(), texts(pages));
    table.attrs.insert("seconds".to_owned(), ints(secs));
    let one = on_threads(s, &leads, &table, now, 1);
    let reasons = |b: &leadcore::BatchScores, r: RowErrorReason| {
        b.row_errors.iter().filter(|e| e.reason == r).count()
    };
    assert_eq!(reasons(&one, RowErrorReason::UnknownLead), 7);
    assert!(reasons(&one, RowErrorReason::InFuture) > 0);
    for threads in [2, 3] {
        let many = on_threads(s, &leads, &table, now, threads);
        assert!(
            many.scores
                .iter()
                .map(|v| v.to_bits())
                .eq(one.scores.iter().map(|v| v.to_bits())),
            "{threads} threads: the same bits"
        );
        assert_eq!(many.grades, one.grades, "{threads} threads");
        assert_eq!(
            many.row_errors, one.row_errors,
            "{threads} threads: row errors in row order"
        );
    }
}

#[test]
fn an_event_outside_one_rules_window_still_counts_for_the_next_rule() {
    let pb = Playbook::from_yaml(
        r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: m
      rules:
        - {type: behaviour, name: recent_click, activity: email_clicked, points: 7, window_days: 1}
        - {type: behaviour, name: any_click, activity: email_clicked, points: 5}
"#,
    )
    .unwrap();
    let now = t0();
    let old = now - Duration::days(10);
    let lead = Lead::new("L");
    let per_lead = pb
        .scoring()
        .score(&lead, &[act(ActivityKind::EmailClicked, old)], now, false)
        .unwrap();
    assert_eq!(per_lead.score("m"), Some(5.0));
    let table = EventTable {
        lead_id: vec!["L".into()],
        kind: vec!["email_clicked".into()],
        at: vec![old.timestamp()],
        ..EventTable::default()
    };
    let batch = pb.scoring().score_table(&[lead], &table, now).unwrap();
    assert_eq!(batch.score(0, "m"), Some(5.0));
}

#[test]
fn extreme_times_are_row_errors_and_bad_stored_states_are_refused() {
    let pb = Playbook::default_playbook();
    let s = pb.scoring();
    let table = EventTable {
        lead_id: vec!["A".into(), "A".into()],
        kind: vec!["email_opened".into(), "email_opened".into()],
        at: vec![i64::MIN, t0().timestamp()],
        ..EventTable::default()
    };
    let out = s.score_table(&[Lead::new("A")], &table, t0()).unwrap();
    assert_eq!(out.row_errors[0].reason, RowErrorReason::InvalidTime);
    assert_eq!(out.score(0, "engagement"), Some(2.0));

    let mut state = s.new_state("A");
    s.record(&mut state, &act(ActivityKind::EmailOpened, t0()), t0())
        .unwrap();
    s.record(
        &mut state,
        &act(ActivityKind::EmailOpened, t0() - Duration::days(1)),
        t0(),
    )
    .unwrap();
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(
        serde_json::from_str::<leadcore::ScoreState>(&json).unwrap(),
        state
    );
    let t = t0().timestamp();
    let swapped = json.replacen(
        &format!("{},{}", t - 86_400, t),
        &format!("{},{}", t, t - 86_400),
        1,
    );
    assert_ne!(swapped, json);
    assert!(serde_json::from_str::<leadcore::ScoreState>(&swapped).is_err());
    let other = Playbook::from_yaml(DECAYING).unwrap();
    assert_eq!(
        other.scoring().check_state(&state).unwrap_err().code(),
        "input.invalid"
    );
}

#[test]
fn many_rules_on_one_kind_with_rows_lacking_the_filtered_attribute_score_alike() {
    // 131 rules, 130 of them on one kind filtering `campaign`; one row in 11 has none.
    let mut yaml = String::from(
        "schema_version: 1\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\nscoring:\n  models:\n    - name: m\n      rules:\n",
    );
    for i in 0..130 {
        yaml.push_str(&format!(
            "        - {{type: behaviour, name: r{i}, activity: email_opened, points: {}, filters: [{{attr: campaign, op: eq, value: c{}}}]}}\n",
            i % 7 + 1,
            i % 10
        ));
    }
    yaml.push_str("        - {type: behaviour, name: clicks, activity: email_clicked, points: 3, occurrence: {at_most: 2}}\n");
    let pb = Playbook::from_yaml(&yaml).unwrap();
    let s = pb.scoring();
    let now = t0();
    let leads: Vec<Lead> = (0..5).map(|i| Lead::new(format!("L{i}"))).collect();
    let mut table = EventTable::default();
    let mut campaigns = Vec::new();
    let mut per_lead: Vec<Vec<Activity>> = vec![Vec::new(); 5];
    for row in 0..400usize {
        let lead = row * 7 % 5;
        let kind = if row % 3 == 0 {
            ActivityKind::EmailClicked
        } else {
            ActivityKind::EmailOpened
        };
        let mut a = act(kind, now - Duration::minutes(row as i64));
        a.campaign = (row % 11 != 0).then(|| format!("c{}", row % 10));
        table.lead_id.push(format!("L{lead}"));
        table.kind.push(a.kind.name().to_owned());
        table.at.push(a.at.timestamp());
        campaigns.push(a.campaign.clone());
        if s.score(&leads[lead], std::slice::from_ref(&a), now, false)
            .is_ok()
        {
            per_lead[lead].push(a);
        }
    }
    table.attrs.insert("campaign".to_owned(), texts(campaigns));
    let batch = s.score_table(&leads, &table, now).unwrap();
    // Opens without a campaign count for no campaign rule and are no row errors.
    assert!(batch.row_errors.is_empty());
    for (i, lead) in leads.iter().enumerate() {
        let card = s.score(lead, &per_lead[i], now, false).unwrap();
        assert_eq!(card.score("m"), batch.score(i, "m"), "lead {i}");
    }
}

#[test]
fn codes_outside_their_dictionary_are_caught_where_they_are_read() {
    use leadcore::columnar::{AttrColumn, AttrValues, DictColumn, EventColumns};
    let pb = Playbook::default_playbook();
    let s = pb.scoring();
    let kinds = ["web_visit".to_owned()];
    let pages = ["/pricing".to_owned()];
    let t = t0().timestamp();
    // A kind code past the dictionary is a row error; the other row is scored.
    let attrs = [AttrColumn {
        name: "page",
        values: AttrValues::Text(DictColumn {
            codes: &[0, 0],
            dictionary: &pages,
        }),
    }];
    let cols = EventColumns {
        lead: &[0, 0],
        kind: DictColumn {
            codes: &[0, 7],
            dictionary: &kinds,
        },
        at: &[t, t],
        attrs: &attrs,
    };
    let out = s.score_columns(&[Lead::new("A")], &cols, t0()).unwrap();
    assert_eq!(out.row_errors.len(), 1);
    assert_eq!(out.row_errors[0].row, 1);
    assert_eq!(out.row_errors[0].reason, RowErrorReason::BadValue);
    assert_eq!(out.score(0, "engagement"), Some(15.0));
    // An attribute code past its dictionary fails the batch, naming column and row.
    let bad_attrs = [AttrColumn {
        name: "page",
        values: AttrValues::Text(DictColumn {
            codes: &[0, 9],
            dictionary: &pages,
        }),
    }];
    let cols = EventColumns {
        kind: DictColumn {
            codes: &[0, 0],
            dictionary: &kinds,
        },
        attrs: &bad_attrs,
        ..cols
    };
    let err = s.score_columns(&[Lead::new("A")], &cols, t0()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: event column `page` row 1: code 9 is outside its dictionary of 1"
    );
    assert_eq!(cols.check().unwrap_err(), err);
}

#[test]
fn more_rules_than_one_pass_holds_score_as_per_lead() {
    // 70 behaviour rules: two passes over the rows (64 rules each at most), with windows,
    // limits, decay and filters mixed, and a row error that must be reported once.
    let mut rules = String::new();
    for r in 0..70 {
        let kind = ["web_visit", "email_opened", "email_clicked"][r % 3];
        let extra = match r % 5 {
            0 => ", window_days: 3".to_owned(),
            1 => ", occurrence: {at_most: 2}, decay: {type: half_life, days: 2}".to_owned(),
            2 => ", filters: [{attr: page, op: contains, value: pricing}]".to_owned(),
            3 => ", decay: {type: half_life, days: 5}, max_points: 7".to_owned(),
            _ => String::new(),
        };
        rules.push_str(&format!(
            "        - {{type: behaviour, name: r{r}, activity: {kind}, points: {}{extra}}}\n",
            1 + r % 4
        ));
    }
    let yaml = format!(
        "schema_version: 1\nlifecycle: {{name: lead, initial: New, stages: [{{name: New}}]}}\n\
         scoring:\n  models:\n    - name: m\n      rules:\n{rules}"
    );
    let pb = Playbook::from_yaml(&yaml).unwrap();
    let s = pb.scoring();
    let now = t0() + Duration::days(10);
    let leads: Vec<Lead> = (0..50).map(|i| Lead::new(format!("L{i}"))).collect();
    let mut table = EventTable::default();
    let mut pages = Vec::new();
    let mut per_lead: Vec<Vec<Activity>> = vec![Vec::new(); leads.len()];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for row in 0..3_000 {
        next(&mut x);
        let lead = (x % 50) as usize;
        let kind = [
            ActivityKind::WebVisit,
            ActivityKind::EmailOpened,
            ActivityKind::EmailClicked,
        ][(x >> 8) as usize % 3]
            .clone();
        let mut a = act(
            kind,
            t0() + Duration::minutes((x >> 16) as i64 % (60 * 24 * 12)),
        );
        if a.kind == ActivityKind::WebVisit && (x >> 40).is_multiple_of(2) {
            a.page = Some("/pricing".to_owned());
        }
        table.lead_id.push(if row == 99 {
            "nobody".into()
        } else {
            format!("L{lead}")
        });
        table.kind.push(a.kind.name().to_owned());
        table.at.push(a.at.timestamp());
        pages.push(a.page.clone());
        if row != 99 && a.at <= now + Duration::seconds(300) {
            per_lead[lead].push(a);
        }
    }
    table.attrs.insert("page".to_owned(), texts(pages));
    let batch = s.score_table(&leads, &table, now).unwrap();
    assert_eq!(
        batch
            .row_errors
            .iter()
            .filter(|e| e.reason == RowErrorReason::UnknownLead)
            .count(),
        1,
        "a row error is reported once, not once per pass"
    );
    for (i, lead) in leads.iter().enumerate() {
        let card = s.score(lead, &per_lead[i], now, false).unwrap();
        assert_eq!(Some(card.models[0].score), batch.score(i, "m"), "lead {i}");
    }
}

#[test]
fn counts_that_stop_at_a_cap_or_limit_score_as_per_lead_on_any_number_of_threads() {
    // Counting rules whose cap (or limit) bounds the occurrences that matter keep a count
    // that stops there: the scores must still be the per-lead ones, for leads far beyond
    // the cap (hundreds of events each) and near it, positive and negative points, a cap
    // that is no multiple of the points, a cap below one occurrence's points, a rule with
    // both a limit and a cap, and on several threads (whose counts are added, and stop
    // again when merged).
    let yaml = "schema_version: 1\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\n\
        scoring:\n  models:\n    - name: m\n      groups: [{name: g, cap: 9}]\n      rules:\n\
        \x20       - {type: behaviour, name: opens, activity: email_opened, points: 5, max_points: 12}\n\
        \x20       - {type: behaviour, name: clicks, activity: email_clicked, points: -3, max_points: 10}\n\
        \x20       - {type: behaviour, name: visits, activity: web_visit, points: 5, max_points: 3}\n\
        \x20       - {type: behaviour, name: both, activity: web_visit, points: 2, max_points: 40, occurrence: {at_most: 7}, group: g}\n\
        \x20       - {type: behaviour, name: many, activity: email_opened, points: 0.25, max_points: 100, window_days: 20}\n";
    let pb = Playbook::from_yaml(yaml).unwrap();
    let s = pb.scoring();
    let now = t0() + Duration::days(30);
    let n_leads = 40usize;
    let leads: Vec<Lead> = (0..n_leads).map(|i| Lead::new(format!("L{i}"))).collect();
    let mut table = EventTable::default();
    let mut per_lead: Vec<Vec<Activity>> = vec![Vec::new(); n_leads];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    // Enough rows for several pieces per thread: leads 0-29 get from 1,300 to 78,000 rows
    // each (lead i about (2i + 1) / 900 of them), leads 30-39 get 0 to 9 rows of each kind
    // (at the end, so in the last piece).
    let rows: usize = 1_200_000 + 3 * 45;
    for row in 0..rows {
        next(&mut x);
        let lead = match row.checked_sub(1_200_000) {
            None => ((x % 900) as f64).sqrt() as usize,
            // 45 = 0 + 1 + ... + 9: lead 30 + k takes k rows of each kind
            Some(r) => 30 + (0..10).find(|&k| (r / 3) < k * (k + 1) / 2).unwrap_or(9),
        };
        let kind = [
            ActivityKind::EmailOpened,
            ActivityKind::EmailClicked,
            ActivityKind::WebVisit,
        ][if row < 1_200_000 {
            (x >> 20) as usize
        } else {
            row
        } % 3]
            .clone();
        let a = act(
            kind,
            t0() + Duration::minutes((x >> 30) as i64 % (60 * 24 * 30)),
        );
        table.lead_id.push(format!("L{lead}"));
        table.kind.push(a.kind.name().to_owned());
        table.at.push(a.at.timestamp());
        per_lead[lead].push(a);
    }
    let one = s.score_table(&leads, &table, now).unwrap();
    assert_eq!(one, on_threads(s, &leads, &table, now, 2));
    let sizes: Vec<usize> = per_lead.iter().map(Vec::len).collect();
    assert!(sizes[0] > 1000 && sizes[30] == 0 && sizes[31] == 3 && sizes[39] == 27);
    for (i, lead) in leads.iter().enumerate() {
        let card = s.score(lead, &per_lead[i], now, false).unwrap();
        assert_eq!(Some(card.models[0].score), one.score(i, "m"), "lead {i}");
    }
}

#[test]
fn times_too_old_for_a_slot_score_the_same_on_any_number_of_threads() {
    // Occurrence-limited decaying rules keep a lead's earliest times in four-byte slots
    // (up to 136 years before `now`) and older ones in a list of their own: over enough
    // rows for several threads (1,200,000) and leads for several runs of leads (10,000),
    // every thread's old times are gathered and each run of leads finds its own.
    let pb = Playbook::from_yaml(DECAYING).unwrap();
    let s = pb.scoring();
    let now = t0() + Duration::days(30);
    let n_leads = 10_000usize;
    let leads: Vec<Lead> = (0..n_leads).map(|i| Lead::new(format!("L{i}"))).collect();
    let kinds: Vec<String> = ["email_clicked", "webinar_attended"]
        .map(String::from)
        .to_vec();
    let (mut lead, mut kind, mut at) = (Vec::new(), Vec::new(), Vec::new());
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut per_lead: Vec<Vec<Activity>> = vec![Vec::new(); n_leads];
    for _ in 0..1_200_000 {
        next(&mut x);
        let l = (x % n_leads as u64) as usize;
        let k = (x >> 20) as usize % 2;
        // One row in eight 142 to 160 years old; the others within 40 days.
        let minutes = if (x >> 24).is_multiple_of(8) {
            -75_000_000 - ((x >> 30) % 10_000_000) as i64
        } else {
            ((x >> 30) % (60 * 24 * 40)) as i64
        };
        let t = t0() + Duration::minutes(minutes);
        lead.push(l as u32);
        kind.push(k as u32);
        at.push(t.timestamp());
        if l.is_multiple_of(613) && t <= now + Duration::seconds(300) {
            per_lead[l].push(Activity::new(ActivityKind::parse(&kinds[k]), t));
        }
    }
    let events = bare_events(&lead, &kind, &kinds, &at);
    let one = s.score_columns(&leads, &events, now).unwrap();
    for threads in [2, 3] {
        let many = s
            .score_columns_parallel(&leads, &events, now, threads)
            .unwrap();
        assert_eq!(many, one, "{threads} threads");
    }
    for (i, acts) in per_lead.iter().enumerate().filter(|(_, a)| !a.is_empty()) {
        let card = s.score(&leads[i], acts, now, false).unwrap();
        for m in &card.models {
            assert_eq!(
                Some(m.score),
                one.score(i, &m.model),
                "lead {i} {}",
                m.model
            );
        }
    }
    // The old times count: a lead's first clicks were 142 years ago (each worth nothing
    // now, but they take the rule's two occurrences), so its recent clicks score nothing.
    let web = |acts: &[Activity]| s.score(&leads[0], acts, now, false).unwrap().score("web");
    assert!(per_lead.iter().any(|a| {
        web(a)
            != web(&a
                .iter()
                .filter(|a| a.at > t0())
                .cloned()
                .collect::<Vec<_>>())
    }));
}

#[test]
fn counting_rules_count_every_held_lead() {
    // A counting rule's leads are held back and counted 65,536 at a time: 1,100,000 rows of
    // one kind over 500 leads pass that mark several times within a run of rows, on one
    // thread and on several (which count at the end of each run of rows they take).
    let pb = Playbook::from_yaml(
        r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: m
      rules:
        - {type: behaviour, name: visits, activity: web_visit, points: 0.25}
        - {type: behaviour, name: capped, activity: web_visit, points: 1, max_points: 40}
        - {type: behaviour, name: three, activity: web_visit, points: 2, occurrence: {at_most: 3}}
"#,
    )
    .unwrap();
    let s = pb.scoring();
    let now = t0() + Duration::days(30);
    let n_leads = 500usize;
    let leads: Vec<Lead> = (0..n_leads).map(|i| Lead::new(format!("L{i}"))).collect();
    let kinds = vec!["web_visit".to_owned()];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut count = vec![0u32; n_leads];
    let mut lead = Vec::new();
    for _ in 0..1_100_000 {
        next(&mut x);
        // Skewed: lead 0 takes about half the rows.
        let l = if x & 1 == 0 {
            0
        } else {
            (x >> 8) as usize % n_leads
        };
        lead.push(l as u32);
        count[l] += 1;
    }
    let kind = vec![0u32; lead.len()];
    let at = vec![t0().timestamp(); lead.len()];
    let events = bare_events(&lead, &kind, &kinds, &at);
    let one = s.score_columns(&leads, &events, now).unwrap();
    assert_eq!(
        s.score_columns_parallel(&leads, &events, now, 2).unwrap(),
        one
    );
    for (i, &n) in count.iter().enumerate() {
        let n = f64::from(n);
        let expected = 0.25 * n + n.min(40.0) + 2.0 * n.min(3.0);
        assert_eq!(
            one.score(i, "m"),
            Some(expected),
            "lead {i} with {n} visits"
        );
    }
    assert!(count[0] > 500_000);
}
