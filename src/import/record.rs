//! Validated records of every kind the service stores.

use crate::domain::org::OrgUnit;
use crate::domain::provenance::Source;
use crate::import::apply::fact::StoredFact;

/// Defines `Record` from the kind registry (`kinds.rs`).
macro_rules! define_record {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        /// One validated record with the source it came from.
        #[derive(Debug, Clone)]
        pub enum Record {
            OrgUnit(OrgUnit, Source),
            $($variant($ty, Source)),+
        }

        impl Record {
            /// The kind's name in counts and the text format.
            pub fn kind(&self) -> &'static str {
                match self {
                    Self::OrgUnit(..) => "org_unit",
                    $(Self::$variant(..) => <$ty as StoredFact>::KIND),+
                }
            }
        }

        $(
            impl From<($ty, Source)> for Record {
                fn from((value, source): ($ty, Source)) -> Self {
                    Self::$variant(value, source)
                }
            }
        )+
    };
}

crate::with_fact_kinds!(define_record);

/// Where a record stands: `position` counts records of the stream from 0; `location` is
/// `file:line` when it came from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub position: usize,
    pub location: Option<String>,
}

/// A record with its place in the stream.
#[derive(Debug, Clone)]
pub struct Entry {
    pub place: Place,
    pub record: Record,
}

/// What an import is: its source (the provenance of every fact without its own), an
/// optional request id for retries, and whether to write at all.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub document: String,
    pub table: Option<String>,
    pub system: Option<String>,
    pub request_id: Option<String>,
    pub dry_run: bool,
}
