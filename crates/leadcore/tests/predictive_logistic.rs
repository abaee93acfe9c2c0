//! Properties of the `logistic` predictive mode and of `eval`: explanations sum to the logit
//! exactly, a serialised model scores identically, fits are deterministic, probabilities are
//! never NaN (unseen categories, NaN and infinite numbers included), and bad training data is
//! a typed error, never a panic.

use leadcore::predictive::eval::{auc, evaluate, stratified_split};
use leadcore::predictive::logistic::*;
use proptest::prelude::*;

/// (category a, category b, number, team, won)
type Row = (Option<u8>, u8, Option<f64>, Option<u8>, bool);

fn number() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        4 => (-50.0f64..500.0).prop_map(Some),
        1 => Just(None),
        1 => Just(Some(f64::NAN)),
        1 => Just(Some(f64::INFINITY)),
        1 => Just(Some(1e300)),
    ]
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            prop::option::of(0u8..5),
            0u8..3,
            number(),
            prop::option::of(0u8..3),
            any::<bool>(),
        ),
        2..60,
    )
    .prop_map(|mut v| {
        // Both outcomes occur.
        v[0].4 = true;
        v[1].4 = false;
        v
    })
}

fn frame(rows: &[Row], unseen: bool) -> Frame {
    let a = rows.iter().map(|r| {
        r.0.map(|x| {
            if unseen {
                format!("new{x}")
            } else {
                format!("a{x}")
            }
        })
    });
    Frame::new(rows.len())
        .with_text("a", a)
        .unwrap()
        .with_text("b", rows.iter().map(|r| Some(format!("b{}", r.1))))
        .unwrap()
        .with_numbers("x", rows.iter().map(|r| r.2))
        .unwrap()
        .with_text("team", rows.iter().map(|r| r.3.map(|t| format!("t{t}"))))
        .unwrap()
}

fn config(method: u8, grouped: bool, l2: f64) -> LogisticConfig {
    let c = LogisticConfig::new(vec![
        FeatureSpec::categorical("a").min_count(3),
        FeatureSpec::categorical("b").min_count(1),
        FeatureSpec::numeric("x").log().bins(3),
    ])
    .l2(l2)
    .calibration(match method {
        0 => CalibrationMethod::None,
        1 => CalibrationMethod::Platt,
        _ => CalibrationMethod::Isotonic,
    })
    .folds(3, 5);
    if grouped { c.group("team", 5.0) } else { c }
}

fn outcomes(rows: &[Row]) -> Vec<bool> {
    rows.iter().map(|r| r.4).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn explanations_sum_to_the_logit_and_nothing_is_nan(
        rows in rows(), method in 0u8..3, grouped in any::<bool>(), l2 in 0.05f64..20.0,
    ) {
        let f = frame(&rows, false);
        let model = LogisticModel::fit(config(method, grouped, l2), &f, &outcomes(&rows)).unwrap();
        for test in [f.clone(), frame(&rows, true)] {
            let logits = model.predict_logits(&test).unwrap();
            let p = model.predict(&test).unwrap();
            let ex = model.explain(&test).unwrap();
            for ((e, &z), &pi) in ex.iter().zip(&logits).zip(&p) {
                let sum = e.contributions.iter().fold(e.intercept, |s, c| s + c.logit);
                prop_assert_eq!(sum.to_bits(), e.logit.to_bits());
                prop_assert_eq!(e.logit.to_bits(), z.to_bits());
                prop_assert_eq!(e.probability.to_bits(), pi.to_bits());
                prop_assert!(z.is_finite());
                prop_assert!((0.0..=1.0).contains(&pi));
                prop_assert!((0.0..=1.0).contains(&e.raw_probability));
            }
        }
    }

    #[test]
    fn a_serialised_model_scores_identically_and_fits_are_deterministic(
        rows in rows(), method in 0u8..3, grouped in any::<bool>(),
    ) {
        let f = frame(&rows, false);
        let y = outcomes(&rows);
        let model = LogisticModel::fit(config(method, grouped, 1.0), &f, &y).unwrap();
        let again = LogisticModel::fit(config(method, grouped, 1.0), &f, &y).unwrap();
        prop_assert_eq!(&model, &again);
        let back = LogisticModel::from_json(&model.to_json()).unwrap();
        prop_assert_eq!(&back, &model);
        let (p, q) = (model.predict(&f).unwrap(), back.predict(&f).unwrap());
        prop_assert_eq!(
            p.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            q.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        prop_assert_eq!(model.explain(&f).unwrap(), back.explain(&f).unwrap());
    }

    #[test]
    fn auc_is_the_share_of_ordered_pairs(
        data in prop::collection::vec((0u8..6, any::<bool>()), 1..80),
    ) {
        let s: Vec<f64> = data.iter().map(|d| f64::from(d.0) / 5.0).collect();
        let y: Vec<bool> = data.iter().map(|d| d.1).collect();
        let (mut good, mut pairs) = (0.0, 0.0);
        for i in 0..s.len() {
            for j in 0..s.len() {
                if y[i] && !y[j] {
                    pairs += 1.0;
                    good += if s[i] > s[j] { 1.0 } else if s[i] == s[j] { 0.5 } else { 0.0 };
                }
            }
        }
        let expected = if pairs == 0.0 { None } else { Some(good / pairs) };
        let got = auc(&s, &y).unwrap();
        match (got, expected) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12),
            (a, b) => prop_assert_eq!(a, b),
        }
        let m = evaluate(&s, &y).unwrap();
        prop_assert!(m.brier.is_finite() && m.log_loss.is_finite() && m.ece.is_finite());
        prop_assert_eq!(m.calibration.iter().map(|b| b.count).sum::<usize>(), s.len());
    }
}

