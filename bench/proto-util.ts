/**
 * Small protobuf helpers for the bench processes (kept here rather than imported from src/, so the harness does not
 * depend on the engine's internals).
 */
import type { google, temporal } from '@temporalio/proto';
import Long from 'long';

export type IPayloads = temporal.api.common.v1.IPayloads;

export function num(value: Long | number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

/** Timestamp → ms since the epoch. */
export function tsMs(t: google.protobuf.ITimestamp | null | undefined): number {
  return t ? num(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
}

/** Duration → ms. */
export function durMs(d: google.protobuf.IDuration | null | undefined): number {
  return d ? num(d.seconds) * 1000 + (d.nanos ?? 0) / 1e6 : 0;
}

/** A Duration of whole seconds. */
export function seconds(s: number): google.protobuf.IDuration {
  return { seconds: Long.fromNumber(s) };
}

const JSON_PLAIN = Buffer.from('json/plain');

/** One json/plain payload, as the SDK's default data converter writes it. */
export function jsonPayloads(value: unknown): IPayloads {
  return { payloads: [{ metadata: { encoding: JSON_PLAIN }, data: Buffer.from(JSON.stringify(value)) }] };
}

/** The first payload, JSON-decoded (undefined if there is none). */
export function fromJsonPayloads(payloads: IPayloads | null | undefined): unknown {
  const data = payloads?.payloads?.[0]?.data;
  if (!data) return undefined;
  return JSON.parse(Buffer.from(data).toString('utf8')) as unknown;
}
