//! The change feed (issue 14), on every backend: import, correct, retract, import again;
//! following `ChangeService.ListChanges` from the start and from every intermediate cursor
//! reproduces exactly what `uppsikt export` writes, and replayed up to a change's transaction
//! time, what the export writes as of that time; cursors survive a restart; concurrent
//! imports through two instances while a follower pages lose or repeat nothing; the example
//! mirror (examples/change_mirror) follows the feed resumably; the migration's backfill
//! gives the same log as the live writes.

use crate::common;

#[path = "../../examples/change_mirror/mirror.rs"]
#[allow(dead_code)]
mod mirror;

use common::{
    Instance, TestApp, TestDatabase, assert_error, import_header as header, import_record as record,
};
use futures::stream;
use sea_orm::{ConnectionTrait, Statement};
use std::collections::{BTreeMap, BTreeSet};
use tonic::transport::Channel;
use uppsikt::api::import_records::record_from_proto;
use uppsikt::domain::instant::Instant;
use uppsikt::domain::provenance::Source;
use uppsikt::import::text::{TextReader, format_record};
use uppsikt::import::{ImportError, ImportOutcome, ImportRequest, run_import};
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::change_service_client::ChangeServiceClient;
use uppsikt::proto::v1::import_record::Kind;
use uppsikt::proto::v1::import_request::Content;
use uppsikt::proto::v1::import_service_client::ImportServiceClient;
use uppsikt::store::Store;

/// Every kind, with a unit that moves (FR-X) and a category that will be retracted.
const BASE: &str = r#"
source document="feed-base" table="Organisation"
org_unit code=FR name="Feedregionen" kind=region valid_from=2020-01-01
org_unit code=FR-A name="Nämnd A" kind=committee parent=FR valid_from=2020-01-01
org_unit code=FR-A1 name="Division A1" kind=division parent=FR-A valid_from=2020-01-01
org_unit code=FR-B name="Nämnd B" kind=committee parent=FR valid_from=2020-01-01
org_unit code=FR-X name="Enhet X" kind=department parent=FR-A1 valid_from=2020-01-01 valid_to=2025-01-01
org_unit code=FR-X name="Enhet X" kind=department parent=FR-B valid_from=2025-01-01
source document="feed-base" table="Kategorier"
category code=INTAKTER name="Intäkter" direction=income order=1
category code=PERSONAL name="Personalkostnader" direction=cost order=2
category code=OVRIGT name="Övrigt" direction=cost order=3
profession_group code=LAKARE name="Läkare" order=1
profession_group code=SSK name="Sjuksköterskor" order=2
source document="feed-base" table="Tabeller"
budget_line org_unit=FR-A category=INTAKTER fiscal_year=2025 from_month=1 to_month=4 scenario=actual amount_tkr=100
budget_line org_unit=FR-A category=PERSONAL fiscal_year=2025 from_month=1 to_month=4 scenario=actual amount_tkr=-80
budget_line org_unit=FR-A1 category=PERSONAL fiscal_year=2025 from_month=1 to_month=4 scenario=budget amount_tkr=-70
budget_line org_unit=FR-B category=OVRIGT fiscal_year=2025 from_month=1 to_month=4 scenario=actual amount_tkr=-5
investment id=fr-inv-1 org_unit=FR-A1 name="Röntgen \"A\"" kind=new funding=frame decided_year=2025 status=ongoing total_budget_sek=5000000 procurement_contacted=yes
investment_figure investment=fr-inv-1 fiscal_year=2025 from_month=1 to_month=4 budget_tkr=500 outcome_tkr=120
investment_figure investment=fr-inv-1 fiscal_year=2025 from_month=5 to_month=8 budget_tkr=500
headcount org_unit=FR-A date=2025-04-30 employee_group=monthly_salaried total=100 women=80 men=20
worked_hours org_unit=FR-A fiscal_year=2025 from_month=1 to_month=4 profession=LAKARE hours=1234.5
hired_staff org_unit=FR-A fiscal_year=2025 from_month=1 to_month=4 profession=LAKARE cost_tkr=-300 hours_requested=100 hours_filled=80.5
sick_leave org_unit=FR-A fiscal_year=2025 from_month=1 to_month=4 gender=all age_band=all length=all rate_percent=6.12
position org_unit=FR-A1 date=2025-04-30 profession=SSK fte_budget=12.5 fte_needed=13 fte_available_now=11.25
indicator code=fr-ind-1 org_unit=FR-A goal_area="Mål" name="Andel" unit=percent
indicator_target indicator=fr-ind-1 fiscal_year=2025 comparator=at_least value=90
indicator_outcome indicator=fr-ind-1 fiscal_year=2025 from_month=1 to_month=4 value=88
assignment code=fr-upp-1 org_unit=FR-B goal_area="Mål" fiscal_year=2025 text="Gör något" status="Pågår"
"#;

