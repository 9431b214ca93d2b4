/**
 * One door to the protobuf types of `@temporalio/proto`, with short aliases, so the rest of the
 * code never imports the generated root directly and never hand-copies a .proto file.
 */
import { google, temporal } from '@temporalio/proto';
import Long from 'long';

export { Long };

export { google, temporal };

export const api = temporal.api;
export import enums = temporal.api.enums.v1;
export import common = temporal.api.common.v1;
export import history = temporal.api.history.v1;
export import failure = temporal.api.failure.v1;
export import workflowservice = temporal.api.workflowservice.v1;
export import taskqueue = temporal.api.taskqueue.v1;
export import namespace = temporal.api.namespace.v1;
export import command = temporal.api.command.v1;
export import workflow = temporal.api.workflow.v1;
export import errordetails = temporal.api.errordetails.v1;
export import sdk = temporal.api.sdk.v1;
export import operatorservice = temporal.api.operatorservice.v1;
export import activity = temporal.api.activity.v1;

export type IHistoryEvent = temporal.api.history.v1.IHistoryEvent;
export type IPayloads = temporal.api.common.v1.IPayloads;
export type IPayload = temporal.api.common.v1.IPayload;
export type IFailure = temporal.api.failure.v1.IFailure;
export type IDuration = google.protobuf.IDuration;
export type ITimestamp = google.protobuf.ITimestamp;

/** int64 fields decode as Long (or number when built locally); the engine works in plain numbers. */
export function toNumber(value: Long | number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

/** A plain number as the Long that the generated int64 fields are typed with. */
export function int64(n: number): Long {
  return Long.fromNumber(n);
}

/** Duration and Timestamp share one shape: whole seconds (int64) and nanoseconds. */
interface SecondsNanos {
  seconds?: Long | null;
  nanos?: number | null;
}

function secondsNanosToMs(v: SecondsNanos | null | undefined): number {
  if (!v) return 0;
  return toNumber(v.seconds) * 1000 + Math.floor((v.nanos ?? 0) / 1e6);
}

function msToSecondsNanos(ms: number): { seconds: Long; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: int64(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Duration → milliseconds; an absent duration is 0, which Temporal reads as "unset". */
export function durationToMs(d: IDuration | null | undefined): number {
  return secondsNanosToMs(d);
}

export function msToDuration(ms: number): IDuration {
  return msToSecondsNanos(ms);
}

export function timestampToMs(t: ITimestamp | null | undefined): number {
  return secondsNanosToMs(t);
}

export function msToTimestamp(ms: number): ITimestamp {
  return msToSecondsNanos(ms);
}

/** Payloads and failures kept inside mutable state are stored as base64 protobuf. */
export function encodePayloads(p: IPayloads | null | undefined): string | undefined {
  if (!p || !p.payloads || p.payloads.length === 0) return undefined;
  return Buffer.from(common.Payloads.encode(p).finish()).toString('base64');
}

export function decodePayloads(s: string | undefined): common.Payloads | undefined {
  return s === undefined ? undefined : common.Payloads.decode(Buffer.from(s, 'base64'));
}

export function encodeFailure(f: IFailure | null | undefined): string | undefined {
  return f ? Buffer.from(failure.Failure.encode(f).finish()).toString('base64') : undefined;
}

export function decodeFailure(s: string | undefined): failure.Failure | undefined {
  return s === undefined ? undefined : failure.Failure.decode(Buffer.from(s, 'base64'));
}

/**
 * History events as the store holds them (encoded temporal.api.history.v1.HistoryEvent). A response
 * carrying them under this key, instead of `history`, has its `history` field written from these
 * bytes by the gRPC frontend: an event is encoded once, when it is appended, and never decoded
 * just to be sent again.
 */
export const ENCODED_HISTORY: unique symbol = Symbol('encodedHistory');

export interface EncodedHistory {
  [ENCODED_HISTORY]?: Uint8Array[];
}

/** Search attributes and memo are kept in mutable state as one encoded map each; absent when empty. */
export function encodeSearchAttributes(fields: Record<string, IPayload>): string | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  return Buffer.from(common.SearchAttributes.encode({ indexedFields: fields }).finish()).toString('base64');
}

export function decodeSearchAttributes(stored: string | undefined): Record<string, IPayload> {
  return stored ? common.SearchAttributes.decode(Buffer.from(stored, 'base64')).indexedFields : {};
}

export function encodeMemo(fields: Record<string, IPayload>): string | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  return Buffer.from(common.Memo.encode({ fields }).finish()).toString('base64');
}

export function decodeMemo(stored: string | undefined): Record<string, IPayload> {
  return stored ? common.Memo.decode(Buffer.from(stored, 'base64')).fields : {};
}
