"""Deterministic execution: a workflow's code runs again on replay and must make the same decisions.

So it reads time from `workflow.now()` (the time of the current workflow task, recorded in history), takes
randomness from `workflow.random()` / `workflow.uuid4()` (seeded per run), and leaves real randomness and I/O
to activities, whose results are recorded. The sandbox rejects `datetime.now()` or `random.random()` here.
"""

import asyncio
import secrets
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


@dataclass
class TokenRequest:
    request_id: str
    roll: int


@activity.defn
async def issue_token(request: TokenRequest) -> str:
    # Real randomness belongs here: the result is recorded, so replay reuses it instead of rolling again.
    return f"{request.request_id}:{request.roll}:{secrets.token_hex(4)}"


@dataclass
class DeterministicResult:
    workflow_id: str
    started_at: float
    finished_at: float
    elapsed_seconds: float
    roll: int
    request_id: str
    token: str


@workflow.defn
class DeterministicWorkflow:
    @workflow.run
    async def run(self, wait_seconds: float) -> DeterministicResult:
        started = workflow.now()
        request_id = f"req-{workflow.uuid4()}"
        roll = workflow.random().randint(0, 99)
        token = await workflow.execute_activity(issue_token, TokenRequest(request_id, roll), start_to_close_timeout=timedelta(seconds=10))
        # A durable timer: asyncio.sleep in a workflow is a Temporal timer, skipped by a time-skipping server.
        await asyncio.sleep(wait_seconds)
        finished = workflow.now()
        return DeterministicResult(
            workflow_id=workflow.info().workflow_id,
            started_at=started.timestamp(),
            finished_at=finished.timestamp(),
            elapsed_seconds=(finished - started).total_seconds(),
            roll=roll,
            request_id=request_id,
            token=token,
        )
