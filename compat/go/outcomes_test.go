package compat

import (
	"errors"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

func TestAWorkflowApplicationErrorReachesTheClientWithItsTypeAndDetails(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), FailingWorkflow, "too late")
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var workflowErr *temporal.WorkflowExecutionError
	var appErr *temporal.ApplicationError
	if !errors.As(err, &workflowErr) || !errors.As(err, &appErr) || appErr.Type() != "Rejected" {
		t.Fatalf("want a WorkflowExecutionError with a Rejected ApplicationError, got %v", err)
	}
	var reason string
	if err := appErr.Details(&reason); err != nil || reason != "too late" {
		t.Fatalf("details %q (%v)", reason, err)
	}
}

func TestARunTimeoutEndsTheRunTimedOut(t *testing.T) {
	ctx := testContext(t)
	opts := startOptions(t)
	opts.WorkflowRunTimeout = time.Second
	run, err := testClient.ExecuteWorkflow(ctx, opts, SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) || timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Fatalf("want a START_TO_CLOSE TimeoutError, got %v", err)
	}
}

func TestATerminatedRunReportsTerminatedWithItsReason(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if err := testClient.TerminateWorkflow(ctx, run.GetID(), "", "operator said so"); err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var terminated *temporal.TerminatedError
	if !errors.As(err, &terminated) {
		t.Fatalf("want a TerminatedError, got %v", err)
	}
	// A second terminate of a closed run is NotFound, as in Temporal.
	var notFound *serviceerror.NotFound
	if err := testClient.TerminateWorkflow(ctx, run.GetID(), "", "again"); !errors.As(err, &notFound) {
		t.Fatalf("want NotFound, got %T %v", err, err)
	}
}

func TestStartingARunningWorkflowIdFailsWithAlreadyStarted(t *testing.T) {
	ctx := testContext(t)
	opts := startOptions(t)
	opts.WorkflowExecutionErrorWhenAlreadyStarted = true
	run, err := testClient.ExecuteWorkflow(ctx, opts, SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = testClient.TerminateWorkflow(ctx, run.GetID(), "", "test over") }()
	_, err = testClient.ExecuteWorkflow(ctx, opts, SignalQueryWorkflow)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &started) {
		t.Fatalf("want WorkflowExecutionAlreadyStarted, got %T %v", err, err)
	}
}

func TestSignalWithStartStartsOnceThenSignalsTheSameRun(t *testing.T) {
	ctx := testContext(t)
	opts := startOptions(t)
	first, err := testClient.SignalWithStartWorkflow(ctx, opts.ID, "add", 2, opts, SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	second, err := testClient.SignalWithStartWorkflow(ctx, opts.ID, "add", 3, opts, SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if second.GetRunID() != first.GetRunID() {
		t.Fatalf("second signal-with-start started run %s, want %s", second.GetRunID(), first.GetRunID())
	}
	if err := testClient.SignalWorkflow(ctx, opts.ID, "", "done", nil); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := first.Get(ctx, &total); err != nil || total != 5 {
		t.Fatalf("total %d (%v), want 5", total, err)
	}
}

func TestAStartAskingForEagerExecutionRunsToCompletionOnTheLocalWorker(t *testing.T) {
	ctx := testContext(t)
	opts := startOptions(t)
	opts.EnableEagerStart = true
	run, err := testClient.ExecuteWorkflow(ctx, opts, RetryWorkflow, int32(1))
	if err != nil {
		t.Fatal(err)
	}
	var attempt int32
	if err := run.Get(ctx, &attempt); err != nil || attempt != 1 {
		t.Fatalf("attempt %d (%v)", attempt, err)
	}
}

func TestUpsertedMemoIsOnTheDescription(t *testing.T) {
	ctx := testContext(t)
	opts := startOptions(t)
	opts.Memo = map[string]any{"owner": "go"}
	run, err := testClient.ExecuteWorkflow(ctx, opts, MemoWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = testClient.SignalWorkflow(ctx, run.GetID(), "", "done", "bye") }()
	var memo map[string]string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		desc, err := testClient.DescribeWorkflowExecution(ctx, run.GetID(), "")
		if err != nil {
			t.Fatal(err)
		}
		memo = map[string]string{}
		for k, payload := range desc.GetWorkflowExecutionInfo().GetMemo().GetFields() {
			var v string
			if err := converter.GetDefaultDataConverter().FromPayload(payload, &v); err != nil {
				t.Fatal(err)
			}
			memo[k] = v
		}
		if memo["stage"] == "upserted" {
			break
		}
	}
	if memo["owner"] != "go" || memo["stage"] != "upserted" {
		t.Fatalf("memo %v", memo)
	}
}
