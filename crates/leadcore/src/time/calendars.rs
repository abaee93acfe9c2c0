//! The playbook's named calendars (`calendars:`), compiled once and shared by every engine
//! that names them: routing (reps' working hours) and SLA clocks (business time).

use super::calendar::{self, Calendar, CalendarSpec};
use crate::error::Issue;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Named business calendars, compiled. Engines hold an `Arc` to the ones they use, so a
/// calendar shared by a thousand reps is compiled once.
///
/// ```
/// use leadcore::Playbook;
/// let pb = Playbook::from_yaml(r#"
/// schema_version: 1
/// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
/// calendars:
///   ny_office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
/// "#).unwrap();
/// let ny = pb.calendars().get("ny_office").unwrap();
/// assert_eq!(ny.time_zone(), "America/New_York");
/// assert_eq!(pb.calendars().names().collect::<Vec<_>>(), ["ny_office"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    specs: BTreeMap<String, CalendarSpec>,
    compiled: BTreeMap<String, Arc<Calendar>>,
}

impl PartialEq for Calendars {
    fn eq(&self, other: &Self) -> bool {
        self.specs == other.specs
    }
}

impl Calendars {
    /// Compiles calendars [`Calendars::validate`] accepted; one that fails to compile is
    /// left out (unreachable after validation).
    pub(crate) fn build(specs: &BTreeMap<String, CalendarSpec>) -> Self {
        let compiled = specs
            .iter()
            .filter_map(|(name, spec)| Some((name.clone(), Arc::new(Calendar::new(spec).ok()?))))
            .collect();
        Calendars {
            specs: specs.clone(),
            compiled,
        }
    }

    /// Every problem of the `calendars` section, each under `calendars.NAME`.
    pub(crate) fn validate(specs: &BTreeMap<String, CalendarSpec>, issues: &mut Vec<Issue>) {
        for (name, spec) in specs {
            let path = format!("calendars.{name}");
            if name.trim().is_empty() {
                issues.push(Issue::new(
                    path,
                    "calendar.empty_name",
                    "a calendar needs a name",
                ));
                continue;
            }
            calendar::validate(spec, &path, issues);
        }
    }

    /// A calendar by name.
    pub fn get(&self, name: &str) -> Option<&Arc<Calendar>> {
        self.compiled.get(name)
    }

    /// A calendar's spec by name.
    pub fn spec(&self, name: &str) -> Option<&CalendarSpec> {
        self.specs.get(name)
    }

    /// The names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.specs.keys().map(String::as_str)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }
}
