"""Versioning with `workflow.patched`: v2 of the order workflow adds a fraud check (and a manual review for risky
orders) while v1 executions are still running. Executions that started on v1 replay without the new steps (their
history has no patch marker); new executions record the marker and take the new path. Once no v1 execution is
left, `workflow.deprecate_patch(ORDER_V2_PATCH)` replaces the `if` and, later still, goes away.

`OrderWorkflowV1` is the code as it was before the change, registered under the same workflow type name so tests
can produce a v1 history and replay it against v2.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

from .domain import Order

ORDER_V2_PATCH = "order-processing-v2"
REVIEW_THRESHOLD = 50
WORKFLOW_TYPE = "VersionedOrderWorkflow"
OPTIONS = {"start_to_close_timeout": timedelta(seconds=10)}


@activity.defn
async def versioning_validate_order(order: Order) -> None:
    if not order.items:
        raise ApplicationError(f"order {order.order_id} has no items", type="ValidationError", non_retryable=True)


@activity.defn
async def versioning_charge_payment(order: Order) -> str:
    return f"tx-{order.order_id}-{order.order_total():g}"


@activity.defn
async def versioning_ship_order(order: Order) -> str:
    return f"track-{order.order_id}"


@activity.defn
async def versioning_check_fraud(order: Order) -> int:
    return 80 if order.order_total() > 1000 else 10


@activity.defn
async def versioning_manual_review(order: Order) -> bool:
    return order.order_total() < 5000


@dataclass
class VersionedOrderResult:
    order_id: str
    transaction_id: str
    tracking_number: str
    fraud_score: Optional[int] = None
    reviewed: bool = False


@workflow.defn(name=WORKFLOW_TYPE)
class OrderWorkflowV1:
    @workflow.run
    async def run(self, order: Order) -> VersionedOrderResult:
        await workflow.execute_activity(versioning_validate_order, order, **OPTIONS)
        transaction = await workflow.execute_activity(versioning_charge_payment, order, **OPTIONS)
        tracking = await workflow.execute_activity(versioning_ship_order, order, **OPTIONS)
        return VersionedOrderResult(order.order_id, transaction, tracking)


@workflow.defn(name=WORKFLOW_TYPE)
class VersionedOrderWorkflow:
    @workflow.run
    async def run(self, order: Order) -> VersionedOrderResult:
        await workflow.execute_activity(versioning_validate_order, order, **OPTIONS)
        fraud_score: Optional[int] = None
        reviewed = False
        if workflow.patched(ORDER_V2_PATCH):
            fraud_score = await workflow.execute_activity(versioning_check_fraud, order, **OPTIONS)
            if fraud_score >= REVIEW_THRESHOLD:
                if not await workflow.execute_activity(versioning_manual_review, order, **OPTIONS):
                    raise ApplicationError(f"order {order.order_id} rejected in review", type="OrderRejected", non_retryable=True)
                reviewed = True
        transaction = await workflow.execute_activity(versioning_charge_payment, order, **OPTIONS)
        tracking = await workflow.execute_activity(versioning_ship_order, order, **OPTIONS)
        return VersionedOrderResult(order.order_id, transaction, tracking, fraud_score, reviewed)
