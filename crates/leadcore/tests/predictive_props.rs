//! Properties of the `odoo` predictive mode: live updates equal a rebuild (won_status
//! semantics, quirks off), probabilities stay in range and are never NaN, a serialised table
//! predicts identically, and the columnar path gives the record path's numbers.

use leadcore::DictColumn;
use leadcore::predictive::odoo::*;
use proptest::prelude::*;

const WON: &str = "9";

fn model(bug: bool, tags: bool) -> OdooModel {
    let mut fields = vec!["country_id", "email_state"];
    if tags {
        fields.push("tag_ids");
    }
    let config = OdooConfig::new(vec![
        OdooStage::new("1", 1),
        OdooStage::new("2", 2),
        OdooStage::new("3", 3),
        OdooStage::won(WON, 70),
    ])
    .with_fields(fields)
    .bug_compatible(bug);
    OdooModel::new(config).unwrap()
}

/// (team, stage, country, tags, plan) with plan 0 lose, 1 win, 2 lose then restore,
/// 3 lose then win, 4 stay open.
type Lead = (Option<u8>, u8, Option<u8>, Vec<u8>, u8);

fn lead_strategy() -> impl Strategy<Value = Lead> {
    (
        prop::option::of(0u8..3),
        1u8..4,
        prop::option::of(0u8..4),
        prop::collection::vec(0u8..3, 0..3),
        0u8..5,
    )
}

fn record(i: usize, l: &Lead) -> OdooRecord {
    let mut r = OdooRecord::new(format!("L{i}")).stage(l.1.to_string());
    if let Some(t) = l.0 {
        r = r.team(t.to_string());
    }
    if let Some(c) = l.2 {
        r = r.value("country_id", format!("c{c}"));
    }
    for t in &l.3 {
        r = r.tag(format!("t{t}"));
    }
    r
}

