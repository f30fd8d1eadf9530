#!/usr/bin/env python3
"""A Python client of Uppsikt that needs no .proto files: it discovers the services and
message types through gRPC server reflection, then calls the API like any regional system
would, and checks real figures from the reports.

    python3 -m pip install grpcio grpcio-reflection grpcio-health-checking
    python3 examples/python_client.py 127.0.0.1:50051     # a server started with --demo

Exits non-zero, saying why, when a check fails. CI runs it against a live server.
"""

import sys
import uuid

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

# The services the contract fixes (docs: /work/shared/API.md, proto/uppsikt/v1/).
REQUIRED_SERVICES = {
    "uppsikt.v1.OrganizationService",
    "uppsikt.v1.BudgetService",
    "uppsikt.v1.InvestmentService",
    "uppsikt.v1.StaffingService",
    "uppsikt.v1.ImportService",
}
# HSN's net cost Jan–Apr 2025: the tertial report prints −1 271 592 tkr; the service derives
# −1 271 593 000 kr from the printed lines (printed totals are sums of unrounded figures).
HSN_NET_COST_JAN_APR_2025_SEK = -1_271_593_000


class Client:
    """Calls any method by its full name, with message classes from reflection."""

    def __init__(self, channel):
        self.channel = channel
        self.pool = descriptor_pool.DescriptorPool(
            ProtoReflectionDescriptorDatabase(channel)
        )

    def services(self):
        stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        response = next(stub.ServerReflectionInfo(iter([request])))
        return {s.name for s in response.list_services_response.service}

    def call(self, method, fields, metadata=()):
        """Calls `package.Service/Method` with a request built from `fields` (proto3 JSON
        names); returns (response as a dict, initial metadata as a dict)."""
        service_name, method_name = method.split("/")
        service = self.pool.FindServiceByName(service_name)
        descriptor = service.methods_by_name[method_name]
        request_class = message_factory.GetMessageClass(descriptor.input_type)
        response_class = message_factory.GetMessageClass(descriptor.output_type)
        stub = self.channel.unary_unary(
            f"/{service_name}/{method_name}",
            request_serializer=request_class.SerializeToString,
            response_deserializer=response_class.FromString,
        )
        request = json_format.ParseDict(fields, request_class())
        response, call = stub.with_call(request, metadata=metadata, timeout=30)
        return (
            json_format.MessageToDict(response, preserving_proto_field_name=True),
            dict(call.initial_metadata()),
        )


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"ok   {message}")


def main(target):
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        health = health_pb2_grpc.HealthStub(channel)
        status = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        check(status.status == health_pb2.HealthCheckResponse.SERVING, "health: SERVING")

        client = Client(channel)
        services = client.services()
        missing = REQUIRED_SERVICES - services
        check(not missing, f"reflection lists the API's services (missing: {sorted(missing)})")

        request_id = f"python-{uuid.uuid4()}"
        summary, metadata = client.call(
            "uppsikt.v1.BudgetService/SummarizeBudget",
            {"org_unit": "orgUnits/HSN", "fiscal_year": 2025, "from_month": 1, "to_month": 4},
            metadata=[("x-request-id", request_id)],
        )
        net = summary.get("totals", {}).get("net_cost", {}).get("actual_sek")
        check(
            net is not None and int(net) == HSN_NET_COST_JAN_APR_2025_SEK,
            f"SummarizeBudget HSN Jan–Apr 2025: net cost {net} kr "
            f"(expected {HSN_NET_COST_JAN_APR_2025_SEK})",
        )
        check(metadata.get("x-request-id") == request_id, "x-request-id returned")

        unit, _ = client.call("uppsikt.v1.OrganizationService/GetOrgUnit", {"name": "orgUnits/HSN"})
        check(unit.get("name") == "orgUnits/HSN", f"GetOrgUnit: {unit.get('display_name', unit)}")

        try:
            client.call(
                "uppsikt.v1.BudgetService/SummarizeBudget",
                {"org_unit": "orgUnits/HSN", "fiscal_year": 2025, "from_month": 13, "to_month": 4},
            )
            check(False, "month 13 is rejected")
        except grpc.RpcError as error:
            details = dict(error.trailing_metadata() or ())
            check(
                error.code() == grpc.StatusCode.INVALID_ARGUMENT
                and "grpc-status-details-bin" in details,
                "month 13: INVALID_ARGUMENT with google.rpc.Status details",
            )
    print("all checks passed")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} HOST:PORT")
    try:
        main(sys.argv[1])
    except (AssertionError, grpc.RpcError) as failure:
        sys.exit(f"FAILED: {failure}")
