"""Versioning with workflow.patched: histories fetched from a running Hourglass replay against the new code."""

import pytest
from temporalio.client import Client
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

from hourglass_examples.domain import sample_order
from hourglass_examples.versioning import (
    ORDER_V2_PATCH,
    OrderWorkflowV1,
    VersionedOrderWorkflow,
    versioning_charge_payment,
    versioning_check_fraud,
    versioning_manual_review,
    versioning_ship_order,
    versioning_validate_order,
)

ACTIVITIES = [versioning_validate_order, versioning_charge_payment, versioning_ship_order, versioning_check_fraud, versioning_manual_review]


async def run_with(client: Client, task_queue: str, workflow_class, order):
    async with Worker(client, task_queue=task_queue, workflows=[workflow_class], activities=ACTIVITIES):
        handle = await client.start_workflow(workflow_class.run, order, id=task_queue, task_queue=task_queue)
        result = await handle.result()
    return result, await handle.fetch_history()


async def test_a_v1_history_replays_on_v2_without_the_new_steps(dev_client, task_queue):
    result, history = await run_with(dev_client, task_queue, OrderWorkflowV1, sample_order(task_queue))
    assert result.fraud_score is None
    # patched() is false while replaying a history without the marker: v2 takes the v1 path.
    await Replayer(workflows=[VersionedOrderWorkflow]).replay_workflow(history)


async def test_a_v2_run_records_the_patch_marker_takes_the_new_path_and_replays(dev_client, task_queue):
    result, history = await run_with(dev_client, task_queue, VersionedOrderWorkflow, sample_order(task_queue, quantity=50, unit_price=30))
    assert (result.fraud_score, result.reviewed) == (80, True)
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert len(markers) == 1
    assert ORDER_V2_PATCH.encode() in markers[0].marker_recorded_event_attributes.details["patch-data"].payloads[0].data
    await Replayer(workflows=[VersionedOrderWorkflow]).replay_workflow(history)


async def test_replaying_a_v2_history_on_the_unpatched_v1_code_is_a_nondeterminism_error(dev_client, task_queue):
    _, history = await run_with(dev_client, task_queue, VersionedOrderWorkflow, sample_order(task_queue))
    with pytest.raises(NondeterminismError):
        await Replayer(workflows=[OrderWorkflowV1]).replay_workflow(history)
