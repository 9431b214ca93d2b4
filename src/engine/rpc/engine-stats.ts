/** Counters tests and operators can read (`HourglassServer.stats`). */
export interface EngineStats {
  /** Workflow tasks (and legacy query tasks) that carried the full history: non-sticky. */
  fullHistoryWorkflowTasks: number;
  /** Activity tasks started eagerly in a workflow task completion's response. */
  eagerActivityTasks: number;
}
