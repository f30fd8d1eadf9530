//! One line of a SIE file split into its label and fields (SIE 4C, "Filformat"): fields are
//! separated by spaces or tabs; a field with spaces is quoted, `\"` being a quote inside it;
//! an object list is `{dim "object" …}`. Works on bytes: the syntax is ASCII, and text is
//! decoded later, once the encoding is known. Never panics, whatever the bytes.

/// An object list's (dimension, object id) pairs.
pub type ObjectList = Vec<(Vec<u8>, Vec<u8>)>;

/// One field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A plain or quoted field, unquoted and unescaped.
    Text(Vec<u8>),
    /// An object list: (dimension, object id) pairs, `{}` being empty.
    Objects(ObjectList),
}

/// What a line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Nothing but spaces.
    Blank,
    /// `{` or `}` alone: the start or end of a voucher's rows.
    Brace,
    /// `#LABEL field …`.
    Record { label: String, fields: Vec<Field> },
}

/// A line that cannot be split: which field (0-based, after the label) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// `None`: the label itself.
    pub field: Option<usize>,
    pub description: String,
}

fn is_space(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// Splits one line (without its line break; a trailing `\r` is ignored).
pub fn split(line: &[u8]) -> Result<Line, LexError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut at = 0;
    skip_spaces(line, &mut at);
    let rest = &line[at..];
    if rest.iter().all(|&b| is_space(b)) {
        return Ok(Line::Blank);
    }
    let trimmed = rest.trim_ascii_end();
    if trimmed == b"{" || trimmed == b"}" {
        return Ok(Line::Brace);
    }
    if rest.first() != Some(&b'#') {
        return Err(LexError {
            field: None,
            description: "a record starts with a #LABEL".to_owned(),
        });
    }
    let start = at;
    while at < line.len() && !is_space(line[at]) {
        at += 1;
    }
    let label = &line[start..at];
    if label.len() < 2 || !label[1..].iter().all(|b| b.is_ascii_alphanumeric()) {
        return Err(LexError {
            field: None,
            description: format!(
                "{:?} is not a label (# and letters)",
                String::from_utf8_lossy(label)
            ),
        });
    }
    let label = String::from_utf8_lossy(label).to_ascii_uppercase();
    let mut fields = Vec::new();
    loop {
        skip_spaces(line, &mut at);
        if at >= line.len() {
            break;
        }
        let index = fields.len();
        let fail = |description: &str| LexError {
            field: Some(index),
            description: description.to_owned(),
        };
        let field = if line[at] == b'{' {
            at += 1;
            Field::Objects(objects(line, &mut at).map_err(|d| fail(&d))?)
        } else {
            Field::Text(text(line, &mut at, false).map_err(|d| fail(&d))?)
        };
        fields.push(field);
    }
    Ok(Line::Record { label, fields })
}

fn skip_spaces(line: &[u8], at: &mut usize) {
    while *at < line.len() && is_space(line[*at]) {
        *at += 1;
    }
}

/// A plain or quoted field at `at`; inside an object list a plain one also ends at `}`.
fn text(line: &[u8], at: &mut usize, in_objects: bool) -> Result<Vec<u8>, String> {
    let mut value = Vec::new();
    if line.get(*at) == Some(&b'"') {
        *at += 1;
        loop {
            match line.get(*at) {
                None => return Err("the quoted text has no closing quote".to_owned()),
                Some(b'"') => {
                    *at += 1;
                    break;
                }
                Some(b'\\') if matches!(line.get(*at + 1), Some(b'"' | b'\\')) => {
                    value.push(line[*at + 1]);
                    *at += 2;
                }
                Some(&byte) => {
                    value.push(byte);
                    *at += 1;
                }
            }
        }
        match line.get(*at) {
            None => {}
            Some(&b) if is_space(b) || (in_objects && b == b'}') => {}
            Some(_) => return Err("a space must follow the closing quote".to_owned()),
        }
    } else {
        while let Some(&byte) = line.get(*at) {
            if is_space(byte) || (in_objects && (byte == b'}' || byte == b'{')) {
                break;
            }
            value.push(byte);
            *at += 1;
        }
    }
    Ok(value)
}

