// Placeholder: the circuit-breaker example's activities (filled in by its pattern).
export {};
