"""Parent / child batches: the parent starts one child workflow per item (its own id, timeout and history), at most
`chunk_size` at a time, collects the results and the failed items, and reports a summary through an activity.
A child's failure is that item's failure, not the batch's.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, ChildWorkflowError, FailureError, is_cancelled_exception

from .domain import BatchItem, BatchRequest


@dataclass
class ChildItemResult:
    item_id: str
    output: str


@dataclass
class BatchSummary:
    batch_id: str
    total: int
    succeeded: int
    failed: int
    failed_item_ids: list[str] = field(default_factory=list)


@dataclass
class BatchChildrenInput:
    request: BatchRequest
    child_timeout_seconds: float = 60


@dataclass
class BatchChildrenOutcome:
    batch_id: str
    results: list[ChildItemResult]
    failures: dict[str, str]
    summary: BatchSummary


@activity.defn
async def batch_children_process_item(item: BatchItem) -> ChildItemResult:
    if item.data.get("fail"):
        raise ApplicationError(f"item {item.id} cannot be processed", type="ItemRejected", non_retryable=True)
    return ChildItemResult(item.id, f"processed-{item.id}")


@activity.defn
async def batch_children_summarize(summary: BatchSummary) -> None:
    activity.logger.info("Batch %s: %d/%d succeeded", summary.batch_id, summary.succeeded, summary.total)


@workflow.defn
class BatchItemWorkflow:
    @workflow.run
    async def run(self, item: BatchItem) -> ChildItemResult:
        if item.data.get("delay_seconds"):
            await asyncio.sleep(float(item.data["delay_seconds"]))
        return await workflow.execute_activity(
            batch_children_process_item,
            item,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(milliseconds=200)),
        )


def root_message(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return error.message if isinstance(error, FailureError) else str(error)


@workflow.defn
class BatchChildrenWorkflow:
    @workflow.run
    async def run(self, input: BatchChildrenInput) -> BatchChildrenOutcome:
        request = input.request
        slots = asyncio.Semaphore(request.chunk_size or 10)
        parent_id = workflow.info().workflow_id

        async def run_child(item: BatchItem) -> ChildItemResult:
            async with slots:
                return await workflow.execute_child_workflow(
                    BatchItemWorkflow.run,
                    item,
                    id=f"{parent_id}-item-{item.id}",
                    execution_timeout=timedelta(seconds=input.child_timeout_seconds),
                )

        outcomes = await asyncio.gather(*(run_child(item) for item in request.items), return_exceptions=True)
        results: list[ChildItemResult] = []
        failures: dict[str, str] = {}
        for item, outcome in zip(request.items, outcomes):
            if is_cancelled_exception(outcome):
                raise outcome
            if isinstance(outcome, ChildWorkflowError):
                failures[item.id] = root_message(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                results.append(outcome)
        summary = BatchSummary(request.batch_id, len(request.items), len(results), len(failures), list(failures))
        await workflow.execute_activity(batch_children_summarize, summary, start_to_close_timeout=timedelta(seconds=10))
        return BatchChildrenOutcome(request.batch_id, results, failures, summary)
