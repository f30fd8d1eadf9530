//! OrganizationService on the demo tree.

use crate::common;

use common::{assert_error, for_each_backend};
use uppsikt::proto::v1 as pb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_and_list_units() {
    for_each_backend(true, async |app| {
        let mut client = app.organization();
        let hsn = client
            .get_org_unit(pb::GetOrgUnitRequest {
                name: "orgUnits/HSN".into(),
                ..Default::default()
            })
            .await
            .expect("HSN")
            .into_inner();
        assert_eq!(hsn.display_name, "Hälso- och sjukvårdsnämnden");
        assert_eq!(hsn.parent, "orgUnits/RJH");
        assert_eq!(hsn.kind, pb::OrgUnitKind::Committee as i32);

        let children = client
            .list_org_units(pb::ListOrgUnitsRequest {
                org_unit: "orgUnits/RJH".into(),
                ..Default::default()
            })
            .await
            .expect("children")
            .into_inner();
        let codes: Vec<&str> = children.org_units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes, ["HSN", "RS"]);

        let divisions = client
            .list_org_units(pb::ListOrgUnitsRequest {
                org_unit: "orgUnits/RJH".into(),
                include_descendants: true,
                kind: pb::OrgUnitKind::Division as i32,
                ..Default::default()
            })
            .await
            .expect("divisions")
            .into_inner();
        assert!(divisions.org_units.iter().any(|u| u.code == "HSN-MED"));
        assert!(
            divisions
                .org_units
                .iter()
                .all(|u| u.kind == pb::OrgUnitKind::Division as i32)
        );

        // Paging over the whole tree returns every unit once, in code order.
        let mut codes = Vec::new();
        let mut token = String::new();
        loop {
            let page = client
                .list_org_units(pb::ListOrgUnitsRequest {
                    page_size: 4,
                    page_token: token,
                    ..Default::default()
                })
                .await
                .expect("page")
                .into_inner();
            codes.extend(page.org_units.into_iter().map(|u| u.code));
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert!(codes.len() >= 20, "{codes:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_unit_is_placed_by_the_structure_date() {
    for_each_backend(true, async |app| {
        let mut client = app.organization();
        let at = |date: &str| pb::GetOrgUnitRequest {
            name: "orgUnits/KST-1700".into(),
            structure_date: date.into(),
            ..Default::default()
        };
        let before = client
            .get_org_unit(at("2024-06-30"))
            .await
            .expect("2024")
            .into_inner();
        let after = client
            .get_org_unit(at("2025-06-30"))
            .await
            .expect("2025")
            .into_inner();
        assert_eq!(before.parent, "orgUnits/HSN-HSD");
        assert_eq!(after.parent, "orgUnits/RS-RST");
        let before_2020 = client
            .get_org_unit(at("2019-12-31"))
            .await
            .expect_err("not yet");
        assert_error(&before_2020, tonic::Code::NotFound, None);

        let hsn_2024 = client
            .list_org_units(pb::ListOrgUnitsRequest {
                org_unit: "orgUnits/HSN".into(),
                include_descendants: true,
                structure_date: "2024-06-30".into(),
                ..Default::default()
            })
            .await
            .expect("HSN 2024")
            .into_inner();
        assert!(hsn_2024.org_units.iter().any(|u| u.code == "KST-1700"));
        let hsn_2025 = client
            .list_org_units(pb::ListOrgUnitsRequest {
                org_unit: "orgUnits/HSN".into(),
                include_descendants: true,
                structure_date: "2025-06-30".into(),
                ..Default::default()
            })
            .await
            .expect("HSN 2025")
            .into_inner();
        assert!(!hsn_2025.org_units.iter().any(|u| u.code == "KST-1700"));
    })
    .await;
}
