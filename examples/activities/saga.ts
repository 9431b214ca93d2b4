// Placeholder: the saga example's activities (filled in by its pattern).
export {};