/// Retractions in the text format, through `uppsikt import`'s code path.
const RETRACT_TEXT: &str = r#"
source document="feed-rattelse-text"
retract sick_leave org_unit=FR-A fiscal_year=2025 from_month=1 to_month=4 gender=all age_band=all length=all
retract indicator_target indicator=fr-ind-1 fiscal_year=2025
"#;

/// Imports `text` through the text format's reader and the one write path.
async fn import_text(
    store: &Store,
    document: &str,
    text: &str,
) -> Result<ImportOutcome, ImportError> {
    let mut reader = TextReader::new(document, 0);
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match reader.line(i + 1, line) {
            Ok(None) => {}
            Ok(Some(entry)) => entries.push(Ok(entry)),
            Err(violations) => entries.push(Err(ImportError::InvalidRecords(violations))),
        }
    }
    let request = ImportRequest {
        document: document.into(),
        table: None,
        system: Some("test".into()),
        request_id: None,
        dry_run: false,
    };
    run_import(store, request, stream::iter(entries), |_| {}).await
}

fn retract(kind: Kind) -> pb::ImportRequest {
    pb::ImportRequest {
        content: Some(Content::Retract(pb::Retraction {
            record: Some(pb::ImportRecord {
                kind: Some(kind),
                ..Default::default()
            }),
        })),
    }
}

fn line(
    unit: &str,
    category: &str,
    scenario: pb::Scenario,
    from: i32,
    to: i32,
    amount: i64,
) -> Kind {
    Kind::BudgetLine(pb::BudgetLineRecord {
        org_unit: unit.into(),
        category: category.into(),
        fiscal_year: 2025,
        from_month: from,
        to_month: to,
        scenario: scenario as i32,
        amount_sek: amount,
    })
}

fn line_key(unit: &str, category: &str, scenario: pb::Scenario) -> Kind {
    line(unit, category, scenario, 1, 4, 0)
}

async fn import_rpc(
    channel: &Channel,
    messages: Vec<pb::ImportRequest>,
) -> Result<pb::ImportResponse, tonic::Status> {
    ImportServiceClient::new(channel.clone())
        .import(stream::iter(messages))
        .await
        .map(tonic::Response::into_inner)
}

/// Every change after `after`, following `next_cursor` with pages of `size`.
async fn follow(channel: &Channel, after: &str, size: i32) -> Vec<pb::Change> {
    let mut client = ChangeServiceClient::new(channel.clone());
    let mut cursor = after.to_owned();
    let mut all = Vec::new();
    loop {
        let page = client
            .list_changes(pb::ListChangesRequest {
                after: cursor.clone(),
                page_size: size,
                ..Default::default()
            })
            .await
            .expect("list changes")
            .into_inner();
        assert!(!page.next_cursor.is_empty(), "next_cursor is never empty");
        if page.changes.is_empty() {
            assert_eq!(page.next_cursor, cursor, "an empty page stays where it was");
            return all;
        }
        assert_eq!(
            page.next_cursor,
            page.changes.last().unwrap().cursor,
            "next_cursor is the last change's"
        );
        cursor = page.next_cursor;
        all.extend(page.changes);
    }
}

