package compat

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// startOwnWorker runs a worker on its own connection and task queue, for specs that stop or lose it.
func startOwnWorker(t *testing.T, queue string, opts worker.Options, dial ...grpc.DialOption) (worker.Worker, client.Client) {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort: hostPort, Namespace: "default", Logger: quietLogger(),
		ConnectionOptions: client.ConnectionOptions{DialOptions: dial},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := worker.New(c, queue, opts)
	w.RegisterWorkflow(SignalQueryWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	return w, c
}

// A worker that dies without saying so: its ShutdownWorker call never reaches the server.
func dropShutdownWorker(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if strings.HasSuffix(method, "/ShutdownWorker") {
		return status.Error(codes.Unavailable, "worker crashed")
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

func runOnTwoWorkers(t *testing.T, firstDial []grpc.DialOption, within time.Duration) {
	ctx := testContext(t)
	queue := "go-compat-sticky-" + uuid.NewString()
	// 5 s is the Go SDK's default StickyScheduleToStartTimeout, stated here because the specs time against it.
	first, firstClient := startOwnWorker(t, queue, worker.Options{StickyScheduleToStartTimeout: 5 * time.Second}, firstDial...)
	opts := startOptions(t)
	opts.TaskQueue = queue
	run, err := testClient.ExecuteWorkflow(ctx, opts, SignalQueryWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if err := testClient.SignalWorkflow(ctx, run.GetID(), "", "add", 4); err != nil {
		t.Fatal(err)
	}
	// The query is answered by the first worker, which now caches the run and polls its sticky queue.
	value, err := testClient.QueryWorkflow(ctx, run.GetID(), "", "total")
	var total int
	if err != nil || value.Get(&total) != nil || total != 4 {
		t.Fatalf("query on the first worker: %d (%v)", total, err)
	}
	first.Stop()
	firstClient.Close()

	second, secondClient := startOwnWorker(t, queue, worker.Options{})
	defer secondClient.Close()
	defer second.Stop()
	started := time.Now()
	for _, name := range []string{"add", "done"} {
		if err := testClient.SignalWorkflow(ctx, run.GetID(), "", name, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := run.Get(ctx, &total); err != nil || total != 5 {
		t.Fatalf("result %d (%v), want 5", total, err)
	}
	if elapsed := time.Since(started); elapsed > within {
		t.Fatalf("the second worker took %v to finish the run, want under %v", elapsed, within)
	}
}

func TestAWorkerThatShutsDownHandsItsStickyRunsBackToTheNormalQueueAtOnce(t *testing.T) {
	runOnTwoWorkers(t, nil, 3*time.Second)
}

func TestAStickyTaskOfAVanishedWorkerMovesToTheNormalQueueAfterStickyScheduleToStartTimeout(t *testing.T) {
	runOnTwoWorkers(t, []grpc.DialOption{grpc.WithChainUnaryInterceptor(dropShutdownWorker)}, 12*time.Second)
}
