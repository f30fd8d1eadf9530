#!/usr/bin/env python3
"""The Python grpcio client of the RPC import benchmark (run.py starts it).

    grpc_client.py ADDRESS LINES_FILE GENERATED_DIR [--aio] [--build-only]

Streams the records of LINES_FILE (the record format; `source` and `budget_line` lines) to
ImportService/Import as typed messages, one record a message, from a generator, so grpcio
pulls each message as flow control lets it and the million never sit in memory at once. The
first `source` line becomes the header; a later one gives the records after it their own
document and table. GENERATED_DIR holds the message classes grpcio-tools generated from
proto/ (run.py generates them for each run). --aio streams through grpc.aio from an async
generator instead of the synchronous API's request iterator.

Prints one JSON line: seconds from the call's start to its response, the records sent, the
response's counts, and this process's peak RSS. --build-only parses the file and builds and
serialises every message without a server, to tell the client's own cost apart.
"""

import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records  # noqa: E402


def main():
    address, path, generated = sys.argv[1], sys.argv[2], sys.argv[3]
    build_only = "--build-only" in sys.argv[4:]
    aio = "--aio" in sys.argv[4:]
    sys.path.insert(0, generated)
    from uppsikt.v1 import budget_pb2  # noqa: F401  (the record messages' own file)
    from uppsikt.v1 import import_pb2

    ImportRequest = import_pb2.ImportRequest
    ImportRecord = import_pb2.ImportRecord
    BudgetLineRecord = import_pb2.BudgetLineRecord
    sent = 0

    def messages():
        nonlocal sent
        header_sent = False
        document = table = ""
        for kind, values in records.read(path):
            if kind == "source":
                if not header_sent:
                    header_sent = True
                    yield ImportRequest(header=import_pb2.ImportHeader(
                        source=import_pb2.ImportSource(
                            document=values.get("document", ""),
                            table=values.get("table", ""),
                            system="rpc_import_bench/grpc_client.py")))
                    header_document, header_table = values.get("document", ""), values.get("table", "")
                else:
                    document, table = values.get("document", ""), values.get("table", "")
                    if (document, table) == (header_document, header_table):
                        document = table = ""
                continue
            if not header_sent:
                raise SystemExit(f"{path}: a record before any source line")
            yield ImportRequest(record=ImportRecord(
                budget_line=BudgetLineRecord(
                    org_unit=values["org_unit"],
                    category=values["category"],
                    fiscal_year=int(values["fiscal_year"]),
                    from_month=int(values["from_month"]),
                    to_month=int(values["to_month"]),
                    scenario=records.SCENARIOS[values["scenario"]],
                    amount_sek=int(values["amount_sek"]),
                ),
                document=values.get("document", document),
                table=values.get("table", table),
            ))
            sent += 1

    started = time.monotonic()
    if build_only:
        size = 0
        for message in messages():
            size += len(message.SerializeToString())
        result = {"seconds": time.monotonic() - started, "sent": sent, "bytes": size}
    elif aio:
        import asyncio

        import grpc

        async def stream():
            for message in messages():
                yield message

        async def call():
            async with grpc.aio.insecure_channel(address) as channel:
                method = channel.stream_unary(
                    "/uppsikt.v1.ImportService/Import",
                    request_serializer=ImportRequest.SerializeToString,
                    response_deserializer=import_pb2.ImportResponse.FromString,
                )
                return await method(stream())

        try:
            reply = asyncio.run(call())
        except grpc.RpcError as error:
            print(json.dumps({"error": f"{error.code()}: {error.details()}", "sent": sent}))
            sys.exit(1)
        result = {
            "seconds": time.monotonic() - started,
            "sent": sent,
            "counts": {c.kind: {"inserted": c.inserted, "superseded": c.superseded,
                                "unchanged": c.unchanged} for c in reply.counts},
            "import": getattr(reply, "import"),
        }
    else:
        import grpc

        channel = grpc.insecure_channel(
            address, options=[("grpc.max_receive_message_length", 64 << 20)])
        call = channel.stream_unary(
            "/uppsikt.v1.ImportService/Import",
            request_serializer=ImportRequest.SerializeToString,
            response_deserializer=import_pb2.ImportResponse.FromString,
        )
        try:
            reply = call(messages())
        except grpc.RpcError as error:
            print(json.dumps({"error": f"{error.code()}: {error.details()}", "sent": sent}))
            sys.exit(1)
        result = {
            "seconds": time.monotonic() - started,
            "sent": sent,
            "counts": {c.kind: {"inserted": c.inserted, "superseded": c.superseded,
                                "unchanged": c.unchanged} for c in reply.counts},
            "import": getattr(reply, "import"),
        }
    result["client_peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


if __name__ == "__main__":
    main()
