package compat

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

func TestSignalsAreDeliveredAndQueriesReadTheirEffect(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3} {
		if err := testClient.SignalWorkflow(ctx, run.GetID(), "", "add", n); err != nil {
			t.Fatal(err)
		}
	}
	// A query is answered from a state that has processed every signal sent before it.
	var total int
	value, err := testClient.QueryWorkflow(ctx, run.GetID(), "", "total")
	if err != nil {
		t.Fatal(err)
	}
	if err := value.Get(&total); err != nil || total != 6 {
		t.Fatalf("total %d (%v), want 6", total, err)
	}
	if err := testClient.SignalWorkflow(ctx, run.GetID(), "", "done", nil); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, &total); err != nil || total != 6 {
		t.Fatalf("result %d (%v), want 6", total, err)
	}
	// A closed run's query is answered by a worker that no longer caches it: it replays the whole history.
	value, err = testClient.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), "total")
	if err != nil {
		t.Fatal(err)
	}
	if err := value.Get(&total); err != nil || total != 6 {
		t.Fatalf("total after close %d (%v), want 6", total, err)
	}
}

func TestUnknownQueryTypeFailsWithTheKnownTypes(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = testClient.TerminateWorkflow(ctx, run.GetID(), "", "test over") }()
	_, err = testClient.QueryWorkflow(ctx, run.GetID(), "", "nope")
	var queryErr *serviceerror.QueryFailed
	if !errors.As(err, &queryErr) || !strings.Contains(err.Error(), "unknown queryType nope") || !strings.Contains(err.Error(), "total") {
		t.Fatalf("want QueryFailed naming the known query types, got %v", err)
	}
}

func TestSignalToAMissingWorkflowIsNotFound(t *testing.T) {
	ctx := testContext(t)
	err := testClient.SignalWorkflow(ctx, "no-such-workflow-"+t.Name(), "", "add", 1)
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("want NotFound, got %T %v", err, err)
	}
}

func TestUpdatesReturnResultsAndValidatorsRejectBeforeHistory(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), UpdateWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	update := func(name string, args ...any) (client.WorkflowUpdateHandle, error) {
		return testClient.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: run.GetID(), UpdateName: name, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
	}
	for i, want := range []int{2, 5} {
		handle, err := update("increment", []int{2, 3}[i])
		if err != nil {
			t.Fatal(err)
		}
		var counter int
		if err := handle.Get(ctx, &counter); err != nil || counter != want {
			t.Fatalf("increment returned %d (%v), want %d", counter, err, want)
		}
	}
	handle, err := update("increment", -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := handle.Get(ctx, nil); err == nil || !strings.Contains(err.Error(), "step must not be negative") {
		t.Fatalf("want the validator's rejection, got %v", err)
	}
	// An update accepted earlier can be awaited again by id (PollWorkflowExecutionUpdate).
	first, err := testClient.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateID: "fixed-id", UpdateName: "increment", Args: []any{10}, WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	if err != nil {
		t.Fatal(err)
	}
	var counter int
	if err := testClient.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
		WorkflowID: run.GetID(), UpdateID: first.UpdateID(),
	}).Get(ctx, &counter); err != nil || counter != 15 {
		t.Fatalf("polled update result %d (%v), want 15", counter, err)
	}
	if _, err := update("finish"); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, &counter); err != nil || counter != 15 {
		t.Fatalf("result %d (%v), want 15", counter, err)
	}
	// The rejected update left no trace in the history: two accepted increments plus the polled one and finish.
	accepted := 0
	iter := testClient.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, 0)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if event.GetWorkflowExecutionUpdateAcceptedEventAttributes() != nil {
			accepted++
		}
	}
	if accepted != 4 {
		t.Fatalf("%d UpdateAccepted events, want 4", accepted)
	}
}

func TestUpdateWithUnknownNameIsRejected(t *testing.T) {
	ctx := testContext(t)
	run, err := testClient.ExecuteWorkflow(ctx, startOptions(t), UpdateWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = testClient.TerminateWorkflow(ctx, run.GetID(), "", "test over") }()
	handle, err := testClient.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateName: "nope", WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "unknown update nope") {
		t.Fatalf("want the SDK's unknown-update rejection, got %v", err)
	}
}
