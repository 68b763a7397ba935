"""`here-to-help run` end to end (what `make run` does after installing): the whole product comes up on free
ports against a copy of the session's trained model and directory, answers residents over Rasa's REST
webhook and through the web app, records what it could not answer, and leaves nothing running after Ctrl-C.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.rasa

READY_MARKER = "Press Ctrl-C to stop."
"""The last line `here-to-help run` prints once up: the URLs and sign-ins are all out by then."""
STARTUP_SECONDS = 600


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children run in their own sessions, so walk the parent links)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@dataclass
class Running:
    process: subprocess.Popen
    lines: list[str]
    rasa_port: int
    action_port: int
    web_port: int
    database_url: str
    var_dir: Path

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def say(self, message: str, sender: str | None = None) -> list[dict]:
        response = httpx.post(
            f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook",
            json={"sender": sender or f"test-{uuid.uuid4().hex[:8]}", "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def count(self, table: str) -> int:
        engine = create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
        finally:
            engine.dispose()


def _pump(stream, lines: list[str], ready: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        lines.append(line.rstrip("\n"))
        if READY_MARKER in line:
            ready.put(True)
    ready.put(False)


@pytest.fixture(scope="module")
def running(trained_model, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`here-to-help run` on free ports, with its own var folder and a copy of the trained model's database
    (the fixture's own database must stay untouched), so no second training happens."""
    root = tmp_path_factory.mktemp("make_run")
    database = root / "here_to_help.db"
    shutil.copyfile(trained_model.database_url.split("///", 1)[1], database)
    models = root / "models"  # a copy too: should run decide to retrain, the session's model stays as it was
    shutil.copytree(trained_model.models_dir, models)
    rasa_port, action_port, web_port = free_ports(3)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MODELS_DIR": str(models),
        "VAR_DIR": str(root / "var"),
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "WEB_PORT": str(web_port),
        "HOST": "127.0.0.1",
        "HERE_TO_HELP_ENV": "development",
    }
    for name in ("RASA_TOKEN", "RASA_URL", "REDIS_URL", "SANIC_WORKERS", "GAPLOG_SPOOL_DIR"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "run"],
        cwd=root,  # not the project root: every path must resolve without it
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    ready: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines, ready), daemon=True).start()
    handle = Running(process, lines, rasa_port, action_port, web_port, env["DATABASE_URL"], root / "var")
    try:
        try:
            came_up = ready.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            came_up = False
        if not came_up:
            pytest.fail(f"here-to-help run did not come up:\n{handle.output[-6000:]}")
        yield handle
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def test_it_starts_from_the_trained_model_without_training_again(running: Running) -> None:
    """Fails, correctly, if the routing code or training data changed while the session's model trained."""
    model_lines = [line for line in running.lines if line.startswith("Model:")]
    assert model_lines and model_lines[0].endswith("is up to date."), model_lines


def test_it_prints_where_everything_is(running: Running) -> None:
    for url in (
        f"http://127.0.0.1:{running.web_port}/",
        f"http://127.0.0.1:{running.web_port}/staff",
        f"http://127.0.0.1:{running.web_port}/officer",
        f"http://127.0.0.1:{running.rasa_port}/webhooks/rest/webhook",
    ):
        assert url in running.output


def test_development_sign_ins_are_made_and_kept_private(running: Running) -> None:
    credentials = running.var_dir / "dev-credentials.txt"

    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    kept = credentials.read_text(encoding="utf-8")
    for username in ("officer", "staff"):
        password = re.search(rf"^{username} \(\w+\): (\S+)$", kept, re.MULTILINE).group(1)
        assert password in running.output  # shown once, on the run that made it


def _service_phones(running: Running, name_like: str) -> tuple[str, str, list[str]]:
    engine = create_engine(running.database_url, future=True)
    with engine.connect() as connection:
        service_id, name, organisation = connection.execute(
            text(
                "SELECT s.id, s.name, o.name FROM services s "
                "JOIN organisations o ON o.id = s.organisation_id "
                "WHERE lower(s.name) LIKE :like ORDER BY s.name LIMIT 1"
            ),
            {"like": name_like},
        ).one()
        phones = [
            row[0]
            for row in connection.execute(
                text("SELECT number FROM phones WHERE service_id = :id"), {"id": service_id}
            )
        ]
    engine.dispose()
    return name, organisation, phones


