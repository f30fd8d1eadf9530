#!/usr/bin/env python3
"""The RPC import benchmark: the same record file through `uppsikt import` (the baseline) and
through ImportService/Import from each client, in one run, on fresh databases.

    python3 examples/rpc_import_bench/run.py [--lines FILE] [--definitions FILE]
        [--clients python,python-aio,node-grpc,node-connect,rust] [--build-only]

For the baseline: a fresh database, `uppsikt migrate`, the definitions imported by the CLI,
then the timed `uppsikt import LINES`. For each client: a fresh database with the same
definitions, `uppsikt serve` on a free port, the client streaming the records of LINES as
typed messages (one record a message), timed by the client from the call's start to the
response; then the response's counts and the database's row count are checked against the
file's records, and the server stopped. The server's (and the client's) VmRSS is sampled from
/proc every 0.2 s. The backend is a SQLite file, or PostgreSQL when UPPSIKT_TEST_POSTGRES_URL
is set (a database of its own for each step, dropped after).

--build-only also times each client parsing the file and building and serialising every
message with no server, which tells the client's own share of its time.

Needs: the release binary (--uppsikt, default target/release/uppsikt), pip's grpcio and
grpcio-tools (the Python message classes are generated from proto/ for each run), Node with
`npm ci` in clients/node (run here when node_modules is missing; `npm run generate` runs each
time), and for `rust` the example built by
`cargo build --release --example rpc_import_client`. Exits non-zero when any client's records
do not all land.
"""

import argparse
import json
import os
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import records  # noqa: E402

ALL_CLIENTS = ["python", "python-aio", "node-grpc", "node-connect", "rust"]


class RssSampler(threading.Thread):
    """Samples a process's VmRSS every 0.2 s until stopped; `peak_kib` is the largest seen."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                            break
            except (FileNotFoundError, ProcessLookupError):
                return
            self.done.wait(0.2)

    def stop(self):
        self.done.set()
        self.join()
        return self.peak_kib


def cpu_seconds(pid):
    """User plus system CPU seconds a running process has used, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    """User plus system CPU seconds of the reaped children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend:
    """Fresh databases: SQLite files in a temporary folder, or PostgreSQL databases."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.pg = os.environ.get("UPPSIKT_TEST_POSTGRES_URL")
        self.made = []
        self.name = "postgresql" if self.pg else "sqlite"

    def fresh(self, label):
        if not self.pg:
            path = os.path.join(self.workdir, f"{label}.db")
            self.made.append(path)
            return f"sqlite://{path}?mode=rwc"
        name = f"rpcbench_{os.getpid()}_{label.replace('-', '_')}"
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        scheme, rest = self.pg.split("://", 1)
        if "/" not in rest.split("?", 1)[0]:
            rest = rest.replace("?", "/?", 1) if "?" in rest else rest + "/"
        return f"{scheme}://" + re.sub(r"/[^/?]*", f"/{name}", rest, count=1)

    def psql(self, sql, url=None):
        out = subprocess.run(["psql", url or self.pg, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def budget_lines(self, url):
        if self.pg:
            return int(self.psql("SELECT count(*) FROM budget_lines", url))
        path = url.split("://", 1)[1].split("?", 1)[0]
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM budget_lines").fetchone()[0]

    def drop(self, url):
        if self.pg:
            name = url.rsplit("/", 1)[1].split("?", 1)[0]
            self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            path = url.split("://", 1)[1].split("?", 1)[0]
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)


def run_quiet(cmd, log, **kw):
    with open(log, "a") as out:
        subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT, **kw)


def prepare(args, backend, label, log):
    url = backend.fresh(label)
    run_quiet([args.uppsikt, "migrate", "--database-url", url], log)
    run_quiet([args.uppsikt, "import", "--database-url", url, args.definitions], log)
    return url


def baseline(args, backend, expected, workdir):
    log = os.path.join(workdir, "cli.log")
    url = prepare(args, backend, "cli", log)
    cpu_before = children_cpu()
    started = time.monotonic()
    with open(log, "a") as out:
        proc = subprocess.Popen([args.uppsikt, "import", "--database-url", url, args.lines],
                                stdout=out, stderr=subprocess.STDOUT)
        sampler = RssSampler(proc.pid)
        sampler.start()
        code = proc.wait()
    seconds = time.monotonic() - started
    cli_cpu = children_cpu() - cpu_before
    peak = sampler.stop()
    landed = backend.budget_lines(url)
    backend.drop(url)
    if code != 0 or landed != expected:
        sys.exit(f"baseline: uppsikt import exited {code}, {landed} of {expected} lines landed "
                 f"(see {log})")
    return {"client": "uppsikt import (CLI)", "seconds": seconds, "server_peak_kib": peak,
            "client_peak_kib": None, "server_cpu": cli_cpu, "client_cpu": None, "ok": True}


