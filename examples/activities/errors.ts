// Placeholder: the errors example's activities (filled in by its pattern).
export {};
