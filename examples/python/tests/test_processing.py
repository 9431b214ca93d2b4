"""Sequential, parallel-with-partial-failure, and parent/child batches, on the time-skipping server."""

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from hourglass_examples.batch_children import (
    BatchChildrenInput,
    BatchChildrenWorkflow,
    BatchItemWorkflow,
    batch_children_process_item,
    batch_children_summarize,
)
from hourglass_examples.domain import BatchItem, BatchRequest
from hourglass_examples.parallel import ItemResult, ParallelBatchWorkflow
from hourglass_examples.sequential import ProcessingRequest, SequentialPipelineWorkflow, store_record, transform_request, validate_request


async def test_sequential_runs_validate_transform_store_in_order(skipping_env, task_queue):
    activities = [validate_request, transform_request, store_record]
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[SequentialPipelineWorkflow], activities=activities):
        request = ProcessingRequest("r1", {"Name": "Ada", "name": "Ada", "email": "ada@example.com"})
        stored = await skipping_env.client.execute_workflow(SequentialPipelineWorkflow.run, request, id=task_queue, task_queue=task_queue)
        invalid = await skipping_env.client.execute_workflow(
            SequentialPipelineWorkflow.run, ProcessingRequest("r2", {"name": "Ada"}), id=f"{task_queue}-2", task_queue=task_queue
        )
    assert (stored.status, stored.location, stored.steps_run) == ("stored", "records/r1", ["validate", "transform", "store"])
    assert (invalid.status, invalid.errors, invalid.steps_run) == ("invalid", ["missing field 'email'"], ["validate"])


async def test_parallel_items_fail_alone_and_the_batch_reports_successes_and_failures(skipping_env, task_queue):
    attempts: dict[str, int] = {}

    @activity.defn(name="process_item")
    async def process_item_mock(item: BatchItem) -> ItemResult:
        attempts[item.id] = attempts.get(item.id, 0) + 1
        if item.data.get("flaky") and attempts[item.id] < 2:
            raise RuntimeError("transient")  # retried by the activity's retry policy
        if item.data.get("fail"):
            raise ApplicationError(f"item {item.id} is corrupt", type="CorruptItem", non_retryable=True)
        return ItemResult(item.id, item.data["value"] * 2)

    items = [BatchItem("a", {"value": 1}), BatchItem("b", {"value": 2, "fail": True}), BatchItem("c", {"value": 3, "flaky": True})]
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[ParallelBatchWorkflow], activities=[process_item_mock]):
        result = await skipping_env.client.execute_workflow(ParallelBatchWorkflow.run, BatchRequest("batch-1", items), id=task_queue, task_queue=task_queue)
    assert [r.item_id for r in result.succeeded] == ["a", "c"]
    assert [(f.item_id, f.error) for f in result.failed] == [("b", "item b is corrupt")]
    assert (result.total, attempts["b"], attempts["c"]) == (3, 1, 2)


async def test_child_batches_run_a_child_per_item_and_a_failing_child_fails_only_its_item(skipping_env, task_queue):
    items = [BatchItem("1"), BatchItem("2", {"fail": True}), BatchItem("3", {"delay_seconds": 3600})]
    async with Worker(
        skipping_env.client,
        task_queue=task_queue,
        workflows=[BatchChildrenWorkflow, BatchItemWorkflow],
        activities=[batch_children_process_item, batch_children_summarize],
    ):
        batch = BatchChildrenInput(BatchRequest("b1", items, chunk_size=2), child_timeout_seconds=7200)
        handle = await skipping_env.client.start_workflow(BatchChildrenWorkflow.run, batch, id=task_queue, task_queue=task_queue)
        outcome = await handle.result()
        child = await skipping_env.client.get_workflow_handle(f"{task_queue}-item-3").describe()
    assert [r.item_id for r in outcome.results] == ["1", "3"]
    assert outcome.failures == {"2": "item 2 cannot be processed"}
    assert (outcome.summary.succeeded, outcome.summary.failed, outcome.summary.failed_item_ids) == (2, 1, ["2"])
    assert child.parent_id == task_queue
