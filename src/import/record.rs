//! Validated records of every kind the service stores.

use crate::domain::codes::OrgUnitCode;
use crate::domain::org::OrgUnit;
use crate::domain::provenance::Source;
use crate::import::apply::fact::StoredFact;
use crate::import::fields::FieldReader;
use crate::import::place::Place;
use chrono::NaiveDate;

/// The key of an org unit placement: its code and first day.
pub type OrgUnitKey = (OrgUnitCode, NaiveDate);

/// The text-format fields of an org unit placement's key.
pub const ORG_UNIT_KEY_FIELDS: &[&str] = &["code", "valid_from"];

/// Defines `Record` from the kind registry (`kinds.rs`).
macro_rules! define_record {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        /// One validated record with the source it came from: a value to store, or the
        /// retraction of a stored one.
        #[derive(Debug, Clone)]
        pub enum Record {
            OrgUnit(OrgUnit, Source),
            $($variant($ty, Source),)+
            Retract(Retraction, Source),
        }

        impl Record {
            /// The kind's name in counts and the text format (for a retraction, the
            /// retracted kind's).
            pub fn kind(&self) -> &'static str {
                match self {
                    Self::OrgUnit(..) => "org_unit",
                    $(Self::$variant(..) => <$ty as StoredFact>::KIND,)+
                    Self::Retract(r, _) => r.key.kind(),
                }
            }

            /// Where the record says it came from.
            pub fn source(&self) -> &Source {
                match self {
                    Self::OrgUnit(_, s) | Self::Retract(_, s) $(| Self::$variant(_, s))+ => s,
                }
            }
        }

        /// The key of a fact to withdraw, by kind.
        #[derive(Debug, Clone)]
        pub enum RetractKey {
            OrgUnit(OrgUnitKey),
            $($variant(<$ty as StoredFact>::Key)),+
        }

        impl RetractKey {
            pub fn kind(&self) -> &'static str {
                match self {
                    Self::OrgUnit(..) => "org_unit",
                    $(Self::$variant(..) => <$ty as StoredFact>::KIND),+
                }
            }

            /// Reads the key fields of a retraction of `kind`; `None` for a kind that does
            /// not exist (`Some(None)`: the fields had violations, recorded in `fields`).
            pub fn parse(kind: &str, fields: &mut FieldReader) -> Option<Option<Self>> {
                if kind == "org_unit" {
                    let code = fields.parsed("code", OrgUnitCode::parse);
                    let from = fields.parsed("valid_from", crate::domain::org::parse_date);
                    return Some(code.zip(from).map(Self::OrgUnit));
                }
                $(
                    if kind == <$ty as StoredFact>::KIND {
                        return Some(<$ty as StoredFact>::parse_key(fields).map(Self::$variant));
                    }
                )+
                None
            }
        }

        /// Every kind a record can be, in registry order (org units first).
        pub const KINDS: &[&str] = &["org_unit", $(<$ty as StoredFact>::KIND),+];

        /// The text-format fields of the key of `kind`, in order; `None` for an unknown kind.
        pub fn key_fields(kind: &str) -> Option<&'static [&'static str]> {
            if kind == "org_unit" {
                return Some(ORG_UNIT_KEY_FIELDS);
            }
            $(
                if kind == <$ty as StoredFact>::KIND {
                    return Some(<$ty as StoredFact>::KEY_FIELDS);
                }
            )+
            None
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

/// A record that withdraws the current fact with a key: it stops being current (and stays
/// readable through `as_of`). `text` is the key as `field=value` pairs, for messages and the
/// text format.
#[derive(Debug, Clone)]
pub struct Retraction {
    pub key: RetractKey,
    pub text: String,
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
