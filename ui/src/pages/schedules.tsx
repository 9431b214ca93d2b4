export function SchedulesPage({ ns }: { ns: string; scheduleId: string }) {
  return <p>{ns}</p>;
}
