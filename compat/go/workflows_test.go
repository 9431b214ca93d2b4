package compat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func registerAll(w worker.Worker) {
	for _, wf := range []any{
		RetryWorkflow, HeartbeatResumeWorkflow, HeartbeatTimeoutWorkflow, NonRetryableWorkflow,
		TimerWorkflow, SignalQueryWorkflow, UpdateWorkflow, ParentWorkflow, ChildWorkflow,
		ContinueAsNewWorkflow, CancellableWorkflow, LocalActivityWorkflow, SearchAttributesWorkflow,
		LongHistoryWorkflow, FailingWorkflow, MemoWorkflow,
	} {
		w.RegisterWorkflow(wf)
	}
	for _, act := range []any{FlakyActivity, ProgressActivity, SilentActivity, RejectActivity, WaitForCancelActivity, CleanupActivity} {
		w.RegisterActivity(act)
	}
}

// ---- activities ------------------------------------------------------------------------------------------------

// FlakyActivity fails until its attempt reaches succeedOn, so the server's retry policy is what makes it succeed.
func FlakyActivity(ctx context.Context, succeedOn int32) (int32, error) {
	attempt := activity.GetInfo(ctx).Attempt
	if attempt < succeedOn {
		return 0, temporal.NewApplicationError(fmt.Sprintf("attempt %d fails", attempt), "Flaky")
	}
	return attempt, nil
}

// ProgressActivity counts to total, heartbeating each step; the first attempt dies at failAt, and a retry resumes from
// the last recorded heartbeat instead of from zero.
func ProgressActivity(ctx context.Context, total, failAt int) (string, error) {
	start := 0
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &start); err != nil {
			return "", err
		}
	}
	info := activity.GetInfo(ctx)
	for i := start + 1; i <= total; i++ {
		activity.RecordHeartbeat(ctx, i)
		if info.Attempt == 1 && i == failAt {
			// The SDK throttles heartbeats; give the last one time to reach the server before failing.
			time.Sleep(1200 * time.Millisecond)
			return "", errors.New("crashed mid-way")
		}
	}
	return fmt.Sprintf("attempt %d resumed from %d", info.Attempt, start), nil
}

// SilentActivity never heartbeats, so its heartbeat timeout fires.
func SilentActivity(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(20 * time.Second):
		return nil
	}
}

func RejectActivity(_ context.Context, input string) error {
	return temporal.NewNonRetryableApplicationError("input rejected: "+input, "BadInput", nil, map[string]string{"field": "name"})
}

// WaitForCancelActivity heartbeats until the server answers a heartbeat with the run's cancel request.
func WaitForCancelActivity(ctx context.Context) error {
	for {
		activity.RecordHeartbeat(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func CleanupActivity(_ context.Context) (string, error) { return "cleaned up", nil }

// ---- workflows -------------------------------------------------------------------------------------------------

func RetryWorkflow(ctx workflow.Context, succeedOn int32) (int32, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 50 * time.Millisecond, BackoffCoefficient: 1, MaximumAttempts: 5},
	})
	var attempt int32
	err := workflow.ExecuteActivity(ctx, FlakyActivity, succeedOn).Get(ctx, &attempt)
	return attempt, err
}

func HeartbeatResumeWorkflow(ctx workflow.Context) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		HeartbeatTimeout:    5 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 2},
	})
	var result string
	err := workflow.ExecuteActivity(ctx, ProgressActivity, 5, 3).Get(ctx, &result)
	return result, err
}

func HeartbeatTimeoutWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 20 * time.Second,
		HeartbeatTimeout:    time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	return workflow.ExecuteActivity(ctx, SilentActivity).Get(ctx, nil)
}

func NonRetryableWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 5 * time.Second})
	return workflow.ExecuteActivity(ctx, RejectActivity, "bob").Get(ctx, nil)
}

