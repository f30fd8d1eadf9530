//! The characters of a SIE file. The standard says CP437 (`#FORMAT PC8`); exports that are in
//! fact UTF-8 or Windows-1252 are common. The syntax of a line is ASCII, so lines are split
//! as bytes and only text fields are decoded, once the encoding is known: named by the
//! mapping, or decided from the non-ASCII bytes seen before the first balance (names of the
//! company, accounts and objects come first in a SIE file).

/// An encoding a SIE file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub enum Encoding {
    /// IBM PC code page 437, what `#FORMAT PC8` declares.
    #[serde(rename = "cp437")]
    Cp437,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Self::Cp437 => "CP437",
            Self::Utf8 => "UTF-8",
            Self::Windows1252 => "Windows-1252",
        }
    }

    /// `bytes` as text; `None` when they are not valid in this encoding.
    pub fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Self::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_owned),
            Self::Cp437 => Some(
                bytes
                    .iter()
                    .map(|&b| {
                        if b < 0x80 {
                            char::from(b)
                        } else {
                            CP437[usize::from(b - 0x80)]
                        }
                    })
                    .collect(),
            ),
            Self::Windows1252 => bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => WINDOWS_1252[usize::from(b - 0x80)],
                    // The rest is ISO 8859-1, whose bytes are their code points.
                    _ => Some(char::from(b)),
                })
                .collect(),
        }
    }
}

/// UTF-8 text as the CP437 bytes it was before a copy re-saved it as UTF-8; `None` when it
/// is not UTF-8 or holds a character CP437 lacks.
pub fn utf8_as_cp437(bytes: &[u8]) -> Option<Vec<u8>> {
    std::str::from_utf8(bytes)
        .ok()?
        .chars()
        .map(|c| {
            if c.is_ascii() {
                Some(c as u8)
            } else {
                CP437.iter().position(|&p| p == c).map(|i| 0x80 + i as u8)
            }
        })
        .collect()
}

/// What the non-ASCII bytes of a file have looked like so far.
#[derive(Debug, Default, Clone)]
pub struct ByteEvidence {
    /// The first line with a non-ASCII byte.
    pub first_line: Option<usize>,
    /// A line that is not valid UTF-8 (its number), if any.
    pub not_utf8: Option<usize>,
    /// A line with a non-ASCII byte that is not a CP437 letter, if any.
    pub not_cp437_letter: Option<usize>,
    /// A line with a byte that is neither a Windows-1252 letter nor common punctuation.
    pub not_windows_1252_text: Option<usize>,
}

impl ByteEvidence {
    /// Takes note of line `number`.
    pub fn see(&mut self, number: usize, line: &[u8]) {
        if line.is_ascii() {
            return;
        }
        self.first_line.get_or_insert(number);
        if self.not_utf8.is_none() && std::str::from_utf8(line).is_err() {
            self.not_utf8 = Some(number);
        }
        let high = || line.iter().copied().filter(|b| !b.is_ascii());
        if self.not_cp437_letter.is_none() && !high().all(is_cp437_letter) {
            self.not_cp437_letter = Some(number);
        }
        if self.not_windows_1252_text.is_none() && !high().all(is_windows_1252_text) {
            self.not_windows_1252_text = Some(number);
        }
    }

    /// The encoding the bytes make certain: none but ASCII, or every non-ASCII byte a letter
    /// of CP437, is CP437 as the standard says; valid UTF-8 with non-ASCII characters is
    /// UTF-8 (CP437 letters never form valid UTF-8); bytes that are letters (or common
    /// punctuation) in Windows-1252 and not all letters in CP437 are Windows-1252 (in CP437
    /// they would be box-drawing and Greek characters). `Err(line)`: none of these, the first
    /// line that rules the last one out.
    pub fn decide(&self) -> Result<Encoding, usize> {
        if self.first_line.is_none() || self.not_cp437_letter.is_none() {
            Ok(Encoding::Cp437)
        } else if self.not_utf8.is_none() {
            Ok(Encoding::Utf8)
        } else if self.not_windows_1252_text.is_none() {
            Ok(Encoding::Windows1252)
        } else {
            Err(self.not_windows_1252_text.unwrap_or(0))
        }
    }
}

