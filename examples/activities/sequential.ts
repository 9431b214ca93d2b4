// Placeholder: the sequential example's activities (filled in by its pattern).
export {};
