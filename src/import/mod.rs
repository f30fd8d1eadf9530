//! The one write path. Records arrive from the text format (`uppsikt import`, the demo data)
//! or from the Import RPC, are validated, and are applied in one database transaction:
//! all or nothing, corrections supersede, identical values change nothing.

pub mod apply;
pub mod error;
pub mod fields;
pub mod files;
pub mod kinds;
pub mod outcome;
pub mod parse;
pub mod place;
pub mod record;
pub mod run;
pub mod sie;
pub mod text;

pub use error::{ImportError, RecordViolation};
pub use outcome::{ImportOutcome, KindCounts};
pub use record::{Entry, ImportRequest, Record};
pub use run::{Importer, run_import, run_import_as};
