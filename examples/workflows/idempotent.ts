// Placeholder: the idempotent example's workflows (filled in by its pattern).
export {};
