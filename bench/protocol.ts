/**
 * Messages between the bench runner and the load-generator process (IPC).
 */
export type Workload = 'w1' | 'w2' | 'w3' | 'w4' | 'w6';

export interface LoadConfig {
  workload: Workload;
  address: string;
  taskQueue: string;
  /** Workflow type for w1/w2. */
  workflowType?: 'threeSteps' | 'threeStepsLocal';
  /** Number of workflows (w1–w3); number of activities (w6). */
  n: number;
  /** Activities run in parallel per batch (w6). */
  batch?: number;
  /** In-flight requests (w2, w4). */
  concurrency: number;
  /** Duration of the raw-gRPC run (w4). */
  durationMs: number;
  /** Workflow id prefix, unique per round. */
  idPrefix: string;
}

export interface W1Result { kind: 'w1'; latenciesMs: number[] }
export interface W2Result { kind: 'w2'; n: number; wallMs: number }
export interface W3Result { kind: 'w3'; n: number; spreadMs: number; lateMs: number; firstToLastCompletionMs: number }
export interface W4Result { kind: 'w4'; calls: number; wallMs: number }
export interface W6Result { kind: 'w6'; activities: number; events: number; runMs: number; fetchHistoryMs: number }
export type LoadResult = W1Result | W2Result | W3Result | W4Result | W6Result;

export type ToLoadgen = { type: 'config'; config: LoadConfig } | { type: 'go' };
export type FromLoadgen = { type: 'warm' } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };
