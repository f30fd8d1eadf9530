//! Property-based fuzzing (issue 38, docs/fuzzing.md) of the HTTP forms' request parsing:
//! GET query strings (reads by field, Connect GET) and JSON bodies, for every served RPC.
//! The envelopes are fuzzed in `stream::fuzz`, the file readers in tests/it/fuzz.rs.
//! Properties: no panic; every rejection is INVALID_ARGUMENT whose BadRequest names a field,
//! except the one rule stated in `fuzz_get_queries`. Cases: UPPSIKT_FUZZ_CASES.

use super::methods::{self, Method};
use super::query::is_scalar_message;
use super::sheet::XLSX;
use super::transcode::{self, Query};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use prost_reflect::{Kind, MessageDescriptor, ReflectMessage};
use std::fmt::Debug;
use std::sync::LazyLock;
use tonic::{Code, Status};
use tonic_types::StatusExt;

pub type Outcome = Result<(), TestCaseError>;

/// Cases per target: UPPSIKT_FUZZ_CASES, else a count CI runs in seconds.
pub fn cases() -> u32 {
    std::env::var("UPPSIKT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Runs `test` on `cases()` values of `strategy` and prints the time it took.
pub fn run<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Outcome)
where
    S::Value: Debug,
{
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let start = std::time::Instant::now();
    let result = runner.run(&strategy, test);
    let elapsed = start.elapsed();
    if let Err(error) = result {
        panic!(
            "fuzz {name}: failed after {:.1} s: {error}",
            elapsed.as_secs_f64()
        );
    }
    println!(
        "fuzz {name}: {} cases in {:.1} s ({:.0} cases/s)",
        cases(),
        elapsed.as_secs_f64(),
        f64::from(cases()) / elapsed.as_secs_f64().max(1e-9)
    );
}

/// INVALID_ARGUMENT with ErrorInfo and a BadRequest whose every violation names a field.
pub fn check_invalid(status: &Status) -> Outcome {
    prop_assert_eq!(status.code(), Code::InvalidArgument, "{:?}", status);
    prop_assert!(!status.message().trim().is_empty());
    let details = status.get_error_details();
    prop_assert!(details.error_info().is_some(), "no ErrorInfo: {:?}", status);
    let Some(bad) = details.bad_request() else {
        return Err(TestCaseError::fail(format!("no BadRequest: {status:?}")));
    };
    prop_assert!(!bad.field_violations.is_empty(), "{:?}", status);
    for v in &bad.field_violations {
        prop_assert!(
            !v.field.trim().is_empty(),
            "a violation names no field: {:?}",
            v
        );
        prop_assert!(!v.description.trim().is_empty(), "{:?}", v);
    }
    Ok(())
}

/// Every RPC served, in a fixed order.
pub static METHODS: LazyLock<Vec<&'static Method>> =
    LazyLock::new(|| methods::all().collect::<Vec<_>>());

/// Text that parsers meet at their edges.
pub const SNIPPETS: &[&str] = &[
    "",
    "0",
    "-1",
    "1",
    "true",
    "false",
    "1.5",
    "1e309",
    "-9223372036854775809",
    "9223372036854775807",
    "18446744073709551616",
    "2147483648",
    "NaN",
    "Infinity",
    "2025",
    "2025-05-23T12:00:00Z",
    "2025-05-23",
    "2025-13-45T99:99:99Z",
    "10000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "1s",
    "orgUnits/HSN",
    "orgUnits/",
    "categories/PERSONALKOSTNADER",
    "SCENARIO_BUDGET",
    "SUMMARY_GROUPING_CHILD_UNIT",
    "UNKNOWN_ENUM",
    "json",
    "proto",
    "csv",
    "xlsx",
    "excel",
    "identity",
    "gzip",
    "\u{0}",
    "🦀",
    "%",
    "%zz",
    "&",
    "=",
    "{}",
    "[]",
    "null",
    "\"",
];

pub fn snippet() -> BoxedStrategy<String> {
    prop_oneof![
        5 => select(SNIPPETS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => (select(&["9", "a", "é"][..]), 100..600_usize).prop_map(|(c, n)| c.repeat(n)),
    ]
    .boxed()
}

/// The names a request's fields can be given by: proto and JSON names, nested ones dotted
/// (two levels), and the parameters that steer the answer.
pub fn field_names(message: &MessageDescriptor) -> Vec<String> {
    fn walk(message: &MessageDescriptor, prefix: &str, depth: usize, out: &mut Vec<String>) {
        for field in message.fields() {
            for name in [field.name(), field.json_name()] {
                let path = format!("{prefix}{name}");
                out.push(path.clone());
                if let Kind::Message(nested) = field.kind()
                    && !is_scalar_message(&nested)
                    && depth < 2
                {
                    walk(&nested, &format!("{path}."), depth + 1, out);
                }
            }
        }
    }
    let mut names = Vec::new();
    walk(message, "", 0, &mut names);
    names.extend(
        [
            "format",
            "dialect",
            "table",
            "encoding",
            "message",
            "base64",
            "compression",
            "connect",
            "unknown_field",
            "",
        ]
        .map(str::to_owned),
    );
    names.sort();
    names.dedup();
    names
}

static FIELD_NAMES: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| METHODS.iter().map(|m| field_names(&m.input)).collect());

/// `(name, value)` pairs for the RPC at `method`: its own field names mostly.
pub fn pairs(method: usize) -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        6 => select(FIELD_NAMES[method].clone()),
        1 => snippet(),
    ];
    prop::collection::vec((name, snippet()), 0..6)
}

