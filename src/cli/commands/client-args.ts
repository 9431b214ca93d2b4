/**
 * Flags of the client commands (`hourglass workflow list / describe / show`), named as the Temporal CLI names them.
 * Pure (no I/O) so it can be unit-tested; mistakes throw the CLI's {@link UsageError} (exit 2).
 */
import { readFlagToken, UsageError } from '../flag-values';

export const WORKFLOW_SUBCOMMANDS = ['list', 'describe', 'show'] as const;
export type WorkflowSubcommand = (typeof WORKFLOW_SUBCOMMANDS)[number];

/** `json` prints a list as one JSON array (as the Temporal CLI does), `jsonl` one JSON object per line. */
export const OUTPUT_FORMATS = ['text', 'json', 'jsonl'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DEFAULT_ADDRESS = '127.0.0.1:7233';

export interface WorkflowCommandOptions {
  subcommand: WorkflowSubcommand;
  address: string;
  namespace: string;
  workflowId?: string;
  runId?: string;
  query?: string;
  /** 0: no limit. */
  limit: number;
  output: OutputFormat;
}

type ClientFlag = 'address' | 'namespace' | 'workflow-id' | 'run-id' | 'query' | 'limit' | 'output' | 'help';

/** Which flags each subcommand takes (`help` is a boolean, every other flag takes a value). */
const FLAGS_OF: Record<WorkflowSubcommand, readonly ClientFlag[]> = {
  list: ['address', 'namespace', 'query', 'limit', 'output', 'help'],
  describe: ['address', 'namespace', 'workflow-id', 'run-id', 'output', 'help'],
  show: ['address', 'namespace', 'workflow-id', 'run-id', 'output', 'help'],
};

const SHORT: Record<string, ClientFlag> = { n: 'namespace', w: 'workflow-id', r: 'run-id', q: 'query', o: 'output', h: 'help' };

export type WorkflowCommand = { kind: 'workflow'; options: WorkflowCommandOptions } | { kind: 'help'; topic: 'workflow' };

/** Parses the arguments after `hourglass workflow`. */
export function parseWorkflowArgs(argv: readonly string[]): WorkflowCommand {
  const [sub, ...flags] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return { kind: 'help', topic: 'workflow' };
  const subcommand = WORKFLOW_SUBCOMMANDS.find((s) => s === sub);
  if (subcommand === undefined) {
    throw new UsageError(sub.startsWith('-') ? `unknown flag: ${sub}` : `unknown command "workflow ${sub}"`);
  }
  const options: WorkflowCommandOptions = { subcommand, address: DEFAULT_ADDRESS, namespace: 'default', limit: 0, output: 'text' };
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i] as string;
    const { name, inline, shown } = readFlagToken(arg, SHORT);
    const flag = FLAGS_OF[subcommand].find((f) => f === name);
    if (flag === undefined) throw new UsageError(`unknown flag: ${shown}`);
    if (flag === 'help') return { kind: 'help', topic: 'workflow' };
    let value = inline;
    if (value === undefined) {
      value = flags[i + 1];
      if (value === undefined) throw new UsageError(`flag needs an argument: ${shown}`);
      i++;
    }
    applyFlag(options, flag, value);
  }
  if (subcommand !== 'list' && options.workflowId === undefined) {
    // The Temporal CLI's message for a missing required flag.
    throw new UsageError('required flag(s) "workflow-id" not set');
  }
  return { kind: 'workflow', options };
}

function applyFlag(options: WorkflowCommandOptions, flag: Exclude<ClientFlag, 'help'>, value: string): void {
  switch (flag) {
    case 'address':
      if (!/^[^\s:]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(value)) throw new UsageError(`invalid value "${value}" for --address: expected host:port`);
      options.address = value;
      return;
    case 'namespace':
      if (value === '') throw new UsageError('invalid value "" for --namespace');
      options.namespace = value;
      return;
    case 'workflow-id':
      options.workflowId = value;
      return;
    case 'run-id':
      options.runId = value;
      return;
    case 'query':
      options.query = value;
      return;
    case 'limit':
      if (!/^\d+$/.test(value)) throw new UsageError(`invalid value "${value}" for --limit: expected a non-negative integer`);
      options.limit = Number(value);
      return;
    case 'output': {
      const output = OUTPUT_FORMATS.find((f) => f === value.toLowerCase());
      if (output === undefined) throw new UsageError(`invalid value "${value}" for --output: expected one of ${OUTPUT_FORMATS.join(', ')}`);
      options.output = output;
      return;
    }
  }
}
