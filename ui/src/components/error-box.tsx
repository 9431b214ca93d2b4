import type { ApiError } from '../api';

const codeNames: Record<number, string> = {
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
};

/** A failed call: the server's message as it wrote it, with its gRPC status. */
export function ErrorBox({ error }: { error: ApiError | string | undefined }) {
  if (error === undefined) return null;
  const text = typeof error === 'string' ? error : `${codeNames[error.code] ?? `code ${error.code}`}: ${error.message}`;
  return (
    <div class="error" role="alert" data-testid="error">
      {text}
    </div>
  );
}