// TimerWorkflow sleeps, then races a short timer against a long one and cancels the loser.
func TimerWorkflow(ctx workflow.Context, sleep time.Duration) (time.Duration, error) {
	before := workflow.Now(ctx)
	if err := workflow.Sleep(ctx, sleep); err != nil {
		return 0, err
	}
	longCtx, cancelLong := workflow.WithCancel(ctx)
	long := workflow.NewTimer(longCtx, time.Hour)
	short := workflow.NewTimer(ctx, 50*time.Millisecond)
	winner := ""
	selector := workflow.NewSelector(ctx)
	selector.AddFuture(long, func(workflow.Future) { winner = "long" })
	selector.AddFuture(short, func(workflow.Future) { winner = "short" })
	selector.Select(ctx)
	cancelLong()
	if winner != "short" {
		return 0, fmt.Errorf("the %s timer fired first", winner)
	}
	if err := long.Get(ctx, nil); !temporal.IsCanceledError(err) {
		return 0, fmt.Errorf("cancelled timer returned %v", err)
	}
	return workflow.Now(ctx).Sub(before), nil
}

// SignalQueryWorkflow adds every "add" signal to a total readable by the "total" query, until a "done" signal.
func SignalQueryWorkflow(ctx workflow.Context) (int, error) {
	total := 0
	if err := workflow.SetQueryHandler(ctx, "total", func() (int, error) { return total, nil }); err != nil {
		return 0, err
	}
	add := workflow.GetSignalChannel(ctx, "add")
	done := workflow.GetSignalChannel(ctx, "done")
	finished := false
	for !finished {
		selector := workflow.NewSelector(ctx)
		selector.AddReceive(add, func(c workflow.ReceiveChannel, _ bool) {
			var n int
			c.Receive(ctx, &n)
			total += n
		})
		selector.AddReceive(done, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			finished = true
		})
		selector.Select(ctx)
	}
	return total, nil
}

// UpdateWorkflow keeps a counter that the "increment" update changes (its validator rejects negative steps) until
// the "finish" update.
func UpdateWorkflow(ctx workflow.Context) (int, error) {
	counter, finished := 0, false
	err := workflow.SetUpdateHandlerWithOptions(ctx, "increment",
		func(ctx workflow.Context, step int) (int, error) {
			counter += step
			return counter, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(step int) error {
			if step < 0 {
				return errors.New("step must not be negative")
			}
			return nil
		}})
	if err != nil {
		return 0, err
	}
	if err := workflow.SetUpdateHandler(ctx, "finish", func(ctx workflow.Context) error { finished = true; return nil }); err != nil {
		return 0, err
	}
	if err := workflow.Await(ctx, func() bool { return finished }); err != nil {
		return 0, err
	}
	return counter, nil
}

func ChildWorkflow(ctx workflow.Context, name string) (string, error) {
	if name == "" {
		return "", temporal.NewNonRetryableApplicationError("no name", "ChildInput", nil)
	}
	return "hello " + name + " from " + workflow.GetInfo(ctx).ParentWorkflowExecution.ID, nil
}

// ParentWorkflow runs two children in parallel and a third that fails, whose failure it reports.
func ParentWorkflow(ctx workflow.Context) ([]string, error) {
	parentID := workflow.GetInfo(ctx).WorkflowExecution.ID
	var futures []workflow.ChildWorkflowFuture
	for _, name := range []string{"ada", "grace", ""} {
		childCtx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: parentID + "-child-" + name})
		futures = append(futures, workflow.ExecuteChildWorkflow(childCtx, ChildWorkflow, name))
	}
	var results []string
	for _, f := range futures {
		var execution workflow.Execution
		if err := f.GetChildWorkflowExecution().Get(ctx, &execution); err != nil {
			return nil, err
		}
		var greeting string
		if err := f.Get(ctx, &greeting); err != nil {
			var appErr *temporal.ApplicationError
			if errors.As(err, &appErr) {
				greeting = "child failed: " + appErr.Type()
			} else {
				return nil, err
			}
		}
		results = append(results, greeting)
	}
	return results, nil
}

