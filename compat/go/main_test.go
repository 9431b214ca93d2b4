// Package compat runs the official Temporal Go SDK (client.Dial + worker.New, never the testsuite mock) against a
// Hourglass dev server that TestMain starts from this repository's bin/hourglass.js.
package compat

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// The dev server registers this attribute from its --search-attribute flag; the visibility spec registers a second
// one through the OperatorService.
const flagSearchAttribute = "GoCompatCustomer"

var (
	hostPort string
	// taskQueue is served by the one worker TestMain runs with every workflow and activity registered: a Go worker
	// start costs a namespace check and a poller ramp-up, and the specs tell their runs apart by workflow id.
	taskQueue  = "go-compat-" + uuid.NewString()
	testClient client.Client
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "hourglass-go-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	server, addr, err := startDevServer(filepath.Join(dir, "hourglass.db"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the Hourglass dev server:", err)
		return 1
	}
	defer stopDevServer(server)
	hostPort = addr

	testClient, err = client.Dial(client.Options{HostPort: hostPort, Namespace: "default", Logger: quietLogger()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "client.Dial:", err)
		return 1
	}
	defer testClient.Close()

	w := worker.New(testClient, taskQueue, worker.Options{})
	registerAll(w)
	if err := w.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "worker.Start:", err)
		return 1
	}
	defer w.Stop()
	return m.Run()
}

// startDevServer runs `hourglass server start-dev` on a free port (--port 0) and reads the bound address from the
// ready line that --output text prints, so no port is ever raced for.
func startDevServer(dbFile string) (*exec.Cmd, string, error) {
	bin, err := filepath.Abs(filepath.Join("..", "..", "bin", "hourglass.js"))
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command("node", bin, "server", "start-dev", "--headless", "--port", "0", "--output", "text",
		"--db-filename", dbFile, "--search-attribute", flagSearchAttribute+"=Keyword")
	if os.Getenv("GO_COMPAT_DEBUG") != "" {
		cmd.Args = append(cmd.Args, "--log-level", "debug")
	}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	ready := regexp.MustCompile(`listening on (\S+:\d+)`)
	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if match := ready.FindStringSubmatch(scanner.Text()); match != nil {
				found <- match[1]
				break
			}
		}
		close(found)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			return nil, "", fmt.Errorf("server exited before listening (%v)", cmd.ProcessState)
		}
		return cmd, addr, nil
	case <-time.After(30 * time.Second):
		stopDevServer(cmd)
		return nil, "", fmt.Errorf("no ready line within 30s (is `npm run build` done?)")
	}
}

func stopDevServer(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// quietLogger keeps the SDK's info lines (worker started, polls) out of the test output; warnings still show.
func quietLogger() log.Logger {
	level := slog.LevelWarn
	if os.Getenv("GO_COMPAT_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startOptions gives each run an id derived from its test, so a failure names the run to look at.
func startOptions(t *testing.T) client.StartWorkflowOptions {
	t.Helper()
	id := strings.ReplaceAll(t.Name(), "/", "-") + "-" + uuid.NewString()[:8]
	return client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue, WorkflowExecutionTimeout: 60 * time.Second}
}
