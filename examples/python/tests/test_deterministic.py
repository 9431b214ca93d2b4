"""Deterministic execution: a 30-day timer is skipped, and replaying the run's own history reproduces it."""

import time

from temporalio import activity
from temporalio.worker import Replayer, Worker

from hourglass_examples.deterministic import DeterministicWorkflow, TokenRequest


@activity.defn(name="issue_token")
async def issue_token_mock(request: TokenRequest) -> str:
    return f"token-{request.request_id}-{request.roll}"


async def test_a_thirty_day_timer_is_skipped_and_the_result_shows_workflow_time(skipping_env, task_queue):
    wall_start = time.monotonic()
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[DeterministicWorkflow], activities=[issue_token_mock]):
        result = await skipping_env.client.execute_workflow(DeterministicWorkflow.run, 30 * 86400, id=task_queue, task_queue=task_queue)
    assert result.elapsed_seconds >= 30 * 86400
    assert time.monotonic() - wall_start < 30
    assert 0 <= result.roll < 100
    assert result.token == f"token-{result.request_id}-{result.roll}"


async def test_replaying_the_history_makes_the_same_decisions(skipping_env, task_queue):
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[DeterministicWorkflow], activities=[issue_token_mock]):
        handle = await skipping_env.client.start_workflow(DeterministicWorkflow.run, 60, id=task_queue, task_queue=task_queue)
        await handle.result()
    history = await handle.fetch_history()
    # The seeded random roll and uuid come out the same, so the recorded activity input matches: no nondeterminism.
    replay = await Replayer(workflows=[DeterministicWorkflow]).replay_workflow(history, raise_on_replay_failure=False)
    assert replay.replay_failure is None
