//! What a credential scoped to RS can learn, through the real server on every backend:
//! nothing about units outside RS through any RPC (GetOrgUnit, lists, summaries over a
//! parent, investments, page tokens, the import log), and an import that touches a unit
//! outside is rejected whole.

use crate::common;
use crate::support;

use common::{TestDatabase, assert_error, bearer};
use support::access::{self as fx, Fixture, rs_jwt, start};
use tonic::Code;
use uppsikt::proto::v1 as pb;

/// Every unit name in `names` lies in RS's subtree (RS, RS-*, and KST-1700, which moved
/// to RS-RST on 2025-01-01).
fn all_in_rs(names: impl IntoIterator<Item = String>) -> bool {
    names.into_iter().all(|n| {
        let code = n.strip_prefix("orgUnits/").unwrap_or(&n);
        code == "RS" || code.starts_with("RS-") || code == "KST-1700"
    })
}

#[tokio::test]
async fn a_token_scoped_to_rs_learns_nothing_outside_rs() {
    for database in TestDatabase::all().await {
        let fixture = start(database).await;
        scoped_reads(&fixture).await;
        scoped_imports(&fixture).await;
        fixture.app.stop().await;
    }
}

async fn scoped_reads(fixture: &Fixture) {
    let app = &fixture.app;
    let label = app.label;
    let denied = |result: Result<(), tonic::Status>, what: &str| {
        let status = result.expect_err(what);
        assert_eq!(
            status.code(),
            Code::PermissionDenied,
            "{label}: {what}: {status:?}"
        );
        assert_error(&status, Code::PermissionDenied, None);
    };
    let rs = fx::RS_TEAM;

    // GetOrgUnit: outside, above, and unknown are the same refusal.
    for name in ["orgUnits/HSN", "orgUnits/RJH", "orgUnits/NO-SUCH-UNIT"] {
        let m = pb::GetOrgUnitRequest {
            name: name.into(),
            ..Default::default()
        };
        let result = app
            .organization()
            .get_org_unit(bearer(m, rs))
            .await
            .map(drop);
        denied(result, name);
    }
    let m = pb::GetOrgUnitRequest {
        name: "orgUnits/RS-605".into(),
        ..Default::default()
    };
    app.organization()
        .get_org_unit(bearer(m, rs))
        .await
        .expect("a unit inside RS");

    // ListOrgUnits without a filter: RS's subtree only; the region reader sees more.
    let list = |token: &'static str| {
        let mut client = app.organization();
        async move {
            client
                .list_org_units(bearer(pb::ListOrgUnitsRequest::default(), token))
                .await
                .expect("list")
                .into_inner()
                .org_units
        }
    };
    let scoped = list(rs).await;
    let region = list(fx::READER).await;
    assert!(
        !scoped.is_empty() && scoped.len() < region.len(),
        "{label}: {} of {}",
        scoped.len(),
        region.len()
    );
    assert!(
        all_in_rs(scoped.iter().map(|u| u.name.clone())),
        "{label}: {scoped:?}"
    );
    let m = pb::ListOrgUnitsRequest {
        org_unit: "orgUnits/HSN".into(),
        ..Default::default()
    };
    denied(
        app.organization()
            .list_org_units(bearer(m, rs))
            .await
            .map(drop),
        "children of HSN",
    );

    // ListBudgetLines: no filter means RS's subtree; HSN is refused.
    let lines = app
        .budget()
        .list_budget_lines(bearer(
            pb::ListBudgetLinesRequest {
                page_size: 1000,
                ..Default::default()
            },
            rs,
        ))
        .await
        .expect("lines")
        .into_inner()
        .budget_lines;
    assert!(!lines.is_empty(), "{label}: RS has lines");
    assert!(
        all_in_rs(lines.iter().map(|l| l.org_unit.clone())),
        "{label}: only RS lines"
    );
    let m = pb::ListBudgetLinesRequest {
        org_unit: "orgUnits/HSN".into(),
        ..Default::default()
    };
    denied(
        app.budget()
            .list_budget_lines(bearer(m, rs))
            .await
            .map(drop),
        "HSN's lines",
    );

    // Summaries over a parent of RS (or a sibling) are refused.
    for unit in ["orgUnits/RJH", "orgUnits/HSN"] {
        let m = pb::SummarizeBudgetRequest {
            org_unit: unit.into(),
            fiscal_year: 2023,
            ..Default::default()
        };
        denied(
            app.budget().summarize_budget(bearer(m, rs)).await.map(drop),
            unit,
        );
        let m = pb::SummarizeInvestmentsRequest {
            org_unit: unit.into(),
            fiscal_year: 2024,
            ..Default::default()
        };
        denied(
            app.investments()
                .summarize_investments(bearer(m, rs))
                .await
                .map(drop),
            unit,
        );
    }

    // Investments: HSN's is refused as an unknown one is; the list holds RS's only.
    for name in [fx::HSN_INVESTMENT, "investments/no-such-investment"] {
        let m = pb::GetInvestmentRequest {
            name: name.into(),
            ..Default::default()
        };
        denied(
            app.investments()
                .get_investment(bearer(m, rs))
                .await
                .map(drop),
            name,
        );
    }
    let investments = app
        .investments()
        .list_investments(bearer(pb::ListInvestmentsRequest::default(), rs))
        .await
        .expect("investments")
        .into_inner()
        .investments;
    assert!(!investments.is_empty(), "{label}: RS has investments");
    assert!(all_in_rs(investments.iter().map(|i| i.org_unit.clone())));

    // Staffing lists without a filter: RS's subtree only.
    let headcounts = app
        .staffing()
        .list_headcounts(bearer(pb::ListHeadcountsRequest::default(), rs))
        .await
        .expect("headcounts")
        .into_inner()
        .headcounts;
    assert!(!headcounts.is_empty());
    assert!(all_in_rs(headcounts.iter().map(|h| h.org_unit.clone())));
    let sick = app
        .staffing()
        .list_sick_leave(bearer(pb::ListSickLeaveRequest::default(), rs))
        .await
        .expect("sick leave")
        .into_inner();
    assert!(all_in_rs(
        sick.sick_leave.iter().map(|s| s.org_unit.clone())
    ));

    // A page token issued to the region reader does not carry over to the scoped token.
    let first = app
        .budget()
        .list_budget_lines(bearer(
            pb::ListBudgetLinesRequest {
                page_size: 1,
                ..Default::default()
            },
            fx::READER,
        ))
        .await
        .expect("first page")
        .into_inner();
    assert!(!first.next_page_token.is_empty());
    let m = pb::ListBudgetLinesRequest {
        page_size: 1,
        page_token: first.next_page_token,
        ..Default::default()
    };
    let status = app
        .budget()
        .list_budget_lines(bearer(m, rs))
        .await
        .unwrap_err();
    assert_error(&status, Code::InvalidArgument, Some("page_token"));

    // The demo data came through the command line: a scoped reader sees none of its log.
    let log = app
        .imports()
        .list_imports(bearer(pb::ListImportsRequest::default(), rs))
        .await
        .expect("imports")
        .into_inner()
        .imports;
    assert!(log.is_empty(), "{label}: {log:?}");
}

