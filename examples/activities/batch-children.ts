// Placeholder: the batch-children example's activities (filled in by its pattern).
export {};