fn small() -> (Frame, Vec<bool>) {
    let rows: Vec<Row> = (0..30u8)
        .map(|i| {
            (
                Some(i % 4),
                i % 3,
                Some(f64::from(i)),
                Some(i % 2),
                i % 3 == 0 || i % 5 == 0,
            )
        })
        .collect();
    (frame(&rows, false), outcomes(&rows))
}

#[test]
fn one_outcome_or_no_rows_is_a_typed_error() {
    let (f, _) = small();
    for y in [vec![true; 30], vec![false; 30]] {
        let e = LogisticModel::fit(config(1, false, 1.0), &f, &y).unwrap_err();
        assert_eq!(e.code(), "input.invalid");
    }
    let empty = Frame::new(0)
        .with_text("a", Vec::<Option<String>>::new())
        .unwrap();
    let e = LogisticModel::fit(config(1, false, 1.0), &empty, &[]).unwrap_err();
    assert_eq!(e.code(), "input.invalid");
    let (f, y) = small();
    assert!(LogisticModel::fit(config(1, false, 1.0), &f, &y[..29]).is_err());
    assert!(LogisticModel::fit(config(1, false, 0.0), &f, &y).is_err());
    assert!(LogisticModel::fit(LogisticConfig::new(vec![]), &f, &y).is_err());
}

#[test]
fn frames_of_another_schema_are_refused() {
    let (f, y) = small();
    let model = LogisticModel::fit(config(1, false, 1.0).schema("pb-1"), &f, &y);
    // Training checks the tag too.
    assert_eq!(model.unwrap_err().code(), "input.invalid");
    let tagged = f.clone().with_schema("pb-1");
    let model = LogisticModel::fit(config(1, false, 1.0).schema("pb-1"), &tagged, &y).unwrap();
    assert!(model.predict(&tagged).is_ok());
    let other = f.clone().with_schema("pb-2");
    assert_eq!(model.predict(&other).unwrap_err().code(), "input.invalid");
    // A missing column, and a column of the other type.
    let model = LogisticModel::fit(config(1, false, 1.0), &f, &y).unwrap();
    let missing = Frame::new(1)
        .with_text("a", [Some("a1")])
        .unwrap()
        .with_text("b", [Some("b1")])
        .unwrap();
    let e = model.predict(&missing).unwrap_err();
    assert!(e.to_string().contains("no column `x`"), "{e}");
    let wrong = missing.with_text("x", [Some("12")]).unwrap();
    let e = model.explain(&wrong).unwrap_err();
    assert!(e.to_string().contains("holds text"), "{e}");
    // Another schema_version.
    let json = model
        .to_json()
        .replace("\"schema_version\":1", "\"schema_version\":2");
    let e = LogisticModel::from_json(&json).unwrap_err();
    assert_eq!(e.code(), "state.unsupported_version");
    // Tampered weights.
    let mut v: serde_json::Value = serde_json::from_str(&model.to_json()).unwrap();
    v["coefficients"]["features"][0]["weights"] = serde_json::json!([1.0]);
    assert_eq!(
        LogisticModel::from_json(&v.to_string()).unwrap_err().code(),
        "input.invalid"
    );
}

