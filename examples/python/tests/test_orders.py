"""Idempotent steps, saga compensations and typed error handling, on the time-skipping server."""

import asyncio

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.worker import Worker

from hourglass_examples import errors, idempotent, saga
from hourglass_examples.domain import Order, sample_order
from hourglass_examples.idempotent import IdempotentOrderWorkflow, StepRequest

from .conftest import wait_for


async def test_idempotent_steps_skip_completed_steps_on_retry_and_pass_stable_keys(skipping_env, task_queue):
    keys: list[str] = []
    payment_down = True

    @activity.defn(name="charge_payment")
    async def charge_payment_mock(request: StepRequest) -> str:
        keys.append(request.idempotency_key)
        if payment_down:
            raise ApplicationError("gateway down", non_retryable=True)
        return f"tx-{request.order_id}"

    async with Worker(
        skipping_env.client,
        task_queue=task_queue,
        workflows=[IdempotentOrderWorkflow],
        activities=[idempotent.reserve_inventory, charge_payment_mock, idempotent.ship_order],
    ):
        handle = await skipping_env.client.start_workflow(IdempotentOrderWorkflow.run, sample_order(task_queue), id=task_queue, task_queue=task_queue)
        await wait_for("the payment to fail", lambda: len(keys) == 1)
        assert await wait_for("the inventory step", lambda: handle.query(IdempotentOrderWorkflow.completed_steps)) == ["inventory"]
        payment_down = False
        await handle.signal(IdempotentOrderWorkflow.retry)
        result = await handle.result()
    assert result.completed_steps == ["inventory", "payment", "shipping"]
    assert (result.failed_attempts, result.transaction_id) == (1, f"tx-{task_queue}")
    assert keys == [f"payment-{task_queue}"] * 2, "the retry reused the same idempotency key"
    assert idempotent.store.executions[f"inventory-{task_queue}"] == 1, "inventory was reserved once"


SAGA_ACTIVITIES = [saga.saga_reserve_inventory, saga.saga_release_inventory, saga.saga_charge_payment, saga.saga_refund_payment, saga.saga_ship_order]


async def test_saga_compensates_newest_first_and_fails_with_the_original_error(skipping_env, task_queue):
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[saga.SagaOrderWorkflow], activities=SAGA_ACTIVITIES):
        with pytest.raises(WorkflowFailureError) as failure:
            await skipping_env.client.execute_workflow(saga.SagaOrderWorkflow.run, sample_order(task_queue, country="AQ"), id=task_queue, task_queue=task_queue)
        ok_order = sample_order(f"{task_queue}-ok")
        ok = await skipping_env.client.execute_workflow(saga.SagaOrderWorkflow.run, ok_order, id=f"{task_queue}-ok", task_queue=task_queue)
    error = failure.value.cause
    assert isinstance(error, ApplicationError) and error.type == saga.SAGA_COMPENSATED
    assert [o["name"] for o in error.details[0]] == ["refund_payment", "release_inventory"]
    assert all(o["ok"] for o in error.details[0])
    assert "no carrier ships to AQ" in str(error.__cause__.__cause__)
    assert ok.tracking_number == f"trk-{task_queue}-ok"


async def test_saga_keeps_compensating_when_one_compensation_fails(skipping_env, task_queue):
    @activity.defn(name="saga_refund_payment")
    async def refund_fails(transaction_id: str) -> None:
        raise ApplicationError("refund service down", non_retryable=True)

    activities = [a for a in SAGA_ACTIVITIES if a is not saga.saga_refund_payment] + [refund_fails]
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[saga.SagaOrderWorkflow], activities=activities):
        with pytest.raises(WorkflowFailureError) as failure:
            await skipping_env.client.execute_workflow(saga.SagaOrderWorkflow.run, sample_order(task_queue, country="AQ"), id=task_queue, task_queue=task_queue)
    outcomes = failure.value.cause.details[0]
    assert [(o["name"], o["ok"]) for o in outcomes] == [("refund_payment", False), ("release_inventory", True)]


async def test_a_cancelled_saga_compensates_then_reports_cancelled(skipping_env, task_queue):
    released: list[str] = []
    shipping = asyncio.Event()

    @activity.defn(name="saga_ship_order")
    async def ship_hangs(order: Order) -> str:
        shipping.set()
        await asyncio.Event().wait()  # until cancelled
        return "never"

    @activity.defn(name="saga_release_inventory")
    async def release(reservation_id: str) -> None:
        released.append(reservation_id)

    activities = [a for a in SAGA_ACTIVITIES if a not in (saga.saga_ship_order, saga.saga_release_inventory)] + [ship_hangs, release]
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[saga.SagaOrderWorkflow], activities=activities):
        handle = await skipping_env.client.start_workflow(saga.SagaOrderWorkflow.run, sample_order(task_queue), id=task_queue, task_queue=task_queue)
        await asyncio.wait_for(shipping.wait(), 10)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    assert isinstance(failure.value.cause, CancelledError)
    assert released == [f"res-{task_queue}"]
    assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED


ERROR_ACTIVITIES = [
    errors.errors_validate_order,
    errors.errors_authorize_payment,
    errors.errors_charge_payment,
    errors.errors_notify_customer,
    errors.errors_escalate_incident,
    errors.errors_log_failure,
]


async def run_errors(env, task_queue: str, order: Order):
    return await env.client.execute_workflow(errors.ErrorHandlingOrderWorkflow.run, order, id=f"{task_queue}-{order.order_id}", task_queue=task_queue)


async def test_typed_errors_are_routed_and_the_workflow_fails_with_the_original_type(skipping_env, task_queue):
    cases = [
        (Order("empty", "c", []), errors.VALIDATION),
        (sample_order("big", quantity=1, unit_price=20_000), errors.BUSINESS_LOGIC),
        (Order("expired", "c", sample_order().items, payment_method="expired_card"), errors.AUTHENTICATION),
    ]
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[errors.ErrorHandlingOrderWorkflow], activities=ERROR_ACTIVITIES):
        for order, expected in cases:
            with pytest.raises(WorkflowFailureError) as failure:
                await run_errors(skipping_env, task_queue, order)
            assert failure.value.cause.type == expected
            history = await skipping_env.client.get_workflow_handle(f"{task_queue}-{order.order_id}").fetch_history()
            scheduled = [
                e.activity_task_scheduled_event_attributes.activity_type.name for e in history.events if e.HasField("activity_task_scheduled_event_attributes")
            ]
            started = [e for e in history.events if e.HasField("activity_task_started_event_attributes")]
            # A permanent error is not retried, even the one raised without non_retryable (the policy lists its type).
            assert all(e.activity_task_started_event_attributes.attempt == 1 for e in started)
            handler = "errors_escalate_incident" if expected == errors.AUTHENTICATION else "errors_notify_customer"
            assert scheduled[-1] == handler


async def test_transient_errors_are_retried_until_they_succeed(skipping_env, task_queue):
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[errors.ErrorHandlingOrderWorkflow], activities=ERROR_ACTIVITIES):
        flaky = await run_errors(skipping_env, task_queue, Order("o1", "flaky-gateway", sample_order().items))
        throttled = await run_errors(skipping_env, task_queue, Order("o2", "throttled", sample_order().items))
    assert flaky.transaction_id == "tx-o1-attempt-3"
    assert throttled.transaction_id == "tx-o2-attempt-2"
