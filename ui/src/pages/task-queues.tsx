export function TaskQueuesPage({ ns }: { ns: string; name: string }) {
  return <p>{ns}</p>;
}
