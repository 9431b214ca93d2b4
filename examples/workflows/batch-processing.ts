// Placeholder: the batch-processing example's workflows (filled in by its pattern).
export {};