/// A fact as the export writes it: its line and its source.
type Fact = (String, String, String);

fn fact(record: &uppsikt::import::record::Record) -> Fact {
    let source = record.source();
    (
        format_record(record),
        source.document.clone(),
        source.table.clone().unwrap_or_default(),
    )
}

/// What `uppsikt export` writes as of `at`, as facts.
async fn exported(store: &Store, at: Instant) -> BTreeSet<Fact> {
    let mut out = Vec::new();
    uppsikt::export::export(store, at, &mut out)
        .await
        .expect("export");
    let text = String::from_utf8(out).expect("utf-8");
    let mut reader = TextReader::new("export", 0);
    let mut facts = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(entry) = reader.line(i + 1, line).expect("the export reads back") {
            assert!(facts.insert(fact(&entry.record)), "a fact twice: {line}");
        }
    }
    facts
}

/// A follower's copy: the latest record per (kind, key).
type Copy = BTreeMap<(String, String), pb::ImportRecord>;

fn apply(copy: &mut Copy, change: &pb::Change) {
    let key = (change.kind.clone(), change.key.clone());
    match pb::ChangeAction::try_from(change.action).expect("an action") {
        pb::ChangeAction::Inserted => {
            assert!(
                copy.insert(key, change.record.clone().unwrap()).is_none(),
                "inserted a key twice: {change:?}"
            );
        }
        pb::ChangeAction::Superseded => {
            assert!(
                copy.insert(key, change.record.clone().unwrap()).is_some(),
                "superseded a missing key: {change:?}"
            );
        }
        pb::ChangeAction::Retracted => {
            assert!(
                copy.remove(&key).is_some(),
                "retracted a missing key: {change:?}"
            );
        }
        pb::ChangeAction::Unspecified => panic!("unspecified action"),
    }
}

fn replay<'a>(changes: impl IntoIterator<Item = &'a pb::Change>) -> Copy {
    let mut copy = Copy::new();
    for change in changes {
        apply(&mut copy, change);
    }
    copy
}

/// The copy's records as facts, read back through the Import RPC's own parsing.
fn facts_of<'a>(records: impl IntoIterator<Item = &'a pb::ImportRecord>) -> BTreeSet<Fact> {
    let none = Source {
        document: String::new(),
        table: None,
    };
    records
        .into_iter()
        .map(|r| fact(&record_from_proto(r.clone(), &none).expect("a valid record")))
        .collect()
}

fn micros(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("RFC 3339")
        .timestamp_micros()
}

fn recorded_at(change: &pb::Change) -> i64 {
    micros(&change.provenance.as_ref().expect("provenance").recorded_at)
}

