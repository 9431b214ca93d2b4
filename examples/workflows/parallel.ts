// Placeholder: the parallel example's workflows (filled in by its pattern).
export {};
