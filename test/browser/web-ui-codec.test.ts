/**
 * The web UI with a codec endpoint and a time-skipping server: payloads a client encoded are shown decoded (the page
 * sends them to `<codecEndpoint>/decode` with `X-Namespace`, as Temporal's UI does), and the header shows the server's
 * virtual time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { HourglassServer } from '../../src/server';
import { browserSpec, screenshot, withBrowser } from './browser';

const ENCRYPTED = 'binary/encrypted';
const ProtoPayload = temporal.api.common.v1.Payload;

/** A stand-in for encryption: the whole payload, serialized and byte-reversed. */
const reversingCodec: PayloadCodec = {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => ({ metadata: { encoding: Buffer.from(ENCRYPTED) }, data: Buffer.from(ProtoPayload.encode(p).finish()).reverse() }));
  },
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => ProtoPayload.decode(Buffer.from(p.data ?? []).reverse()));
  },
};

type JsonPayload = { metadata?: Record<string, string>; data?: string };

/** A codec server as Temporal documents one: POST /decode with `{ payloads }` in proto3 JSON, CORS for the UI's origin. */
function startCodecServer(seen: { namespaces: string[] }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace');
    if (req.method === 'OPTIONS') return void res.end();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.namespaces.push(String(req.headers['x-namespace']));
      const { payloads } = JSON.parse(body) as { payloads: JsonPayload[] };
      const decoded = payloads.map((p) => {
        if (Buffer.from(p.metadata?.encoding ?? '', 'base64').toString() !== ENCRYPTED) return p;
        const original = ProtoPayload.decode(Buffer.from(p.data ?? '', 'base64').reverse());
        const metadata = Object.fromEntries(Object.entries(original.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
        return { metadata, data: Buffer.from(original.data ?? []).toString('base64') };
      });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ payloads: decoded }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the web UI with a codec endpoint, in time-skipping mode', browserSpec(), () => {
  const seen = { namespaces: [] as string[] };
  let codec: http.Server;
  let server: HourglassServer;
  let connection: Connection;
  let client: Client;
  before(async () => {
    codec = await startCodecServer(seen);
    const codecEndpoint = `http://127.0.0.1:${(codec.address() as AddressInfo).port}`;
    server = await HourglassServer.start({ port: 0, uiPort: 0, timeSkipping: true, codecEndpoint });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, dataConverter: { payloadCodecs: [reversingCodec] } });
  });
  after(async () => {
    await connection?.close();
    await server?.close();
    codec?.close();
  });

  test('an encoded input is shown as the codec endpoint decodes it; the header shows the virtual time', async () => {
    const handle = await client.workflow.start('neverPolled', { taskQueue: 'codec', workflowId: 'encrypted-input', args: [{ card: '4111 1111' }] });
    const { runId } = await handle.describe();
    await withBrowser(async (page) => {
      await page.goto(`http://${server.uiAddress ?? ''}/namespaces/default/workflows/encrypted-input/${runId}`);
      const input = await page.locator('[data-testid=run-input]').innerText();
      assert.deepEqual(JSON.parse(input), { card: '4111 1111' });
      assert.ok(seen.namespaces.includes('default'), 'the page named the namespace in X-Namespace');
      assert.match(await page.locator('[data-testid=virtual-time]').innerText(), /virtual time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
      await screenshot(page, 'run-codec-time-skipping');
    });
    await handle.terminate();
  });
});
