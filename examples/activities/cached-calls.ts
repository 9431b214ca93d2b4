// Placeholder: the cached-calls example's activities (filled in by its pattern).
export {};
