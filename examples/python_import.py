#!/usr/bin/env python3
"""Streams a large import into Uppsikt from Python grpcio, the way a region's own system
would feed it: message classes from server reflection, one record per message, then checks
that every record landed and that the data answers for it.

    python3 -m pip install grpcio grpcio-reflection
    python3 examples/python_import.py 127.0.0.1:50051 100000   # a server started with --demo

The records are budget lines of the units under RS and the region's categories, for the
fiscal years 2100 onwards (no real data lies there), one month each. Exits non-zero, saying
why, when a check fails. CI runs it against a live server.
"""

import sys
import time

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

FIRST_YEAR = 2100
YEARS = 100


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    channel = grpc.insecure_channel(address)
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))

    def method(full_name):
        service, name = full_name.split("/")
        descriptor = pool.FindServiceByName(service).methods_by_name[name]
        return (
            descriptor,
            message_factory.GetMessageClass(descriptor.input_type),
            message_factory.GetMessageClass(descriptor.output_type),
        )

    def unary(full_name, **fields):
        _, request, response = method(full_name)
        call = channel.unary_unary(
            "/" + full_name,
            request_serializer=request.SerializeToString,
            response_deserializer=response.FromString,
        )
        return call(request(**fields))

    units = [
        u.code
        for u in unary(
            "uppsikt.v1.OrganizationService/ListOrgUnits",
            org_unit="orgUnits/RS",
            include_descendants=True,
            page_size=1000,
        ).org_units
    ] + ["RS"]
    categories = [
        c.code
        for c in unary("uppsikt.v1.BudgetService/ListCategories", page_size=1000).categories
    ]
    series = YEARS * 12
    if count > series * len(units) * len(categories):
        sys.exit(f"at most {series * len(units) * len(categories)} distinct lines fit")

    _, request, response = method("uppsikt.v1.ImportService/Import")
    document = f"python-import-{int(time.time())}"

    def messages():
        yield request(header={"source": {"document": document, "system": "python_import.py"}})
        for i in range(count):
            message = request()
            line = message.record.budget_line
            line.org_unit = units[(i // series) % len(units)]
            line.category = categories[i // (series * len(units))]
            line.fiscal_year = FIRST_YEAR + (i // 12) % YEARS
            line.from_month = line.to_month = i % 12 + 1
            line.scenario = 1  # SCENARIO_ACTUAL
            line.amount_sek = -(i + 1)
            yield message

    call = channel.stream_unary(
        "/uppsikt.v1.ImportService/Import",
        request_serializer=request.SerializeToString,
        response_deserializer=response.FromString,
    )
    started = time.monotonic()
    try:
        reply = call(messages())
    except grpc.RpcError as error:
        sys.exit(f"import of {count} records failed: {error.code()}: {error.details()}")
    seconds = time.monotonic() - started
    inserted = sum(c.inserted for c in reply.counts if c.kind == "budget_line")
    if inserted != count:
        sys.exit(f"{inserted} budget lines inserted, expected {count}: {reply}")
    print(f"{count} records streamed and committed in {seconds:.1f} s "
          f"({count / seconds:,.0f} records/s), import {reply.__getattribute__('import')}")

    # The data answers for what was sent: the first unit's first category in the first year.
    summary = unary(
        "uppsikt.v1.BudgetService/SummarizeBudget",
        org_unit=f"orgUnits/{units[0]}",
        fiscal_year=FIRST_YEAR,
    )
    months = min(12, count)
    expected = -sum(range(1, months + 1))
    got = next(
        (g.figures.actual_sek for g in summary.groups[0].categories
         if g.category == f"categories/{categories[0]}"),
        None,
    ) if summary.groups else None
    if got != expected:
        sys.exit(f"{units[0]} {categories[0]} {FIRST_YEAR}: actual {got}, expected {expected}")
    print(f"SummarizeBudget of {units[0]} {FIRST_YEAR}: {categories[0]} actual {got} kr, as sent")


if __name__ == "__main__":
    main()
