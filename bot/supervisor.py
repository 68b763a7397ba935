"""Starting, health-checking, restarting and stopping the servers `here-to-help run` brings up, leaving no
orphans.

Each child runs in its own process group with its output in a log file, so a Ctrl-C reaches only us and we
stop the children in order: SIGTERM to the whole group, a grace period, then SIGKILL. On Linux each child also
asks the kernel to SIGTERM it if we die without cleaning up (PR_SET_PDEATHSIG), so even `kill -9` of the
supervisor does not leave a Rasa server holding its port.

A child that dies once everything is up is started again after a back-off (`Backoff`: 1 s, 2 s, 4 s, ...
at most 16 s, back to 1 s once it has stayed up for a minute), and the others keep running: the web app
answers residents with the contact-centre number while Rasa or the action server is away, which it cannot
do if it is stopped with them. Container restart policies should do the same (docs/running.md).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.private_files import open_private, private_folder

STOP_GRACE_SECONDS = 15.0
"""How long a child may take to exit after SIGTERM before it is killed."""


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a child that died: doubling from `first` up to `longest`.

    `longest` is kept well under 30 s so a server that died is back within half a minute even after a few
    failures in a row; a child that stays up for `forgiven_after` seconds starts again from `first`."""

    first: float = 1.0
    longest: float = 16.0
    forgiven_after: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait before restart number `failures` (1 for the first failure in a row)."""
        return min(self.longest, self.first * 2 ** max(0, failures - 1))


class ServiceError(RuntimeError):
    """A child failed to start, failed its health check or died; the message names it and quotes its log."""


@dataclass(frozen=True)
class ServiceSpec:
    """One server to start: what to run, where it logs and how to tell it is ready."""

    name: str
    command: list[str]
    port: int
    health_url: str
    """Answered with HTTP 200 once the server is ready (for Rasa: once its model is loaded)."""
    log_path: Path
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM this child when the supervisor dies, whatever the cause."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Child:
    """A started server: its process, its log, and the means to stop it."""

    def __init__(self, spec: ServiceSpec) -> None:
        self.spec = spec
        self.process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None
        self.started_at = 0.0
        self.failures = 0
        """Deaths in a row without a long enough spell up in between (see `Backoff`)."""
        self.restart_at: float | None = None
        """When a dead child is due to start again (None: not dead, or not yet noticed)."""
        self.restarts = 0

    def start(self) -> None:
        if self._log is not None:  # a restart: the previous run's log handle
            self._log.close()
        self.started_at = time.monotonic()
        self.restart_at = None
        private_folder(self.spec.log_path.parent)
        # the servers' output can hold residents' words (Rasa at DEBUG), so only we may read it
        self._log = open_private(self.spec.log_path, "ab")  # kept open for the life of the child
        self._log.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.spec.name}\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            self.spec.command,
            cwd=self.spec.cwd,
            env=self.spec.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - nothing else runs threads yet
        )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exit_code(self) -> int | None:
        """None while running (or never started)."""
        return self.process.poll() if self.process else None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        """Ask the child's whole process group to exit (SIGTERM)."""
        if self.process is not None and self.process.poll() is None:
            self._signal_group(signal.SIGTERM)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM the child's whole process group, wait up to `grace` seconds, then SIGKILL it."""
        if self.process is None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)
        # the leader may be gone while something it forked lingers: sweep the group
        self._signal_group(signal.SIGKILL)
        if self._log:
            self._log.close()
            self._log = None

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)

    def log_tail(self, lines: int = 25) -> str:
        try:
            with open(self.spec.log_path, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - 64_000))
                text = handle.read().decode("utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on (host, port); we check the way the servers will bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def answers(url: str, timeout: float = 3.0) -> bool:
    """Whether `url` answers HTTP 200 right now."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback URLs
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Supervisor:
    """Starts the children together, waits for all to be healthy, watches them, and stops them all."""

    def __init__(
        self,
        specs: list[ServiceSpec],
        *,
        is_healthy: Callable[[str], bool] = answers,
        backoff: Backoff | None = None,
    ) -> None:
        self.children = [Child(spec) for spec in specs]
        self._is_healthy = is_healthy
        self.backoff = backoff or Backoff()

    def check_ports(self, host: str) -> None:
        taken = [child.spec for child in self.children if port_in_use(host, child.spec.port)]
        if taken:
            described = ", ".join(f"{spec.port} ({spec.name})" for spec in taken)
            raise ServiceError(
                f"Port {described} on {host} is already in use. Stop whatever is using it (perhaps an "
                "earlier `here-to-help run`), or choose other ports with RASA_PORT, ACTION_PORT and WEB_PORT."
            )

    def start_all(self) -> None:
        for child in self.children:
            child.start()

    def wait_until_healthy(self, timeout: float, poll: float = 1.0) -> None:
        """Return once every child answers its health check; raise naming the first that dies or times out."""
        deadline = time.monotonic() + timeout
        waiting = list(self.children)
        while waiting:
            for child in list(waiting):
                code = child.exit_code()
                if code is not None:
                    raise ServiceError(self._died_message(child, code, "before it was ready"))
                if self._is_healthy(child.spec.health_url):
                    waiting.remove(child)
            if not waiting:
                return
            if time.monotonic() > deadline:
                child = waiting[0]
                raise ServiceError(
                    f"{child.spec.name} did not become ready within {timeout:.0f} s "
                    f"(port {child.spec.port}). Its log, {child.spec.log_path}, ends:\n{child.log_tail()}"
                )
            time.sleep(poll)

    def first_dead(self) -> Child | None:
        return next((child for child in self.children if child.exit_code() is not None), None)

    def watch(
        self,
        should_stop: Callable[[float], bool],
        poll: float = 0.5,
        *,
        report: Callable[[str], None] = lambda _message: None,
    ) -> None:
        """Keep the children running until `should_stop(poll)` is true: a child that dies is started again
        after the back-off, and the others are left alone. Each death and restart is `report`ed."""
        while not should_stop(poll):
            self.restart_dead(report)

    def restart_dead(self, report: Callable[[str], None], now: float | None = None) -> None:
        """One round of watching: note each newly dead child and start those whose back-off is over."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            code = child.exit_code()
            if code is None:
                if child.failures and now - child.started_at >= self.backoff.forgiven_after:
                    child.failures = 0
                continue
            if child.restart_at is None:
                if now - child.started_at >= self.backoff.forgiven_after:
                    child.failures = 0
                child.failures += 1
                delay = self.backoff.delay(child.failures)
                child.restart_at = now + delay
                report(
                    f"{self._died_message(child, code, 'while running')}\nStarting it again in {delay:.0f} s."
                )
            elif now >= child.restart_at:
                child.stop(grace=1.0)  # sweep anything it left in its process group
                child.start()
                child.restarts += 1
                report(f"{child.spec.name} started again (restart {child.restarts}).")

    def stop_all(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Ask every child to stop at once (last started first), then wait for each, killing stragglers."""
        for child in reversed(self.children):
            child.terminate()
        deadline = time.monotonic() + grace
        for child in reversed(self.children):
            child.stop(max(0.1, deadline - time.monotonic()))

    @staticmethod
    def _died_message(child: Child, code: int | None, when: str) -> str:
        return (
            f"{child.spec.name} exited with code {code} {when}. "
            f"Its log, {child.spec.log_path}, ends:\n{child.log_tail()}"
        )
