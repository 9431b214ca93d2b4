"""Servers for the examples' tests, one of each per test session:

- `skipping_env`: `WorkflowEnvironment.start_time_skipping(test_server_existing_path=<bin>)`, the SDK starting
  Hourglass as its time-skipping test server (`hourglass <port>`);
- `local_env`: `WorkflowEnvironment.start_local(dev_server_existing_path=<bin>)`, the SDK starting Hourglass as its
  dev server (`hourglass server start-dev ...`);
- `dev_client`: a `hourglass server start-dev` process this session starts itself, reached with `Client.connect`,
  as a user's integration tests reach a running server.

The bin runs the compiled server in dist/, so `npm run build` must have run.
"""

import asyncio
import os
import shutil
import socket
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

REPO = Path(__file__).resolve().parents[3]
HOURGLASS_BIN = str(REPO / "bin" / "hourglass.js")
# The SDK waits 5 s by default for the port to accept connections; node starts in well under a second, but a
# loaded CI machine can be slow.
STARTUP_TIMEOUT = timedelta(seconds=30)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def task_queue(request: pytest.FixtureRequest) -> str:
    return unique(request.node.name[:40].replace("[", "-").replace("]", ""))


@pytest_asyncio.fixture(scope="session")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=HOURGLASS_BIN, test_server_startup_timeout=STARTUP_TIMEOUT)
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def local_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=HOURGLASS_BIN, dev_server_startup_timeout=STARTUP_TIMEOUT)
    yield env
    await env.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def dev_server_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    db = tmp_path_factory.mktemp("hourglass") / "dev.db"
    node = shutil.which("node") or "node"
    args = [node, HOURGLASS_BIN, "server", "start-dev", "--headless", "--port", str(port), "--db-filename", str(db), "--log-level", "error"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    try:
        # Ready once the port accepts connections, as the SDK itself detects an existing-path server.
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"hourglass server exited with {process.returncode}: {process.stderr.read().decode() if process.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("hourglass server did not start listening within 30 s")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest_asyncio.fixture(scope="session")
async def dev_client(dev_server_address: str) -> Client:
    return await Client.connect(dev_server_address)


async def wait_for(what: str, check, timeout: float = 10.0):
    """Polls `check` (sync or async) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