/// The pairs of an object list, after its `{`, through its `}`.
fn objects(line: &[u8], at: &mut usize) -> Result<ObjectList, String> {
    let mut items = Vec::new();
    loop {
        skip_spaces(line, at);
        match line.get(*at) {
            None => return Err("the object list has no closing }".to_owned()),
            Some(b'}') => {
                *at += 1;
                break;
            }
            Some(b'{') => return Err("an object list cannot hold another".to_owned()),
            Some(_) => items.push(text(line, at, true)?),
        }
    }
    if line.get(*at).is_some_and(|&b| !is_space(b)) {
        return Err("a space must follow the object list".to_owned());
    }
    if items.len() % 2 != 0 {
        return Err("an object list holds pairs of dimension and object".to_owned());
    }
    let mut pairs = Vec::with_capacity(items.len() / 2);
    let mut items = items.into_iter();
    while let (Some(dimension), Some(object)) = (items.next(), items.next()) {
        pairs.push((dimension, object));
    }
    Ok(pairs)
}

/// The bytes `#KSUMMA` counts for a record: the label and every field's content, without
/// the spaces between fields, the quotes around them and an object list's braces.
pub fn checksum_bytes(label: &str, fields: &[Field], out: &mut Vec<u8>) {
    out.extend_from_slice(label.as_bytes());
    for field in fields {
        match field {
            Field::Text(value) => out.extend_from_slice(value),
            Field::Objects(pairs) => {
                for (dimension, object) in pairs {
                    out.extend_from_slice(dimension);
                    out.extend_from_slice(object);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: &str) -> (String, Vec<Field>) {
        match split(line.as_bytes()) {
            Ok(Line::Record { label, fields }) => (label, fields),
            other => panic!("{line}: {other:?}"),
        }
    }

    fn text(value: &str) -> Field {
        Field::Text(value.as_bytes().to_vec())
    }

    #[test]
    fn a_balance_with_an_object_list() {
        let (label, fields) = record("#PSALDO 0 202501 3010 {1 \"1700\"} -1000.00\r");
        assert_eq!(label, "#PSALDO");
        assert_eq!(
            fields,
            vec![
                text("0"),
                text("202501"),
                text("3010"),
                Field::Objects(vec![(b"1".to_vec(), b"1700".to_vec())]),
                text("-1000.00"),
            ]
        );
        let (_, fields) = record("#PSALDO\t0 202501 3010 {} 5");
        assert_eq!(fields[3], Field::Objects(vec![]));
    }

    #[test]
    fn quotes_escapes_and_the_checksum_bytes() {
        let (label, fields) = record(r#"#KONTO 1915 "Kassa \"special\"""#);
        assert_eq!(fields, vec![text("1915"), text("Kassa \"special\"")]);
        let mut bytes = Vec::new();
        checksum_bytes(&label, &fields, &mut bytes);
        assert_eq!(bytes, b"#KONTO1915Kassa \"special\"");
        let (label, fields) = record("#TRANS 7010 {1 \"456\"} 13200.00");
        bytes.clear();
        checksum_bytes(&label, &fields, &mut bytes);
        assert_eq!(bytes, b"#TRANS7010145613200.00");
    }

    #[test]
    fn malformed_lines_name_the_field() {
        let error = |line: &str| split(line.as_bytes()).expect_err(line);
        assert_eq!(error("#PSALDO 0 202501 3010 {1 \"1700\"").field, Some(3));
        assert_eq!(error("#KONTO 3010 \"Patientavg").field, Some(1));
        assert_eq!(error("#PSALDO 0 202501 3010 {1} 5").field, Some(3));
        assert_eq!(error("PSALDO 0").field, None);
        assert_eq!(error("#KONTO 3010 \"a\"b").field, Some(1));
        assert_eq!(split(b"  ").ok(), Some(Line::Blank));
        assert_eq!(split(b"}").ok(), Some(Line::Brace));
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for line in [
            &b"#"[..],
            b"#\xff",
            b"#A {",
            b"#A \"",
            b"#A \"\\",
            b"#A {\"",
            b"#A {1 \"2\\\"}",
            b"\xef\xbb\xbf#FLAGGA 0",
            b"#A }}{{",
        ] {
            let _ = split(line);
        }
    }
}
