import type { ApiError } from '../api';

/**
 * A list filter the server refused: its message, and when it names a position ("… at position 12 …", 1-based) the filter
 * with a caret under that character, so the mistake is visible at a glance.
 */
export function QueryError({ error, query }: { error: ApiError; query: string }) {
  const position = /position (\d+)/.exec(error.message)?.[1];
  // Positions are 1-based; the end of the query is one past its last character.
  const at = position === undefined ? undefined : Math.max(0, Math.min(Number(position) - 1, query.length));
  return (
    <div class="error" role="alert" data-testid="query-error">
      <div>{error.message}</div>
      {at !== undefined && (
        <pre class="caret">
          {query}
          {'\n'}
          {' '.repeat(at)}^
        </pre>
      )}
    </div>
  );
}
