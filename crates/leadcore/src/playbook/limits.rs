//! How big a playbook may be. Each limit is checked on the parsed playbook, whatever its
//! format, and a playbook over one is refused as `playbook.invalid` with an issue at the
//! path of the list that is too long (`playbook.too_large` for the whole). Within these
//! limits loading is linear in the playbook's size (about n·log n), so a hostile playbook
//! costs milliseconds, not memory or minutes.
//!
//! ```
//! use leadcore::playbook::limits;
//! let stages: Vec<String> = (0..=limits::MAX_STAGES).map(|i| format!(r#"{{"name": "S{i}"}}"#)).collect();
//! let json = format!(
//!     r#"{{"schema_version": 1, "lifecycle": {{"name": "lead", "initial": "S0", "stages": [{}]}}}}"#,
//!     stages.join(",")
//! );
//! let err = leadcore::Playbook::from_json(&json).unwrap_err();
//! assert_eq!(err.issues()[0].path, "lifecycle.stages");
//! assert_eq!(err.issues()[0].code, "pipeline.too_many_stages");
//! ```

/// Stages in one pipeline (`pipeline.too_many_stages`).
pub const MAX_STAGES: usize = 1_000;
/// Transitions declared in one pipeline (`pipeline.too_many_transitions`).
pub const MAX_TRANSITIONS: usize = 10_000;
/// Guards in one list: a transition's `guards` or a stage's `entry_guards`
/// (`guard.too_many`).
pub const MAX_GUARDS: usize = 64;
/// Actions in one list: a transition's `actions`, a stage's `on_enter` or `on_exit`
/// (`action.too_many`).
pub const MAX_ACTIONS: usize = 64;
/// Deal pipelines, beside the lead lifecycle (`playbook.too_many_pipelines`).
pub const MAX_PIPELINES: usize = 64;
/// Stages, transitions, guards and actions of every pipeline together
/// (`playbook.too_large`, at the root).
pub const MAX_LIFECYCLE_ITEMS: usize = 100_000;
/// Values (maps, lists and scalars, keys included) in a YAML playbook's text: serde-saphyr's
/// node budget (a `playbook.parse` error), raised from its default of 250,000 so that it
/// trips only well past the limits above, which hold the same in every format.
pub const MAX_NODES: usize = 2_000_000;
