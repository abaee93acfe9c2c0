//! A mark on a stored state: the fingerprint of the compiled rules (a pipeline, a scoring
//! setup) it is known to agree with, because it was made by them or checked against them
//! once, so that the check is not repeated on every call. Not data: never serialised,
//! ignored by equality; a state read from JSON has none.

/// See the module documentation.
#[derive(Clone, Copy, Default)]
pub(crate) struct Checked(Option<u64>);

impl Checked {
    /// Marked as agreeing with `fingerprint`.
    pub(crate) fn by(fingerprint: u64) -> Self {
        Checked(Some(fingerprint))
    }

    /// Whether it agrees with `fingerprint`.
    pub(crate) fn is(self, fingerprint: u64) -> bool {
        self.0 == Some(fingerprint)
    }
}

impl PartialEq for Checked {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Checked {}

impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "checked"
        } else {
            "unchecked"
        })
    }
}
