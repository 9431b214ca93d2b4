/** A value as indented JSON in a scrollable block (text only: Preact escapes it). */
export function JsonBlock({ value, testid }: { value: unknown; testid?: string }) {
  return (
    <pre class="json" data-testid={testid}>
      {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
    </pre>
  );
}
