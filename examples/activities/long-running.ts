// Placeholder: the long-running example's activities (filled in by its pattern).
export {};
