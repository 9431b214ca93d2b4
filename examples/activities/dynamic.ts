// Placeholder: the dynamic example's activities (filled in by its pattern).
export {};
