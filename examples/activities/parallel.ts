// Placeholder: the parallel example's activities (filled in by its pattern).
export {};