/// JSON text for the RPC at `method`: its fields with made-up values (often a valid
/// request), arbitrary JSON values in places, then bytes edited.
pub fn json_body(method: usize) -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        snippet().prop_map(serde_json::Value::from),
        Just(serde_json::json!([1, "x", null])),
        Just(serde_json::json!({"a": {"b": []}})),
    ];
    let made = (
        pairs(method),
        prop::collection::vec((select(FIELD_NAMES[method].clone()), value), 0..3),
    )
        .prop_map(move |(pairs, raw)| {
            let input = &METHODS[method].input;
            let mut json =
                super::query::to_json(input, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .unwrap_or_else(|_| serde_json::json!({}));
            if let Some(object) = json.as_object_mut() {
                for (name, value) in raw {
                    object.insert(name, value);
                }
            }
            json.to_string().into_bytes()
        });
    prop_oneof![
        4 => (made, prop::collection::vec(edit(), 0..3)).prop_map(|(mut bytes, edits)| {
            apply(&mut bytes, &edits);
            bytes
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

/// A byte edit: where (any index) and what.
#[derive(Debug, Clone)]
pub enum Edit {
    Truncate(Index),
    Delete(Index, usize),
    Insert(Index, Vec<u8>),
    Flip(Index, u8),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<Index>().prop_map(Edit::Truncate),
        (any::<Index>(), 1..8_usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<Index>(), snippet()).prop_map(|(i, s)| Edit::Insert(i, s.into_bytes())),
        (any::<Index>(), 1..=255_u8).prop_map(|(i, b)| Edit::Flip(i, b)),
    ]
}

pub fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for edit in edits {
        let len = bytes.len();
        match edit {
            Edit::Truncate(i) => bytes.truncate(i.index(len + 1)),
            Edit::Delete(i, n) if len > 0 => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Edit::Insert(i, text) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, text.iter().copied());
            }
            Edit::Flip(i, mask) if len > 0 => bytes[i.index(len)] ^= mask,
            _ => {}
        }
    }
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    query.finish()
}