def test_a_resident_whose_bin_was_missed_gets_the_waste_service_and_its_number(running: Running) -> None:
    name, _organisation, phones = _service_phones(running, "%missed bin%")

    replies = running.say("my bin wasn't collected")
    said = " ".join(reply.get("text", "") for reply in replies)

    assert name.lower() in said.lower()
    assert any(digits(phone) in digits(said) for phone in phones)


def test_a_pothole_is_sent_to_the_county_council_with_its_number(running: Running) -> None:
    name, organisation, phones = _service_phones(running, "%pothole%")
    assert "county" in organisation.lower()  # the demo directory's two-tier split

    replies = running.say("there's a pothole on my road")
    said = " ".join(reply.get("text", "") for reply in replies)

    assert organisation.lower() in said.lower() or name.lower() in said.lower()
    assert any(digits(phone) in digits(said) for phone in phones)


def test_a_question_the_council_cannot_help_with_is_answered_politely_and_logged(running: Running) -> None:
    before = running.count("gap_entries")

    replies = running.say("what's the weather like")
    said = " ".join(reply.get("text", "") for reply in replies)

    assert said.strip()
    assert "error" not in said.lower()
    assert running.count("gap_entries") == before + 1


def test_the_conversation_is_kept_in_the_same_database(running: Running) -> None:
    running.say("hello", sender="same-database-check")

    assert running.count("events") > 0


