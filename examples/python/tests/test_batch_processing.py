"""Chunked batch processing: a queue per step kind, heartbeated progress that a retry resumes, clean-up on cancel."""

import asyncio
from contextlib import AsyncExitStack

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import CancelledError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

from hourglass_examples import batch_processing
from hourglass_examples.batch_processing import BatchProcessingInput, BatchProcessingWorkflow, ChunkRequest, chunk, format_progress, step_task_queue
from hourglass_examples.domain import BatchItem, BatchRequest

from .conftest import wait_for


def workers(client: Client, task_queue: str) -> list[Worker]:
    """The workflow's worker, and one worker pool per step kind on its own task queue."""
    return [
        Worker(client, task_queue=task_queue, workflows=[BatchProcessingWorkflow]),
        Worker(client, task_queue=step_task_queue(task_queue, "validate"), activities=[batch_processing.validate_chunk]),
        Worker(client, task_queue=step_task_queue(task_queue, "process"), activities=[batch_processing.process_chunk]),
    ]


async def run_workers(stack: AsyncExitStack, client: Client, task_queue: str) -> None:
    for worker in workers(client, task_queue):
        await stack.enter_async_context(worker)


async def test_chunks_run_on_their_step_queues_invalid_items_are_reported_and_a_retry_resumes_from_the_heartbeat(skipping_env, task_queue):
    items = [BatchItem(str(i), {"amount": i}) for i in range(25)]
    items[3] = BatchItem("3", {"amount": "three"})
    items[17] = BatchItem("17", {"amount": 17, "fail_once": True})
    request = BatchRequest("batch-1", items, chunk_size=10)
    async with AsyncExitStack() as stack:
        await run_workers(stack, skipping_env.client, task_queue)
        summary = await skipping_env.client.execute_workflow(
            BatchProcessingWorkflow.run, BatchProcessingInput(request, task_queue), id=task_queue, task_queue=task_queue
        )
    assert summary.chunk_sizes == [10, 10, 5]
    assert summary.invalid == {"3": "amount must be a non-negative number, got 'three'"}
    assert summary.processed == 24
    assert summary.total_amount == sum(range(25)) - 3
    assert {c.task_queue for c in summary.chunks} == {step_task_queue(task_queue, "process")}
    retried = summary.chunks[1]
    # The first attempt died at item 17 (the 8th of its chunk) after heartbeating 7 items: the retry skipped them.
    assert (retried.attempt, retried.resumed_from, retried.message) == (2, 7, "Processed 10/10 (100.0%)")


async def test_cancelling_the_workflow_reaches_the_heartbeating_activity_which_cleans_up_first(local_env, task_queue):
    batch_processing.cleanups.clear()
    request = BatchRequest("batch-cancel", [BatchItem(str(i), {"amount": 1}) for i in range(40)], chunk_size=40)
    async with AsyncExitStack() as stack:
        await run_workers(stack, local_env.client, task_queue)
        handle = await local_env.client.start_workflow(
            BatchProcessingWorkflow.run, BatchProcessingInput(request, task_queue, item_delay_seconds=0.25), id=task_queue, task_queue=task_queue
        )

        async def processing_started():
            pending = (await handle.describe()).raw_description.pending_activities
            return any(p.activity_type.name == "process_chunk" for p in pending)

        await wait_for("the chunk to start processing", processing_started)
        await asyncio.sleep(1)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    assert isinstance(failure.value.cause, CancelledError)
    assert len(batch_processing.cleanups) == 1
    assert 0 < batch_processing.cleanups[0]["processed"] < 40


def test_chunks_and_progress_messages():
    assert chunk(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert format_progress(4, 10) == "Processed 4/10 (40.0%)"
    with pytest.raises(ValueError):
        chunk([1], 0)


async def test_the_chunk_activity_heartbeats_after_every_item_and_cleans_up_when_cancelled():
    """The guide's activity unit test: ActivityEnvironment runs the activity in-process, no server."""
    env = ActivityEnvironment()
    beats: list[dict] = []
    env.on_heartbeat = lambda *details: beats.append(details[0])
    request = ChunkRequest("b", 0, [BatchItem(str(i), {"amount": 1}) for i in range(3)])
    result = await env.run(batch_processing.process_chunk, request)
    assert [b["processed"] for b in beats] == [0, 1, 2, 3]
    assert (result.processed, result.amount, result.resumed_from) == (3, 3.0, 0)

    batch_processing.cleanups.clear()
    slow = ChunkRequest("b", 1, [BatchItem(str(i), {"amount": 1}) for i in range(100)], item_delay_seconds=0.05)

    async def cancel_after_two_items():
        await wait_for("two items", lambda: len(beats) >= 7)
        env.cancel()

    beats.clear()
    canceller = asyncio.ensure_future(cancel_after_two_items())
    with pytest.raises(asyncio.CancelledError):
        await env.run(batch_processing.process_chunk, slow)
    await canceller
    assert batch_processing.cleanups[0]["processed"] >= 6