fn write(stage: Option<&str>, active: Option<bool>, probability: Option<f64>) -> OdooWrite {
    OdooWrite {
        stage: stage.map(str::to_owned),
        active,
        probability,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn live_updates_equal_a_rebuild(leads in prop::collection::vec(lead_strategy(), 0..40)) {
        let m = model(false, true);
        let mut table = FrequencyTable::new();
        let mut finals = Vec::new();
        for (i, l) in leads.iter().enumerate() {
            let mut live = OdooLiveLead { record: record(i, l), active: true, probability: 20.0 };
            let lose = [write(None, Some(false), None), write(None, None, Some(0.0))];
            let steps: Vec<OdooWrite> = match l.4 {
                0 => lose.to_vec(),
                1 => vec![write(Some(WON), None, None)],
                2 => [lose.to_vec(), vec![write(None, Some(true), Some(30.0))]].concat(),
                3 => [lose.to_vec(), vec![write(Some(WON), None, None)]].concat(),
                _ => vec![],
            };
            for w in &steps {
                m.apply_write(&mut table, &mut live, w, LiveSemantics::WonStatus).unwrap();
            }
            finals.push(live.record);
        }
        let rebuilt = m.train(&finals).unwrap();
        prop_assert_eq!(&table, &rebuilt);
    }

    #[test]
    fn probabilities_stay_in_range_and_serialised_tables_agree(
        closed in prop::collection::vec((lead_strategy(), any::<bool>()), 0..40),
        pending in prop::collection::vec(lead_strategy(), 1..20),
        bug in any::<bool>(),
        tags in any::<bool>(),
    ) {
        let m = model(bug, tags);
        let train: Vec<OdooRecord> = closed
            .iter()
            .enumerate()
            .map(|(i, (l, won))| {
                let r = record(i, l);
                if *won {
                    r.stage(WON).status(OdooStatus::Won)
                } else {
                    r.status(OdooStatus::Lost)
                }
            })
            .collect();
        let table = m.train(&train).unwrap();
        let mut leads: Vec<OdooRecord> = pending.iter().enumerate().map(|(i, l)| record(100 + i, l)).collect();
        leads.push(OdooRecord::new("nostage"));
        let got = m.predict_batch(&table, &leads, true).unwrap();
        for p in &got {
            if let Some(x) = p.probability {
                prop_assert!(!x.is_nan());
                prop_assert!(x == 0.0 || x == 100.0 || (0.01..=99.99).contains(&x), "{x}");
                prop_assert_eq!(x, (x * 100.0).round() / 100.0);
            }
        }
        prop_assert_eq!(got.last().unwrap().probability, Some(0.0));
        let json = serde_json::to_string(&table).unwrap();
        let back: FrequencyTable = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &table);
        prop_assert_eq!(m.predict_batch(&back, &leads, true).unwrap(), got);
    }

    #[test]
    fn columns_give_the_records_numbers(
        closed in prop::collection::vec((lead_strategy(), any::<bool>()), 0..60),
        pending in prop::collection::vec(lead_strategy(), 1..30),
        bug in any::<bool>(),
    ) {
        let m = model(bug, false);
        let teams: Vec<String> = (0..3).map(|t| t.to_string()).collect();
        let stages: Vec<String> = ["1", "2", "3", WON].map(str::to_owned).to_vec();
        let countries: Vec<String> = (0..4).map(|c| format!("c{c}")).collect();
        let none: Vec<String> = Vec::new();
        let code = |o: Option<u8>| o.map_or(u32::MAX, u32::from);
        let mut recs = Vec::new();
        let (mut tc, mut sc, mut cc, mut st) = (vec![], vec![], vec![], vec![]);
        for (i, (l, won)) in closed.iter().enumerate() {
            let stage = if *won { 3 } else { u32::from(l.1) - 1 };
            let status = if *won { OdooStatus::Won } else { OdooStatus::Lost };
            let mut r = record(i, &(l.0, l.1, l.2, vec![], 0)).status(status);
            if *won {
                r = r.stage(WON);
            }
            recs.push(r);
            tc.push(code(l.0));
            sc.push(stage);
            cc.push(code(l.2));
            st.push(status);
        }
        let empty = vec![u32::MAX; tc.len()];
        let cols = OdooColumns {
            team: DictColumn { codes: &tc, dictionary: &teams },
            stage: DictColumn { codes: &sc, dictionary: &stages },
            status: &st,
            fields: vec![
                OdooColumn { name: "country_id", values: DictColumn { codes: &cc, dictionary: &countries } },
                OdooColumn { name: "email_state", values: DictColumn { codes: &empty, dictionary: &none } },
            ],
        };
        let table = m.train_columns(&cols).unwrap();
        prop_assert_eq!(&table, &m.train(&recs).unwrap());

        let ptc: Vec<u32> = pending.iter().map(|l| code(l.0)).collect();
        let psc: Vec<u32> = pending.iter().map(|l| u32::from(l.1) - 1).collect();
        let pcc: Vec<u32> = pending.iter().map(|l| code(l.2)).collect();
        let pempty = vec![u32::MAX; ptc.len()];
        let pcols = OdooColumns {
            team: DictColumn { codes: &ptc, dictionary: &teams },
            stage: DictColumn { codes: &psc, dictionary: &stages },
            status: &[],
            fields: vec![
                OdooColumn { name: "email_state", values: DictColumn { codes: &pempty, dictionary: &none } },
                OdooColumn { name: "country_id", values: DictColumn { codes: &pcc, dictionary: &countries } },
            ],
        };
        let by_cols = m.predict_columns(&table, &pcols).unwrap();
        let precs: Vec<OdooRecord> = pending.iter().enumerate().map(|(i, l)| record(i, &(l.0, l.1, l.2, vec![], 0))).collect();
        let by_recs: Vec<Option<f64>> = m.predict_batch(&table, &precs, false).unwrap().into_iter().map(|p| p.probability).collect();
        prop_assert_eq!(by_cols, by_recs);
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let m = model(false, false);
    let unknown = OdooRecord::new("x").stage("nope").status(OdooStatus::Lost);
    assert_eq!(
        m.train(std::slice::from_ref(&unknown)).unwrap_err().code(),
        "input.invalid"
    );
    assert!(
        m.predict_batch(&FrequencyTable::new(), &[unknown], false)
            .is_err()
    );
    let nan = r#"{"schema_version":1,"rows":[{"team":null,"variable":"stage_id","value":"1","won":-1,"lost":1}]}"#;
    assert!(serde_json::from_str::<FrequencyTable>(nan).is_err());
    // An empty table: no history, no probability (Odoo leaves the stored one).
    let p = m.predict(&FrequencyTable::new(), &OdooRecord::new("y").stage("1"));
    assert_eq!(p.probability, None);
    let mut lead = OdooLiveLead {
        record: OdooRecord::new("z").stage(WON),
        active: true,
        probability: 100.0,
    };
    let err = m.apply_write(
        &mut FrequencyTable::new(),
        &mut lead,
        &write(None, None, Some(50.0)),
        LiveSemantics::WonStatus,
    );
    assert_eq!(err.unwrap_err().code(), "input.invalid");
    assert_eq!(lead.probability, 100.0);
}
