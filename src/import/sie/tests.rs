//! The reader on the made-up example of data/examples, whole and cut into pieces, and on
//! damaged copies of it (it must never panic).

use super::{Mapping, SieReader};
use crate::import::record::Record;

const FILE: &[u8] = include_bytes!("../../../data/examples/huvudbok-2025.se");
const MAPPING: &str = include_str!("../../../data/examples/huvudbok-2025.mapping.toml");

fn read(chunks: &[&[u8]]) -> Result<super::SieFile, Vec<crate::import::RecordViolation>> {
    let mut reader = SieReader::new(
        "huvudbok-2025.se",
        Mapping::parse(MAPPING).expect("mapping"),
    );
    for chunk in chunks {
        reader.feed(chunk);
    }
    reader.finish()
}

fn amounts(file: &super::SieFile) -> Vec<(String, String, u8, &'static str, i64)> {
    file.lines
        .iter()
        .map(|entry| match &entry.record {
            Record::BudgetLine(line, _) => (
                line.org_unit.to_string(),
                line.category.to_string(),
                line.span.from,
                line.scenario.as_str(),
                line.amount_sek,
            ),
            other => panic!("not a budget line: {other:?}"),
        })
        .collect()
}

#[test]
fn the_example_file() {
    let file = read(&[FILE]).expect("the example reads");
    assert_eq!(file.program.as_deref(), Some("Påhittat Ekonomisystem 4.2"));
    assert_eq!(file.encoding, super::Encoding::Cp437);
    assert_eq!(
        file.stats,
        super::SieStats {
            psaldo: 36,
            pbudget: 30,
            summed: 59,
            totals: 3,
            other_objects: 1,
            skipped: 3,
            without_object: 1,
            deviating_encoding: false,
        }
    );
    let lines = amounts(&file);
    assert_eq!(lines.len(), 60);
    let find = |unit: &str, category: &str, month: u8, scenario: &str| {
        lines
            .iter()
            .find(|l| l.0 == unit && l.1 == category && l.2 == month && l.3 == scenario)
            .map(|l| l.4)
    };
    // -84 500,50 in the ledger is income of 84 500,50, rounded half away from zero.
    assert_eq!(find("KST-1700", "FORSALJNING", 1, "actual"), Some(84_501));
    assert_eq!(
        find("RS-605", "KONSULTKOSTNADER", 1, "actual"),
        Some(-90_000)
    );
    // 60 000 of rent in January, 45 000 of it on kst 617: the rest has no cost centre.
    assert_eq!(
        find("RS-RST", "FASTIGHETSKOSTNADER", 1, "actual"),
        Some(-15_000)
    );
    assert_eq!(
        find("RS-604", "PERSONALKOSTNADER", 3, "budget"),
        Some(-200_000)
    );
    let entry = &file.lines[0];
    assert!(
        entry
            .place
            .location
            .as_deref()
            .unwrap_or("")
            .starts_with("huvudbok-2025.se:")
    );
}

#[test]
fn chunks_of_any_size_read_alike() {
    let whole = amounts(&read(&[FILE]).expect("whole"));
    for size in [1, 7, 64, 1000] {
        let chunks: Vec<&[u8]> = FILE.chunks(size).collect();
        assert_eq!(
            amounts(&read(&chunks).expect("in chunks")),
            whole,
            "chunks of {size}"
        );
    }
}

#[test]
fn damaged_copies_never_panic() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut bytes = FILE.to_vec();
        for _ in 0..(next() % 8 + 1) {
            let at = (next() as usize) % bytes.len();
            match next() % 4 {
                0 => bytes[at] = next() as u8,
                1 => bytes.truncate(at.max(1)),
                2 => bytes.insert(at, b"{}\"#\n "[(next() % 6) as usize]),
                _ => {
                    bytes.remove(at);
                }
            }
            if bytes.is_empty() {
                bytes.push(b'#');
            }
        }
        let _ = read(&[&bytes]);
    }
}
