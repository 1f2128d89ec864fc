"""A closed-loop HTTP/1.1 load generator, run in its own process: `python -m bench.load < spec.json`.

N keep-alive connections each send the same POST and the next one as soon as the answer
is in. After a warm-up, a timed window counts the answers completed inside it, their
latencies, and the CPU time the server process and PostgreSQL (postmaster and backends)
spent in it, read from /proc through psutil, and what the rest of the machine used.
The result is one JSON object on stdout.

The client is the stdlib's asyncio streams on uvloop with a minimal parser (status line
and Content-Length, which every answer here carries), so its own cost per request is a
few tens of microseconds; it reports its CPU share so a saturated client shows.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

ERRORS_KEY = b'"errors"'


@dataclass
class Window:
    measuring: bool = False
    stopping: bool = False
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""
    # With spec["bodies"]: each request the next body, once; every answer kept, (body index, in window, text).
    next_body: int = 0
    exhausted_at: float | None = None
    answers: list[tuple[int, bool, str]] = field(default_factory=list)


def request_bytes(spec: dict[str, Any]) -> bytes:
    body = spec["body"].encode()
    headers = {
        "Host": f"{spec['host']}:{spec['port']}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **spec.get("headers", {}),
    }
    head = f"POST {spec['path']} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1") + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    close = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
        elif name == b"transfer-encoding":
            raise RuntimeError("chunked answers are not supported by this client")
    if length is None:
        raise RuntimeError("answer without Content-Length")
    return status, await reader.readexactly(length), close


async def connection(spec: dict[str, Any], payloads: list[bytes], window: Window) -> None:
    reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
    distinct = "bodies" in spec
    try:
        while not window.stopping:
            index = 0
            if distinct:
                if window.next_body >= len(payloads):
                    window.exhausted_at = window.exhausted_at or time.perf_counter()
                    break
                index, window.next_body = window.next_body, window.next_body + 1
            started = time.perf_counter()
            writer.write(payloads[index])
            status, body, close = await read_response(reader)
            elapsed = time.perf_counter() - started
            if distinct:
                window.answers.append((index, window.measuring, body.decode()))
            if status != 200 or ERRORS_KEY in body:
                window.failures += 1
                window.first_failure = window.first_failure or f"{status} {body[:500]!r}"
            elif window.measuring:
                window.latencies.append(elapsed)
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
    finally:
        writer.close()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time of each process (threads included), and of every child of each."""
    found: dict[int, float] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                times = process.cpu_times()
                found[process.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return found


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    # A backend that started inside the window counts from zero.
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def machine_busy() -> float:
    """CPU seconds every process on the machine has used so far, all cores together."""
    times = psutil.cpu_times()
    # Linux counts guest time inside user; idle, iowait and steal are nobody's work here.
    busy = ("user", "nice", "system", "irq", "softirq")
    return float(sum(getattr(times, name, 0.0) for name in busy))


def resident_mb(pid: int) -> float:
    return float(psutil.Process(pid).memory_info().rss) / 2**20


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    window = Window()
    if "bodies" in spec:
        payloads = [request_bytes({**spec, "body": body}) for body in spec["bodies"]]
    else:
        payloads = [request_bytes(spec)]
    server = [spec["server_pid"]]
    database = [spec["db_pid"]] if spec.get("db_pid") else []
    tasks = [asyncio.create_task(connection(spec, payloads, window)) for _ in range(spec["connections"])]
    try:
        await asyncio.sleep(spec["warmup"])
        server_before, db_before, client_before = cpu_seconds(server), cpu_seconds(database), own_cpu()
        machine_before, rss_before = machine_busy(), resident_mb(spec["server_pid"])
        started = time.perf_counter()
        window.measuring = True
        await asyncio.sleep(spec["seconds"])
        window.measuring = False
        elapsed = time.perf_counter() - started
        server_after, db_after, client_after = cpu_seconds(server), cpu_seconds(database), own_cpu()
        machine_after, rss_after = machine_busy(), resident_mb(spec["server_pid"])
        window.stopping = True
        done, _ = await asyncio.wait(tasks, timeout=30)
        for task in done:
            task.result()  # a broken connection fails the run
    finally:
        for task in tasks:
            task.cancel()
    latencies = sorted(window.latencies)
    ours = spent(server_before, server_after) + spent(db_before, db_after) + client_after - client_before
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_ms": _quantile(latencies, 0.50) * 1000,
        "p99_ms": _quantile(latencies, 0.99) * 1000,
        "server_cpu_s": spent(server_before, server_after),
        "db_cpu_s": spent(db_before, db_after),
        "client_cpu_s": client_after - client_before,
        # Whatever else ran on the machine meanwhile (another test run, say) skews every figure.
        "other_cpu_s": max(0.0, machine_after - machine_before - ours),
        # The server's resident memory at the window's start and end: flat once warm, or a leak.
        "rss_mb": [rss_before, rss_after],
        "failures": window.failures,
        "first_failure": window.first_failure,
        # Distinct bodies only: the answers, and when in the window the bodies ran out (seconds), if they did.
        "answers": window.answers,
        "exhausted_after": None if window.exhausted_at is None else window.exhausted_at - started,
    }


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main() -> None:
    spec = json.load(sys.stdin)
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:
        runner = asyncio.Runner()
    with runner:
        result = runner.run(run(spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
