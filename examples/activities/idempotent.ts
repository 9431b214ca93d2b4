// Placeholder: the idempotent example's activities (filled in by its pattern).
export {};
