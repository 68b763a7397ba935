"""How fast the Rasa side is on this machine: train from scratch, retrain after a directory change, model
load, and parse latency. Prints figures; asserts nothing (targets: retrain < 90 s on 2 cores).

    .venv/bin/python -m bench.rasa_speed [--parses 200]

Everything happens in a temporary folder: the demo directory (data/directory/) is imported into a private
SQLite database, and MODELS_DIR/VAR_DIR point there, so the project's own var/ and models/ are untouched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from bot import PROJECT_ROOT

MESSAGES = [
    "my bin wasn't collected",
    "there is a pothole on the high street",
    "how do I pay my council tax",
    "I need somewhere to live, I'm being evicted",
    "noisy neighbours every night",
    "hello",
    "can I speak to a person",
    "where do I get a parking permit",
    "the street light outside is broken",
    "my postcode is SG13 7DN",
]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _add_service(database_url: str) -> None:
    from bot.db import make_engine, session_scope
    from bot.directory.models import Organisation, Service, ServicePhrase

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        council = session.query(Organisation).filter_by(is_host=True).first()
        service = Service(id="bench-added-service", name="Abandoned shopping trolleys", organisation=council)
        service.phrases = [ServicePhrase(phrase="shopping trolley dumped in the river", position=0)]
        session.add(service)
    engine.dispose()


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--parses", type=int, default=200, help="how many messages to parse for latency")
    options = arguments.parse_args()

    root = Path(tempfile.mkdtemp(prefix="rasa-speed-"))
    database_url = f"sqlite:///{root / 'directory.db'}"
    os.environ.update(DATABASE_URL=database_url, MODELS_DIR=str(root / "models"), VAR_DIR=str(root / "var"))
    from bot.db import make_engine, migrate
    from bot.directory.importers import import_directory
    from bot.settings import get_settings

    get_settings.cache_clear()
    engine = make_engine(database_url)
    migrate(engine)
    import_directory(engine, PROJECT_ROOT / "data" / "directory")
    engine.dispose()

    started = time.perf_counter()
    import rasa.model_training  # noqa: F401 - count Rasa's import apart from training

    from bot.routing.training import train

    import_seconds = time.perf_counter() - started
    scratch = train()
    _add_service(database_url)
    retrain = train()

    from bot.routing.parse import load_parser

    parser = load_parser()
    latencies = []

    async def measure() -> None:
        for index in range(options.parses):
            text = MESSAGES[index % len(MESSAGES)]
            began = time.perf_counter()
            await parser.parse_async(text)
            latencies.append((time.perf_counter() - began) * 1000)

    asyncio.run(measure())
    print(f"\nRasa speed ({os.cpu_count()} CPUs, demo directory, {scratch.services} services)")
    print(f"  import Rasa/TensorFlow               {import_seconds:6.1f} s")
    print(f"  train from scratch                   {scratch.seconds:6.1f} s")
    print(f"  retrain after a directory change     {retrain.seconds:6.1f} s   (target < 90 s)")
    print(f"  load model (Agent.load)              {parser.load_seconds:6.1f} s")
    print(
        f"  parse latency over {len(latencies)} messages     p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {_percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
