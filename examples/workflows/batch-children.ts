// Placeholder: the batch-children example's workflows (filled in by its pattern).
export {};
