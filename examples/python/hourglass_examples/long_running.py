"""Long-running process control: operators pause, resume or cancel a step-by-step process with signals and watch it
with a status query. Signals take effect at step boundaries, so a step never stops half-done, and a cancel returns a
normal result saying how far the process got. The delay between steps is a durable timer: hours cost nothing and a
time-skipping test server skips them.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from temporalio import activity, workflow


@dataclass
class StepInput:
    process_id: str
    step: int


@activity.defn
async def run_process_step(step: StepInput) -> None:
    activity.logger.info("Process %s: step %d", step.process_id, step.step)


@dataclass
class ProcessInput:
    total_steps: int
    delay_between_steps_seconds: float = 0


@dataclass
class ProcessStatus:
    status: str  # running | paused | cancelled | completed
    progress: int  # whole percent of total_steps
    completed_steps: int
    total_steps: int
    paused: bool
    cancel_requested: bool
    cancel_reason: Optional[str] = None
    elapsed_seconds: float = 0


@workflow.defn
class LongRunningProcessWorkflow:
    def __init__(self) -> None:
        self.total = 0
        self.completed = 0
        self.paused = False
        self.cancel_requested = False
        self.cancel_reason: Optional[str] = None
        self.finished = False

    @workflow.signal
    def pause(self) -> None:
        self.paused = True

    @workflow.signal
    def resume(self) -> None:
        self.paused = False

    @workflow.signal
    def cancel(self, reason: Optional[str] = None) -> None:
        self.cancel_requested = True
        self.cancel_reason = reason

    @workflow.query
    def status(self) -> ProcessStatus:
        if self.finished:
            state = "completed" if self.completed >= self.total else "cancelled"
        else:
            state = "paused" if self.paused else "running"
        progress = 100 if self.total == 0 else self.completed * 100 // self.total
        return ProcessStatus(state, progress, self.completed, self.total, self.paused, self.cancel_requested, self.cancel_reason)

    @workflow.run
    async def run(self, input: ProcessInput) -> ProcessStatus:
        started = workflow.now()
        self.total = input.total_steps
        while self.completed < self.total and not self.cancel_requested:
            if self.completed > 0 and input.delay_between_steps_seconds > 0:
                try:
                    # A cancel cuts the delay short; otherwise the timeout ends it.
                    await workflow.wait_condition(lambda: self.cancel_requested, timeout=timedelta(seconds=input.delay_between_steps_seconds))
                except TimeoutError:
                    pass
            await workflow.wait_condition(lambda: not self.paused or self.cancel_requested)
            if self.cancel_requested:
                break
            step = StepInput(workflow.info().workflow_id, self.completed)
            await workflow.execute_activity(run_process_step, step, start_to_close_timeout=timedelta(minutes=1))
            self.completed += 1
        self.finished = True
        result = self.status()
        result.elapsed_seconds = (workflow.now() - started).total_seconds()
        return result
