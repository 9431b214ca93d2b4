"""Periodic batch job: a nightly schedule, its next action times, and a backfill of missed nights."""

from datetime import datetime, timedelta, timezone

from temporalio.worker import Worker

from hourglass_examples.scheduled_batch import NightlyReportWorkflow, backfill_nights, create_nightly_schedule

from .conftest import wait_for


async def test_a_nightly_schedule_runs_at_two_and_a_backfill_runs_each_missed_night_named_after_it(dev_client, task_queue):
    handle = await create_nightly_schedule(dev_client, task_queue, task_queue, "eu")
    try:
        description = await handle.describe()
        assert all((t.hour, t.minute) == (2, 0) for t in description.info.next_action_times[:3])
        now = datetime.now(timezone.utc)
        last_night = (now - timedelta(hours=2)).replace(hour=2, minute=0, second=0, microsecond=0)
        async with Worker(dev_client, task_queue=task_queue, workflows=[NightlyReportWorkflow]):
            await backfill_nights(handle, last_night, 3)

            async def three_actions():
                actions = (await handle.describe()).info.recent_actions
                return actions if len(actions) >= 3 else None

            actions = await wait_for("the backfilled runs", three_actions)
            results = [await dev_client.get_workflow_handle(a.action.workflow_id).result() for a in actions]
    finally:
        await handle.delete()
    nights = [(last_night - timedelta(days=d)).strftime("%Y-%m-%d") for d in (2, 1, 0)]
    assert [a.action.workflow_id for a in actions] == [f"{task_queue}-{n}T02:00:00Z" for n in nights]
    assert results == [f"eu report for {n}" for n in nights]
