package compat

import (
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

func TestChildWorkflowsRunInParallelAndAChildFailureReachesTheParent(t *testing.T) {
	ctx := testContext(t)
	opts := startOptions(t)
	run, err := testClient.ExecuteWorkflow(ctx, opts, ParentWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var results []string
	if err := run.Get(ctx, &results); err != nil {
		t.Fatal(err)
	}
	want := []string{"hello ada from " + opts.ID, "hello grace from " + opts.ID, "child failed: ChildInput"}
	if strings.Join(results, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", results, want)
	}
	child, err := testClient.DescribeWorkflowExecution(ctx, opts.ID+"-child-ada", "")
	if err != nil {
		t.Fatal(err)
	}
	info := child.GetWorkflowExecutionInfo()
	if info.GetParentExecution().GetWorkflowId() != opts.ID || info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("child parent %q status %v", info.GetParentExecution().GetWorkflowId(), info.GetStatus())
	}
}

func TestContinueAsNewChainsRunsAndTheClientFollowsThem(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), ContinueAsNewWorkflow, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(result, "iteration 3 of run ") || strings.HasSuffix(result, " ") {
		t.Fatalf("got %q", result)
	}
	first, err := testClient.DescribeWorkflowExecution(ctx, run.GetID(), run.GetFirstExecutionRunID())
	if err != nil {
		t.Fatal(err)
	}
	if status := first.GetWorkflowExecutionInfo().GetStatus(); status != enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
		t.Fatalf("first run status %v", status)
	}
	latest, err := testClient.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if latest.GetWorkflowExecutionInfo().GetExecution().GetRunId() == run.GetFirstExecutionRunID() {
		t.Fatal("the latest run is still the first one")
	}
	// The workflow id's current run is the last of the chain; its result is what run.Get returned.
	var again string
	if err := testClient.GetWorkflow(ctx, run.GetID(), "").Get(ctx, &again); err != nil || again != result {
		t.Fatalf("current run result %q (%v), want %q", again, err, result)
	}
}

func TestCancellationReachesTheActivityAndTheWorkflowEndsCanceled(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), CancellableWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	waitForPendingActivity(t, run.GetID())
	if err := testClient.CancelWorkflow(ctx, run.GetID(), ""); err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("want a CanceledError, got %v", err)
	}
	desc, err := testClient.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if status := desc.GetWorkflowExecutionInfo().GetStatus(); status != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Fatalf("status %v", status)
	}
	// The cleanup activity ran after the cancel request: its result is in the history before the close event.
	activityCanceled, cleanedUp := false, false
	iter := testClient.GetWorkflowHistory(ctx, run.GetID(), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch event.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
			activityCanceled = true
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			cleanedUp = activityCanceled
		}
	}
	if !cleanedUp {
		t.Fatal("no cleanup activity completed after the cancellation")
	}
}

func waitForPendingActivity(t *testing.T, workflowID string) {
	t.Helper()
	ctx := testContext(t)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		desc, err := testClient.DescribeWorkflowExecution(ctx, workflowID, "")
		if err != nil {
			t.Fatal(err)
		}
		if pending := desc.GetPendingActivities(); len(pending) > 0 && pending[0].GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
			return
		}
	}
	t.Fatal("the activity never started")
}

func TestQueryOfAClosedRunReplaysAHistoryLongerThanOnePage(t *testing.T) {
	ctx := testContext(t)
	// 1,100 markers: more events than one GetWorkflowExecutionHistory page (1,000 by default).
	const n = 1100
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), LongHistoryWorkflow, n)
	if err != nil {
		t.Fatal(err)
	}
	var sum int
	if err := run.Get(ctx, &sum); err != nil || sum != n*(n+1)/2 {
		t.Fatalf("sum %d (%v)", sum, err)
	}
	// The client's history iterator follows NextPageToken across the pages.
	events := 0
	iter := testClient.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if events++; event.GetEventId() != int64(events) {
			t.Fatalf("event %d has id %d", events, event.GetEventId())
		}
	}
	if events < n+5 {
		t.Fatalf("%d events, want at least %d", events, n+5)
	}
	value, err := testClient.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), "sum")
	if err != nil {
		t.Fatal(err)
	}
	if err := value.Get(&sum); err != nil || sum != n*(n+1)/2 {
		t.Fatalf("queried sum %d (%v)", sum, err)
	}
}
