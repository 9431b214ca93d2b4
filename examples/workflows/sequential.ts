// Placeholder: the sequential example's workflows (filled in by its pattern).
export {};
