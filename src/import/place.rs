//! Where a record stands in its stream: what every message about a record names.

/// Where a record stands: `position` counts records of the stream from 0; `location` is
/// `file:line` when it came from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub position: usize,
    pub location: Option<String>,
}
