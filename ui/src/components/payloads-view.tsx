import { useEffect, useState } from 'preact/hooks';
import { decodePayload, throughCodec, type DecodedPayload } from '../payloads';
import type { Payload } from '../types';
import { JsonBlock } from './json-block';

/** Payloads decoded (through the codec endpoint when configured): JSON pretty-printed, bytes as base64 with their encoding. */
export function PayloadsView({ ns, payloads, testid }: { ns: string; payloads: Payload[] | undefined; testid?: string }) {
  const [decoded, setDecoded] = useState<{ values: DecodedPayload[]; error?: string }>();
  useEffect(() => {
    let live = true;
    void throughCodec(ns, payloads ?? []).then(({ payloads: out, error }) => live && setDecoded({ values: out.map(decodePayload), error }));
    return () => {
      live = false;
    };
  }, [ns, payloads]);
  if (!payloads || payloads.length === 0) return <span class="muted">none</span>;
  if (!decoded) return <span class="muted">decoding…</span>;
  return (
    <div class="payloads" data-testid={testid}>
      {decoded.error && <div class="warn">{decoded.error}</div>}
      {decoded.values.map((value, i) => (
        <DecodedView key={i} value={value} />
      ))}
    </div>
  );
}

function DecodedView({ value }: { value: DecodedPayload }) {
  if (value.kind === 'null') return <JsonBlock value="null" />;
  if (value.kind === 'json') return <JsonBlock value={JSON.stringify(value.value, null, 2)} />;
  return (
    <div>
      <span class="tag">{value.encoding || 'binary'} · base64</span>
      <pre class="json binary">{value.base64}</pre>
    </div>
  );
}
