/**
 * Why a schedule spec is invalid, in Temporal's words (service/worker/scheduler/spec.go, calendar.go). `canonicalize`
 * turns it into the INVALID_ARGUMENT the frontend answers ("Invalid schedule spec: <reason>").
 */
export class ScheduleSpecError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ScheduleSpecError';
  }
}
