/**
 * Payloads as a person reads them: json/plain and json/protobuf as pretty JSON, binary/null as null, anything else
 * (binary/plain, encrypted or compressed bytes) as base64. With a codec endpoint configured, payloads go through
 * `<endpoint>/decode` first, as the Temporal UI does, so what a codec encoded is shown decoded.
 */
import { uiConfig } from './api';
import type { Payload } from './types';

export type DecodedPayload =
  { kind: 'json'; value: unknown; encoding: string } | { kind: 'binary'; base64: string; encoding: string } | { kind: 'null'; encoding: string };

function bytes(base64: string): Uint8Array {
  const raw = atob(base64.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function toBase64(text: string): string {
  const utf8 = new TextEncoder().encode(text);
  let raw = '';
  for (const b of utf8) raw += String.fromCharCode(b);
  return btoa(raw);
}

function utf8(base64: string | undefined): string {
  return base64 === undefined ? '' : new TextDecoder().decode(bytes(base64));
}

export function metadataText(payload: Payload, key: string): string {
  return utf8(payload.metadata?.[key]);
}

/** One payload, without a codec. */
export function decodePayload(payload: Payload): DecodedPayload {
  const encoding = metadataText(payload, 'encoding');
  if (encoding === 'binary/null') return { kind: 'null', encoding };
  if (encoding === 'json/plain' || encoding === 'json/protobuf') {
    try {
      return { kind: 'json', value: JSON.parse(utf8(payload.data)) as unknown, encoding };
    } catch {
      // Not JSON after all: show its bytes.
    }
  }
  return { kind: 'binary', base64: payload.data ?? '', encoding };
}

/** A payload's value as JSON text, as the summary and list cells show it. */
export function payloadText(payload: Payload | undefined): string {
  if (payload === undefined) return '';
  const decoded = decodePayload(payload);
  if (decoded.kind === 'null') return 'null';
  if (decoded.kind === 'binary') return `[${decoded.encoding || 'binary'}] ${decoded.base64}`;
  return typeof decoded.value === 'string' ? decoded.value : JSON.stringify(decoded.value);
}

/** Payloads through the codec endpoint when one is configured (unchanged otherwise, or when it fails: `error` says why). */
export async function throughCodec(namespace: string, payloads: Payload[]): Promise<{ payloads: Payload[]; error?: string }> {
  const { codecEndpoint } = await uiConfig();
  if (!codecEndpoint || payloads.length === 0) return { payloads };
  try {
    const response = await fetch(`${codecEndpoint.replace(/\/$/, '')}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': namespace },
      body: JSON.stringify({ payloads }),
    });
    if (!response.ok) return { payloads, error: `codec endpoint answered HTTP ${response.status}` };
    const decoded = (await response.json()) as { payloads?: Payload[] };
    return { payloads: decoded.payloads ?? [] };
  } catch (e) {
    return { payloads, error: `codec endpoint unreachable: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** A json/plain payload of a value, in the standard form (so the server never mistakes it for one in shorthand). */
export function jsonPayload(value: unknown): Payload {
  return { metadata: { encoding: toBase64('json/plain') }, data: toBase64(JSON.stringify(value)) };
}

/**
 * The arguments typed in an action form: empty → none; a JSON array → one argument per element; any other JSON
 * value → that one argument. Throws SyntaxError with the parser's message for text that is not JSON.
 */
export function argsFromText(text: string): Payload[] {
  if (text.trim() === '') return [];
  const value = JSON.parse(text) as unknown;
  return (Array.isArray(value) ? (value as unknown[]) : [value]).map(jsonPayload);
}

function isPayload(value: object): value is Payload {
  const metadata = (value as Payload).metadata;
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof metadata.encoding === 'string' &&
    Object.keys(value).every((k) => k === 'metadata' || k === 'data')
  );
}

/** A message for reading: every payload in it replaced by its decoded value (JSON), or `{ encoding, base64 }` for bytes. */
export function withPayloadsDecoded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withPayloadsDecoded);
  if (typeof value !== 'object' || value === null) return value;
  if (isPayload(value)) {
    const decoded = decodePayload(value);
    return decoded.kind === 'json' ? decoded.value : decoded.kind === 'null' ? null : { encoding: decoded.encoding, base64: decoded.base64 };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPayloadsDecoded(v)]));
}
