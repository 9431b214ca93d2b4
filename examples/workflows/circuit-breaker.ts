// Placeholder: the circuit-breaker example's workflows (filled in by its pattern).
export {};
