// Placeholder: the cached-calls example's workflows (filled in by its pattern).
export {};
