package compat

import (
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

func TestActivityIsRetriedByTheServerUntilItSucceeds(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), RetryWorkflow, int32(3))
	if err != nil {
		t.Fatal(err)
	}
	var attempt int32
	if err := run.Get(ctx, &attempt); err != nil {
		t.Fatal(err)
	}
	if attempt != 3 {
		t.Fatalf("succeeded on attempt %d, want 3", attempt)
	}
}

func TestActivityRetriesStopAtMaximumAttempts(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), RetryWorkflow, int32(10))
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var activityErr *temporal.ActivityError
	if !errors.As(err, &activityErr) {
		t.Fatalf("want an ActivityError, got %v", err)
	}
	if activityErr.RetryState() != enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		t.Fatalf("retry state %v, want MAXIMUM_ATTEMPTS_REACHED", activityErr.RetryState())
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "Flaky" || !strings.Contains(appErr.Error(), "attempt 5 fails") {
		t.Fatalf("want the last attempt's ApplicationError, got %v", err)
	}
}

func TestNonRetryableApplicationErrorFailsTheWorkflowWithItsTypeAndDetails(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), NonRetryableWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var workflowErr *temporal.WorkflowExecutionError
	if !errors.As(err, &workflowErr) {
		t.Fatalf("want a WorkflowExecutionError, got %v", err)
	}
	var activityErr *temporal.ActivityError
	if !errors.As(err, &activityErr) || activityErr.RetryState() != enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE {
		t.Fatalf("want an ActivityError with NON_RETRYABLE_FAILURE, got %v", err)
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "BadInput" || !appErr.NonRetryable() {
		t.Fatalf("want a non-retryable BadInput ApplicationError, got %v", err)
	}
	var details map[string]string
	if err := appErr.Details(&details); err != nil || details["field"] != "name" {
		t.Fatalf("details %v (%v), want field=name", details, err)
	}
}

func TestRetriedActivityResumesFromItsLastHeartbeat(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), HeartbeatResumeWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	if result != "attempt 2 resumed from 3" {
		t.Fatalf("got %q", result)
	}
}

func TestActivityThatStopsHeartbeatingTimesOut(t *testing.T) {
	ctx := testContext(t)
	started := time.Now()
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), HeartbeatTimeoutWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) || timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_HEARTBEAT {
		t.Fatalf("want a HEARTBEAT TimeoutError, got %v", err)
	}
	if elapsed := time.Since(started); elapsed > 15*time.Second {
		t.Fatalf("heartbeat timeout took %v", elapsed)
	}
}

func TestLocalActivityIsRetriedInTheWorker(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), LocalActivityWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	if result != "local hello go" {
		t.Fatalf("got %q", result)
	}
	// The result is recorded as a marker in the run's history.
	markers := 0
	iter := testClient.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if event.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED {
			markers++
		}
	}
	if markers != 1 {
		t.Fatalf("%d MarkerRecorded events, want 1", markers)
	}
}

func TestTimersFireAndACancelledTimerReportsCancellation(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), TimerWorkflow, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var elapsed time.Duration
	if err := run.Get(ctx, &elapsed); err != nil {
		t.Fatal(err)
	}
	if elapsed < 300*time.Millisecond {
		t.Fatalf("workflow time advanced %v, want at least the 300ms sleep", elapsed)
	}
	types := map[enumspb.EventType]int{}
	iter := testClient.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		types[event.GetEventType()]++
	}
	if types[enumspb.EVENT_TYPE_TIMER_STARTED] != 3 || types[enumspb.EVENT_TYPE_TIMER_FIRED] != 2 || types[enumspb.EVENT_TYPE_TIMER_CANCELED] != 1 {
		t.Fatalf("timer events %v", types)
	}
}