// ContinueAsNewWorkflow continues as new until iteration reaches last, carrying its count forward.
func ContinueAsNewWorkflow(ctx workflow.Context, iteration, last int) (string, error) {
	if iteration < last {
		return "", workflow.NewContinueAsNewError(ctx, ContinueAsNewWorkflow, iteration+1, last)
	}
	return fmt.Sprintf("iteration %d of run %s", iteration, workflow.GetInfo(ctx).ContinuedExecutionRunID), nil
}

// CancellableWorkflow waits on an activity until the run is cancelled, then cleans up in a disconnected context.
func CancellableWorkflow(ctx workflow.Context) (string, error) {
	actCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    2 * time.Second,
		WaitForCancellation: true,
	})
	err := workflow.ExecuteActivity(actCtx, WaitForCancelActivity).Get(ctx, nil)
	if !temporal.IsCanceledError(err) {
		return "", fmt.Errorf("activity ended with %v, not cancelled", err)
	}
	cleanupCtx, _ := workflow.NewDisconnectedContext(ctx)
	cleanupCtx = workflow.WithActivityOptions(cleanupCtx, workflow.ActivityOptions{StartToCloseTimeout: 5 * time.Second})
	var cleaned string
	if err := workflow.ExecuteActivity(cleanupCtx, CleanupActivity).Get(cleanupCtx, &cleaned); err != nil {
		return "", err
	}
	_ = workflow.SetQueryHandler(ctx, "cleanup", func() (string, error) { return cleaned, nil })
	return "", ctx.Err()
}

// LocalActivityWorkflow runs a local activity that fails on its first attempt; the SDK retries it in the worker.
func LocalActivityWorkflow(ctx workflow.Context) (string, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 5 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Millisecond, MaximumAttempts: 3},
	})
	var result string
	err := workflow.ExecuteLocalActivity(ctx, func(ctx context.Context, name string) (string, error) {
		if attempt := activity.GetInfo(ctx).Attempt; attempt < 2 {
			return "", fmt.Errorf("local attempt %d fails", attempt)
		}
		return "local hello " + name, nil
	}, "go").Get(ctx, &result)
	return result, err
}

// SearchAttributesWorkflow upserts the given keyword attribute, then waits for a "done" signal so it can be listed
// while running.
func SearchAttributesWorkflow(ctx workflow.Context, attribute, value string) error {
	key := temporal.NewSearchAttributeKeyKeyword(attribute)
	if err := workflow.UpsertTypedSearchAttributes(ctx, key.ValueSet(value)); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, "done").Receive(ctx, nil)
	return nil
}

// LongHistoryWorkflow records n local-activity markers, so its history spans several GetWorkflowExecutionHistory
// pages when a worker without the run in its cache replays it.
func LongHistoryWorkflow(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 5 * time.Second})
	sum := 0
	for i := 1; i <= n; i++ {
		var v int
		if err := workflow.ExecuteLocalActivity(ctx, func(_ context.Context, i int) (int, error) { return i, nil }, i).Get(ctx, &v); err != nil {
			return 0, err
		}
		sum += v
	}
	if err := workflow.SetQueryHandler(ctx, "sum", func() (int, error) { return sum, nil }); err != nil {
		return 0, err
	}
	return sum, nil
}

// FailingWorkflow fails with a typed application error carrying details.
func FailingWorkflow(ctx workflow.Context, reason string) error {
	return temporal.NewApplicationError("workflow rejected: "+reason, "Rejected", reason)
}

// MemoWorkflow upserts its memo (ModifyWorkflowProperties), then waits for "done".
func MemoWorkflow(ctx workflow.Context) (string, error) {
	if err := workflow.UpsertMemo(ctx, map[string]any{"stage": "upserted"}); err != nil {
		return "", err
	}
	var greeting string
	workflow.GetSignalChannel(ctx, "done").Receive(ctx, &greeting)
	return greeting, nil
}
