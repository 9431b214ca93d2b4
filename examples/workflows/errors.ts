// Placeholder: the errors example's workflows (filled in by its pattern).
export {};
