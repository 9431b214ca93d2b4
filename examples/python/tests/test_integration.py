"""Integration: the examples with their real activities, on Hourglass started by the SDK
(`start_local(dev_server_existing_path=...)`) and on a `hourglass server start-dev` reached with `Client.connect`."""

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.worker import Worker

from hourglass_examples import deterministic, errors, idempotent, long_running, parallel, saga, sequential
from hourglass_examples.domain import BatchItem, BatchRequest, sample_order

from .conftest import wait_for

WORKFLOWS = [
    deterministic.DeterministicWorkflow,
    sequential.SequentialPipelineWorkflow,
    parallel.ParallelBatchWorkflow,
    idempotent.IdempotentOrderWorkflow,
    saga.SagaOrderWorkflow,
    long_running.LongRunningProcessWorkflow,
    errors.ErrorHandlingOrderWorkflow,
]
ACTIVITIES = [
    deterministic.issue_token,
    sequential.validate_request,
    sequential.transform_request,
    sequential.store_record,
    parallel.process_item,
    idempotent.reserve_inventory,
    idempotent.charge_payment,
    idempotent.ship_order,
    *[saga.saga_reserve_inventory, saga.saga_release_inventory, saga.saga_charge_payment, saga.saga_refund_payment, saga.saga_ship_order],
    long_running.run_process_step,
    *[errors.errors_validate_order, errors.errors_authorize_payment, errors.errors_charge_payment],
    *[errors.errors_notify_customer, errors.errors_escalate_incident, errors.errors_log_failure],
]


@pytest.fixture(params=["start_local", "start_dev"])
def client(request: pytest.FixtureRequest) -> Client:
    return request.getfixturevalue("local_env").client if request.param == "start_local" else request.getfixturevalue("dev_client")


async def test_the_examples_run_end_to_end_with_their_real_activities(client: Client, task_queue):
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=ACTIVITIES):
        det = await client.execute_workflow(deterministic.DeterministicWorkflow.run, 0.2, id=f"{task_queue}-det", task_queue=task_queue)
        assert det.elapsed_seconds >= 0.2 and det.token.startswith(det.request_id)

        seq = await client.execute_workflow(
            sequential.SequentialPipelineWorkflow.run,
            sequential.ProcessingRequest("r", {"name": "Ada", "email": "ada@example.com"}),
            id=f"{task_queue}-seq",
            task_queue=task_queue,
        )
        assert seq.status == "stored"

        items = [BatchItem("a", {"value": 2}), BatchItem("b", {"fail": True})]
        par = await client.execute_workflow(parallel.ParallelBatchWorkflow.run, BatchRequest("p", items), id=f"{task_queue}-par", task_queue=task_queue)
        assert ([r.value for r in par.succeeded], [f.item_id for f in par.failed]) == ([4.0], ["b"])

        order = await client.execute_workflow(idempotent.IdempotentOrderWorkflow.run, sample_order(task_queue), id=f"{task_queue}-idem", task_queue=task_queue)
        assert order.completed_steps == ["inventory", "payment", "shipping"]

        shipped = await client.execute_workflow(saga.SagaOrderWorkflow.run, sample_order(task_queue), id=f"{task_queue}-saga", task_queue=task_queue)
        assert shipped.transaction_id == f"tx-{task_queue}"


async def test_signals_and_the_status_query_control_a_running_process(client: Client, task_queue):
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=ACTIVITIES):
        handle = await client.start_workflow(
            long_running.LongRunningProcessWorkflow.run,
            long_running.ProcessInput(total_steps=3, delay_between_steps_seconds=0.3),
            id=task_queue,
            task_queue=task_queue,
        )
        await handle.signal(long_running.LongRunningProcessWorkflow.pause)
        status = await wait_for("the pause", lambda: handle.query(long_running.LongRunningProcessWorkflow.status))
        assert status.status == "paused"
        await handle.signal(long_running.LongRunningProcessWorkflow.resume)
        result = await handle.result()
        assert (result.status, result.progress) == ("completed", 100)
        description = await handle.describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED
    assert description.workflow_type == "LongRunningProcessWorkflow"


async def test_workflows_are_listed_by_visibility_queries(dev_client: Client, task_queue):
    async with Worker(dev_client, task_queue=task_queue, workflows=WORKFLOWS, activities=ACTIVITIES):
        for n in range(2):
            await dev_client.execute_workflow(deterministic.DeterministicWorkflow.run, 0, id=f"{task_queue}-{n}", task_queue=task_queue)
    listed = [w.id async for w in dev_client.list_workflows(f"TaskQueue = '{task_queue}' AND ExecutionStatus = 'Completed'")]
    assert sorted(listed) == [f"{task_queue}-0", f"{task_queue}-1"]
