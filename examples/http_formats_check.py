#!/usr/bin/env python3
"""The spreadsheet and OpenAPI forms read by clients nobody on the project wrote: pandas
(CSV on its defaults, and the Excel dialect), openpyxl (XLSX) and openapi-spec-validator.

    python3 examples/http_formats_check.py 127.0.0.1:50051

Needs a server with the demo data, and `pip install pandas openpyxl openapi-spec-validator`.
tests/it/sheets.rs runs it against the test servers; it exits non-zero on the first failure.
"""

import datetime
import io
import json
import sys
import urllib.request

import openpyxl
import pandas as pd
from openapi_spec_validator import validate

BASE = f"http://{sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1:50051'}"

SUMMARIES = [
    "BudgetService/SummarizeBudget?org_unit=orgUnits/HSN&fiscal_year=2025&from_month=1&to_month=4",
    "BudgetService/SummarizeBudget?org_unit=orgUnits/RS&fiscal_year=2023&group_by=SUMMARY_GROUPING_CHILD_UNIT",
    "InvestmentService/SummarizeInvestments?org_unit=orgUnits/HSN&fiscal_year=2024",
    "IndicatorService/SummarizeIndicators?org_unit=orgUnits/HSN&fiscal_year=2025",
    "StaffingService/SummarizeStaffing?org_unit=orgUnits/HSN&fiscal_year=2025&from_month=1&to_month=4&table=hired_staff",
]
READS = SUMMARIES + [
    "BudgetService/ListBudgetLines?org_unit=orgUnits/HSN&include_descendants=true&fiscal_year=2025",
    "OrganizationService/ListOrgUnits?",
    "OrganizationService/GetOrgUnit?name=orgUnits/HSN",
    "InvestmentService/ListInvestments?fiscal_year=2024",
]


def url(read, **params):
    extra = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{BASE}/uppsikt.v1.{read}&{extra}"


def fetch(address):
    with urllib.request.urlopen(address) as response:
        return response.read()


def money_columns(frame):
    return [c for c in frame.columns if c.endswith("_sek")]


def check_pandas(read):
    """Money is whole kronor: int64 where every row has the figure, and never a fraction.
    A blank is a figure the answer does not have (not 0), which NumPy integers cannot hold:
    pandas' nullable integers (`dtype_backend="numpy_nullable"`) read every money column as
    Int64, blanks as <NA>."""
    frame = pd.read_csv(url(read, format="csv"))
    assert len(frame) > 0, read
    assert not any(c.startswith("figures.") for c in frame.columns), (read, list(frame.columns))
    for column in money_columns(frame):
        values = frame[column]
        if values.isna().any():
            assert str(values.dtype) == "float64", (read, column, values.dtype)
            assert (values.dropna() % 1 == 0).all(), (read, column)
        else:
            assert str(values.dtype) == "int64", (read, column, values.dtype)
    nullable = pd.read_csv(url(read, format="csv"), dtype_backend="numpy_nullable")
    for column in money_columns(nullable):
        assert str(nullable[column].dtype) == "Int64", (read, column, nullable[column].dtype)
    # The Excel dialect holds the same table.
    excel = pd.read_csv(
        io.BytesIO(fetch(url(read, format="csv", dialect="excel"))),
        sep=";", decimal=",", encoding="utf-8-sig",
    )
    pd.testing.assert_frame_equal(frame, excel, check_exact=True)
    return frame, nullable


def check_budget_against_json():
    read = SUMMARIES[0]
    answer = json.loads(fetch(url(read, format="json")))
    _, frame = check_pandas(read)
    categories = frame[frame["section"] == "groups.categories"]
    expected = [c["figures"].get("actualSek") for c in answer["groups"][0]["categories"]]
    shown = [None if pd.isna(v) else str(v) for v in categories["actual_sek"]]
    assert shown == expected, (shown, expected)
    net = frame[frame["section"] == "totals.net_cost"]["actual_sek"].iloc[0]
    assert str(net) == answer["totals"]["netCost"]["actualSek"], net
    print(f"pandas: SummarizeBudget's {len(categories)} categories and net cost {net} kr as in JSON")


def check_openpyxl(read):
    """The workbook's first sheet: the CSV's columns and rows; figures as numbers, money as
    whole numbers, dates as dates, text intact."""
    workbook = openpyxl.load_workbook(io.BytesIO(fetch(url(read, format="xlsx"))))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    csv = pd.read_csv(url(read, format="csv"), dtype=str, keep_default_na=False)
    assert list(rows[0]) == list(csv.columns), (read, rows[0], list(csv.columns))
    assert len(rows) - 1 == len(csv), (read, len(rows) - 1, len(csv))
    numbers = 0
    for cells, (_, expected) in zip(rows[1:], csv.iterrows()):
        for column, cell, text in zip(csv.columns, cells, expected):
            if text == "":
                assert cell is None, (read, column, cell)
            elif column.endswith("_sek"):
                assert isinstance(cell, (int, float)) and cell == int(text), (read, column, cell, text)
                numbers += 1
            elif isinstance(cell, datetime.datetime):
                assert cell.date().isoformat() == text, (read, column, cell, text)
            elif isinstance(cell, bool):
                assert str(cell).lower() == text, (read, column, cell, text)
            elif isinstance(cell, (int, float)):
                assert cell == float(text), (read, column, cell, text)
            else:
                assert cell == text, (read, column, cell, text)
    return numbers


def check_openapi():
    for query, version in [("", "openapi"), ("?version=2.0", "swagger")]:
        document = json.loads(fetch(f"{BASE}/openapi.json{query}"))
        validate(document)
        print(f"openapi-spec-validator: /openapi.json{query} ({version} {document.get(version)}) valid, "
              f"{len(document['paths'])} paths")


def main():
    check_budget_against_json()
    for read in SUMMARIES:
        check_pandas(read)
    print(f"pandas: {len(SUMMARIES)} Summarize CSVs: money whole kronor, Int64 with nullable dtypes, "
          "the Excel dialect the same table")
    money = sum(check_openpyxl(read) for read in READS)
    assert money > 100, money
    print(f"openpyxl: {len(READS)} workbooks agree with their CSVs ({money} money cells as numbers)")
    check_openapi()


if __name__ == "__main__":
    main()
