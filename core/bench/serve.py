"""`hearth bench serve`: N concurrent clients against `hearth serve` and against llama-cpp-python's own
server (`python -m llama_cpp.server`), on the same model and threads, in one run, on loopback only.

Each client asks for a number only it knows ("Repeat this number exactly: 1037"), greedily, and checks
that its answer is complete (finished by the model, not cut off) and holds its own number and no other
client's: every request got its own correct answer. Both servers run side by side in processes of their
own and the phases alternate between them (N = 1, 4, 16), so a change in the machine's load falls on both.
Bounded: `rounds` waves of N requests per server (each client one request per wave, the waves alternating
between the servers), and no new request after `time_limit_s`.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import openai

from core.engine import embedded_model_path

PROMPT = "Repeat this number exactly: {n}"
READY_TIMEOUT_S = 180.0


@dataclass
class RequestResult:
    client: int
    number: int
    ttft_s: float
    total_s: float
    text: str
    finish: str
    correct: bool  # its own number, nobody else's, and a complete answer
    error: str = ""


@dataclass
class Phase:
    server: str
    clients: int
    requests: int
    wall_s: float
    completion_tokens: int
    correct: int
    errors: int
    tok_s: float
    req_s: float
    ttft_p50_ms: float
    ttft_p95_ms: float
    total_p50_ms: float
    total_p95_ms: float
    wrong: list[str] = field(default_factory=list)  # the first few answers that were not right


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


class ServerProcess:
    """A server in a child process on 127.0.0.1, stopped (and waited for) by stop()."""

    def __init__(self, name: str, command: list[str], port: int, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}/v1"
        self.log = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode} before serving")
            try:
                if httpx.get(self.url + "/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(20)
        self.log.close()


def hearth_server(model: Path, threads: int, n_ctx: int, lifetime_s: float) -> ServerProcess:
    port = _free_port()
    command = [sys.executable, "-m", "core.cli", "serve", "--model", str(model), "--port", str(port)]
    command += ["--threads", str(threads), "--n-ctx", str(n_ctx), "--stop-after", str(lifetime_s)]
    command += ["--max-queue", "64"]
    return ServerProcess("hearth", command, port, {"HEARTH_API_KEY": ""})


def llama_cpp_server(model: Path, threads: int, n_ctx: int) -> ServerProcess:
    port = _free_port()
    # llama_cpp.server itself, started through core.bench.raw so it loads as Hearth does (no AMX crash).
    command = [sys.executable, "-m", "core.bench.raw", "--model", str(model), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_threads", str(threads), "--n_threads_batch", str(threads)]
    # Its default (interrupt_requests) ends the answer being streamed whenever another request arrives:
    # concurrent clients would get cut-off answers. Off, so that it serves every request as Hearth does.
    command += ["--n_ctx", str(n_ctx), "--verbose", "False", "--interrupt_requests", "False"]
    return ServerProcess("llama-cpp-python", command, port)


def ask(url: str, model: str, client: int, number: int, others: set[int], max_tokens: int) -> RequestResult:
    api = openai.OpenAI(base_url=url, api_key="bench", max_retries=0, timeout=600)
    t0 = time.perf_counter()
    first = 0.0
    pieces: list[str] = []
    finish = ""
    try:
        stream = api.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": PROMPT.format(n=number)}],
            max_tokens=max_tokens,
            temperature=0,
            seed=1,
            stream=True,
            # llama-cpp-python's server penalises repeats by default (1.1), which bends a repeated number:
            # both servers decode the same way, greedily and without a penalty.
            extra_body={"repeat_penalty": 1.0},
        )
        for chunk in stream:
            if not chunk.choices:
                continue
            piece = chunk.choices[0].delta.content
            if piece:
                first = first or time.perf_counter()
                pieces.append(piece)
            finish = chunk.choices[0].finish_reason or finish
    except openai.OpenAIError as e:
        return RequestResult(client, number, 0.0, time.perf_counter() - t0, "", "", False, type(e).__name__)
    finally:
        api.close()
    end = time.perf_counter()
    text = "".join(pieces)
    correct = finish == "stop" and str(number) in text and not any(str(o) in text for o in others)
    return RequestResult(client, number, (first or end) - t0, end - t0, text, finish, correct)


def _number(k: int) -> int:
    """The k-th request's number: four digits that look random, all different (7919 is prime to 9000), so
    that no answer holds another client's number by chance (as 11000, 11037... 11111 could)."""
    return 1000 + (7919 * k) % 9000


def run_wave(
    server: ServerProcess, model: str, clients: int, max_tokens: int, deadline: float, first: int
) -> tuple[list[RequestResult], float]:
    """`clients` threads asking at once, one request each; returns their results and the wall time."""
    numbers = [_number(first + c) for c in range(clients)]
    everyone = set(numbers)
    results: list[RequestResult] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(c: int) -> None:
        start.wait()
        if time.monotonic() > deadline:
            return
        result = ask(server.url, model, c, numbers[c], everyone - {numbers[c]}, max_tokens)
        with lock:
            results.append(result)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic() + 600))
    return results, time.perf_counter() - t0