async fn scoped_imports(fixture: &Fixture) {
    let app = &fixture.app;
    let label = app.label;
    let log = |token: &'static str| {
        let mut client = app.imports();
        async move {
            client
                .list_imports(bearer(pb::ListImportsRequest::default(), token))
                .await
                .expect("imports")
                .into_inner()
                .imports
        }
    };
    let before = log(fx::READER).await.len();

    // An import touching HSN is rejected whole, naming the record; nothing is written.
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![
            fx::import_header("rs-mixed", false),
            fx::budget_line("RS-605", -1000),
            fx::budget_line("HSN", -2000),
        ],
    )
    .await
    .unwrap_err();
    assert_error(&status, Code::PermissionDenied, None);
    assert!(
        status.message().contains("records[1]"),
        "{label}: {}",
        status.message()
    );
    // A category is region-wide; an investment figure of HSN's investment is outside.
    let category = fx::record(pb::import_record::Kind::Category(pb::CategoryRecord {
        code: "NY_KATEGORI".into(),
        name: "Ny".into(),
        direction: pb::Direction::Cost as i32,
        order: 999,
        ..Default::default()
    }));
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![fx::import_header("", true), category],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{label}: category");
    let figure = fx::record(pb::import_record::Kind::InvestmentFigure(
        pb::InvestmentFigureRecord {
            investment: "hsn-2025-med-ongoing-frame".into(),
            fiscal_year: 2025,
            from_month: 1,
            to_month: 12,
            budget_sek: Some(1),
            ..Default::default()
        },
    ));
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![fx::import_header("", true), figure],
    )
    .await
    .unwrap_err();
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "{label}: HSN's investment"
    );
    assert_eq!(
        log(fx::READER).await.len(),
        before,
        "{label}: nothing was logged"
    );

    // Inside RS it is applied and logged with who imported; a new unit under RS may be made.
    let unit = fx::record(pb::import_record::Kind::OrgUnit(pb::OrgUnitRecord {
        code: "RS-NEW".into(),
        name: "Ny avdelning".into(),
        kind: pb::OrgUnitKind::Department as i32,
        parent: "RS-RST".into(),
        valid_from: "2020-01-01".into(),
        ..Default::default()
    }));
    let done = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![
            fx::import_header("rs-ok", false),
            unit,
            fx::budget_line("RS-NEW", -1000),
        ],
    )
    .await
    .expect("an import inside RS");
    assert!(!done.r#import.is_empty());
    // The region's own import (unscoped) is not shown to the scoped reader.
    fx::import(
        app,
        Some(fx::REGION),
        vec![
            fx::import_header("region-1", false),
            fx::budget_line("HSN", -3000),
        ],
    )
    .await
    .expect("a region import");

    let region_view = log(fx::READER).await;
    assert_eq!(region_view.len(), before + 2, "{label}");
    assert_eq!(region_view[0].imported_by, "region");
    assert_eq!(region_view[1].imported_by, "rs-team");
    let rs_view = log(fx::RS_TEAM).await;
    assert_eq!(rs_view.len(), 1, "{label}: {rs_view:?}");
    assert_eq!(rs_view[0].name, done.r#import);
    assert_eq!(rs_view[0].imported_by, "rs-team");
    // A JWT scoped to RS sees the same; its own import names the JWT subject.
    let jwt = rs_jwt(&fixture.idp);
    fx::import(
        app,
        Some(&jwt),
        vec![
            fx::import_header("jwt-1", false),
            fx::budget_line("RS", -4000),
        ],
    )
    .await
    .expect("a JWT import inside RS");
    let mut client = app.imports();
    let jwt_view = client
        .list_imports(bearer(pb::ListImportsRequest::default(), &jwt))
        .await
        .expect("imports")
        .into_inner()
        .imports;
    assert_eq!(jwt_view.len(), 2, "{label}");
    assert_eq!(jwt_view[0].imported_by, "jwt:alice");

    // Replaying the region's request id does not reveal that import's result.
    let status = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![
            fx::import_header("region-1", false),
            fx::budget_line("RS", -1),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{label}: replay");
    // Its own replay is answered as before.
    let again = fx::import(
        app,
        Some(fx::RS_TEAM),
        vec![fx::import_header("rs-ok", false), fx::budget_line("RS", -1)],
    )
    .await
    .expect("own replay");
    assert!(again.replayed);
}
