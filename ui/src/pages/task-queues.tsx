import { useState } from 'preact/hooks';
import { describeTaskQueue, listWorkflows } from '../api';
import { ErrorBox } from '../components/error-box';
import { Link } from '../components/link';
import { formatDuration, formatTime } from '../format';
import { useLoad } from '../hooks';
import type { TaskQueueDescription } from '../types';
import { href, navigate } from '../router';

/** Task queues: the ones recent workflows use, or one by name with its pollers and backlog for workflow and activity tasks. */
export function TaskQueuesPage({ ns, name }: { ns: string; name: string }) {
  const [draft, setDraft] = useState(name);
  return (
    <section>
      <form
        class="filter"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href({ page: 'task-queues', ns, name: draft.trim() }));
        }}
      >
        <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder="Task queue name" data-testid="task-queue-name" />
        <button type="submit">Describe</button>
      </form>
      {name ? <TaskQueueDetail key={name} ns={ns} name={name} /> : <RecentTaskQueues ns={ns} />}
    </section>
  );
}

function RecentTaskQueues({ ns }: { ns: string }) {
  const recent = useLoad(async () => {
    const page = await listWorkflows(ns, '', '', 200);
    return [...new Set((page.executions ?? []).map((w) => w.taskQueue ?? '').filter((q) => q !== ''))].sort();
  }, [ns]);
  return (
    <>
      <h2>Used by recent workflows</h2>
      <ErrorBox error={recent.error} />
      {recent.data?.length === 0 && <p class="muted">No workflows yet.</p>}
      <ul>
        {(recent.data ?? []).map((q) => (
          <li key={q}>
            <Link href={href({ page: 'task-queues', ns, name: q })}>{q}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}

function TaskQueueDetail({ ns, name }: { ns: string; name: string }) {
  const both = useLoad(
    async () => {
      const [workflow, activity] = await Promise.all([
        describeTaskQueue(ns, name, 'TASK_QUEUE_TYPE_WORKFLOW'),
        describeTaskQueue(ns, name, 'TASK_QUEUE_TYPE_ACTIVITY'),
      ]);
      return { workflow, activity };
    },
    [ns, name],
    5000,
  );
  return (
    <div data-testid="task-queue">
      <h1>{name}</h1>
      <ErrorBox error={both.error} />
      {both.data && (
        <div class="columns">
          <Kind title="Workflow tasks" description={both.data.workflow} />
          <Kind title="Activity tasks" description={both.data.activity} />
        </div>
      )}
    </div>
  );
}

function Kind({ title, description }: { title: string; description: TaskQueueDescription }) {
  const stats = description.stats ?? {};
  return (
    <div>
      <h2>{title}</h2>
      <dl class="kv">
        <dt>Backlog</dt>
        <dd data-testid="backlog">{stats.approximateBacklogCount ?? '0'} tasks</dd>
        <dt>Oldest task</dt>
        <dd>{formatDuration(stats.approximateBacklogAge) || 'none waiting'}</dd>
      </dl>
      <table class="grid">
        <thead>
          <tr>
            <th>Poller identity</th>
            <th>Last access</th>
            <th>Rate / s</th>
          </tr>
        </thead>
        <tbody>
          {(description.pollers ?? []).map((p) => (
            <tr key={p.identity} data-testid="poller">
              <td>{p.identity}</td>
              <td class="time">{formatTime(p.lastAccessTime)}</td>
              <td>{p.ratePerSecond}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(description.pollers ?? []).length === 0 && <p class="muted">No worker has polled recently.</p>}
    </div>
  );
}