def summarize(
    server: str, clients: int, results: list[RequestResult], wall: float, count_tokens: Callable[[str], int]
) -> Phase:
    tokens = sum(count_tokens(r.text) for r in results)
    ok = [r for r in results if not r.error]
    return Phase(
        server=server,
        clients=clients,
        requests=len(results),
        wall_s=round(wall, 3),
        completion_tokens=tokens,
        correct=sum(r.correct for r in results),
        errors=len(results) - len(ok),
        tok_s=round(tokens / wall, 2) if wall else 0.0,
        req_s=round(len(results) / wall, 3) if wall else 0.0,
        ttft_p50_ms=round(_percentile([r.ttft_s for r in ok], 50) * 1000, 1),
        ttft_p95_ms=round(_percentile([r.ttft_s for r in ok], 95) * 1000, 1),
        total_p50_ms=round(_percentile([r.total_s for r in ok], 50) * 1000, 1),
        total_p95_ms=round(_percentile([r.total_s for r in ok], 95) * 1000, 1),
        wrong=[f"{r.number}: {r.text!r} ({r.finish or r.error})" for r in results if not r.correct][:3],
    )


def run_bench(
    model: Path | None = None,
    *,
    threads: int = 2,
    clients: Sequence[int] = (1, 4, 16),
    rounds: int = 2,
    max_tokens: int = 24,
    n_ctx: int = 2048,
    time_limit_s: float = 900.0,
    compare: bool = True,
    log: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    """Both servers up side by side; for each N, one phase on each (the order alternating). Returns the
    phases and, per N, Hearth's figures over llama-cpp-python's."""
    from core.runtime import open_local

    model = model or embedded_model_path()
    tokenizer = open_local(model, n_ctx=256, n_threads=1)  # counts both servers' tokens the same way
    servers = [hearth_server(model, threads, n_ctx, time_limit_s + 600)]
    if compare:
        servers.append(llama_cpp_server(model, threads, n_ctx))
    deadline = time.monotonic() + time_limit_s
    phases: list[Phase] = []
    load_before = os.getloadavg()[0]
    try:
        for s in servers:
            s.wait_ready()
            ask(s.url, "hearth" if s.name == "hearth" else str(model), 0, 7, set(), 8)  # warm-up
            log(f"{s.name} ready on {s.url}")
        asked = 0
        for n in clients:
            pooled: dict[str, tuple[list[RequestResult], float]] = {x.name: ([], 0.0) for x in servers}
            # Waves alternate between the servers, so that a change in the machine's load falls on both.
            for wave in range(rounds):
                for s in servers if wave % 2 == 0 else list(reversed(servers)):
                    name = "hearth" if s.name == "hearth" else str(model)
                    # The same numbers to both servers: their answers can be compared one to one.
                    results, wall = run_wave(s, name, n, max_tokens, deadline, asked)
                    done, spent = pooled[s.name]
                    pooled[s.name] = (done + results, spent + wall)
                asked += n
            for s in servers:
                results, wall = pooled[s.name]
                phase = summarize(s.name, n, results, wall, tokenizer.count_tokens)
                phases.append(phase)
                log(
                    f"{s.name} N={n}: {phase.tok_s} tok/s, {phase.req_s} req/s, TTFT p50 {phase.ttft_p50_ms} ms "
                    f"p95 {phase.ttft_p95_ms} ms, total p50 {phase.total_p50_ms} ms p95 {phase.total_p95_ms} ms, "
                    f"correct {phase.correct}/{phase.requests}"
                    + (f"; wrong: {phase.wrong}" if phase.wrong else "")
                )
    finally:
        for s in servers:
            s.stop()
        tokenizer.close()
    ratios = []
    for n in clients:
        by = {p.server: p for p in phases if p.clients == n}
        h, r = by.get("hearth"), by.get("llama-cpp-python")
        if h and r and r.tok_s and r.total_p50_ms and r.ttft_p50_ms:
            ratios.append(
                {
                    "clients": n,
                    "throughput": round(h.tok_s / r.tok_s, 3),
                    "ttft_p50": round(h.ttft_p50_ms / r.ttft_p50_ms, 3),
                    "total_p50": round(h.total_p50_ms / r.total_p50_ms, 3),
                    "total_p95": round(h.total_p95_ms / max(r.total_p95_ms, 1e-9), 3),
                }
            )
    return {
        "model": str(model),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],  # at the start and the end
        "threads": threads,
        "rounds": rounds,
        "max_tokens": max_tokens,
        "phases": [asdict(p) for p in phases],
        "hearth_over_llama_cpp": ratios,
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"{Path(report['model']).name}, {report['threads']} threads, {report['rounds']} waves per server and N, "
        f"at most {report['max_tokens']} tokens each; load average {report['load_average'][0]} at the start, "
        f"{report['load_average'][1]} at the end",
        f"{'server':<18}{'N':>4}{'tok/s':>9}{'req/s':>8}{'TTFT p50':>10}{'p95':>8}{'total p50':>11}{'p95':>8}"
        f"{'correct':>10}",
    ]
    for p in report["phases"]:
        lines.append(
            f"{p['server']:<18}{p['clients']:>4}{p['tok_s']:>9.1f}{p['req_s']:>8.2f}{p['ttft_p50_ms']:>10.0f}"
            f"{p['ttft_p95_ms']:>8.0f}{p['total_p50_ms']:>11.0f}{p['total_p95_ms']:>8.0f}"
            f"{str(p['correct']) + '/' + str(p['requests']):>10}"
        )
    for r in report["hearth_over_llama_cpp"]:
        lines.append(
            f"N={r['clients']}: Hearth / llama-cpp-python: throughput x{r['throughput']}, TTFT p50 x{r['ttft_p50']}, "
            f"total p50 x{r['total_p50']}, total p95 x{r['total_p95']}"
        )
    return "\n".join(lines)
