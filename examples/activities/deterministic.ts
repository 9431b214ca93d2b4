// Placeholder: the deterministic example's activities (filled in by its pattern).
export {};
