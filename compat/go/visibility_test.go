package compat

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/temporal"
)

const operatorSearchAttribute = "GoCompatRegion"

func registerOperatorAttribute(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := testClient.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        "default",
		SearchAttributes: map[string]enumspb.IndexedValueType{operatorSearchAttribute: enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		t.Fatal(err)
	}
}

func TestCustomSearchAttributesAreRegisteredByFlagAndByTheOperatorService(t *testing.T) {
	ctx := testContext(t)
	registerOperatorAttribute(t, ctx)
	listed, err := testClient.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	custom := listed.GetCustomAttributes()
	if custom[flagSearchAttribute] != enumspb.INDEXED_VALUE_TYPE_KEYWORD || custom[operatorSearchAttribute] != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
		t.Fatalf("custom attributes %v", custom)
	}
	if listed.GetSystemAttributes()["WorkflowType"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
		t.Fatalf("system attributes lack WorkflowType: %v", listed.GetSystemAttributes())
	}
}

func TestListWorkflowFiltersOnStartAndUpsertedSearchAttributes(t *testing.T) {
	ctx := testContext(t)
	registerOperatorAttribute(t, ctx)
	customer := "acme-" + uuid.NewString()[:8]
	customerKey := temporal.NewSearchAttributeKeyKeyword(flagSearchAttribute)
	var ids []string
	for _, region := range []string{"eu", "us"} {
		opts := startOptions(t)
		opts.TypedSearchAttributes = temporal.NewSearchAttributes(customerKey.ValueSet(customer))
		run, err := testClient.ExecuteWorkflow(ctx, opts, SearchAttributesWorkflow, operatorSearchAttribute, region)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.GetID())
	}
	defer func() {
		for _, id := range ids {
			_ = testClient.SignalWorkflow(ctx, id, "", "done", nil)
		}
	}()

	byCustomer := fmt.Sprintf("%s = '%s'", flagSearchAttribute, customer)
	euRunning := byCustomer + fmt.Sprintf(" AND %s = 'eu' AND ExecutionStatus = 'Running'", operatorSearchAttribute)
	found := waitForList(t, euRunning, 1)
	if found[0] != ids[0] {
		t.Fatalf("listed %v, want %s", found, ids[0])
	}

	// The upserted value is on the run's description as a typed search attribute.
	desc, err := testClient.DescribeWorkflowExecution(ctx, ids[0], "")
	if err != nil {
		t.Fatal(err)
	}
	fields := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	if fields[operatorSearchAttribute] == nil || !strings.Contains(string(fields[operatorSearchAttribute].GetData()), "eu") {
		t.Fatalf("search attributes %v", fields)
	}

	// Pages of one: the SDK follows NextPageToken through both runs.
	var pages int
	var all []string
	var token []byte
	for {
		resp, err := testClient.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: byCustomer, PageSize: 1, NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range resp.GetExecutions() {
			all = append(all, e.GetExecution().GetWorkflowId())
			if e.GetType().GetName() != "SearchAttributesWorkflow" {
				t.Fatalf("listed type %q", e.GetType().GetName())
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	sort.Strings(all)
	sort.Strings(ids)
	if strings.Join(all, ",") != strings.Join(ids, ",") || pages < 2 {
		t.Fatalf("listed %v in %d pages, want %v", all, pages, ids)
	}

	count, err := testClient.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: byCustomer})
	if err != nil || count.GetCount() != 2 {
		t.Fatalf("count %d (%v), want 2", count.GetCount(), err)
	}

	// Closed runs are listed by their close status.
	for _, id := range ids {
		if err := testClient.SignalWorkflow(ctx, id, "", "done", nil); err != nil {
			t.Fatal(err)
		}
		if err := testClient.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitForList(t, byCustomer+" AND ExecutionStatus = 'Completed'", 2)
}

func TestListWorkflowRejectsAnUnknownSearchAttribute(t *testing.T) {
	ctx := testContext(t)
	_, err := testClient.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "NoSuchAttribute = 'x'"})
	var invalid *serviceerror.InvalidArgument
	if !errors.As(err, &invalid) {
		t.Fatalf("want InvalidArgument, got %T %v", err, err)
	}
}

// waitForList polls ListWorkflow until the query matches want runs: visibility may lag the run's state in Temporal.
func waitForList(t *testing.T, query string, want int) []string {
	t.Helper()
	ctx := testContext(t)
	var ids []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := testClient.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		ids = ids[:0]
		for _, e := range resp.GetExecutions() {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if len(ids) == want {
			return ids
		}
	}
	t.Fatalf("query %q matched %v, want %d runs", query, ids, want)
	return nil
}
