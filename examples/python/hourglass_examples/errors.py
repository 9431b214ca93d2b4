"""Error handling with typed `ApplicationError`s: a shared vocabulary of error types, raised non-retryable where
retrying cannot help (bad input, a business rule, bad credentials) and retryable where it can (a flaky dependency,
throttling with its own back-off). The retry policy also lists the permanent types, so they are not retried even
when whoever raised them forgot `non_retryable`. The workflow routes each failure to its handler — notify the
customer, escalate to a human, or log — and fails with the original type, so callers can branch on it.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

from .domain import Order

VALIDATION = "ValidationError"
BUSINESS_LOGIC = "BusinessLogicError"
AUTHENTICATION = "AuthenticationError"
AUTHORIZATION = "AuthorizationError"
NOT_FOUND = "NotFoundError"
EXTERNAL_SERVICE = "ExternalServiceError"
RATE_LIMIT = "RateLimitError"
NON_RETRYABLE_TYPES = [VALIDATION, BUSINESS_LOGIC, AUTHENTICATION, AUTHORIZATION, NOT_FOUND]
ROUTES = {VALIDATION: "notification", BUSINESS_LOGIC: "notification", NOT_FOUND: "notification", AUTHENTICATION: "escalation", AUTHORIZATION: "escalation"}


def typed_error(error_type: str, message: str, details: Optional[dict[str, Any]] = None, retry_after: Optional[timedelta] = None) -> ApplicationError:
    return ApplicationError(
        message,
        *([details] if details is not None else []),
        type=error_type,
        non_retryable=error_type in NON_RETRYABLE_TYPES,
        next_retry_delay=retry_after,
    )


def typed_retry_policy(maximum_attempts: int = 3, initial_interval: timedelta = timedelta(seconds=1)) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=initial_interval,
        backoff_coefficient=2,
        maximum_interval=timedelta(seconds=30),
        maximum_attempts=maximum_attempts,
        non_retryable_error_types=NON_RETRYABLE_TYPES,
    )


@activity.defn
async def errors_validate_order(order: Order) -> None:
    if not order.items:
        raise typed_error(VALIDATION, f"order {order.order_id} has no items", {"order_id": order.order_id})


@activity.defn
async def errors_authorize_payment(order: Order) -> str:
    if order.payment_method == "expired_card":
        # Forgot non_retryable on purpose: the policy's non_retryable_error_types still stops the retries.
        raise ApplicationError("payment credentials expired", type=AUTHENTICATION)
    if order.order_total() > 10_000:
        raise typed_error(BUSINESS_LOGIC, f"order total {order.order_total():g} exceeds the credit limit", {"limit": 10_000})
    return f"auth-{order.order_id}"


@activity.defn
async def errors_charge_payment(order: Order) -> str:
    attempt = activity.info().attempt
    if order.customer_id == "flaky-gateway" and attempt < 3:
        raise typed_error(EXTERNAL_SERVICE, f"payment gateway timed out (attempt {attempt})")
    if order.customer_id == "throttled" and attempt < 2:
        raise typed_error(RATE_LIMIT, "too many requests", retry_after=timedelta(milliseconds=100))
    return f"tx-{order.order_id}-attempt-{attempt}"


@dataclass
class FailureInfo:
    type: str
    message: str
    activity: Optional[str] = None


@activity.defn
async def errors_notify_customer(failure: FailureInfo) -> None:
    activity.logger.info("Notify customer: %s", failure.message)


@activity.defn
async def errors_escalate_incident(failure: FailureInfo) -> None:
    activity.logger.warning("Escalate: %s", failure.message)


@activity.defn
async def errors_log_failure(failure: FailureInfo) -> None:
    activity.logger.info("Logged: %s", failure.message)


HANDLERS = {"notification": errors_notify_customer, "escalation": errors_escalate_incident, "logging": errors_log_failure}


def describe_failure(err: BaseException) -> tuple[FailureInfo, Optional[ApplicationError]]:
    activity_type = err.activity_type if isinstance(err, ActivityError) else None
    root = err.cause if isinstance(err, ActivityError) else err
    if isinstance(root, ApplicationError):
        return FailureInfo(root.type or "Unknown", root.message, activity_type), root
    return FailureInfo("Unknown", str(root), activity_type), None


@dataclass
class ErrorsOrderResult:
    authorization: str
    transaction_id: str


@workflow.defn
class ErrorHandlingOrderWorkflow:
    def __init__(self) -> None:
        self.routed: list[str] = []

    @workflow.query
    def routes_taken(self) -> list[str]:
        return list(self.routed)

    @workflow.run
    async def run(self, order: Order) -> ErrorsOrderResult:
        options: dict[str, Any] = {
            "start_to_close_timeout": timedelta(seconds=10),
            "retry_policy": typed_retry_policy(initial_interval=timedelta(milliseconds=200)),
        }
        try:
            await workflow.execute_activity(errors_validate_order, order, **options)
            authorization = await workflow.execute_activity(errors_authorize_payment, order, **options)
            transaction = await workflow.execute_activity(errors_charge_payment, order, **options)
            return ErrorsOrderResult(authorization, transaction)
        except Exception as err:
            if is_cancelled_exception(err):
                raise
            info, root = describe_failure(err)
            route = ROUTES.get(info.type, "logging")
            self.routed.append(route)
            await workflow.execute_activity(HANDLERS[route], info, start_to_close_timeout=timedelta(seconds=10))
            # Fail with the root cause's type (not a generic "activity failed"), so callers can branch on it.
            raise ApplicationError(info.message, *(root.details if root else ()), type=info.type, non_retryable=True) from err
