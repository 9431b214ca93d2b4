// Placeholder: the dynamic example's workflows (filled in by its pattern).
export {};