/// Import, correct, retract (both forms), the rejected retractions, import again.
async fn history(app: &TestApp) {
    import_text(&app.store, "feed-base", BASE)
        .await
        .expect("base import");
    let corrections = vec![
        header("feed-rattelse"),
        record(line(
            "FR-A",
            "PERSONAL",
            pb::Scenario::Actual,
            1,
            4,
            -85_000,
        )),
        record(line("FR-B", "INTAKTER", pb::Scenario::Actual, 1, 4, 7_000)),
        record(Kind::OrgUnit(pb::OrgUnitRecord {
            code: "FR-A1".into(),
            name: "Division A1 (ny)".into(),
            kind: pb::OrgUnitKind::Division as i32,
            parent: "FR-A".into(),
            valid_from: "2020-01-01".into(),
            ..Default::default()
        })),
        record(Kind::Headcount(pb::HeadcountRecord {
            org_unit: "FR-A".into(),
            date: "2025-04-30".into(),
            employee_group: "monthly_salaried".into(),
            total: 101,
            women: Some(81),
            men: Some(20),
            unknown: None,
        })),
        record(Kind::IndicatorOutcome(pb::IndicatorOutcomeRecord {
            indicator: "fr-ind-1".into(),
            fiscal_year: 2025,
            from_month: 1,
            to_month: 4,
            value: "89".into(),
            ..Default::default()
        })),
    ];
    let response = import_rpc(&app.channel, corrections)
        .await
        .expect("corrections");
    assert!(response.counts.iter().any(|c| c.superseded > 0));

    // A category can go once nothing refers to it: its last line goes in the same import.
    let retractions = vec![
        header("feed-strykning"),
        retract(line_key("FR-A1", "PERSONAL", pb::Scenario::Budget)),
        retract(line_key("FR-B", "OVRIGT", pb::Scenario::Actual)),
        retract(Kind::Category(pb::CategoryRecord {
            code: "OVRIGT".into(),
            ..Default::default()
        })),
        retract(Kind::InvestmentFigure(pb::InvestmentFigureRecord {
            investment: "fr-inv-1".into(),
            fiscal_year: 2025,
            from_month: 5,
            to_month: 8,
            ..Default::default()
        })),
        retract(Kind::Position(pb::PositionRecord {
            org_unit: "FR-A1".into(),
            date: "2025-04-30".into(),
            profession: "SSK".into(),
            ..Default::default()
        })),
        retract(Kind::Assignment(pb::AssignmentRecord {
            code: "fr-upp-1".into(),
            ..Default::default()
        })),
        // A wrongly recorded move: the unit keeps its first placement.
        retract(Kind::OrgUnit(pb::OrgUnitRecord {
            code: "FR-X".into(),
            valid_from: "2025-01-01".into(),
            ..Default::default()
        })),
    ];
    let response = import_rpc(&app.channel, retractions)
        .await
        .expect("retractions");
    let retracted: i64 = response.counts.iter().map(|c| c.retracted).sum();
    assert_eq!(retracted, 7, "{response:?}");
    let outcome = import_text(&app.store, "feed-rattelse-text", RETRACT_TEXT)
        .await
        .expect("text retractions");
    assert_eq!(outcome.counts["sick_leave"].retracted, 1);
    assert_eq!(outcome.counts["indicator_target"].retracted, 1);

    rejected_retractions(app).await;

    let again = vec![
        header("feed-igen"),
        record(line(
            "FR-A1",
            "PERSONAL",
            pb::Scenario::Budget,
            1,
            4,
            -72_000,
        )),
        record(line(
            "FR-A1",
            "PERSONAL",
            pb::Scenario::Budget,
            5,
            8,
            -71_000,
        )),
        record(Kind::Position(pb::PositionRecord {
            org_unit: "FR-A1".into(),
            date: "2025-04-30".into(),
            profession: "SSK".into(),
            fte_budget: "12.75".into(),
            ..Default::default()
        })),
        record(Kind::WorkedHours(pb::WorkedHoursRecord {
            org_unit: "FR-X".into(),
            fiscal_year: 2024,
            from_month: 1,
            to_month: 12,
            profession: "SSK".into(),
            hours: "99.5".into(),
        })),
    ];
    import_rpc(&app.channel, again).await.expect("import again");
}

