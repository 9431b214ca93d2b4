// Placeholder: the batch-processing example's activities (filled in by its pattern).
export {};
