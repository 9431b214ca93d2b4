// Placeholder: the deterministic example's workflows (filled in by its pattern).
export {};
