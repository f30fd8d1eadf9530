//! Reading a SIE 4 file as a stream of bytes, in chunks of any size: each line is split,
//! checked and, for a balance, added to the sums at once, so memory holds one line of text
//! at a time. The records used are listed in docs/sie4-import.md; others are read for the
//! checksum and the syntax, and otherwise left aside, as the standard asks of a reader.

use super::SieStats;
use super::amount::{check_quantity, parse_ore};
use super::checksum::Checksum;
use super::encoding::{ByteEvidence, Encoding};
use super::fields::{
    account_number, date, dimension_is, field_name, integer, kronor, label_of, pack, text,
};
use super::lexer::{Field, Line, split};
use super::mapping::{AccountTarget, Mapping, Resolved, Sign};
use super::sums::{Kind, Month, Sums};
use crate::domain::period::{FIRST_YEAR, LAST_YEAR};
use crate::import::apply::MAX_VIOLATIONS;
use crate::import::error::RecordViolation;
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};

/// A declared object or account: its name as bytes until the encoding is known, and how it
/// resolved through the mapping (once, at its first balance).
struct Declared<T> {
    name: Vec<u8>,
    resolved: Option<Result<T, ()>>,
}

/// What resolved accounts hold: a category's interned number, or nothing to sum.
#[derive(Clone, Copy)]
enum AccountUse {
    Category(u32),
    Skip,
}

/// Reads one SIE file: `feed` it bytes, then `finish`.
pub struct SieReader {
    file: String,
    mapping: Mapping,
    line: usize,
    partial: Vec<u8>,
    evidence: ByteEvidence,
    bom: bool,
    encoding: Option<Encoding>,
    violations: Vec<RecordViolation>,
    checksum: Checksum,
    scratch: Vec<u8>,
    pub(super) program: Option<(Vec<u8>, Vec<u8>)>,
    pub(super) generated: Option<NaiveDate>,
    pub(super) company: Option<Vec<u8>>,
    years: HashMap<i64, (NaiveDate, NaiveDate)>,
    objects: HashMap<Vec<u8>, (u32, Declared<u32>)>,
    accounts: HashMap<u64, (u32, Declared<AccountUse>)>,
    /// Balances already given: (kind, month, account, object) packed, with their line.
    seen: HashMap<u64, u32>,
    reported: HashSet<String>,
    sums: Sums,
    stats: SieStats,
}

impl SieReader {
    /// `file` names the file in locations (`file:line`) and provenance.
    pub fn new(file: impl Into<String>, mapping: Mapping) -> Self {
        Self {
            file: super::document_name(&file.into()),
            mapping,
            line: 0,
            partial: Vec::new(),
            evidence: ByteEvidence::default(),
            bom: false,
            encoding: None,
            violations: Vec::new(),
            checksum: Checksum::default(),
            scratch: Vec::new(),
            program: None,
            generated: None,
            company: None,
            years: HashMap::new(),
            objects: HashMap::new(),
            accounts: HashMap::new(),
            seen: HashMap::new(),
            reported: HashSet::new(),
            sums: Sums::new(),
            stats: SieStats::default(),
        }
    }

