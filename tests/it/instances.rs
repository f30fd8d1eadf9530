//! Several instances on one database, on every backend: two servers, each with its own
//! store (pools, tree cache), import through both at once. Writes are serialised by the
//! database, so every import commits whole with its own strictly increasing transaction
//! time, no key ever has two current rows, both servers answer every read identically, and
//! a tree change made through one is seen by the other at once, by summaries, lists and
//! GetOrgUnit alike.

use crate::common;

use common::{Instance, TestApp, TestDatabase, import_header as header, import_record as record};
use sea_orm::{ConnectionTrait, Statement};
use tonic::transport::Channel;
use uppsikt::proto::v1 as pb;
use uppsikt::proto::v1::budget_service_client::BudgetServiceClient;
use uppsikt::proto::v1::import_record::Kind;
use uppsikt::proto::v1::import_service_client::ImportServiceClient;
use uppsikt::proto::v1::organization_service_client::OrganizationServiceClient;
use uppsikt::store::Store;

fn unit(code: &str, parent: &str, valid_from: &str) -> pb::ImportRequest {
    record(Kind::OrgUnit(pb::OrgUnitRecord {
        code: code.into(),
        name: code.into(),
        kind: if parent.is_empty() {
            pb::OrgUnitKind::Region
        } else {
            pb::OrgUnitKind::Department
        } as i32,
        parent: parent.into(),
        valid_from: valid_from.into(),
        ..Default::default()
    }))
}

const UNITS: [&str; 4] = ["U1", "U2", "U3", "U4"];

fn setup() -> Vec<pb::ImportRequest> {
    let mut messages = vec![header("setup"), unit("R", "", "2000-01-01")];
    messages.extend(UNITS.iter().map(|u| unit(u, "R", "2000-01-01")));
    messages.push(record(Kind::Category(pb::CategoryRecord {
        code: "COST".into(),
        name: "Kostnad".into(),
        direction: pb::Direction::Cost as i32,
        order: 1,
        ..Default::default()
    })));
    messages
}

/// Every unit's twelve months of 2025, all with the same amount: two writers importing the
/// same keys with different amounts supersede each other's lines.
fn year_of_lines(writer: i64, round: i64) -> Vec<pb::ImportRequest> {
    let mut messages = vec![header(&format!("writer {writer} round {round}"))];
    for unit in UNITS {
        for month in 1..=12 {
            messages.push(record(Kind::BudgetLine(pb::BudgetLineRecord {
                org_unit: unit.into(),
                category: "COST".into(),
                fiscal_year: 2025,
                from_month: month,
                to_month: month,
                scenario: pb::Scenario::Actual as i32,
                amount_sek: -(writer * 1_000_000 + round * 1000 + i64::from(month)),
            })));
        }
    }
    messages
}

async fn import(channel: &Channel, messages: Vec<pb::ImportRequest>) -> pb::ImportResponse {
    ImportServiceClient::new(channel.clone())
        .import(tokio_stream::iter(messages))
        .await
        .expect("import")
        .into_inner()
}

/// Everything a reader sees: every budget line (all pages), the region's summary by child
/// unit, the tree.
async fn answers(
    channel: &Channel,
) -> (
    Vec<pb::BudgetLine>,
    pb::SummarizeBudgetResponse,
    Vec<pb::OrgUnit>,
) {
    let mut budget = BudgetServiceClient::new(channel.clone());
    let mut lines = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = budget
            .list_budget_lines(pb::ListBudgetLinesRequest {
                page_size: 7,
                page_token,
                ..Default::default()
            })
            .await
            .expect("list")
            .into_inner();
        lines.extend(page.budget_lines);
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    let summary = budget
        .summarize_budget(pb::SummarizeBudgetRequest {
            org_unit: "orgUnits/R".into(),
            fiscal_year: 2025,
            group_by: pb::SummaryGrouping::ChildUnit as i32,
            ..Default::default()
        })
        .await
        .expect("summary")
        .into_inner();
    let tree = OrganizationServiceClient::new(channel.clone())
        .list_org_units(pb::ListOrgUnitsRequest {
            org_unit: "orgUnits/R".into(),
            include_descendants: true,
            ..Default::default()
        })
        .await
        .expect("tree")
        .into_inner()
        .org_units;
    (lines, summary, tree)
}

