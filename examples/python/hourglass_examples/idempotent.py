"""Idempotent steps: a step that already completed is never run again, and each step carries a stable idempotency
key (`payment-<order_id>`) so the external system ignores a repeated call (an activity can run twice: a timeout
after the charge went through).

The workflow keeps the completed steps and their results in its state (queryable), and on a failure waits for an
operator's `retry` signal; the retry runs only the steps that have not completed.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable, TypeVar

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import is_cancelled_exception

from .domain import Order

T = TypeVar("T")


def idempotency_key(step: str, scope: str) -> str:
    return f"{step}-{scope}"


class IdempotencyStore:
    """What the payment provider does with idempotency keys: the first call's result answers every repeat."""

    def __init__(self) -> None:
        self.results: dict[str, Any] = {}
        self.executions: dict[str, int] = {}

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.results:
            self.executions[key] = self.executions.get(key, 0) + 1
            self.results[key] = compute()
        return self.results[key]


store = IdempotencyStore()


@dataclass
class StepRequest:
    order_id: str
    idempotency_key: str
    amount: float = 0.0


@activity.defn
async def reserve_inventory(request: StepRequest) -> str:
    return store.once(request.idempotency_key, lambda: f"res-{request.order_id}")


@activity.defn
async def charge_payment(request: StepRequest) -> str:
    return store.once(request.idempotency_key, lambda: f"tx-{request.order_id}-{request.amount:.2f}")


@activity.defn
async def ship_order(request: StepRequest) -> str:
    return store.once(request.idempotency_key, lambda: f"trk-{request.order_id}")


@dataclass
class IdempotentOrderResult:
    order_id: str
    reservation_id: str
    transaction_id: str
    tracking_number: str
    failed_attempts: int
    completed_steps: list[str] = field(default_factory=list)


@workflow.defn
class IdempotentOrderWorkflow:
    def __init__(self) -> None:
        self.completed: dict[str, Any] = {}
        self.retry_requested = False

    @workflow.query
    def completed_steps(self) -> list[str]:
        return list(self.completed)

    @workflow.signal
    def retry(self) -> None:
        self.retry_requested = True

    async def step(self, name: str, scope: str, run: Callable[[str], Awaitable[T]]) -> T:
        if name in self.completed:
            return self.completed[name]
        result = await run(idempotency_key(name, scope))
        self.completed[name] = result
        return result

    @workflow.run
    async def run(self, order: Order) -> IdempotentOrderResult:
        options: dict[str, Any] = {
            "start_to_close_timeout": timedelta(seconds=30),
            "retry_policy": RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=1)),
        }
        failed_attempts = 0
        while True:
            try:
                reservation = await self.step(
                    "inventory", order.order_id, lambda key: workflow.execute_activity(reserve_inventory, StepRequest(order.order_id, key), **options)
                )
                transaction = await self.step(
                    "payment",
                    order.order_id,
                    lambda key: workflow.execute_activity(charge_payment, StepRequest(order.order_id, key, order.order_total()), **options),
                )
                tracking = await self.step(
                    "shipping", order.order_id, lambda key: workflow.execute_activity(ship_order, StepRequest(order.order_id, key), **options)
                )
                return IdempotentOrderResult(order.order_id, reservation, transaction, tracking, failed_attempts, list(self.completed))
            except Exception as err:
                if is_cancelled_exception(err):
                    raise
                workflow.logger.warning("Order attempt failed; waiting for a retry signal: %s (completed: %s)", err, list(self.completed))
                failed_attempts += 1
                await workflow.wait_condition(lambda: self.retry_requested)
                self.retry_requested = False

