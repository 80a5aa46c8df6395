"""Real `dauys serve` processes on 127.0.0.1, for tests of what only several processes or restarts show."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.waiting import HANG, wait_for_sync


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, log_dir: Path, workers: int = 1, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"server-{self.port}.log"
        self.workers = workers
        self.env = {**os.environ, "DAUYS_SCHEDULER_INTERVAL": "1", **(env or {})}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = HANG) -> Server:
        dauys = Path(sys.executable).with_name("dauys")
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(dauys), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_for_sync(self._ready, timeout, what=f"dauys serve on port {self.port} answering ready")
        except AssertionError as exc:
            self.stop()
            raise AssertionError(f"{exc}: {self.log_path.read_text()[-2000:]}") from None
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"dauys serve exited: {self.log_path.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.url}/api/v1/ready", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=30)
