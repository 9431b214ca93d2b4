"""Circuit breaker in the workflow: after `failure_threshold` consecutive failures of a downstream service the
workflow stops calling it (OPEN) instead of piling onto the outage; after `reset_timeout` of workflow time one trial
call is let through (HALF_OPEN), and its outcome closes or re-opens the circuit.

The breaker's state is workflow state: replay rebuilds it, no external store is needed, and its clock is
`workflow.now()`, so a time-skipping test server skips the reset timeout like any timer.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Optional, TypeVar

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError, is_cancelled_exception

T = TypeVar("T")
CLOSED, OPEN, HALF_OPEN = "CLOSED", "OPEN", "HALF_OPEN"
CIRCUIT_OPEN = "CircuitOpenError"


@dataclass
class Transition:
    from_state: str
    to_state: str
    at_seconds: float  # workflow time since the workflow started
    reason: str


class CircuitBreaker:
    def __init__(self, name: str, failure_threshold: int, reset_timeout: timedelta, started: datetime) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be >= 1, got {failure_threshold}")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.state = CLOSED
        self.failures = 0
        self.opened_at: Optional[datetime] = None
        self.transitions: list[Transition] = []
        self._started = started

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Runs `fn` unless the circuit is open; then raises a non-retryable CircuitOpenError without calling it."""
        now = workflow.now()
        if self.state == OPEN:
            assert self.opened_at is not None
            retry_at = self.opened_at + self.reset_timeout
            if now < retry_at:
                raise ApplicationError(f"circuit '{self.name}' is open until {retry_at.isoformat()}", type=CIRCUIT_OPEN, non_retryable=True)
            self._move(HALF_OPEN, f"reset timeout of {self.reset_timeout.total_seconds():g}s elapsed")
        trial = self.state == HALF_OPEN
        try:
            value = await fn()
        except Exception as err:
            # A cancelled workflow says nothing about the health of the service.
            if is_cancelled_exception(err):
                raise
            self.failures += 1
            if trial or (self.state == CLOSED and self.failures >= self.failure_threshold):
                self.opened_at = workflow.now()
                self._move(OPEN, "trial call failed" if trial else f"{self.failures} consecutive failures")
            raise
        self.failures = 0
        if trial:
            self.opened_at = None
            self._move(CLOSED, "trial call succeeded")
        return value

    def _move(self, to_state: str, reason: str) -> None:
        self.transitions.append(Transition(self.state, to_state, (workflow.now() - self._started).total_seconds(), reason))
        self.state = to_state


@dataclass
class ServiceCall:
    call: int
    down: bool


@activity.defn
async def call_inventory_service(request: ServiceCall) -> str:
    if request.down:
        raise ApplicationError(f"inventory service unavailable (call {request.call})", type="ServiceUnavailable")
    return f"stock level ok (call {request.call})"


@dataclass
class PollInput:
    calls: int
    interval_seconds: float
    failure_threshold: int
    reset_timeout_seconds: float
    failing_calls: list[int] = field(default_factory=list)


@dataclass
class CallOutcome:
    call: int
    elapsed_seconds: float
    outcome: str  # ok | failed | skipped
    detail: str


@dataclass
class PollResult:
    outcomes: list[CallOutcome]
    transitions: list[Transition]
    final_state: str


@workflow.defn
class CircuitBreakerPollWorkflow:
    def __init__(self) -> None:
        self.breaker: Optional[CircuitBreaker] = None

    @workflow.query
    def circuit_state(self) -> str:
        return self.breaker.state if self.breaker else CLOSED

    @workflow.run
    async def run(self, input: PollInput) -> PollResult:
        started = workflow.now()
        breaker = self.breaker = CircuitBreaker("inventory-service", input.failure_threshold, timedelta(seconds=input.reset_timeout_seconds), started)
        outcomes: list[CallOutcome] = []
        for call in range(input.calls):
            if call > 0:
                await asyncio.sleep(input.interval_seconds)
            elapsed = (workflow.now() - started).total_seconds()
            request = ServiceCall(call, call in input.failing_calls)
            options: dict[str, Any] = {
                "start_to_close_timeout": timedelta(seconds=10),
                # The breaker, not the activity's retry policy, decides how to react to failures.
                "retry_policy": RetryPolicy(maximum_attempts=1),
            }
            try:
                value = await breaker.call(lambda: workflow.execute_activity(call_inventory_service, request, **options))
                outcomes.append(CallOutcome(call, elapsed, "ok", value))
            except ApplicationError as err:
                if err.type != CIRCUIT_OPEN:
                    raise
                outcomes.append(CallOutcome(call, elapsed, "skipped", "circuit open"))
            except ActivityError as err:
                outcomes.append(CallOutcome(call, elapsed, "failed", err.cause.message if isinstance(err.cause, FailureError) else str(err)))
        return PollResult(outcomes, breaker.transitions, breaker.state)
