"""Parallel processing with partial failure: every item is an activity, all run at once, and one failing item
does not fail the batch. `asyncio.gather(..., return_exceptions=True)` collects each outcome, success or error, so
the workflow reports which items failed and why."""

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError, is_cancelled_exception

from .domain import BatchItem, BatchRequest


@dataclass
class ItemResult:
    item_id: str
    value: float


@dataclass
class ItemFailure:
    item_id: str
    error: str


@dataclass
class ParallelBatchResult:
    batch_id: str
    succeeded: list[ItemResult] = field(default_factory=list)
    failed: list[ItemFailure] = field(default_factory=list)
    total: int = 0


@activity.defn
async def process_item(item: BatchItem) -> ItemResult:
    if item.data.get("fail"):
        raise ApplicationError(f"item {item.id} is corrupt", type="CorruptItem", non_retryable=True)
    return ItemResult(item.id, float(item.data.get("value", 0)) * 2)


def failure_message(error: BaseException) -> str:
    """The root cause's message: an ActivityError wraps the activity's ApplicationError."""
    root = error.cause if isinstance(error, ActivityError) and error.cause else error
    return root.message if isinstance(root, FailureError) else str(root)


@workflow.defn
class ParallelBatchWorkflow:
    @workflow.run
    async def run(self, request: BatchRequest) -> ParallelBatchResult:
        outcomes = await asyncio.gather(
            *(
                workflow.execute_activity(
                    process_item,
                    item,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=1)),
                )
                for item in request.items
            ),
            return_exceptions=True,
        )
        result = ParallelBatchResult(request.batch_id, total=len(request.items))
        for item, outcome in zip(request.items, outcomes):
            if isinstance(outcome, BaseException):
                # A cancellation of the workflow is not an item failure: let it through.
                if is_cancelled_exception(outcome):
                    raise outcome
                result.failed.append(ItemFailure(item.id, failure_message(outcome)))
            else:
                result.succeeded.append(outcome)
        return result
