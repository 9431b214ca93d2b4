// Placeholder: the versioning example's activities (filled in by its pattern).
export {};
