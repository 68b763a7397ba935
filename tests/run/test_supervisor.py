"""The supervisor behind `here-to-help run`: servers come up, a failure names the server and quotes its log,
a server that dies is started again while the others keep answering, and stopping leaves nothing behind —
not even a grandchild, not even a child that ignores SIGTERM."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import pytest

from bot.supervisor import Backoff, ServiceError, ServiceSpec, Supervisor, answers, port_in_use


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spec(tmp_path: Path, name: str, code: str, port: int | None = None) -> ServiceSpec:
    port = port or free_port()
    return ServiceSpec(
        name=name,
        command=[sys.executable, "-c", code, str(port)],
        port=port,
        health_url=f"http://127.0.0.1:{port}/",
        log_path=tmp_path / "logs" / f"{name}.log",
        cwd=tmp_path,
        env=dict(os.environ),
    )


HTTP_SERVER = (
    "import sys, http.server; "
    "http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)"
    ".serve_forever()"
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); read its state
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_servers_come_up_answer_and_leave_nothing_behind_when_stopped(tmp_path: Path) -> None:
    supervisor = Supervisor([spec(tmp_path, "first", HTTP_SERVER), spec(tmp_path, "second", HTTP_SERVER)])
    supervisor.start_all()
    try:
        supervisor.wait_until_healthy(timeout=30, poll=0.2)
        ports = [child.spec.port for child in supervisor.children]
        assert all(port_in_use("127.0.0.1", port) for port in ports)
    finally:
        supervisor.stop_all(grace=5)

    assert all(child.exit_code() is not None for child in supervisor.children)
    assert not any(port_in_use("127.0.0.1", port) for port in ports)


def test_a_server_that_dies_while_starting_is_named_with_the_end_of_its_log(tmp_path: Path) -> None:
    broken = spec(
        tmp_path, "Rasa", "print('InvalidModelError: no model found', flush=True); raise SystemExit(3)"
    )
    supervisor = Supervisor([spec(tmp_path, "web app", HTTP_SERVER), broken])
    supervisor.start_all()
    try:
        with pytest.raises(ServiceError) as raised:
            supervisor.wait_until_healthy(timeout=30, poll=0.2)
    finally:
        supervisor.stop_all(grace=5)

    message = str(raised.value)
    assert message.startswith("Rasa exited with code 3")
    assert "InvalidModelError: no model found" in message
    assert str(broken.log_path) in message


def test_a_server_that_never_answers_times_out_with_its_name(tmp_path: Path) -> None:
    silent = spec(
        tmp_path, "action server", "import time; print('still loading', flush=True); time.sleep(60)"
    )
    supervisor = Supervisor([silent])
    supervisor.start_all()
    try:
        with pytest.raises(ServiceError, match=r"action server did not become ready within 1 s") as raised:
            supervisor.wait_until_healthy(timeout=1, poll=0.2)
    finally:
        supervisor.stop_all(grace=5)
    assert "still loading" in str(raised.value)


def test_a_taken_port_is_reported_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        supervisor = Supervisor([spec(tmp_path, "web app", HTTP_SERVER, port=taken)])

        with pytest.raises(ServiceError, match=rf"Port {taken} \(web app\) on 127.0.0.1 is already in use"):
            supervisor.check_ports("127.0.0.1")
    assert supervisor.children[0].process is None


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    stubborn = spec(
        tmp_path,
        "stubborn",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
        "time.sleep(120)",
    )
    supervisor = Supervisor([stubborn])
    supervisor.start_all()
    _wait_for_log(stubborn.log_path, "ready")
    started = time.monotonic()
    supervisor.stop_all(grace=1)

    assert supervisor.children[0].exit_code() == -9
    assert time.monotonic() - started < 10


def test_grandchildren_are_stopped_with_their_parent(tmp_path: Path) -> None:
    parent = spec(
        tmp_path,
        "forking",
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        "print('grandchild', child.pid, flush=True); time.sleep(120)",
    )
    supervisor = Supervisor([parent])
    supervisor.start_all()
    line = _wait_for_log(parent.log_path, "grandchild")
    grandchild = int(line.split()[-1])
    assert alive(grandchild)

    supervisor.stop_all(grace=5)

    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(grandchild)


def test_a_server_killed_while_running_is_started_again_and_the_others_keep_answering(tmp_path: Path) -> None:
    web, rasa = spec(tmp_path, "web app", HTTP_SERVER), spec(tmp_path, "Rasa", HTTP_SERVER)
    supervisor = Supervisor([web, rasa], backoff=Backoff(first=0.2, longest=1.0))
    supervisor.start_all()
    reports: list[str] = []
    try:
        supervisor.wait_until_healthy(timeout=30, poll=0.2)
        first_pid = supervisor.children[1].pid
        os.kill(first_pid, 9)

        deadline = time.monotonic() + 20
        web_answered_meanwhile = True
        while time.monotonic() < deadline:
            supervisor.restart_dead(reports.append)
            web_answered_meanwhile &= answers(web.health_url)
            if supervisor.children[1].pid != first_pid and answers(rasa.health_url):
                break
            time.sleep(0.1)
    finally:
        supervisor.stop_all(grace=5)

    assert supervisor.children[1].pid != first_pid, reports
    assert web_answered_meanwhile
    assert reports[0].startswith("Rasa exited with code -9 while running")
    assert "Starting it again in 0 s." in reports[0]
    assert reports[1] == "Rasa started again (restart 1)."
    assert supervisor.children[0].restarts == 0


def test_a_server_that_keeps_dying_is_restarted_ever_more_slowly_but_within_half_a_minute() -> None:
    backoff = Backoff()
    assert [backoff.delay(failures) for failures in range(1, 8)] == [1, 2, 4, 8, 16, 16, 16]
    assert all(backoff.delay(failures) < 30 for failures in range(1, 50))


def test_a_crash_after_a_long_spell_up_is_forgiven_and_restarted_quickly(tmp_path: Path) -> None:
    crashing = spec(tmp_path, "action server", "raise SystemExit(2)")
    supervisor = Supervisor([crashing], backoff=Backoff(first=1.0, longest=16.0, forgiven_after=60.0))
    child = supervisor.children[0]
    child.start()
    child.process.wait(timeout=20)
    reports: list[str] = []
    try:
        child.failures = 4  # it had been failing ...
        child.started_at -= 120  # ... but this run stayed up for two minutes
        supervisor.restart_dead(reports.append)
    finally:
        supervisor.stop_all(grace=5)
    assert child.failures == 1
    assert "Starting it again in 1 s." in reports[0]


def test_watching_restarts_until_asked_to_stop(tmp_path: Path) -> None:
    short_lived = spec(
        tmp_path, "action server", "import time; time.sleep(0.3); print('crashed'); raise SystemExit(2)"
    )
    supervisor = Supervisor([short_lived], backoff=Backoff(first=0.1, longest=0.2))
    supervisor.start_all()
    reports: list[str] = []
    stop_at = time.monotonic() + 3
    try:
        supervisor.watch(
            lambda seconds: time.sleep(seconds) or time.monotonic() > stop_at, poll=0.1, report=reports.append
        )
    finally:
        supervisor.stop_all(grace=5)

    assert supervisor.children[0].restarts >= 2
    assert reports[0].startswith("action server exited with code 2 while running")
    assert "crashed" in reports[0]


def _wait_for_log(path: Path, marker: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith(marker):
                    return line
        time.sleep(0.1)
    raise AssertionError(f"{marker!r} never appeared in {path}")
