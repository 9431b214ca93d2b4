"""Sequential processing: validate → transform (only when valid) → store, each step an activity with retries."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class ProcessingRequest:
    request_id: str
    payload: dict[str, Any]


@dataclass
class Validation:
    valid: bool
    errors: list[str] = field(default_factory=list)


@dataclass
class TransformedRecord:
    request_id: str
    fields: dict[str, Any]


@dataclass
class SequentialResult:
    status: str  # "stored" or "invalid"
    request_id: str
    steps_run: list[str]
    location: str = ""
    errors: list[str] = field(default_factory=list)


@activity.defn
async def validate_request(request: ProcessingRequest) -> Validation:
    errors = [f"missing field '{name}'" for name in ("name", "email") if not request.payload.get(name)]
    return Validation(valid=not errors, errors=errors)


@activity.defn
async def transform_request(request: ProcessingRequest) -> TransformedRecord:
    return TransformedRecord(request.request_id, {k.lower(): v.strip() if isinstance(v, str) else v for k, v in request.payload.items()})


@activity.defn
async def store_record(record: TransformedRecord) -> str:
    return f"records/{record.request_id}"


STEP_OPTIONS: dict[str, Any] = {"start_to_close_timeout": timedelta(seconds=30), "retry_policy": RetryPolicy(maximum_attempts=3)}


@workflow.defn
class SequentialPipelineWorkflow:
    @workflow.run
    async def run(self, request: ProcessingRequest) -> SequentialResult:
        validation = await workflow.execute_activity(validate_request, request, **STEP_OPTIONS)
        if not validation.valid:
            return SequentialResult("invalid", request.request_id, ["validate"], errors=validation.errors)
        record = await workflow.execute_activity(transform_request, request, **STEP_OPTIONS)
        location = await workflow.execute_activity(store_record, record, **STEP_OPTIONS)
        return SequentialResult("stored", request.request_id, ["validate", "transform", "store"], location=location)
