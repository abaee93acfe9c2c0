//! The committed JSON Schema of the playbook must match what the types generate.
//! `LEADCORE_BLESS=1 cargo test --test schema` rewrites it.

use std::path::Path;

#[test]
fn committed_playbook_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/playbook.schema.json");
    let generated =
        serde_json::to_string_pretty(&leadcore::Playbook::json_schema()).unwrap() + "\n";
    if std::env::var_os("LEADCORE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/playbook.schema.json is stale: run LEADCORE_BLESS=1 cargo test --test schema"
    );
}

#[test]
fn schema_describes_the_guard_checks() {
    let text = serde_json::to_string(&leadcore::Playbook::json_schema()).unwrap();
    for check in [
        "field_present",
        "field_compare",
        "activity",
        "score_at_least",
        "actor_role",
    ] {
        assert!(text.contains(&format!("\"{check}\"")), "missing {check}");
    }
}
