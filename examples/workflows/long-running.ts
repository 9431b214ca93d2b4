// Placeholder: the long-running example's workflows (filled in by its pattern).
export {};