    /// Reads the next bytes of the file.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
            if self.partial.is_empty() {
                self.line_bytes(&bytes[..end]);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&bytes[..end]);
                self.line_bytes(&line);
            }
            bytes = &bytes[end + 1..];
        }
        self.partial.extend_from_slice(bytes);
    }

    /// Ends the file: the last line, the checksum and the totals checked; every problem found
    /// (at most 1 000), each naming its line and field. `finish` (in `output`) goes on to the
    /// records.
    pub(super) fn check_end(&mut self) -> Result<(), Vec<RecordViolation>> {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line_bytes(&line);
        }
        if let Err((field, description)) = self.checksum.finish() {
            self.violation(self.line.max(1), field, description);
        }
        self.decide_encoding();
        let rests = self.sums.unassigned();
        for ((kind, month, account), total, rest, line, category) in rests {
            match self.mapping.without_object.clone() {
                Some(unit) => {
                    let unit = self.sums.units.id(&unit);
                    let category = self.sums.categories.id(&category);
                    self.sums
                        .add(unit, category, account, month, kind, rest, line);
                    self.stats.without_object += 1;
                }
                None => self.violation(
                    line,
                    "saldo",
                    format!(
                        "account {account} totals {} in {}-{:02} but its cost centres hold {}: \
                         {} was booked without a cost centre; name a unit for it in the \
                         mapping (cost_centres.without_object)",
                        kronor(total),
                        month.0,
                        month.1,
                        kronor(total - rest),
                        kronor(rest),
                    ),
                ),
            }
        }
        if !self.violations.is_empty() {
            self.violations.sort_by_key(|v| v.position);
            return Err(std::mem::take(&mut self.violations));
        }
        Ok(())
    }

    pub(super) fn file_name(&self) -> &str {
        &self.file
    }

    pub(super) fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Cp437)
    }

    pub(super) fn text(&self, bytes: &[u8]) -> String {
        self.encoding()
            .decode(bytes)
            .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
    }

    pub(super) fn parts(self) -> (Sums, SieStats, bool) {
        (self.sums, self.stats, self.mapping.sign == Sign::Negate)
    }

    fn violation(&mut self, line: usize, field: &str, description: impl Into<String>) {
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations.push(RecordViolation {
                position: line,
                location: Some(format!("{}:{line}", self.file)),
                field: field.to_owned(),
                description: description.into(),
            });
        }
    }

    /// Reports `description` once for `what` (e.g. an unmapped account), at its first line.
    fn violation_once(&mut self, what: String, line: usize, field: &str, description: String) {
        if self.reported.insert(what) {
            self.violation(line, field, description);
        }
    }

    fn line_bytes(&mut self, mut line: &[u8]) {
        self.line += 1;
        let number = self.line;
        if number == 1
            && let Some(rest) = line.strip_prefix(b"\xEF\xBB\xBF")
        {
            self.bom = true;
            line = rest;
        }
        if self.encoding.is_none() {
            self.evidence.see(number, line);
        }
        let (label, fields) = match split(line) {
            Ok(Line::Blank | Line::Brace) => return,
            Ok(Line::Record { label, fields }) => (label, fields),
            Err(error) => {
                let field = match error.field {
                    None => "etikett".to_owned(),
                    Some(i) => field_name(&label_of(line), i),
                };
                self.violation(number, &field, error.description);
                return;
            }
        };
        let counted = if label == "#KSUMMA" {
            self.checksum.ksumma(number, &fields)
        } else {
            self.checksum.record(&label, &fields, &mut self.scratch)
        };
        if let Err((field, description)) = counted {
            self.violation(number, field, description);
        }
        match self.record(number, &label, &fields) {
            Err((field, description)) if field != REPORTED => {
                self.violation(number, &field, description)
            }
            _ => {}
        }
    }

    /// Handles one record; `Err((field, description))` for a bad one.
    fn record(
        &mut self,
        line: usize,
        label: &str,
        fields: &[Field],
    ) -> Result<(), (String, String)> {
        let get = |i: usize| text(label, fields, i);
        match label {
            "#FORMAT" => {
                let format = get(0)?;
                if format != b"PC8" && self.mapping.encoding.is_none() {
                    return Err((
                        field_name(label, 0),
                        format!(
                            "{:?}: SIE 4 defines only PC8 (CP437); name the file's encoding in \
                             the mapping (encoding = \"utf-8\" or \"windows-1252\")",
                            String::from_utf8_lossy(format)
                        ),
                    ));
                }
            }
            "#SIETYP" => {
                let kind = get(0)?;
                if !matches!(kind, b"2" | b"3" | b"4") {
                    return Err((
                        field_name(label, 0),
                        format!(
                            "SIE type {:?} holds no period balances (#PSALDO): types 2, 3 and 4 do",
                            String::from_utf8_lossy(kind)
                        ),
                    ));
                }
            }
            "#PROGRAM" => {
                let name = get(0)?.to_vec();
                let version = text(label, fields, 1)
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                self.program = Some((name, version));
            }
            "#GEN" => self.generated = Some(date(label, fields, 0)?),
            "#FNAMN" => self.company = Some(get(0)?.to_vec()),
            "#RAR" => {
                let year = integer(label, fields, 0)?;
                let (start, end) = (date(label, fields, 1)?, date(label, fields, 2)?);
                if end < start {
                    return Err((
                        field_name(label, 2),
                        format!("{end} is before the start {start}"),
                    ));
                }
                if start.year() < FIRST_YEAR || end.year() > LAST_YEAR {
                    return Err((
                        field_name(label, 1),
                        format!("years outside {FIRST_YEAR}–{LAST_YEAR}"),
                    ));
                }
                if self.years.insert(year, (start, end)).is_some() {
                    return Err((
                        field_name(label, 0),
                        format!("year {year} is declared twice"),
                    ));
                }
            }
            "#OBJEKT" => {
                let dimension = integer(label, fields, 0)?;
                let id = get(1)?.to_vec();
                let name = get(2)?.to_vec();
                if dimension == i64::from(self.mapping.dimension) {
                    if self.objects.len() >= MAX_DECLARED {
                        return Err((field_name(label, 1), too_many("objects")));
                    }
                    let index = self.objects.len() as u32;
                    let declared = Declared {
                        name,
                        resolved: None,
                    };
                    if self.objects.insert(id.clone(), (index, declared)).is_some() {
                        return Err((
                            field_name(label, 1),
                            format!("object {:?} is declared twice", self.text(&id)),
                        ));
                    }
                }
            }
            "#KONTO" => {
                let account = account_number(label, fields, 0)?;
                let name = get(1)?.to_vec();
                if self.accounts.len() >= MAX_DECLARED {
                    return Err((field_name(label, 0), too_many("accounts")));
                }
                let index = self.accounts.len() as u32;
                let declared = Declared {
                    name,
                    resolved: None,
                };
                if self.accounts.insert(account, (index, declared)).is_some() {
                    return Err((
                        field_name(label, 0),
                        format!("account {account} is declared twice"),
                    ));
                }
            }
            "#PSALDO" => self.balance(line, label, fields, Kind::Actual)?,
            "#PBUDGET" => self.balance(line, label, fields, Kind::Budget)?,
            _ => {}
        }
        Ok(())
    }

    /// A `#PSALDO` or `#PBUDGET`: `årsnr period konto {objektlista} saldo [kvantitet]`.
    fn balance(
        &mut self,
        line: usize,
        label: &str,
        fields: &[Field],
        kind: Kind,
    ) -> Result<(), (String, String)> {
        let year = integer(label, fields, 0)?;
        let month = self.period(label, fields, year)?;
        let account = account_number(label, fields, 2)?;
        let objects = match fields.get(3) {
            Some(Field::Objects(pairs)) => pairs,
            Some(Field::Text(_)) => {
                return Err((
                    field_name(label, 3),
                    "expected an object list in braces, e.g. {1 \"1700\"} or {}".to_owned(),
                ));
            }
            None => return Err((field_name(label, 3), "is missing".to_owned())),
        };
        let ore = parse_ore(text(label, fields, 4)?).map_err(|e| (field_name(label, 4), e))?;
        if let Some(quantity) = fields.get(5) {
            let Field::Text(quantity) = quantity else {
                return Err((field_name(label, 5), "is not a number".to_owned()));
            };
            check_quantity(quantity).map_err(|e| (field_name(label, 5), e))?;
        }
        self.decide_encoding();
        match kind {
            Kind::Actual => self.stats.psaldo += 1,
            Kind::Budget => self.stats.pbudget += 1,
        }
        let Some(category) = self.account(line, label, account)? else {
            self.stats.skipped += 1;
            return Ok(());
        };
        let account_index = self.accounts.get(&account).map_or(0, |(i, _)| *i);
        let object = match objects.as_slice() {
            [] => None,
            [(dimension, id)] if dimension_is(dimension, self.mapping.dimension) => Some(id),
            _ => {
                // Other dimensions and combinations cut the same bookings another way.
                self.stats.other_objects += 1;
                return Ok(());
            }
        };
        let object_index = match object {
            Some(id) => Some(self.object(line, label, id)?),
            None => None,
        };
        let packed = pack(kind, month, account_index, object_index.map(|(i, _)| i));
        if let Some(earlier) = self.seen.insert(packed, line as u32) {
            return Err((
                field_name(label, 3),
                format!("repeats the balance of line {earlier} (same account, period and objects)"),
            ));
        }
        match object_index {
            None => {
                let code = self.sums.categories.get(category).clone();
                self.sums.total((kind, month, account), ore, line, code);
                self.stats.totals += 1;
            }
            Some((_, unit)) => {
                self.sums
                    .add(unit, category, account, month, kind, i128::from(ore), line);
                self.stats.summed += 1;
            }
        }
        Ok(())
    }

    /// The month of a balance's `period`, which must lie in year `year`'s `#RAR`.
    fn period(&self, label: &str, fields: &[Field], year: i64) -> Result<Month, (String, String)> {
        let value = text(label, fields, 1)?;
        let parsed = (value.len() == 6 && value.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(value).ok())
            .flatten()
            .and_then(|v| Some((v[..4].parse::<i32>().ok()?, v[4..].parse::<u8>().ok()?)))
            .filter(|(_, m)| (1..=12).contains(m));
        let Some((y, m)) = parsed else {
            return Err((
                field_name(label, 1),
                format!(
                    "{:?} is not a period YYYYMM",
                    String::from_utf8_lossy(value)
                ),
            ));
        };
        let Some(&(start, end)) = self.years.get(&year) else {
            return Err((
                field_name(label, 0),
                format!("no #RAR before this line declares year {year}"),
            ));
        };
        let first = NaiveDate::from_ymd_opt(y, u32::from(m), 1);
        let inside = first.is_some_and(|first| {
            let key = |d: NaiveDate| (d.year(), d.month());
            key(start) <= key(first) && key(first) <= key(end)
        });
        if !inside {
            return Err((
                field_name(label, 1),
                format!("{y}-{m:02} lies outside year {year} of #RAR ({start} – {end})"),
            ));
        }
        Ok((y, m))
    }

    /// The category of `account` (`None`: an account the mapping skips), once per account.
    fn account(
        &mut self,
        line: usize,
        label: &str,
        account: u64,
    ) -> Result<Option<u32>, (String, String)> {
        let Some((_, declared)) = self.accounts.get(&account) else {
            return Err((
                field_name(label, 2),
                format!("account {account} is not declared by #KONTO"),
            ));
        };
        let resolved = match declared.resolved {
            Some(resolved) => resolved,
            None => {
                let name = declared.name.clone();
                let resolved = match self.mapping.account(account) {
                    Resolved::Mapped(AccountTarget::Category(code)) => {
                        Ok(AccountUse::Category(self.sums.categories.id(&code)))
                    }
                    Resolved::Mapped(AccountTarget::Skip(_)) => Ok(AccountUse::Skip),
                    Resolved::Unmapped(reason) => {
                        let name = self.text(&name);
                        self.violation_once(
                            format!("konto {account}"),
                            line,
                            &field_name(label, 2),
                            format!("account {account} ({name}) {reason}"),
                        );
                        Err(())
                    }
                };
                if let Some((_, declared)) = self.accounts.get_mut(&account) {
                    declared.resolved = Some(resolved);
                }
                resolved
            }
        };
        match resolved {
            Ok(AccountUse::Category(id)) => Ok(Some(id)),
            Ok(AccountUse::Skip) => Ok(None),
            Err(()) => Err(reported()),
        }
    }

    /// The (object number, unit) of cost-centre object `id`, resolved once per object.
    fn object(
        &mut self,
        line: usize,
        label: &str,
        id: &[u8],
    ) -> Result<(u32, u32), (String, String)> {
        let Some((index, declared)) = self.objects.get(id) else {
            return Err((
                field_name(label, 3),
                format!(
                    "object {:?} of dimension {} is not declared by #OBJEKT",
                    self.text(id),
                    self.mapping.dimension
                ),
            ));
        };
        let index = *index;
        let resolved = match declared.resolved {
            Some(resolved) => resolved,
            None => {
                let name = self.text(&declared.name);
                let resolved = match self.encoding().decode(id) {
                    None => Err(format!(
                        "the object id is not {} text",
                        self.encoding().name()
                    )),
                    Some(text) => match self.mapping.unit(&text) {
                        Resolved::Mapped(unit) => Ok(self.sums.units.id(&unit)),
                        Resolved::Unmapped(reason) => {
                            Err(format!("object {text:?} ({name}) {reason}"))
                        }
                    },
                };
                let resolved = match resolved {
                    Ok(unit) => Ok(unit),
                    Err(description) => {
                        self.violation_once(
                            format!("objekt {}", self.text(id)),
                            line,
                            &field_name(label, 3),
                            description,
                        );
                        Err(())
                    }
                };
                if let Some((_, declared)) = self.objects.get_mut(id) {
                    declared.resolved = Some(resolved);
                }
                resolved
            }
        };
        match resolved {
            Ok(unit) => Ok((index, unit)),
            Err(()) => Err(reported()),
        }
    }

    /// Fixes the encoding, at the first balance or the end of the file: the mapping's, else
    /// what the bytes so far make certain (names come before balances in a SIE file).
    fn decide_encoding(&mut self) {
        if self.encoding.is_some() {
            return;
        }
        let decided = match (self.mapping.encoding, self.bom) {
            (Some(encoding), _) => Ok(encoding),
            (None, true) => Ok(Encoding::Utf8),
            (None, false) => self.evidence.decide(),
        };
        match decided {
            Ok(encoding) => self.encoding = Some(encoding),
            Err(line) => {
                self.encoding = Some(Encoding::Cp437);
                self.violation(
                    line,
                    "encoding",
                    "the characters are neither CP437 (#FORMAT PC8), UTF-8 nor Windows-1252 \
                     letters: name the file's encoding in the mapping (encoding = …)",
                );
            }
        }
        if self.encoding == Some(Encoding::Utf8) || self.encoding == Some(Encoding::Windows1252) {
            self.stats.deviating_encoding = true;
        }
    }
}

/// The most accounts, and cost-centre objects, a file may declare (their numbers are packed
/// into 24 bits to find a balance given twice).
const MAX_DECLARED: usize = 0xFF_FFFF;

fn too_many(what: &str) -> String {
    format!("the file declares more than {MAX_DECLARED} {what}")
}

/// The field of an error that was reported already (once per account or object).
const REPORTED: &str = "";

fn reported() -> (String, String) {
    (REPORTED.to_owned(), String::new())
}