/// Retractions that must fail, each naming the record, writing nothing.
async fn rejected_retractions(app: &TestApp) {
    let before = follow(&app.channel, "", 1000).await.len();
    let cases: Vec<(pb::ImportRequest, &str)> = vec![
        // Already retracted: not current.
        (
            retract(line_key("FR-A1", "PERSONAL", pb::Scenario::Budget)),
            "records[0].from_month",
        ),
        // Still referred to by current budget lines.
        (
            retract(Kind::Category(pb::CategoryRecord {
                code: "PERSONAL".into(),
                ..Default::default()
            })),
            "records[0].key",
        ),
        // The region's last placement, with units below it.
        (
            retract(Kind::OrgUnit(pb::OrgUnitRecord {
                code: "FR".into(),
                valid_from: "2020-01-01".into(),
                ..Default::default()
            })),
            "records[0].key",
        ),
        // A field that is not part of the key.
        (
            retract(line("FR-A", "PERSONAL", pb::Scenario::Actual, 1, 4, 5)),
            "records[0].amount_sek",
        ),
    ];
    for (message, field) in cases {
        let status = import_rpc(&app.channel, vec![header("fel"), message])
            .await
            .expect_err("a rejected retraction");
        assert_error(&status, tonic::Code::InvalidArgument, Some(field));
    }
    let error = import_text(
        &app.store,
        "fel",
        "source document=fel\nretract budget_line org_unit=FR-A category=NOPE fiscal_year=2025 from_month=1 to_month=4 scenario=actual",
    )
    .await
    .expect_err("not current");
    assert!(
        matches!(&error, ImportError::InvalidRecords(v) if v[0].description.contains("no current budget_line")),
        "{error}"
    );
    assert_eq!(
        follow(&app.channel, "", 1000).await.len(),
        before,
        "nothing was written"
    );
}

/// Everything the feed must reproduce, from the start and from every cursor, now and as of
/// every transaction time.
async fn check_feed(app: &TestApp) -> Vec<pb::Change> {
    let all = follow(&app.channel, "", 5).await;
    let actions: BTreeSet<i32> = all.iter().map(|c| c.action).collect();
    assert_eq!(
        actions.len(),
        3,
        "inserted, superseded and retracted all occur"
    );
    let now = exported(&app.store, Instant::now()).await;
    assert_eq!(
        facts_of(replay(&all).values()),
        now,
        "{}: the feed reproduces the export",
        app.label
    );

    for (i, change) in all.iter().enumerate() {
        let tail = follow(&app.channel, &change.cursor, 50).await;
        let expected: Vec<&str> = all[i + 1..].iter().map(|c| c.cursor.as_str()).collect();
        let got: Vec<&str> = tail.iter().map(|c| c.cursor.as_str()).collect();
        assert_eq!(got, expected, "{}: after change {i}", app.label);
        let mut copy = replay(&all[..=i]);
        for change in &tail {
            apply(&mut copy, change);
        }
        assert_eq!(
            facts_of(copy.values()),
            now,
            "{}: resumed after change {i}",
            app.label
        );
    }

    let times: BTreeSet<i64> = all.iter().map(recorded_at).collect();
    assert_eq!(times.len(), 5, "{}: five committed imports", app.label);
    for t in times {
        let past = exported(&app.store, Instant(t)).await;
        let copy = replay(all.iter().filter(|c| recorded_at(c) <= t));
        assert_eq!(facts_of(copy.values()), past, "{}: as of {t}", app.label);
        let before = exported(&app.store, Instant(t - 1)).await;
        let copy = replay(all.iter().filter(|c| recorded_at(c) < t));
        assert_eq!(
            facts_of(copy.values()),
            before,
            "{}: just before {t}",
            app.label
        );
    }
    all
}

