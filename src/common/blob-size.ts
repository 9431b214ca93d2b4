/**
 * Temporal's per-payload size limits (`limit.blobSize.warn` / `limit.blobSize.error`), checked as
 * its CheckEventBlobSizeLimit does: past the warning limit the size is logged, and only then is the
 * error limit checked — so an error limit below the warning limit takes effect only for blobs over
 * both (Temporal's SDK suites set the warning limit low for that reason).
 */
export interface BlobSizeLimits {
  warnBytes: number;
  errorBytes: number;
}

/** Temporal's ErrBlobSizeExceedsLimit message. */
export const BLOB_SIZE_EXCEEDS_LIMIT = 'Blob data size exceeds limit.';

export function blobSizeVerdict(size: number, limits: BlobSizeLimits): 'ok' | 'warn' | 'error' {
  if (size <= limits.warnBytes) return 'ok';
  return size > limits.errorBytes ? 'error' : 'warn';
}

/** Temporal's ErrMemoSizeExceedsLimit message (`limit.memoSize.error`, checked past `limit.memoSize.warn`). */
export const MEMO_SIZE_EXCEEDS_LIMIT = 'Memo size exceeds limit.';
