"""Chunked batch processing: a large batch is split into chunks (one activity per item floods history; one for the
whole batch cannot be parallelised or partly retried), at most `max_concurrent_chunks` in flight. Validation and
processing run on their own task queues (`<base>-validate`, `<base>-process`), so each gets its own worker pool.

The processing activity heartbeats its progress after every item: a dead worker is noticed within the heartbeat
timeout, the retry that follows resumes after the last reported item (`activity.info().heartbeat_details`), and a
cancellation — delivered to an activity only through heartbeats — lets it clean up before it reports cancelled.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ActivityCancellationType

from .domain import BatchItem, BatchRequest

DEFAULT_CHUNK_SIZE = 10
cleanups: list[dict[str, Any]] = []  # what the cancelled chunks cleaned up (observable in tests and demos)


def chunk(items: list[Any], size: int) -> list[list[Any]]:
    if size < 1:
        raise ValueError(f"chunk size must be a positive integer, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def step_task_queue(base: str, step: str) -> str:
    return f"{base}-{step}"


def format_progress(processed: int, total: int) -> str:
    percent = 100.0 if total == 0 else processed * 100 / total
    return f"Processed {processed}/{total} ({percent:.1f}%)"


@dataclass
class ChunkRequest:
    batch_id: str
    chunk_index: int
    items: list[BatchItem]
    item_delay_seconds: float = 0


@dataclass
class ChunkValidation:
    chunk_index: int
    task_queue: str
    valid: list[BatchItem]
    invalid: dict[str, str]


@dataclass
class ChunkResult:
    chunk_index: int
    task_queue: str
    processed: int
    total: int
    message: str
    attempt: int
    resumed_from: int
    amount: float


@activity.defn
async def validate_chunk(request: ChunkRequest) -> ChunkValidation:
    valid, invalid = [], {}
    for item in request.items:
        amount = item.data.get("amount")
        if isinstance(amount, (int, float)) and amount >= 0:
            valid.append(item)
        else:
            invalid[item.id] = f"amount must be a non-negative number, got {amount!r}"
    return ChunkValidation(request.chunk_index, activity.info().task_queue, valid, invalid)


@activity.defn
async def process_chunk(request: ChunkRequest) -> ChunkResult:
    info = activity.info()
    total = len(request.items)
    previous = info.heartbeat_details[0] if info.heartbeat_details else None
    resumed_from = min(int(previous["processed"]), total) if isinstance(previous, dict) and previous.get("total") == total else 0
    processed = resumed_from
    activity.heartbeat({"processed": processed, "total": total, "message": format_progress(processed, total)})
    try:
        for index in range(resumed_from, total):
            item = request.items[index]
            if item.data.get("fail_once") and info.attempt == 1:
                raise ApplicationError(f"worker crashed at item {item.id}", type="SimulatedCrash")
            await asyncio.sleep(request.item_delay_seconds)
            processed = index + 1
            activity.heartbeat({"processed": processed, "total": total, "message": format_progress(processed, total)})
    except asyncio.CancelledError:
        # Release what this chunk holds before reporting the cancellation.
        cleanups.append({"batch_id": request.batch_id, "chunk_index": request.chunk_index, "processed": processed})
        raise
    amount = sum(float(item.data["amount"]) for item in request.items)
    return ChunkResult(request.chunk_index, info.task_queue, processed, total, format_progress(processed, total), info.attempt, resumed_from, amount)


@dataclass
class BatchProcessingInput:
    request: BatchRequest
    task_queue: str
    max_concurrent_chunks: int = 4
    item_delay_seconds: float = 0


@dataclass
class BatchProcessingSummary:
    batch_id: str
    chunk_sizes: list[int]
    processed: int
    total_amount: float
    invalid: dict[str, str] = field(default_factory=dict)
    chunks: list[ChunkResult] = field(default_factory=list)
    message: str = ""


@workflow.defn
class BatchProcessingWorkflow:
    @workflow.run
    async def run(self, input: BatchProcessingInput) -> BatchProcessingSummary:
        request = input.request
        chunks = chunk(request.items, request.chunk_size or DEFAULT_CHUNK_SIZE)
        slots = asyncio.Semaphore(input.max_concurrent_chunks)
        invalid: dict[str, str] = {}

        async def run_chunk(index: int, items: list[BatchItem]) -> ChunkResult:
            async with slots:
                validation = await workflow.execute_activity(
                    validate_chunk,
                    ChunkRequest(request.batch_id, index, items),
                    task_queue=step_task_queue(input.task_queue, "validate"),
                    start_to_close_timeout=timedelta(seconds=30),
                )
                invalid.update(validation.invalid)
                return await workflow.execute_activity(
                    process_chunk,
                    ChunkRequest(request.batch_id, index, validation.valid, input.item_delay_seconds),
                    task_queue=step_task_queue(input.task_queue, "process"),
                    start_to_close_timeout=timedelta(minutes=10),
                    # Detects a dead worker in seconds, and is how cancellation reaches the activity.
                    heartbeat_timeout=timedelta(seconds=5),
                    # Let the activity finish its clean-up before the workflow reports itself cancelled.
                    cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
                    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_attempts=3),
                )

        results = await asyncio.gather(*(run_chunk(i, items) for i, items in enumerate(chunks)))
        processed = sum(r.processed for r in results)
        return BatchProcessingSummary(
            request.batch_id,
            [len(c) for c in chunks],
            processed,
            sum(r.amount for r in results),
            invalid,
            list(results),
            f"{processed} of {len(request.items)} items processed in {len(chunks)} chunks; {len(invalid)} invalid",
        )
