//! The default playbook's JSON copy (read by every build, whatever its features) is the YAML
//! playbook; `LEADCORE_BLESS=1 cargo test -p leadcore --test default_playbook` rewrites it.
#![cfg(feature = "yaml")]

use leadcore::Playbook;
use leadcore::playbook::{DEFAULT_PLAYBOOK_JSON, DEFAULT_PLAYBOOK_YAML};

#[test]
fn default_playbook_json_is_the_yaml_one() {
    let from_yaml = Playbook::from_yaml(DEFAULT_PLAYBOOK_YAML).unwrap();
    if std::env::var_os("LEADCORE_BLESS").is_some() {
        let text = serde_json::to_string_pretty(from_yaml.spec()).unwrap() + "\n";
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/playbook/default_playbook.json"
        );
        std::fs::write(path, text).unwrap();
        return;
    }
    assert_eq!(
        Playbook::from_json(DEFAULT_PLAYBOOK_JSON).unwrap(),
        from_yaml,
        "src/playbook/default_playbook.json differs from default_playbook.yaml: \
         LEADCORE_BLESS=1 cargo test -p leadcore --test default_playbook"
    );
}
