//! The lean result of a batch: who got each lead, as columns of indexes (no trace, no
//! strings but the reason of a lead no rule places).

use super::decision::Unassigned;

/// Where a lead went, by index: a rep (into [`Routing::rep_ids`](super::Routing::rep_ids))
/// or a queue (into [`Routing::queue_names`](super::Routing::queue_names));
/// [`Routing::placed_name`](super::Routing::placed_name) names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placed {
    /// A rep, by declaration index.
    Rep(u32),
    /// A queue, by index.
    Queue(u32),
}

/// Who got each lead of a batch, row `i` for the `i`-th lead: what
/// [`Routing::assign_batch_lean`](super::Routing::assign_batch_lean) returns, the same
/// assignments as [`Routing::assign_batch`](super::Routing::assign_batch) without the
/// trace. Every column has one entry per lead.
///
/// ```
/// use leadcore::routing::{Assignments, Placed};
/// let a = Assignments::default();
/// assert!(a.is_empty());
/// assert_ne!(Placed::Rep(0), Placed::Queue(0));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assignments {
    /// The assignee.
    pub placed: Vec<Placed>,
    /// The placing rule, by index into [`Routing::rule_names`](super::Routing::rule_names)
    /// (none: the unassignable queue).
    pub rule: Vec<Option<u32>>,
    /// Why the lead went to the unassignable queue (none: a rule placed it).
    pub unassigned: Vec<Option<Unassigned>>,
}

impl Assignments {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Assignments {
            placed: Vec::with_capacity(n),
            rule: Vec::with_capacity(n),
            unassigned: Vec::with_capacity(n),
        }
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.placed.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.placed.is_empty()
    }
}
