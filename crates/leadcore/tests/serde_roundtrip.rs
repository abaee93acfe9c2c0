//! Every model and playbook type round-trips through serde without loss.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use leadcore::{
    Activity, ActivityKind, DealType, FieldValue, Format, Lead, Money, Opportunity, Playbook,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z ÄÖüłż]{0,12}"
}

/// Values as data holds them: a date or an instant is its text (a field's declared type
/// reads it as one), so what is written reads back equal.
fn field_value() -> impl Strategy<Value = FieldValue> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(FieldValue::Bool),
        any::<i64>().prop_map(FieldValue::Int),
        (-1e12f64..1e12).prop_map(FieldValue::Float),
        (0i32..20_000).prop_map(|d| FieldValue::Text(
            (NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(d as u64))
                .to_string()
        )),
        (0i64..2_000_000_000).prop_map(|s| FieldValue::Text(instant(s).to_rfc3339())),
        text().prop_map(FieldValue::Text),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(FieldValue::List)
    })
}

fn instant(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).unwrap()
}

fn custom() -> impl Strategy<Value = BTreeMap<String, FieldValue>> {
    prop::collection::btree_map("[a-z_]{1,8}", field_value(), 0..4)
}

prop_compose! {
    fn lead()(id in "[A-Z0-9-]{1,8}", channel in prop::option::of(text()),
              employees in prop::option::of(any::<u32>()), region in prop::option::of(text()),
              email in prop::option::of(text()), created in prop::option::of(0i64..2_000_000_000),
              custom in custom()) -> Lead {
        let mut l = Lead::new(id);
        l.source.channel = channel;
        l.firmographics.employees = employees;
        l.firmographics.region = region;
        l.contact.email = email;
        l.created_at = created.map(instant);
        l.custom = custom;
        l
    }
}

prop_compose! {
    fn opportunity()(id in "[A-Z0-9-]{1,8}", minor in any::<i64>(), kind in 0..3usize,
                     close in prop::option::of(0u64..10_000), custom in custom()) -> Opportunity {
        let mut o = Opportunity::new(id, "A-1", Money::new(minor, "EUR"));
        o.deal_type = [DealType::NewBusiness, DealType::Upsell, DealType::CrossSell][kind];
        o.expected_close = close.map(|d| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d));
        o.custom = custom;
        o
    }
}

prop_compose! {
    fn activity()(kind in prop_oneof![
                      prop::sample::select(ActivityKind::BUILTIN).prop_map(ActivityKind::parse),
                      "[a-z_]{1,10}".prop_map(|s| ActivityKind::parse(&s)),
                  ],
                  at in 0i64..2_000_000_000, page in prop::option::of(text()),
                  seconds in prop::option::of(any::<u32>()), attrs in custom()) -> Activity {
        let mut a = Activity::new(kind, instant(at));
        a.page = page;
        a.seconds = seconds;
        a.attrs = attrs;
        a
    }
}

proptest! {
    #[test]
    fn leads_round_trip(l in lead()) {
        let back: Lead = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
        prop_assert_eq!(back, l);
    }

    #[test]
    fn opportunities_round_trip(o in opportunity()) {
        let back: Opportunity = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        prop_assert_eq!(back, o);
    }

    #[test]
    fn activities_round_trip(a in activity()) {
        let back: Activity = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        prop_assert_eq!(back, a);
    }
}

#[test]
fn playbook_round_trips_through_every_format() {
    let pb = Playbook::default_playbook();
    let json = pb.to_json();
    let toml_text = toml::to_string(pb.spec()).unwrap();
    let yaml = serde_saphyr::to_string(pb.spec()).unwrap();
    for (text, f) in [
        (json, Format::Json),
        (toml_text, Format::Toml),
        (yaml, Format::Yaml),
    ] {
        assert_eq!(Playbook::parse(&text, f).unwrap(), pb, "{f}");
    }
}

#[test]
fn malformed_text_is_a_parse_error_in_every_format() {
    for (text, f) in [
        ("{\"schema_version\": 1,", Format::Json),
        ("schema_version = ", Format::Toml),
        ("lifecycle: [unclosed", Format::Yaml),
        ("schema_version: 1\nschema_version: 1\n", Format::Yaml),
        ("", Format::Json),
    ] {
        let err = Playbook::parse(text, f).unwrap_err();
        assert_eq!(err.code(), "playbook.parse", "{f}: {err}");
    }
}

#[test]
fn yaml_norway_problem_is_rejected_not_guessed() {
    // `terminal: no` must not silently become `false`.
    let yaml = "schema_version: 1\nlifecycle:\n  name: l\n  initial: A\n  stages:\n    - {name: A, terminal: no}\n";
    assert_eq!(
        Playbook::from_yaml(yaml).unwrap_err().code(),
        "playbook.parse"
    );
}
