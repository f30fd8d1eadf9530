//! The access case of every RPC, keyed `Service/Method`, on the demo data with a credential
//! scoped to RS: a request about RS that every credential with the role may make, and
//! requests about what lies outside RS. The tests take the list of RPCs from the descriptor
//! set (`rpc::api_methods`), so an RPC without a case here fails them.

use serde_json::{Value, json};

pub struct Case {
    /// A request about RS (for Import: a dry run writing inside RS).
    pub inside: Value,
    /// Requests about what lies outside RS: a scoped credential must get OUTSIDE_SCOPE, or
    /// an answer that names no unit outside RS.
    pub outside: Vec<Value>,
}

/// An Import stream: a dry-run header, then `records` (ImportRequest messages' `record`).
fn import(records: &[Value]) -> Value {
    let mut messages = vec![json!({"header": {
        "source": {"document": "access-test", "system": "test"},
        "dryRun": true,
    }})];
    messages.extend(records.iter().map(|r| json!({"record": r})));
    Value::Array(messages)
}

fn retraction(record: Value) -> Value {
    json!({"retract": {"record": record}})
}

fn budget_line(unit: &str) -> Value {
    json!({"budgetLine": {
        "orgUnit": unit, "category": "PATIENTAVGIFTER", "fiscalYear": 2023,
        "fromMonth": 1, "toMonth": 12, "scenario": "SCENARIO_FORECAST", "amountSek": "-1000",
    }})
}

/// A list request: unfiltered (what a scoped caller sees of everything), and filtered to
/// HSN's subtree and to the region above RS.
fn list_outside(extra: Value) -> Vec<Value> {
    let with = |unit: &str| {
        let mut v = extra.clone();
        v["orgUnit"] = json!(unit);
        v["includeDescendants"] = json!(true);
        v
    };
    vec![
        extra.clone(),
        with("orgUnits/HSN"),
        with("orgUnits/RJH"),
        with("orgUnits/NO-SUCH"),
    ]
}

fn list_case(extra: Value) -> Case {
    let mut inside = extra.clone();
    inside["orgUnit"] = json!("orgUnits/RS");
    inside["includeDescendants"] = json!(true);
    Case {
        inside,
        outside: list_outside(extra),
    }
}

/// A summary of RS, and of HSN, the region and an unknown unit.
fn summary_case(extra: Value) -> Case {
    let with = |unit: &str| {
        let mut v = extra.clone();
        v["orgUnit"] = json!(unit);
        v
    };
    Case {
        inside: with("orgUnits/RS"),
        outside: vec![
            with("orgUnits/HSN"),
            with("orgUnits/RJH"),
            with("orgUnits/NO-SUCH"),
        ],
    }
}

