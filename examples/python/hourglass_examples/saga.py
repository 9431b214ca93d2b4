"""Saga: a multi-service transaction (reserve inventory → charge payment → ship) cannot be rolled back atomically,
so each completed step registers a compensation and a failure runs them newest-first.

A cancelled workflow compensates too, then reports itself cancelled: activities started after the cancellation
was delivered are not cancelled, and `asyncio.shield` keeps a second cancel from cutting the clean-up short. A
compensation that fails is logged and the others still run. The workflow then fails with an `ApplicationError` of
type `SagaCompensated` whose cause is the original error and whose details list each compensation's outcome.
"""

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable, Optional

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError, is_cancelled_exception

from .domain import Order

SAGA_COMPENSATED = "SagaCompensated"
PAYMENT_LIMIT = 10_000


@activity.defn
async def saga_reserve_inventory(order: Order) -> str:
    missing = next((i.sku for i in order.items if i.sku.startswith("OUT-OF-STOCK")), None)
    if missing:
        raise ApplicationError(f"{missing} is out of stock", type="OutOfStock", non_retryable=True)
    return f"res-{order.order_id}"


@activity.defn
async def saga_release_inventory(reservation_id: str) -> None:
    activity.logger.info("Inventory released: %s", reservation_id)


@activity.defn
async def saga_charge_payment(order: Order) -> str:
    if order.order_total() > PAYMENT_LIMIT:
        raise ApplicationError(f"payment of {order.order_total():g} declined: over the {PAYMENT_LIMIT} limit", type="PaymentDeclined", non_retryable=True)
    return f"tx-{order.order_id}"


@activity.defn
async def saga_refund_payment(transaction_id: str) -> None:
    activity.logger.info("Payment refunded: %s", transaction_id)


@activity.defn
async def saga_ship_order(order: Order) -> str:
    if order.shipping_address.country == "AQ":
        raise ApplicationError("no carrier ships to AQ", type="UndeliverableAddress", non_retryable=True)
    return f"trk-{order.order_id}"


@dataclass
class CompensationOutcome:
    name: str
    ok: bool
    error: Optional[str] = None


class Saga:
    def __init__(self) -> None:
        self._compensations: list[tuple[str, Callable[[], Awaitable[Any]]]] = []

    def add_compensation(self, name: str, compensate: Callable[[], Awaitable[Any]]) -> None:
        self._compensations.append((name, compensate))

    async def _compensate_all(self) -> list[CompensationOutcome]:
        outcomes = []
        for name, compensate in reversed(self._compensations):
            try:
                await compensate()
                outcomes.append(CompensationOutcome(name, True))
            except Exception as err:
                root = err.cause if isinstance(err, ActivityError) and err.cause else err
                message = root.message if isinstance(root, FailureError) else str(root)
                workflow.logger.warning("Compensation %s failed; continuing with the others: %s", name, message)
                outcomes.append(CompensationOutcome(name, False, message))
        return outcomes

    async def compensate(self) -> list[CompensationOutcome]:
        # Shielded: a workflow cancellation must not stop the clean-up half-way.
        return await asyncio.shield(asyncio.ensure_future(self._compensate_all()))


@dataclass
class SagaOrderResult:
    order_id: str
    reservation_id: str
    transaction_id: str
    tracking_number: str


FORWARD = {"start_to_close_timeout": timedelta(seconds=30), "retry_policy": RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=1))}
# Compensations must eventually succeed: retried longer than the forward steps.
COMPENSATION = {"start_to_close_timeout": timedelta(seconds=30), "retry_policy": RetryPolicy(maximum_attempts=10, initial_interval=timedelta(seconds=1))}


@workflow.defn
class SagaOrderWorkflow:
    @workflow.run
    async def run(self, order: Order) -> SagaOrderResult:
        saga = Saga()
        try:
            reservation = await workflow.execute_activity(saga_reserve_inventory, order, **FORWARD)
            saga.add_compensation("release_inventory", lambda: workflow.execute_activity(saga_release_inventory, reservation, **COMPENSATION))
            transaction = await workflow.execute_activity(saga_charge_payment, order, **FORWARD)
            saga.add_compensation("refund_payment", lambda: workflow.execute_activity(saga_refund_payment, transaction, **COMPENSATION))
            tracking = await workflow.execute_activity(saga_ship_order, order, **FORWARD)
            return SagaOrderResult(order.order_id, reservation, transaction, tracking)
        except (asyncio.CancelledError, Exception) as err:
            outcomes = await saga.compensate()
            if is_cancelled_exception(err):
                # Cancelled, not failed: clean up, then let the cancellation through.
                raise

            names = ", ".join(o.name for o in outcomes) or "nothing"
            raise ApplicationError(f"order {order.order_id} failed; compensated: {names}", outcomes, type=SAGA_COMPENSATED, non_retryable=True) from err
