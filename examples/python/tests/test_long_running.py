"""Long-running process control, as the guide tests it: mocked step activity, time-skipping server."""

import asyncio
import time
from datetime import timedelta

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from hourglass_examples.long_running import LongRunningProcessWorkflow, ProcessInput, StepInput

from .conftest import wait_for


class StepRecorder:
    """A mocked step activity recording the steps it ran; `hold_at` holds that step until `release` is set."""

    def __init__(self, hold_at: int | None = None) -> None:
        self.steps: list[int] = []
        self.hold_at = hold_at
        self.release = asyncio.Event()

        @activity.defn(name="run_process_step")
        async def run_process_step(step: StepInput) -> None:
            self.steps.append(step.step)
            if step.step == self.hold_at:
                await self.release.wait()

        self.activity = run_process_step


def worker(env: WorkflowEnvironment, task_queue: str, recorder: StepRecorder) -> Worker:
    return Worker(env.client, task_queue=task_queue, workflows=[LongRunningProcessWorkflow], activities=[recorder.activity])


async def start(env: WorkflowEnvironment, task_queue: str, input: ProcessInput) -> WorkflowHandle:
    return await env.client.start_workflow(LongRunningProcessWorkflow.run, input, id=task_queue, task_queue=task_queue)


async def test_pause_holds_the_process_the_query_shows_paused_and_resume_completes_it_at_100_percent(skipping_env, task_queue):
    recorder = StepRecorder(hold_at=1)
    async with worker(skipping_env, task_queue, recorder):
        handle = await start(skipping_env, task_queue, ProcessInput(total_steps=5))
        await wait_for("step 1 to start", lambda: 1 in recorder.steps)
        await handle.signal(LongRunningProcessWorkflow.pause)
        recorder.release.set()

        async def paused_after_step_1():
            status = await handle.query(LongRunningProcessWorkflow.status)
            return status if status.completed_steps == 2 else None

        status = await wait_for("step 1 to finish", paused_after_step_1)
        assert (status.status, status.progress, status.paused) == ("paused", 40, True)
        await skipping_env.sleep(timedelta(days=1))  # workflow time moves on, and no step runs
        assert recorder.steps == [0, 1]
        assert (await handle.query(LongRunningProcessWorkflow.status)).status == "paused"

        await handle.signal(LongRunningProcessWorkflow.resume)
        result = await handle.result()
    assert recorder.steps == [0, 1, 2, 3, 4]
    assert (result.status, result.progress, result.completed_steps, result.paused) == ("completed", 100, 5, False)


async def test_cancel_stops_at_the_next_checkpoint_with_the_progress_made(skipping_env, task_queue):
    recorder = StepRecorder(hold_at=2)
    async with worker(skipping_env, task_queue, recorder):
        handle = await start(skipping_env, task_queue, ProcessInput(total_steps=5))
        await wait_for("step 2 to start", lambda: 2 in recorder.steps)
        await handle.signal(LongRunningProcessWorkflow.cancel, "operator stop")
        requested = await handle.query(LongRunningProcessWorkflow.status)
        assert (requested.cancel_requested, requested.status) == (True, "running")
        recorder.release.set()
        result = await handle.result()
    assert recorder.steps == [0, 1, 2]
    assert (result.status, result.progress, result.completed_steps, result.cancel_reason) == ("cancelled", 60, 3, "operator stop")


async def test_an_hour_between_steps_is_a_durable_timer_the_time_skipping_server_skips(skipping_env, task_queue):
    recorder = StepRecorder()
    wall_start = time.monotonic()
    async with worker(skipping_env, task_queue, recorder):
        result = await skipping_env.client.execute_workflow(
            LongRunningProcessWorkflow.run, ProcessInput(total_steps=3, delay_between_steps_seconds=3600), id=task_queue, task_queue=task_queue
        )
    assert recorder.steps == [0, 1, 2]
    assert result.status == "completed"
    assert result.elapsed_seconds >= 2 * 3600
    assert time.monotonic() - wall_start < 60


async def test_a_cancel_during_the_delay_between_steps_takes_effect_at_once(skipping_env, task_queue):
    recorder = StepRecorder()
    async with worker(skipping_env, task_queue, recorder):
        handle = await start(skipping_env, task_queue, ProcessInput(total_steps=3, delay_between_steps_seconds=86400))

        async def first_step_done():
            return (await handle.query(LongRunningProcessWorkflow.status)).completed_steps == 1

        await wait_for("step 0 to finish", first_step_done)
        await handle.signal(LongRunningProcessWorkflow.cancel)
        result = await handle.result()
    assert recorder.steps == [0]
    assert (result.status, result.progress) == ("cancelled", 33)
    assert result.elapsed_seconds < 3600
