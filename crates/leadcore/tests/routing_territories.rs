//! Territory trees: a rep covering a territory covers those below it; a lead goes to the
//! reps of its own territory first, then to those of each territory above it.

use chrono::{TimeZone, Utc};
use leadcore::{Lead, Playbook};

const PLAYBOOK: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
routing:
  territories:
    - {id: EMEA}
    - {id: DACH, parent: EMEA}
    - {id: DE, parent: DACH}
    - {id: AT, parent: DACH}
    - {id: UK, parent: EMEA}
    - {id: FR, parent: EMEA}
  reps:
    - {id: A, territories: [DE], capacity: 1}
    - {id: B, territories: [DACH]}
    - {id: C, territories: [EMEA]}
    - {id: D, territories: [UK]}
  rules:
    - name: dach_pod
      when: {field: industry, op: eq, value: pod}
      assign: {round_robin: {pool: {territory: DACH}}}
    - name: by_region
      assign: {round_robin: {pool: {territory_from: region}}}
"#;

fn lead(id: &str, region: &str) -> Lead {
    let mut l = Lead::new(id);
    l.firmographics.region = Some(region.into());
    l
}

#[test]
fn the_nearest_territory_with_an_eligible_rep_wins() {
    let pb = Playbook::from_yaml(PLAYBOOK).unwrap();
    let routing = pb.routing();
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut state = routing.new_state();
    let mut who = |l: Lead| {
        let d = routing.assign(&mut state, &l, now).unwrap();
        let note = d.trace.last().unwrap().strategies[0]
            .note
            .clone()
            .unwrap_or_default();
        (d.rep().unwrap_or("-").to_owned(), note)
    };
    assert_eq!(who(lead("1", "DE")).0, "A");
    // A is at capacity: the DACH rep, one level up, says the trace.
    let (rep, note) = who(lead("2", "DE"));
    assert_eq!(rep, "B");
    assert_eq!(
        note,
        "no eligible rep covers `DE` (field `region`): 1 of 4 reps in the pool cover `DACH`, 1 level(s) up"
    );
    assert_eq!(who(lead("3", "AT")).0, "B");
    assert_eq!(who(lead("4", "FR")).0, "C");
    assert_eq!(who(lead("5", "UK")).0, "D");
    // A territory outside the tree finds no one, and says so.
    let (rep, note) = who(lead("6", "APAC"));
    assert_eq!(
        (rep.as_str(), note.as_str()),
        ("-", "0 of 4 reps in the pool cover `APAC` (field `region`)")
    );
}

#[test]
fn a_pool_on_a_territory_takes_the_reps_below_it() {
    let pb = Playbook::from_yaml(PLAYBOOK).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut state = pb.routing().new_state();
    let mut pod = Lead::new("p");
    pod.firmographics.industry = Some("pod".into());
    let reps: Vec<String> = (0..3)
        .map(|_| {
            pb.routing()
                .assign(&mut state, &pod, now)
                .unwrap()
                .rep()
                .unwrap()
                .to_owned()
        })
        .collect();
    // A (DE, capacity 1) and B (DACH) share the DACH pod; C (EMEA) and D (UK) are not in it.
    assert_eq!(reps, ["A", "B", "B"]);
}

#[test]
fn a_broken_tree_is_a_located_playbook_error() {
    let yaml = PLAYBOOK
        .replace("{id: EMEA}", "{id: EMEA, parent: DE}")
        .replace("{id: FR, parent: EMEA}", "{id: FR, parent: EUROPE}")
        .replace("territories: [UK]", "territories: [Uk]")
        .replace("pool: {territory: DACH}", "pool: {territory: DAHC}");
    let err = Playbook::from_yaml(&yaml).unwrap_err();
    let got: Vec<(&str, &str)> = err
        .issues()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    for want in [
        ("routing.territories[0].parent", "routing.territory_cycle"),
        ("routing.territories[5].parent", "routing.unknown_territory"),
        (
            "routing.reps[3].territories[0]",
            "routing.unknown_territory",
        ),
        (
            "routing.rules[0].assign.round_robin.pool.territory",
            "routing.unknown_territory",
        ),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
    let uk = err
        .issues()
        .iter()
        .find(|i| i.path == "routing.reps[3].territories[0]")
        .unwrap();
    assert!(uk.message.contains("did you mean `UK`"), "{}", uk.message);
}