#[tokio::test]
async fn the_feed_reproduces_the_export_now_and_as_of_every_change() {
    for database in TestDatabase::all().await {
        let app = TestApp::start(database).await;
        history(&app).await;
        let all = check_feed(&app).await;

        // A retraction carries the value withdrawn and its own source.
        let withdrawn = all
            .iter()
            .find(|c| c.action == pb::ChangeAction::Retracted as i32 && c.kind == "position")
            .expect("the position's retraction");
        assert_eq!(
            withdrawn.key,
            "org_unit=FR-A1 date=2025-04-30 profession=SSK"
        );
        let Some(Kind::Position(position)) = withdrawn.record.as_ref().and_then(|r| r.kind.clone())
        else {
            panic!("a position record")
        };
        assert_eq!(position.fte_budget, "12.5");
        assert_eq!(withdrawn.record.as_ref().unwrap().document, "feed-base");
        assert_eq!(
            withdrawn.provenance.as_ref().unwrap().document,
            "feed-strykning"
        );
        // The export writes only what is current.
        let now = exported(&app.store, Instant::now()).await;
        assert!(
            !now.iter()
                .any(|(line, ..)| line.contains("category code=OVRIGT"))
        );
        assert!(
            !now.iter()
                .any(|(line, ..)| line.contains("assignment code=fr-upp-1"))
        );

        // Cursors hold across a restart (a new store, new pools).
        let middle = all[all.len() / 2].cursor.clone();
        let app = app.restart().await;
        let tail = follow(&app.channel, &middle, 7).await;
        assert_eq!(
            tail.iter().map(|c| &c.cursor).collect::<Vec<_>>(),
            all[all.len() / 2 + 1..]
                .iter()
                .map(|c| &c.cursor)
                .collect::<Vec<_>>(),
            "{}: resumed after a restart",
            app.label
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn filters_by_kind_and_subtree_and_rejects_bad_requests() {
    common::for_each_backend(false, async |app: &TestApp| {
        history(app).await;
        let mut client = ChangeServiceClient::new(app.channel.clone());
        let lines = client
            .list_changes(pb::ListChangesRequest {
                kinds: vec!["budget_line".into()],
                page_size: 1000,
                ..Default::default()
            })
            .await
            .expect("by kind")
            .into_inner();
        assert!(!lines.changes.is_empty());
        assert!(lines.changes.iter().all(|c| c.kind == "budget_line"));

        let subtree = client
            .list_changes(pb::ListChangesRequest {
                org_unit: "orgUnits/FR-A".into(),
                include_descendants: true,
                page_size: 1000,
                ..Default::default()
            })
            .await
            .expect("by subtree")
            .into_inner()
            .changes;
        let kinds: BTreeSet<&str> = subtree.iter().map(|c| c.kind.as_str()).collect();
        // Region-wide definitions come along; FR-B's assignment does not; the investment's
        // figures and the indicator's outcomes belong to their owner's unit.
        for kind in [
            "category",
            "investment_figure",
            "indicator_outcome",
            "position",
        ] {
            assert!(kinds.contains(kind), "{}: {kind} in {kinds:?}", app.label);
        }
        assert!(!kinds.contains("assignment"), "{}: {kinds:?}", app.label);
        assert!(
            subtree
                .iter()
                .filter(|c| c.kind == "budget_line")
                .all(
                    |c| c.key.starts_with("org_unit=FR-A ") || c.key.starts_with("org_unit=FR-A1 ")
                ),
            "{}: only the subtree's lines",
            app.label
        );

        for (request, field) in [
            (
                pb::ListChangesRequest {
                    after: "not-a-cursor".into(),
                    ..Default::default()
                },
                "after",
            ),
            (
                pb::ListChangesRequest {
                    kinds: vec!["budget_lines".into()],
                    ..Default::default()
                },
                "kinds",
            ),
            (
                pb::ListChangesRequest {
                    page_size: -1,
                    ..Default::default()
                },
                "page_size",
            ),
        ] {
            let status = client.list_changes(request).await.expect_err("invalid");
            assert_error(&status, tonic::Code::InvalidArgument, Some(field));
        }
        let status = client
            .list_changes(pb::ListChangesRequest {
                org_unit: "orgUnits/NOPE".into(),
                ..Default::default()
            })
            .await
            .expect_err("unknown unit");
        assert_eq!(status.code(), tonic::Code::NotFound);
    })
    .await;
}

#[tokio::test]
async fn the_example_mirror_follows_the_feed_resumably() {
    common::for_each_backend(false, async |app: &TestApp| {
        history(app).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mirror.db");
        let everything = mirror::Selection::default();
        let mut feed = mirror::Feed::new(app.channel.clone(), None);

        // Two pages, then the mirror stops; a new process resumes from its file.
        let first = mirror::Mirror::open(&path).await.expect("open");
        assert_eq!(
            first
                .sync(&mut feed, &everything, 4, Some(2))
                .await
                .expect("sync"),
            8
        );
        first.close().await.expect("close");
        let mirror = mirror::Mirror::open(&path).await.expect("reopen");
        mirror
            .sync(&mut feed, &everything, 4, None)
            .await
            .expect("resume");
        let facts = |rows: Vec<(String, String, pb::ImportRecord)>| {
            facts_of(rows.iter().map(|(_, _, r)| r).collect::<Vec<_>>())
        };
        assert_eq!(
            facts(mirror.facts().await.expect("facts")),
            exported(&app.store, Instant::now()).await,
            "{}: the mirror holds what the export writes",
            app.label
        );

        // Later imports arrive on the next sync.
        import_rpc(
            &app.channel,
            vec![
                header("senare"),
                retract(line_key("FR-A", "INTAKTER", pb::Scenario::Actual)),
                record(line(
                    "FR-B",
                    "PERSONAL",
                    pb::Scenario::Budget,
                    1,
                    12,
                    -1_000,
                )),
            ],
        )
        .await
        .expect("later import");
        assert_eq!(
            mirror
                .sync(&mut feed, &everything, 4, None)
                .await
                .expect("sync"),
            2
        );
        assert_eq!(
            facts(mirror.facts().await.expect("facts")),
            exported(&app.store, Instant::now()).await,
            "{}: in step again",
            app.label
        );
        mirror.close().await.expect("close");
    })
    .await;
}

#[tokio::test]
async fn concurrent_imports_through_two_instances_lose_or_repeat_nothing() {
    common::for_each_backend(false, async |app: &TestApp| {
        import_text(&app.store, "feed-base", BASE)
            .await
            .expect("base");
        let instance = Instance::start(&app.database().url).await;
        let second = instance.channel.clone();
        let channels = [app.channel.clone(), second.clone()];

        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // The follower pages through the second instance while the writers run.
        let follower = {
            let done = done.clone();
            let channel = second.clone();
            tokio::spawn(async move {
                let mut client = ChangeServiceClient::new(channel);
                let mut cursor = String::new();
                let mut seen = Vec::new();
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let page = client
                        .list_changes(pb::ListChangesRequest {
                            after: cursor.clone(),
                            page_size: 3,
                            ..Default::default()
                        })
                        .await
                        .expect("page")
                        .into_inner();
                    cursor = page.next_cursor;
                    if page.changes.is_empty() {
                        if finished {
                            return seen;
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    }
                    seen.extend(page.changes);
                }
            })
        };
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let channel = channels[writer % 2].clone();
                tokio::spawn(async move {
                    for round in 0..5 {
                        let unit = if writer % 2 == 0 { "FR-A" } else { "FR-B" };
                        let category = ["INTAKTER", "PERSONAL"][writer / 2];
                        let mut messages = vec![header(&format!("w{writer}-r{round}"))];
                        for month in 1..=4 {
                            // Writes a new key each round, and corrects the previous round's.
                            let year = 2030 + round;
                            messages.push(record(Kind::BudgetLine(pb::BudgetLineRecord {
                                org_unit: unit.into(),
                                category: category.into(),
                                fiscal_year: year,
                                from_month: month,
                                to_month: month,
                                scenario: pb::Scenario::Plan as i32,
                                amount_sek: i64::from(month * 1000 + round),
                            })));
                            if round > 0 {
                                messages.push(record(Kind::BudgetLine(pb::BudgetLineRecord {
                                    org_unit: unit.into(),
                                    category: category.into(),
                                    fiscal_year: year - 1,
                                    from_month: month,
                                    to_month: month,
                                    scenario: pb::Scenario::Plan as i32,
                                    amount_sek: -i64::from(month),
                                })));
                            }
                        }
                        import_rpc(&channel, messages)
                            .await
                            .expect("concurrent import");
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.await.expect("writer");
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let seen = follower.await.expect("follower");

        let all = follow(&app.channel, "", 1000).await;
        assert_eq!(
            all.len(),
            27 + 4 * (4 + 4 * 8),
            "{}: every change is logged",
            app.label
        );
        let cursors =
            |changes: &[pb::Change]| changes.iter().map(|c| c.cursor.clone()).collect::<Vec<_>>();
        assert_eq!(
            cursors(&seen),
            cursors(&all),
            "{}: the follower saw every change once, in order",
            app.label
        );
        let times: Vec<i64> = all.iter().map(recorded_at).collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "{}: commit order",
            app.label
        );
        assert_eq!(
            facts_of(replay(&seen).values()),
            exported(&app.store, Instant::now()).await,
            "{}: the follower's copy is the export",
            app.label
        );
        instance.shut_down().await;
    })
    .await;
}

/// The log's rows without their ids, in a stable order.
async fn log_rows(store: &Store) -> Vec<String> {
    let db = store.db();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT import_id, recorded_at, kind, action, row_id, org_unit_code, source_document, \
             source_table FROM changes ORDER BY recorded_at, kind, action, row_id",
        ))
        .await
        .expect("log");
    rows.iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {:?} {} {:?}",
                r.try_get_by_index::<i64>(0).unwrap(),
                r.try_get_by_index::<i64>(1).unwrap(),
                r.try_get_by_index::<String>(2).unwrap(),
                r.try_get_by_index::<String>(3).unwrap(),
                r.try_get_by_index::<i64>(4).unwrap(),
                r.try_get_by_index::<Option<String>>(5).unwrap(),
                r.try_get_by_index::<String>(6).unwrap(),
                r.try_get_by_index::<Option<String>>(7).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_migration_backfills_the_log_an_existing_database_had_not_written() {
    use migration::MigratorTrait;
    common::for_each_backend(false, async |app: &TestApp| {
        import_text(&app.store, "feed-base", BASE)
            .await
            .expect("base");
        // Retractions with the import's own source, as the backfill can only know that one.
        let retractions = vec![
            header("feed-strykning"),
            record(line(
                "FR-A",
                "PERSONAL",
                pb::Scenario::Actual,
                1,
                4,
                -85_000,
            )),
            retract(line_key("FR-B", "OVRIGT", pb::Scenario::Actual)),
            retract(Kind::Position(pb::PositionRecord {
                org_unit: "FR-A1".into(),
                date: "2025-04-30".into(),
                profession: "SSK".into(),
                ..Default::default()
            })),
        ];
        import_rpc(&app.channel, retractions)
            .await
            .expect("retractions");
        let live = log_rows(&app.store).await;
        let live_feed = follow(&app.channel, "", 1000).await;

        // Back to before the change log's migration, however many came after it.
        let since_change_log = migration::Migrator::migrations()
            .iter()
            .rev()
            .position(|m| m.name() == "m20261206_000008_change_log")
            .expect("the change log's migration")
            + 1;
        migration::Migrator::down(app.store.db(), Some(since_change_log as u32))
            .await
            .expect("down");
        migration::Migrator::up(app.store.db(), None)
            .await
            .expect("up");
        assert_eq!(
            log_rows(&app.store).await,
            live,
            "{}: backfill = live log",
            app.label
        );
        let backfilled = follow(&app.channel, "", 1000).await;
        assert_eq!(backfilled.len(), live_feed.len());
        assert_eq!(
            facts_of(replay(&backfilled).values()),
            exported(&app.store, Instant::now()).await,
            "{}: the backfilled feed reproduces the export",
            app.label
        );
    })
    .await;
}