def client_command(args, client, address, generated, build_only=False):
    extra = ["--build-only"] if build_only else []
    if client in ("python", "python-aio"):
        return [sys.executable, os.path.join(HERE, "grpc_client.py"), address, args.lines,
                generated] + (["--aio"] if client == "python-aio" else []) + extra
    if client in ("node-grpc", "node-connect"):
        return ["node", os.path.join(ROOT, "clients", "node", "bench", "import.mjs"),
                client.split("-", 1)[1], f"http://{address}", args.lines] + extra
    if client == "rust":
        return [args.rust_client, f"http://{address}", args.lines] + extra
    raise ValueError(client)


def wait_ready(admin, proc, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"uppsikt serve exited {proc.returncode} (see {log})")
        try:
            with urllib.request.urlopen(f"http://{admin}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"uppsikt serve not ready in {timeout} s (see {log})")


def through_rpc(args, backend, client, expected, workdir, generated):
    log = os.path.join(workdir, f"{client}.log")
    url = prepare(args, backend, client, log)
    listen, admin = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    with open(log, "a") as out:
        server = subprocess.Popen(
            [args.uppsikt, "serve", "--database-url", url, "--listen", listen,
             "--admin-listen", admin], stdout=out, stderr=subprocess.STDOUT)
    server_rss = RssSampler(server.pid)
    server_rss.start()
    server_cpu = client_cpu = stdout = proc = None
    try:
        wait_ready(admin, server, log)
        cmd = client_command(args, client, listen, generated)
        server_cpu_before = cpu_seconds(server.pid)
        client_cpu_before = children_cpu()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(log, "a"), text=True,
                                cwd=ROOT)
        client_rss = RssSampler(proc.pid)
        client_rss.start()
        stdout, _ = proc.communicate()
        client_cpu = children_cpu() - client_cpu_before
        server_cpu = cpu_seconds(server.pid) - server_cpu_before
        client_peak = client_rss.stop()
    finally:
        server_peak = server_rss.stop()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    row = {"client": client, "server_peak_kib": server_peak, "ok": False,
           "server_cpu": server_cpu, "client_cpu": client_cpu}
    try:
        result = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": f"no result from the client (exit {proc.returncode}, see {log})"}
    row["client_peak_kib"] = max(client_peak, result.get("client_peak_rss_kib") or 0)
    row["seconds"] = result.get("seconds")
    problems = []
    try:
        landed = backend.budget_lines(url)
    except (subprocess.CalledProcessError, sqlite3.Error) as error:
        landed = None
        problems.append(f"could not count the database's budget lines: {error}")
    try:
        backend.drop(url)
    except subprocess.CalledProcessError as error:
        print(f"could not drop {url}: {error}", file=sys.stderr)
    inserted = (result.get("counts") or {}).get("budget_line", {}).get("inserted")
    if "error" in result or proc.returncode != 0:
        problems.append(f"client failed: {result.get('error')} (exit {proc.returncode})")
    if result.get("sent") != expected:
        problems.append(f"sent {result.get('sent')} records, the file holds {expected}")
    if inserted != expected:
        problems.append(f"response counts {inserted} budget lines inserted, expected {expected}")
    if landed != expected:
        problems.append(f"the database holds {landed} budget lines, expected {expected}")
    row["problems"] = problems
    row["ok"] = not problems
    return row


def build_only(args, client, expected, generated):
    cmd = client_command(args, client, "127.0.0.1:1", generated, build_only=True)
    before = children_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    sampler = RssSampler(proc.pid)
    sampler.start()
    stdout, _ = proc.communicate()
    client_cpu = children_cpu() - before
    peak = sampler.stop()
    result = json.loads(stdout.strip().splitlines()[-1])
    if proc.returncode != 0 or result.get("sent") != expected:
        sys.exit(f"{client} --build-only: exit {proc.returncode}, {result}")
    return {"client": client, "seconds": result["seconds"], "bytes": result.get("bytes"),
            "cpu": client_cpu,
            "client_peak_kib": max(peak, result.get("client_peak_rss_kib") or 0)}