/// The accented letters of CP437 (Ç…Ü, á…Ñ, ß): what names in a Swedish ledger use.
fn is_cp437_letter(byte: u8) -> bool {
    matches!(byte, 0x80..=0x9A | 0xA0..=0xA5 | 0xE1)
}

/// Letters of Windows-1252 (À…ÿ but × and ÷, Š Œ Ž š œ ž Ÿ) and the punctuation that names
/// carry (no-break space, §, °, dashes, quotes, €, …).
fn is_windows_1252_text(byte: u8) -> bool {
    matches!(
        byte,
        0xC0..=0xD6
            | 0xD8..=0xF6
            | 0xF8..=0xFF
            | 0x8A
            | 0x8C
            | 0x8E
            | 0x9A
            | 0x9C
            | 0x9E
            | 0x9F
            | 0x80
            | 0x85
            | 0x91..=0x97
            | 0xA0
            | 0xA7
            | 0xB0
    )
}

/// CP437's characters for the bytes 0x80–0xFF.
const CP437: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}',
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}',
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}',
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00A2}', '\u{00A3}', '\u{00A5}', '\u{20A7}', '\u{0192}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}',
    '\u{00BF}', '\u{2310}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}',
    '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}', '\u{255B}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}', '\u{255F}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{2567}',
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256B}',
    '\u{256A}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}', '\u{2590}', '\u{2580}',
    '\u{03B1}', '\u{00DF}', '\u{0393}', '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}', '\u{03C4}',
    '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}', '\u{221E}', '\u{03C6}', '\u{03B5}', '\u{2229}',
    '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00F7}', '\u{2248}',
    '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}', '\u{25A0}', '\u{00A0}',
];

/// Windows-1252's characters for the bytes 0x80–0x9F (`None`: undefined).
const WINDOWS_1252: [Option<char>; 32] = [
    Some('\u{20AC}'),
    None,
    Some('\u{201A}'),
    Some('\u{0192}'),
    Some('\u{201E}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02C6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017D}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201C}'),
    Some('\u{201D}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02DC}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203A}'),
    Some('\u{0153}'),
    None,
    Some('\u{017E}'),
    Some('\u{0178}'),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_in_each_encoding() {
        assert_eq!(
            Encoding::Cp437
                .decode(b"\x86\x84\x94 \x8f\x8e\x99")
                .as_deref(),
            Some("åäö ÅÄÖ")
        );
        assert_eq!(
            Encoding::Windows1252
                .decode(b"\xe5\xe4\xf6 \xc5\xc4\xd6")
                .as_deref(),
            Some("åäö ÅÄÖ")
        );
        assert_eq!(
            Encoding::Utf8.decode("åäö".as_bytes()).as_deref(),
            Some("åäö")
        );
        assert_eq!(Encoding::Windows1252.decode(b"\x81"), None);
        assert_eq!(Encoding::Utf8.decode(b"\x86"), None);
        assert_eq!(
            utf8_as_cp437("Påhittat".as_bytes()),
            Some(b"P\x86hittat".to_vec())
        );
        assert_eq!(utf8_as_cp437("€".as_bytes()), None);
    }

    #[test]
    fn the_bytes_decide() {
        let decide = |lines: &[&[u8]]| {
            let mut evidence = ByteEvidence::default();
            for (i, line) in lines.iter().enumerate() {
                evidence.see(i + 1, line);
            }
            evidence.decide()
        };
        assert_eq!(decide(&[b"#FNAMN \"AB\""]), Ok(Encoding::Cp437));
        assert_eq!(decide(&[b"#FNAMN \"J\x84mtland\""]), Ok(Encoding::Cp437));
        assert_eq!(
            decide(&["#FNAMN \"Jämtland\"".as_bytes()]),
            Ok(Encoding::Utf8)
        );
        assert_eq!(
            decide(&[b"#FNAMN \"J\xe4mtland \x96 \xd6st\""]),
            Ok(Encoding::Windows1252)
        );
        assert_eq!(decide(&[b"ok", b"#FNAMN \"\xb3\xe4\""]), Err(2));
    }
}
