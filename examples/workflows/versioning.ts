// Placeholder: the versioning example's workflows (filled in by its pattern).
export {};
