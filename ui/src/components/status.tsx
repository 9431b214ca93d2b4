import { statusName } from '../format';

/** A run's status as a coloured label (colours in style.css, by status name). */
export function StatusBadge({ status }: { status: string | undefined }) {
  const name = statusName(status) || 'Unknown';
  return (
    <span class={`status status-${name.toLowerCase()}`} data-testid="status">
      {name}
    </span>
  );
}
