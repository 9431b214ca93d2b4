import { DEFAULT_ADDRESS } from './client-args';

/** The help text of `hourglass workflow`. */
export const WORKFLOW_USAGE = `Client commands against a Temporal-compatible server (named as the Temporal CLI's).

Usage:
  hourglass workflow list [--query QUERY] [--limit N] [flags]
  hourglass workflow describe --workflow-id ID [--run-id ID] [flags]
  hourglass workflow show --workflow-id ID [--run-id ID] [flags]

Commands:
  list       List workflow executions (visibility query)
  describe   Show a workflow execution's info (and a closed run's close event)
  show       Show a workflow execution's event history; "--output json" is the history JSON that
             historyFromJSON and Worker.runReplayHistory read

Flags:
      --address string       Server host:port (default "${DEFAULT_ADDRESS}")
  -n, --namespace string     Namespace (default "default")
  -w, --workflow-id string   Workflow ID (describe, show)
  -r, --run-id string        Run ID (describe, show; default: the latest run)
  -q, --query string         List filter, e.g. "WorkflowType = 'greet' AND ExecutionStatus = 'Running'" (list)
      --limit int            Most executions to print; 0 prints all (list)
  -o, --output string        text (default), json or jsonl
  -h, --help                 Show this help

A failed call (unknown workflow, server not reachable) prints the reason on stderr and exits 1.
`;
