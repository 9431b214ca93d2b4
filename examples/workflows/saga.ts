// Placeholder: the saga example's workflows (filled in by its pattern).
export {};