/// The case of `key`; `None` for an RPC nobody wrote a case for.
pub fn case(key: &str) -> Option<Case> {
    Some(match key {
        "OrganizationService/GetOrgUnit" => Case {
            inside: json!({"name": "orgUnits/RS-605"}),
            outside: vec![
                json!({"name": "orgUnits/HSN"}),
                json!({"name": "orgUnits/RJH"}),
                json!({"name": "orgUnits/NO-SUCH"}),
                // KST-1700 lay under HSN in 2024.
                json!({"name": "orgUnits/KST-1700", "structureDate": "2024-06-01"}),
            ],
        },
        "OrganizationService/ListOrgUnits" => Case {
            inside: json!({"orgUnit": "orgUnits/RS", "includeDescendants": true}),
            outside: vec![
                json!({}),
                json!({"orgUnit": "orgUnits/HSN"}),
                json!({"orgUnit": "orgUnits/RJH"}),
                json!({"structureDate": "2024-06-01"}),
            ],
        },
        // Region-wide definitions: every credential with `read` sees them.
        "BudgetService/ListCategories" => Case {
            inside: json!({}),
            outside: vec![json!({})],
        },
        "StaffingService/ListProfessionGroups" => Case {
            inside: json!({}),
            outside: vec![json!({})],
        },
        "BudgetService/ListBudgetLines" => list_case(json!({})),
        "BudgetService/SummarizeBudget" => summary_case(json!({"fiscalYear": 2023})),
        "InvestmentService/GetInvestment" => Case {
            inside: json!({"name": "investments/rs-2023-it-infrastruktur"}),
            outside: vec![
                json!({"name": "investments/hsn-2025-med-ongoing-frame"}),
                json!({"name": "investments/no-such-investment"}),
            ],
        },
        "InvestmentService/ListInvestments" => list_case(json!({})),
        "InvestmentService/SummarizeInvestments" => {
            summary_case(json!({"fiscalYear": 2023, "groupBy": ["INVESTMENT_DIMENSION_FUNDING"]}))
        }
        "StaffingService/ListHeadcounts" => list_case(json!({})),
        "StaffingService/ListWorkedHours" => list_case(json!({})),
        "StaffingService/ListHiredStaff" => list_case(json!({})),
        "StaffingService/ListSickLeave" => list_case(json!({})),
        "StaffingService/ListPositions" => list_case(json!({})),
        "StaffingService/SummarizeStaffing" => summary_case(json!({"fiscalYear": 2023})),
        "IndicatorService/ListIndicators" => list_case(json!({})),
        "IndicatorService/GetIndicator" => Case {
            inside: json!({"name": "indicators/rs-2023-m01"}),
            outside: vec![
                json!({"name": "indicators/hsn-2025-hse"}),
                json!({"name": "indicators/no-such-indicator"}),
            ],
        },
        "IndicatorService/SummarizeIndicators" => summary_case(json!({"fiscalYear": 2025})),
        "IndicatorService/ListAssignments" => list_case(json!({})),
        "ChangeService/ListChanges" => Case {
            inside: json!({"orgUnit": "orgUnits/RS", "includeDescendants": true, "pageSize": 1000}),
            outside: vec![
                json!({"pageSize": 1000}),
                json!({"orgUnit": "orgUnits/HSN", "includeDescendants": true}),
                json!({"orgUnit": "orgUnits/RJH"}),
            ],
        },
        "ImportService/ListImports" => Case {
            inside: json!({}),
            outside: vec![json!({"pageSize": 1000})],
        },
        "ImportService/Import" => Case {
            inside: import(&[budget_line("RS")]),
            outside: vec![
                import(&[budget_line("RS"), budget_line("HSN")]),
                import(&[budget_line("NO-SUCH")]),
                // Hole 3: taking over HSN's assignment by its key.
                import(&[json!({"assignment": {
                    "code": "hsn-2025-u01", "orgUnit": "RS", "goalArea": "x",
                    "fiscalYear": 2025, "text": "taken over",
                }})]),
                // Hole 4: rewriting HSN's past tree, by a placement or its retraction.
                import(&[json!({"orgUnit": {
                    "code": "KST-1700", "name": "Medicinteknik", "kind": "ORG_UNIT_KIND_COST_CENTRE",
                    "parent": "RS-RST", "validFrom": "2020-01-01", "validTo": "2025-01-01",
                }})]),
                Value::Array(vec![
                    import(&[])[0].clone(),
                    retraction(json!({"orgUnit": {"code": "KST-1700", "validFrom": "2020-01-01"}})),
                ]),
                // HSN's investment and an unknown one: the same refusal.
                import(&[json!({"investmentFigure": {
                    "investment": "hsn-2025-med-ongoing-frame", "fiscalYear": 2025,
                    "fromMonth": 1, "toMonth": 12, "budgetSek": "1",
                }})]),
                import(&[json!({"investmentFigure": {
                    "investment": "no-such-investment", "fiscalYear": 2025,
                    "fromMonth": 1, "toMonth": 12, "budgetSek": "1",
                }})]),
                // Retracting HSN's assignment, and a key that names nothing.
                Value::Array(vec![
                    import(&[])[0].clone(),
                    retraction(json!({"assignment": {"code": "hsn-2025-u01"}})),
                ]),
                Value::Array(vec![
                    import(&[])[0].clone(),
                    retraction(json!({"assignment": {"code": "no-such-assignment"}})),
                ]),
                // Region-wide definitions.
                import(&[json!({"category": {
                    "code": "NY_KATEGORI", "name": "Ny", "direction": "DIRECTION_COST", "order": 999,
                }})]),
            ],
        },
        _ => return None,
    })
}
