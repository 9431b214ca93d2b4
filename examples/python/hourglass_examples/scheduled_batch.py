"""Periodic batch job: a schedule, not the workflow, owns the timing (no cron loop, no sleeping until 2 am). Each
night is one run of `NightlyReportWorkflow`, whose id the schedule suffixes with the nominal time
(`<id>-2026-05-01T02:00:00Z`); a backfill runs the nights that were missed.
"""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleBackfill,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)


@workflow.defn
class NightlyReportWorkflow:
    @workflow.run
    async def run(self, region: str) -> str:
        night = workflow.info().workflow_id[-20:-10]
        return f"{region} report for {night}"


async def create_nightly_schedule(client: Client, schedule_id: str, task_queue: str, region: str) -> ScheduleHandle:
    """Every night at 02:00 UTC; a run still going at the next 02:00 makes that night's run wait its turn."""
    return await client.create_schedule(
        schedule_id,
        Schedule(
            action=ScheduleActionStartWorkflow(NightlyReportWorkflow.run, region, id=schedule_id, task_queue=task_queue),
            spec=ScheduleSpec(cron_expressions=["0 2 * * *"]),
            policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.BUFFER_ONE, catchup_window=timedelta(hours=12)),
        ),
    )


async def backfill_nights(handle: ScheduleHandle, last_night: datetime, nights: int) -> None:
    """Runs the `nights` nights up to `last_night` (a 02:00 time), side by side."""
    start = last_night - timedelta(days=nights - 1)
    await handle.backfill(ScheduleBackfill(start_at=start - timedelta(seconds=1), end_at=last_night, overlap=ScheduleOverlapPolicy.ALLOW_ALL))
