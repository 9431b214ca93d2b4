"""Dynamic (definition-driven) workflows: the steps come from a JSON definition chosen at start time, so business
users can change a process without a deploy. The definition is validated before anything runs (a bad one fails
the workflow at once with an error naming the step), activities are called by name from an allow-list, and steps
may run in parallel or depend on a condition over earlier results.

Definition: {"name": ..., "steps": [step, ...]}, where a step is one of
  {"id": "fraud", "activity": "dynamic_check_fraud", "input": "$order"}     result stored under the step's id
  {"id": "p", "parallel": [step, ...]}
  {"id": "c", "if": {"path": "fraud.score", "op": ">=", "value": 50}, "then": [step, ...], "else": [step, ...]}
"$name" in an input is replaced by the variable `name` (the workflow input is `order`; results are under step ids).
"""

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

INVALID_DEFINITION = "InvalidDefinition"
OPERATORS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


@activity.defn
async def dynamic_validate_order(order: dict[str, Any]) -> dict[str, Any]:
    if not order.get("items"):
        raise ApplicationError("order has no items", type="ValidationError", non_retryable=True)
    return {"valid": True, "total": sum(i["quantity"] * i["unit_price"] for i in order["items"])}


@activity.defn
async def dynamic_check_fraud(order: dict[str, Any]) -> dict[str, Any]:
    total = sum(i["quantity"] * i["unit_price"] for i in order["items"])
    return {"score": 80 if total > 1000 else 10}


@activity.defn
async def dynamic_reserve_inventory(order: dict[str, Any]) -> str:
    return f"res-{order['order_id']}"


@activity.defn
async def dynamic_charge_payment(order: dict[str, Any]) -> str:
    return f"tx-{order['order_id']}"


@activity.defn
async def dynamic_request_review(order: dict[str, Any]) -> str:
    return f"review-{order['order_id']}"


@activity.defn
async def dynamic_send_notification(order: dict[str, Any]) -> str:
    return f"notified-{order['customer_id']}"


DYNAMIC_ACTIVITIES = [
    dynamic_validate_order,
    dynamic_check_fraud,
    dynamic_reserve_inventory,
    dynamic_charge_payment,
    dynamic_request_review,
    dynamic_send_notification,
]
ALLOWED = {fn.__name__ for fn in DYNAMIC_ACTIVITIES}


def validate_definition(steps: Any, where: str = "steps", seen: set[str] | None = None) -> None:
    """Raises a non-retryable InvalidDefinition error naming the first bad step."""
    seen = set() if seen is None else seen

    def bad(message: str) -> ApplicationError:
        return ApplicationError(f"invalid definition at {where}: {message}", type=INVALID_DEFINITION, non_retryable=True)

    if not isinstance(steps, list) or not steps:
        raise bad("expected a non-empty list of steps")
    for index, step in enumerate(steps):
        here = f"{where}[{index}]"
        if not isinstance(step, dict) or not isinstance(step.get("id"), str):
            raise ApplicationError(f"invalid definition at {here}: every step needs a string 'id'", type=INVALID_DEFINITION, non_retryable=True)
        here = f"{where}[{index}] ('{step['id']}')"
        if step["id"] in seen:
            raise ApplicationError(f"invalid definition at {here}: duplicate step id", type=INVALID_DEFINITION, non_retryable=True)
        seen.add(step["id"])
        if "activity" in step:
            if step["activity"] not in ALLOWED:
                raise ApplicationError(f"invalid definition at {here}: unknown activity '{step['activity']}'", type=INVALID_DEFINITION, non_retryable=True)
        elif "parallel" in step:
            validate_definition(step["parallel"], f"{here}.parallel", seen)
        elif "if" in step:
            condition = step["if"]
            if not isinstance(condition, dict) or condition.get("op") not in OPERATORS or not isinstance(condition.get("path"), str):
                message = f"invalid definition at {here}: 'if' needs a path, an op of {sorted(OPERATORS)} and a value"
                raise ApplicationError(message, type=INVALID_DEFINITION, non_retryable=True)
            validate_definition(step.get("then"), f"{here}.then", seen)
            if "else" in step:
                validate_definition(step["else"], f"{here}.else", seen)
        else:
            raise ApplicationError(f"invalid definition at {here}: a step needs 'activity', 'parallel' or 'if'", type=INVALID_DEFINITION, non_retryable=True)


def lookup(variables: dict[str, Any], path: str) -> Any:
    value: Any = variables
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


@dataclass
class DynamicRunResult:
    name: str
    executed: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)


@workflow.defn
class DynamicWorkflow:
    def __init__(self) -> None:
        self.variables: dict[str, Any] = {}
        self.executed: list[str] = []

    @workflow.query
    def executed_steps(self) -> list[str]:
        return list(self.executed)

    async def run_steps(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            await self.run_step(step)

    async def run_step(self, step: dict[str, Any]) -> None:
        if "activity" in step:
            source = step.get("input", "$order")
            argument = self.variables.get(source[1:]) if isinstance(source, str) and source.startswith("$") else source
            self.variables[step["id"]] = await workflow.execute_activity(
                step["activity"],
                argument,
                start_to_close_timeout=timedelta(seconds=step.get("timeout_seconds", 30)),
                retry_policy=RetryPolicy(maximum_attempts=step.get("max_attempts", 3)),
            )
        elif "parallel" in step:
            await asyncio.gather(*(self.run_step(branch) for branch in step["parallel"]))
        else:
            condition = step["if"]
            holds = OPERATORS[condition["op"]](lookup(self.variables, condition["path"]), condition.get("value"))
            await self.run_steps(step["then"] if holds else step.get("else", []))
        self.executed.append(step["id"])

    @workflow.run
    async def run(self, definition: dict[str, Any], order: dict[str, Any]) -> DynamicRunResult:
        validate_definition(definition.get("steps"))
        self.variables = {"order": order}
        await self.run_steps(definition["steps"])
        results = {k: v for k, v in self.variables.items() if k != "order"}
        return DynamicRunResult(definition.get("name", "dynamic"), self.executed, results)