/// A GET query: pairs of the RPC's fields, a Connect GET, or arbitrary text.
fn get_query(method: usize) -> impl Strategy<Value = String> {
    use base64::Engine;
    use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
    let fields = (pairs(method), prop::collection::vec(edit(), 0..2)).prop_map(|(p, edits)| {
        let mut bytes = encode_pairs(&p).into_bytes();
        apply(&mut bytes, &edits);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let connect = (
        select(&["json", "proto", "JSON", ""][..]),
        json_body(method),
        select(&[None, Some("1"), Some("0")][..]),
        select(&[None, Some("identity"), Some("gzip")][..]),
        any::<bool>(),
        prop::collection::vec(edit(), 0..2),
    )
        .prop_map(|(encoding, body, base64, compression, padded, edits)| {
            let mut pairs = vec![("encoding".to_owned(), encoding.to_owned())];
            let message = if base64.is_some() || encoding == "proto" {
                if padded {
                    URL_SAFE.encode(&body)
                } else {
                    URL_SAFE_NO_PAD.encode(&body)
                }
            } else {
                String::from_utf8_lossy(&body).into_owned()
            };
            pairs.push(("message".to_owned(), message));
            if let Some(b) = base64 {
                pairs.push(("base64".to_owned(), b.to_owned()));
            }
            if let Some(c) = compression {
                pairs.push(("compression".to_owned(), c.to_owned()));
            }
            let mut bytes = encode_pairs(&pairs).into_bytes();
            apply(&mut bytes, &edits);
            String::from_utf8_lossy(&bytes).into_owned()
        });
    prop_oneof![5 => fields, 3 => connect, 1 => any::<String>()]
}

#[test]
fn fuzz_get_queries() {
    let case = (0..METHODS.len()).prop_flat_map(|method| {
        (
            Just(method),
            get_query(method),
            select(&["", "text/csv", XLSX, "application/json", "*/*"][..]),
        )
    });
    run("http_get_query", case, |(method, query, accept)| {
        let method = METHODS[method];
        let mut headers = http::HeaderMap::new();
        if !accept.is_empty() {
            headers.insert(http::header::ACCEPT, accept.parse().expect("media type"));
        }
        match transcode::read_query(method, &headers, &query) {
            Ok(Query::Connect(_, _) | Query::Fields(_, _)) => Ok(()),
            // The rule: a Connect GET asking for compression is UNIMPLEMENTED (the server
            // reads no compressed message); every other rejection is an invalid argument.
            Err(status) if status.code() == Code::Unimplemented => {
                let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect();
                let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
                prop_assert!(value("encoding").is_some() && value("message").is_some());
                prop_assert!(value("compression").is_some_and(|c| c != "identity"));
                Ok(())
            }
            Err(status) => check_invalid(&status),
        }
    });
}

#[test]
fn fuzz_json_bodies() {
    let case = (0..METHODS.len()).prop_flat_map(|method| (Just(method), json_body(method)));
    run("http_json_body", case, |(method, body)| {
        let input = &METHODS[method].input;
        match transcode::parse_json(input, &body, "body") {
            Ok(message) => {
                // What was read is a message of the RPC's input, as the handler will see.
                prop_assert_eq!(message.descriptor(), input.clone());
                Ok(())
            }
            Err((field, why)) => {
                // The body as a whole, or a path into it: never empty, never unknown (`?`).
                prop_assert!(!field.is_empty(), "no field: {}", why);
                prop_assert!(
                    field == "body" || field.split(['.', '[']).all(|s| !s.is_empty() && s != "?"),
                    "{:?}: {}",
                    field,
                    why
                );
                check_invalid(&super::connect_error::invalid_field(&field, why))
            }
        }
    });
}

// ---- regressions ----

/// http_get_query found it: `?=x` gave a violation whose field was empty (and `?%20=x`, in
/// the long run, one whose field was a space).
#[test]
fn a_query_parameter_without_a_name_names_the_query() {
    let method = METHODS[0];
    // `%20=x` the long run found: a name of white space was sent back as the field.
    for query in ["=", "=x", "%20=x", "%09%0A="] {
        let status = transcode::read_query(method, &http::HeaderMap::new(), query)
            .expect_err("a parameter without a name");
        check_invalid(&status).expect("names a field");
        let details = status.get_error_details();
        assert_eq!(
            details.bad_request().expect("BadRequest").field_violations[0].field,
            "query"
        );
    }
}

/// Seen in the code while writing http_json_body (and `{` by its first run): errors about
/// the whole body named the field `""` or `?`.
#[test]
fn a_body_that_is_not_an_object_names_the_body() {
    let input = &METHODS[0].input;
    for body in [&b"[1]"[..], b"{} x", b"\"text\"", b"{"] {
        let (field, _) = transcode::parse_json(input, body, "body").expect_err("not a message");
        assert_eq!(field, "body", "{}", String::from_utf8_lossy(body));
    }
}
