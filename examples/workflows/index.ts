/** Every example's workflows, for one worker (the demo) — each module's exports are distinct by name. */
export * from './deterministic';
export * from './idempotent';
export * from './sequential';
export * from './parallel';
export * from './saga';
export * from './long-running';
export * from './dynamic';
export * from './versioning';
export * from './batch-children';
export * from './errors';
export * from './circuit-breaker';
export * from './batch-processing';
export * from './cached-calls';
export * from './scheduled-batch';