def test_the_conversation_store_keeps_no_raw_personal_details_after_a_live_conversation(
    running: Running,
) -> None:
    """Rasa's tracker store (the same database) holds the conversation, redacted: no name, phone or full
    postcode, anywhere in its events."""
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    running.say("my name is Sarah Jones, my bin at SG13 8DE was not collected, call 07700 900461", sender)
    engine = create_engine(running.database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = [
                row[0]
                for row in connection.execute(
                    text("SELECT data FROM events WHERE sender_id = :sender"), {"sender": sender}
                )
            ]
    finally:
        engine.dispose()
    stored = "\n".join(rows)
    assert rows, "the conversation was not stored: Rasa fell back to an in-memory tracker store"
    assert [secret for secret in ("Sarah Jones", "8DE", "07700 900461") if secret in stored] == []
    assert "bin at SG13 was not collected" in stored


PERSONAL = {
    "name": ("Eleanor Whitcombe", "Whitcombe"),
    "email": ("e.whitcombe@example.com", "whitcombe@"),
    "phone": ("07700 900461", "07700900461"),
    "postcode": ("SG13 8DE", "SG138DE"),
}
"""What the resident types, and each way it could be found written down."""


def test_after_a_live_conversation_no_personal_detail_is_in_any_file_written(running: Running) -> None:
    """A resident gives a name, an email, a phone number and a full postcode through the web app; afterwards
    not one of them is in any file the running system wrote: the database (Rasa's tracker store, the gap
    log, answers), the logs, the spool or anything else under its folders."""
    running.say("hello")  # the first turn after loading can outlast the web app's 4 s limit on a busy machine
    sender = uuid.uuid4().hex
    for message in (
        "Hi, I'm Eleanor Whitcombe, email e.whitcombe@example.com or phone 07700 900461",
        "my bin at SG13 8DE wasn't collected",
        "no that's wrong",
        "I need help with my grobblewick, Eleanor Whitcombe, SG13 8DE",
    ):
        response = httpx.post(
            f"http://127.0.0.1:{running.web_port}/api/chat",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        assert response.status_code in (200, 503), response.text  # 503: the number given, the turn logged
    time.sleep(2)  # let the servers flush their logs
    root = running.var_dir.parent
    written = [path for path in root.rglob("*") if path.is_file() and "models" not in path.parts]
    assert any(path.suffix == ".log" for path in written) and any(path.suffix == ".db" for path in written)
    found = []
    for path in written:
        content = path.read_bytes()
        for item, forms in PERSONAL.items():
            if any(form.encode() in content or form.lower().encode() in content for form in forms):
                found.append(f"{item} in {path.relative_to(root)}")
    assert found == [], "raw personal details were written down"
    database = Path(running.database_url.split("///", 1)[1]).read_bytes()
    assert b"bin at SG13 wasn't collected" in database, "the turn was stored, with the postcode's district"
    assert {"rasa.log", "web.log", "actions.log"} <= {path.name for path in written}


def test_the_web_app_relays_chat_to_rasa(running: Running) -> None:
    response = httpx.post(
        f"http://127.0.0.1:{running.web_port}/api/chat",
        json={"sender": uuid.uuid4().hex, "message": "my bin wasn't collected"},
        timeout=60,
    )

    assert response.status_code == 200
    assert any(reply.get("text") for reply in response.json())


def test_the_demo_page_serves_the_widget(running: Running) -> None:
    page = httpx.get(f"http://127.0.0.1:{running.web_port}/", timeout=30)
    assert page.status_code == 200
    script = re.search(r'<script[^>]+src="([^"]*here-to-help[^"]*\.js)"', page.text)
    assert script, "the demo page has no widget script tag"

    widget = httpx.get(script.group(1), timeout=30)
    assert widget.status_code == 200
    assert len(widget.text) > 100


def test_the_printed_staff_and_officer_pages_exist_and_ask_for_a_sign_in(running: Running) -> None:
    for path in ("/staff", "/officer"):
        response = httpx.get(f"http://127.0.0.1:{running.web_port}{path}", timeout=30)
        assert response.status_code in (302, 303, 401, 403), (path, response.status_code)


def test_the_rasa_api_needs_the_token(running: Running) -> None:
    assert httpx.get(f"http://127.0.0.1:{running.rasa_port}/status", timeout=30).status_code == 401
    token = (running.var_dir / "secrets" / "rasa_token").read_text().strip()
    assert (
        httpx.get(f"http://127.0.0.1:{running.rasa_port}/status?token={token}", timeout=30).status_code == 200
    )


def _chat(running: Running, message: str) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{running.web_port}/api/chat",
        json={"sender": uuid.uuid4().hex, "message": message},
        timeout=60,
    )


def _rasa_server_pid(running: Running) -> int:
    for pid in descendants(running.process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [word.decode(errors="replace") for word in command]
        if "--enable-api" in words and str(running.rasa_port) in words:  # how bot.run starts Rasa
            return pid
    raise AssertionError("no Rasa server process under here-to-help run")


def test_a_resident_in_danger_gets_the_numbers_through_the_web_app(running: Running) -> None:
    before = running.count("gap_entries")

    response = _chat(running, "i want to kill myself")

    assert response.status_code == 200
    *shown, closing = response.json()
    assert closing["answer"]["kind"] == "crisis"
    assert closing["answer"]["category"] == "suicide_self_harm"
    said = " ".join(reply.get("text", "") for reply in shown)
    assert said.startswith("If your life, or someone else's, is in danger right now, call 999.")
    assert "116 123" in said
    assert running.count("gap_entries") == before + 1


def test_with_rasa_stopped_a_resident_in_danger_still_gets_the_numbers(running: Running) -> None:
    """Rasa is frozen (SIGSTOP), so the web app's own fallback has to answer; it is thawed afterwards."""
    rasa = _rasa_server_pid(running)
    os.kill(rasa, signal.SIGSTOP)
    try:
        started = time.monotonic()
        crisis = _chat(running, "theres a fire in the flat downstairs")
        ordinary = _chat(running, "my bin wasn't collected")
        waited = time.monotonic() - started
    finally:
        os.kill(rasa, signal.SIGCONT)

    assert crisis.status_code == 200
    assert crisis.json()[0]["text"].startswith("Call 999 now and ask for the fire service.")
    assert crisis.json()[-1]["answer"]["category"] == "fire"
    assert ordinary.status_code == 503 and ordinary.json()["error"] == "unavailable"
    assert waited < 30


def _server_pid(running: Running, marker: str, port: int) -> int:
    for pid in descendants(running.process.pid):
        try:
            words = [
                w.decode(errors="replace") for w in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            ]
        except OSError:
            continue
        if marker in words and str(port) in words:
            return pid
    raise AssertionError(f"no {marker} process on port {port} under here-to-help run")


def _contact_centre_digits(running: Running) -> str:
    engine = create_engine(running.database_url, future=True)
    try:
        with engine.connect() as connection:
            number = connection.execute(
                text(
                    "SELECT p.number FROM phones p JOIN services s ON s.id = p.service_id "
                    "WHERE s.is_contact_centre AND p.audience = 'public' ORDER BY p.position LIMIT 1"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return digits(number)


def _said(response: httpx.Response) -> str:
    """What the resident reads: the replies' text, or the refusal's sentence (503 when Rasa is away)."""
    body = response.json()
    return body["message"] if isinstance(body, dict) else " ".join(reply.get("text", "") for reply in body)


def _back_within(url: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_the_action_server_killed_the_resident_gets_the_number_and_it_is_back_within_30_s(
    running: Running,
) -> None:
    number = _contact_centre_digits(running)
    os.kill(_server_pid(running, "rasa_sdk", running.action_port), signal.SIGKILL)

    started = time.monotonic()
    response = _chat(running, "my bin wasn't collected")
    waited = time.monotonic() - started

    said = _said(response)
    assert number in digits(said)
    assert waited < 5
    _back_within(f"http://127.0.0.1:{running.action_port}/health", 30)
    assert "action server exited with code -9 while running" in running.output
    assert _chat(running, "my bin wasn't collected").status_code == 200


def test_rasa_killed_the_web_app_gives_the_number_and_rasa_is_back_within_30_s(running: Running) -> None:
    number = _contact_centre_digits(running)
    os.kill(_rasa_server_pid(running), signal.SIGKILL)

    started = time.monotonic()
    response = _chat(running, "who empties the dog bins")
    waited = time.monotonic() - started

    assert response.status_code == 503
    assert number in digits(response.json()["message"])
    assert waited < 5
    token = (running.var_dir / "secrets" / "rasa_token").read_text().strip()
    _back_within(f"http://127.0.0.1:{running.rasa_port}/status?token={token}", 30)
    assert "Rasa exited with code -9 while running" in running.output
    assert _chat(running, "my bin wasn't collected").status_code == 200


def test_with_the_database_locked_the_number_comes_within_5_s_and_the_question_is_not_lost(
    running: Running,
) -> None:
    import sqlite3

    number = _contact_centre_digits(running)
    # Out of scope, so a gap entry however the turn ends: answered late, failed in Rasa or refused here.
    marker = uuid.uuid4().hex[:6]
    question = f"what's the weather like today {marker}"
    locker = sqlite3.connect(running.database_url.split("///", 1)[1], isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        response = _chat(running, question)
        waited = time.monotonic() - started
    finally:
        time.sleep(3)  # let the turn inside Rasa meet the lock too
        locker.execute("ROLLBACK")
        locker.close()

    assert number in digits(_said(response))
    assert waited < 5

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        subprocess.run(  # what the web app also does every 30 s
            [sys.executable, "-c", "from bot.cli import main; main()", "gaps", "replay"],
            env={
                **{name: value for name, value in os.environ.items() if name != "GAPLOG_SPOOL_DIR"},
                "DATABASE_URL": running.database_url,
                "VAR_DIR": str(running.var_dir),
            },
            capture_output=True,
            timeout=60,
        )
        engine = create_engine(running.database_url, future=True)
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    text("SELECT COUNT(*) FROM gap_entries WHERE text LIKE :q"), {"q": f"%{marker}%"}
                ).scalar_one()
        finally:
            engine.dispose()
        if found:
            break
        time.sleep(1)
    assert found >= 1


def test_ctrl_c_stops_everything_and_frees_the_ports(running: Running) -> None:
    """Runs last in this module (pytest keeps file order): it stops the shared servers."""
    children = descendants(running.process.pid)
    assert len(children) >= 3

    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(timeout=60) == 0

    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)]
    assert not any(listening(port) for port in (running.rasa_port, running.action_port, running.web_port))
    assert "All servers stopped." in running.output