/// The distinct units of the budget lines listed under `unit` with its descendants.
async fn units_listed(channel: &Channel, unit: &str) -> Vec<String> {
    let lines = BudgetServiceClient::new(channel.clone())
        .list_budget_lines(pb::ListBudgetLinesRequest {
            org_unit: format!("orgUnits/{unit}"),
            include_descendants: true,
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("list under a unit")
        .into_inner()
        .budget_lines;
    let units: std::collections::BTreeSet<String> = lines.into_iter().map(|l| l.org_unit).collect();
    units.into_iter().collect()
}

async fn count(store: &Store, sql: &str) -> i64 {
    let db = store.db();
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_import_at_once_and_answer_alike() {
    for database in TestDatabase::all().await {
        let url = database.url.clone();
        let first = TestApp::start(database).await;
        let second = Instance::start(&url).await;
        let label = first.label;
        import(&first.channel, setup()).await;

        // Six imports through each instance at once, all writing the same keys.
        let rounds = 6;
        let mut writers = Vec::new();
        for (writer, channel) in [(1, first.channel.clone()), (2, second.channel.clone())] {
            writers.push(tokio::spawn(async move {
                let mut times = Vec::new();
                for round in 0..rounds {
                    let response = import(&channel, year_of_lines(writer, round)).await;
                    times.push(response.recorded_at);
                }
                times
            }));
        }
        let mut times = Vec::new();
        for writer in writers {
            times.extend(writer.await.expect("writer"));
        }
        let distinct: std::collections::BTreeSet<&String> = times.iter().collect();
        assert_eq!(
            distinct.len(),
            2 * rounds as usize,
            "{label}: every import has a transaction time of its own"
        );

        let duplicates = count(
            &first.store,
            "SELECT COUNT(*) FROM (SELECT org_unit_code, category_code, scenario, fiscal_year, \
             from_month, to_month FROM budget_lines WHERE superseded_at IS NULL \
             GROUP BY org_unit_code, category_code, scenario, fiscal_year, from_month, to_month \
             HAVING COUNT(*) > 1) AS twice",
        )
        .await;
        assert_eq!(duplicates, 0, "{label}: no key has two current rows");
        let current = count(
            &first.store,
            "SELECT COUNT(*) FROM budget_lines WHERE superseded_at IS NULL",
        )
        .await;
        assert_eq!(
            current, 48,
            "{label}: 4 units × 12 months, one current line each"
        );
        let written = count(&first.store, "SELECT COUNT(*) FROM budget_lines").await;
        assert_eq!(
            written,
            48 * 2 * rounds,
            "{label}: every import wrote its 48 lines whole, superseding the one before"
        );

        // The last import to commit wins every key: the current lines hold one writer's
        // one round, never a mix.
        let (lines, summary, tree) = answers(&first.channel).await;
        let amounts: std::collections::BTreeSet<i64> =
            lines.iter().map(|l| l.amount_sek / 1000 * 1000).collect();
        assert_eq!(
            amounts.len(),
            1,
            "{label}: one import's lines, not a mix: {amounts:?}"
        );
        assert_eq!(
            (lines.clone(), summary.clone(), tree.clone()),
            answers(&second.channel).await,
            "{label}: both instances answer alike"
        );

        // A unit moved through the second instance is under its new parent on the first at
        // once: the first's cached tree follows the database's org version.
        assert_eq!(summary.groups.len(), 4, "{label}: U1–U4 under R");
        assert_eq!(
            units_listed(&first.channel, "U1").await,
            ["orgUnits/U1"],
            "{label}: before the move"
        );
        let moved = vec![
            header("move"),
            unit("U4", "U1", "2000-01-01"),
            unit("U5", "R", "2000-01-01"),
        ];
        import(&second.channel, moved).await;
        // Lists too: the first's tree was loaded before the move, and its pages check it
        // against the org version: a lone page reads it with its rows, pages at once read
        // it through the gate after theirs (and an empty page always does).
        let at_once = futures::future::join_all((0..8).map(|_| units_listed(&first.channel, "U1")));
        for listed in at_once.await {
            assert_eq!(
                listed,
                ["orgUnits/U1", "orgUnits/U4"],
                "{label}: U4's lines listed under U1"
            );
        }
        assert_eq!(
            units_listed(&first.channel, "U5").await,
            Vec::<String>::new(),
            "{label}: the new unit is known (no NOT_FOUND), with no lines"
        );
        let (_, summary, _) = answers(&first.channel).await;
        let groups: Vec<&str> = summary.groups.iter().map(|g| g.org_unit.as_str()).collect();
        assert_eq!(
            groups,
            ["orgUnits/U1", "orgUnits/U2", "orgUnits/U3"],
            "{label}: U4 now counts under U1"
        );
        let unit = OrganizationServiceClient::new(first.channel.clone())
            .get_org_unit(pb::GetOrgUnitRequest {
                name: "orgUnits/U4".into(),
                ..Default::default()
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(unit.parent, "orgUnits/U1", "{label}");

        second.shut_down().await;
        first.stop().await;
    }
}
