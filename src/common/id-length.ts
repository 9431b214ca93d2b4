/** Temporal's `limit.maxIDLength` default: the longest namespace name, workflow id, request id… a request may carry. */
export const MAX_ID_LENGTH = 1000;