#[test]
fn unseen_levels_score_as_other_and_nan_as_missing() {
    let (f, y) = small();
    let model = LogisticModel::fit(config(1, false, 1.0), &f, &y).unwrap();
    let probe = Frame::new(2)
        .with_text("a", [Some("never seen"), None])
        .unwrap()
        .with_text("b", [Some("b0"), Some("Select")])
        .unwrap()
        .with_numbers("x", [Some(f64::NAN), Some(f64::NEG_INFINITY)])
        .unwrap()
        .with_text("team", [None::<String>, None])
        .unwrap();
    let ex = model.explain(&probe).unwrap();
    let a = &model.features()[0].weights;
    assert_eq!(ex[0].contributions[0].value, OTHER);
    assert_eq!(ex[0].contributions[0].logit, a[1]);
    assert_eq!(ex[1].contributions[0].value, MISSING);
    assert_eq!(ex[1].contributions[0].logit, a[0]);
    assert_eq!(ex[0].contributions[2].value, MISSING);
    assert_eq!(ex[1].contributions[2].value, MISSING);
    assert!(ex.iter().all(|e| e.probability.is_finite()));
    // No row: no score, no error.
    let none = probe.select(&[]).unwrap();
    assert_eq!(model.predict(&none).unwrap(), Vec::<f64>::new());
}

#[test]
fn teams_pool_towards_the_global_effects() {
    // Team t0 (many leads) converts on level "a1" much more than the others; team t1 is
    // small. An unknown team scores on the global effects only.
    let mut rows: Vec<Row> = Vec::new();
    for i in 0..400u32 {
        let team = if i % 10 == 0 { 1 } else { 0 };
        let level = (i % 4) as u8;
        let won = if team == 0 && level == 1 {
            i % 5 != 0
        } else {
            i % 3 == 0
        };
        rows.push((
            Some(level),
            (i % 3) as u8,
            Some(f64::from(i % 7)),
            Some(team),
            won,
        ));
    }
    let f = frame(&rows, false);
    let model = LogisticModel::fit(config(0, true, 1.0), &f, &outcomes(&rows)).unwrap();
    let groups = model.groups();
    assert_eq!(groups.len(), 2);
    let a1 = 2 + 1; // local column of level "a1" (levels a0..a3 kept, sorted)
    let big = groups[0].deviations[0][a1];
    let small_dev = groups[1].deviations[0][a1];
    assert!(
        big > 0.0 && big.abs() > small_dev.abs(),
        "{big} {small_dev}"
    );
    assert!(groups[0].deviations[2].is_empty()); // numeric features have no deviations
    let unknown = Frame::new(1)
        .with_text("a", [Some("a1")])
        .unwrap()
        .with_text("b", [Some("b0")])
        .unwrap()
        .with_numbers("x", [Some(3.0)])
        .unwrap()
        .with_text("team", [Some("t9")])
        .unwrap();
    let e = &model.explain(&unknown).unwrap()[0];
    assert_eq!(e.contributions.len(), 3);
    let known = &model.explain(&f.select(&[1]).unwrap()).unwrap()[0];
    assert_eq!(known.contributions.last().unwrap().feature, "team");
}

#[test]
fn splits_are_seeded_and_stratified() {
    let y: Vec<bool> = (0..1000).map(|i| i % 5 < 2).collect();
    let s = stratified_split(&y, 0.3, 42).unwrap();
    assert_eq!(s.test.len(), 300);
    assert_eq!(s.test.iter().filter(|&&i| y[i]).count(), 120);
    assert_eq!(s, stratified_split(&y, 0.3, 42).unwrap());
}