def generate_python(workdir):
    out = os.path.join(workdir, "py_gen")
    os.makedirs(out)
    protos = sorted(os.path.join("proto", "uppsikt", "v1", f)
                    for f in os.listdir(os.path.join(ROOT, "proto", "uppsikt", "v1"))
                    if f.endswith(".proto"))
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-Iproto",
                    f"--python_out={out}"] + protos, check=True, cwd=ROOT)
    return out


def generate_node():
    node = os.path.join(ROOT, "clients", "node")
    if not os.path.isdir(os.path.join(node, "node_modules")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], check=True, cwd=node,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["npm", "run", "--silent", "generate"], check=True, cwd=node)


def cpu(seconds):
    return "—" if seconds is None else f"{seconds:.1f}"


def mib(kib):
    return "—" if not kib else f"{kib / 1024:,.0f} MiB"


def main():
    bench = os.path.join(ROOT, "target", "import_bench", "d480-y5-c20")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", default=os.path.join(bench, "lines.txt"))
    parser.add_argument("--definitions", default=os.path.join(bench, "definitions.txt"))
    parser.add_argument("--uppsikt", default=os.environ.get(
        "UPPSIKT_BIN", os.path.join(ROOT, "target", "release", "uppsikt")))
    parser.add_argument("--rust-client", default=os.path.join(
        ROOT, "target", "release", "examples", "rpc_import_client"))
    parser.add_argument("--clients", default=",".join(ALL_CLIENTS))
    parser.add_argument("--build-only", action="store_true",
                        help="also time each client building its messages with no server")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    clients = [c for c in args.clients.split(",") if c]
    for c in clients:
        if c not in ALL_CLIENTS:
            sys.exit(f"unknown client {c}; known: {', '.join(ALL_CLIENTS)}")
    if "rust" in clients and not os.access(args.rust_client, os.X_OK):
        sys.exit(f"{args.rust_client} missing: cargo build --release --example rpc_import_client")

    expected = records.count_records(args.lines)
    workdir = tempfile.mkdtemp(prefix="rpc_import_bench-")
    backend = Backend(workdir)
    print(f"{expected:,} records from {args.lines}, backend {backend.name}, "
          f"binary {args.uppsikt}, logs in {workdir}", flush=True)
    generated = generate_python(workdir) if any(c.startswith("python") for c in clients) else None
    if any(c.startswith("node") for c in clients):
        generate_node()

    rows = []
    base = None
    if not args.skip_baseline:
        base = baseline(args, backend, expected, workdir)
        rows.append(base)
        print(f"  CLI: {base['seconds']:.1f} s", flush=True)
    for client in clients:
        row = through_rpc(args, backend, client, expected, workdir, generated)
        rows.append(row)
        state = "ok" if row["ok"] else "; ".join(row["problems"])
        seconds = f"{row['seconds']:.1f} s" if row.get("seconds") else "—"
        print(f"  {client}: {seconds}, {state}", flush=True)

    print()
    print("| client | seconds | records/s | ratio to CLI | server peak RSS | client peak RSS "
          "| server CPU s | client CPU s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        s = row.get("seconds")
        name = row["client"] + ("" if row["ok"] else " (FAILED)")
        if s:
            rate = expected / s
            ratio = f"{s and base['seconds'] / s:.2f}×" if base else "—"
            figures = f"{s:.1f} | {rate:,.0f} | {ratio}"
        else:
            figures = "— | — | —"
        print(f"| {name} | {figures} | {mib(row['server_peak_kib'])} | "
              f"{mib(row.get('client_peak_kib'))} | {cpu(row.get('server_cpu'))} | "
              f"{cpu(row.get('client_cpu'))} |")

    if args.build_only:
        print()
        print("Client-side only (parse the file, build and serialise every message, no server):")
        print("| client | seconds | records/s | bytes serialised | client peak RSS | CPU s |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for client in clients:
            b = build_only(args, client, expected, generated)
            print(f"| {client} | {b['seconds']:.1f} | {expected / b['seconds']:,.0f} | "
                  f"{b['bytes'] or 0:,} | {mib(b['client_peak_kib'])} | {cpu(b['cpu'])} |", flush=True)

    failed = [r["client"] for r in rows if not r["ok"]]
    if failed:
        for r in rows:
            for p in r.get("problems", []):
                print(f"{r['client']}: {p}", file=sys.stderr)
        sys.exit(f"records did not all land for: {', '.join(failed)} (logs in {workdir})")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
