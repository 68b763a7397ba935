"""Section (m) of `make bench`: the runtime a council would deploy, measured the way it runs.

Three measurements, each in its own process so that nothing the bench imported first flatters or slows it:

- `model`: a fresh Python loads the trained model (`Agent.load`), waits until the safety check's learned
  layer is fitted (it fits in the background after start-up), then parses a fixed mix of messages: model
  load seconds, parse p50/p95 in milliseconds, the process's peak RSS after load, and the conversational
  intent accuracy on `data/eval/conversation_intents.csv` (320 rows written blind by a helper that never
  saw data/nlu.yml; a row counts when the final intent, after the fallback and the intent guard, is the
  expected one).
- `webhook`: `here-to-help run` on private ports, database and models (Rasa with the SQL tracker store, the
  action server and the web app, as a council runs them); then 16 concurrent conversations, each a fixed
  script of turns, through Rasa's REST webhook: turns per second, p50/p95 per turn, and errors.
- `train`: `here-to-help train` on a directory database, timed, with the peak memory of its whole process
  tree (resident set sizes summed, sampled from /proc every 0.1 s). `bench.run --large` uses it on the
  generated large directories (`bench.large_directory`).

    .venv/bin/python -m bench.runtime model MODELS_DIR
    .venv/bin/python -m bench.runtime webhook --database DB --models MODELS_DIR [--clients 16 --rounds 4]
    .venv/bin/python -m bench.runtime train --database DB --models MODELS_DIR --var VAR_DIR [--force]

Each prints one JSON object on its last line; `bench.run --rasa` calls both and puts them in its table.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.conversation_speed import free_port
from bot import PROJECT_ROOT
from bot.routing.evaluate import percentile

CONVERSATION_SET = PROJECT_ROOT / "data" / "eval" / "conversation_intents.csv"
PARSE_MIX = (
    "my bin wasn't collected",
    "there is a pothole on the high street",
    "how do I pay my council tax",
    "hello",
    "thanks",
    "can I speak to a person",
    "where do I get a parking permit",
    "noisy neighbours every night",
)
SETTLE_SECONDS = 15.0
"""Rasa fits the safety check's learned layer in the background for the first few seconds after it starts
(patterns answer alone meanwhile); the webhook figures are for a server that has settled."""
SCRIPT = (
    "hello",
    "my bin was not collected this morning",
    "are they open now?",
    "what's their phone number",
    "thanks",
)


def _peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kilobytes on Linux


async def _model_figures(models: Path, parses: int) -> dict[str, Any]:
    import logging

    import structlog

    started = time.perf_counter()
    from rasa.core.agent import Agent

    from bot.routing.training import model_path

    imported = time.perf_counter()
    agent = Agent.load(str(model_path(models)))
    loaded = time.perf_counter()
    rss_after_load = _peak_rss_mb()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    from bot.safety.catalogue import cached_safety
    from bot.safety.learned import learned_check

    learned_check(cached_safety(), wait=True)  # the serving path asks without waiting; measure after the fit
    for text in PARSE_MIX:
        await agent.parse_message(text)
    timings = []
    for index in range(parses):
        began = time.perf_counter()
        await agent.parse_message(PARSE_MIX[index % len(PARSE_MIX)])
        timings.append((time.perf_counter() - began) * 1000)

    with CONVERSATION_SET.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    right = 0
    for row in rows:
        parsed = await agent.parse_message(row["text"])
        right += parsed["intent"]["name"] == row["expected_intent"]
    return {
        "import_seconds": round(imported - started, 1),
        "load_seconds": round(loaded - imported, 1),
        "rss_mb_after_load": rss_after_load,
        "parse_ms_p50": round(percentile(timings, 0.5), 2),
        "parse_ms_p95": round(percentile(timings, 0.95), 2),
        "intent_rows": len(rows),
        "intent_accuracy": round(right / len(rows), 3) if rows else None,
    }


async def _wait_for(url: str, seconds: float) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                    if response.status < 500:
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(1)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


async def _conversations(rasa_url: str, clients: int, rounds: int) -> dict[str, Any]:
    import aiohttp

    timings: list[float] = []
    errors = 0

    async def one(session: aiohttp.ClientSession, sender: str) -> None:
        nonlocal errors
        for text in SCRIPT:
            began = time.perf_counter()
            try:
                async with session.post(
                    f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
                ) as response:
                    body = await response.json(content_type=None)
                    if response.status != 200 or not isinstance(body, list) or not body:
                        errors += 1
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                errors += 1
            timings.append((time.perf_counter() - began) * 1000)

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await one(session, "bench-warm-up")
        timings.clear()
        began = time.perf_counter()
        for round_number in range(rounds):
            await asyncio.gather(*(one(session, f"bench-{round_number}-{n}") for n in range(clients)))
        elapsed = time.perf_counter() - began
    return {
        "clients": clients,
        "turns": len(timings),
        "turns_per_second": round(len(timings) / elapsed, 1),
        "turn_ms_p50": round(percentile(timings, 0.5), 1),
        "turn_ms_p95": round(percentile(timings, 0.95), 1),
        "errors": errors,
    }


def _webhook_figures(database: Path, models: Path, clients: int, rounds: int) -> dict[str, Any]:
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        MODELS_DIR=str(models),
        VAR_DIR=str(database.parent / "var"),
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        WEB_PORT=str(web_port),
        HOST="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    command = [str(Path(sys.executable).with_name("here-to-help")), "run", "--no-train"]
    log = (database.parent / "run.log").open("wb")
    process = subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        asyncio.run(_wait_for(rasa_url + "/", 300))
        asyncio.run(_wait_for(f"http://127.0.0.1:{action_port}/health", 120))
        time.sleep(SETTLE_SECONDS)
        return asyncio.run(_conversations(rasa_url, clients, rounds))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _process_tree_rss_kb(root: int) -> int:
    """The resident set sizes of `root` and all its descendants, summed, in kilobytes (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    tree, changed = {root}, True
    while changed:
        grown = tree | {pid for pid, parent in parents.items() if parent in tree}
        changed, tree = grown != tree, grown
    total = 0
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def run_with_peak_memory(command: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run `command`, sampling its process tree's memory: seconds, peak MB, exit code."""
    with log.open("wb") as handle:
        began = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _process_tree_rss_kb(process.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 1), "peak_mb": peak // 1024, "returncode": process.returncode}


def train_figures(database: Path, models: Path, var: Path, *, force: bool) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"sqlite:///{database}", MODELS_DIR=str(models), VAR_DIR=str(var))
    command = [str(Path(sys.executable).with_name("here-to-help")), "train", *(["--force"] if force else [])]
    var.mkdir(parents=True, exist_ok=True)
    figures = run_with_peak_memory(command, env, var / "train.log")
    if figures["returncode"] != 0:
        tail = (var / "train.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"here-to-help train failed: {tail}")
    return figures


def measure(database: Path, models: Path) -> dict[str, Any]:
    """Both measurements, each in a child process (as `bench.run --rasa` uses them)."""
    results: dict[str, Any] = {}
    for name, args in (
        ("model", ["model", str(models)]),
        ("webhook", ["webhook", "--database", str(database), "--models", str(models)]),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "bench.runtime", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            results[name] = {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
        else:
            results[name] = json.loads(lines[-1])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runtime", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    model = commands.add_parser("model")
    model.add_argument("models", type=Path)
    model.add_argument("--parses", type=int, default=400)
    webhook = commands.add_parser("webhook")
    webhook.add_argument("--database", type=Path, required=True)
    webhook.add_argument("--models", type=Path, required=True)
    webhook.add_argument("--clients", type=int, default=16)
    webhook.add_argument("--rounds", type=int, default=4)
    train = commands.add_parser("train")
    train.add_argument("--database", type=Path, required=True)
    train.add_argument("--models", type=Path, required=True)
    train.add_argument("--var", type=Path, required=True)
    train.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "model":
        figures = asyncio.run(_model_figures(args.models, args.parses))
    elif args.command == "train":
        figures = train_figures(args.database, args.models, args.var, force=args.force)
    else:
        figures = _webhook_figures(args.database, args.models, args.clients, args.rounds)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
