import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import Long from 'long';
import { HourglassServer } from '../src/server';
import { grpcCode, grpcDetails, uniqueName, useHourglassServer } from './helpers';

const env = useHourglassServer();
const oneDay = { seconds: Long.fromNumber(24 * 3600) };

describe('namespaces', () => {
  test('the default namespace exists', async () => {
    const res = await env.client.workflowService.describeNamespace({ namespace: 'default' });
    assert.equal(res.namespaceInfo?.name, 'default');
    assert.ok(res.namespaceInfo?.id, 'namespace should have an id');
  });

  test("a namespace's capabilities say updates are served (clients gate sync and async updates on them)", async () => {
    const res = await env.client.workflowService.describeNamespace({ namespace: 'default' });
    assert.equal(res.namespaceInfo?.capabilities?.syncUpdate, true);
    assert.equal(res.namespaceInfo?.capabilities?.asyncUpdate, true);
    assert.equal(res.namespaceInfo?.capabilities?.eagerWorkflowStart, true);
  });

  // Starts an in-process server of its own (the embedding API's option), with or without HOURGLASS_TEST_ADDRESS.
  test('namespaces passed to HourglassServer.start are created and describable', async () => {
    const server = await HourglassServer.start({ port: 0, namespaces: ['extra'] });
    try {
      const connection = await Connection.connect({ address: server.address });
      try {
        const res = await connection.workflowService.describeNamespace({ namespace: 'extra' });
        assert.equal(res.namespaceInfo?.name, 'extra');
        const def = await connection.workflowService.describeNamespace({ namespace: 'default' });
        assert.equal(def.namespaceInfo?.name, 'default');
      } finally {
        await connection.close();
      }
    } finally {
      await server.close();
    }
  });

  test('a registered namespace can be described, listed and updated', async (t) => {
    const name = uniqueName(t);
    await env.client.workflowService.registerNamespace({
      namespace: name,
      description: 'first description',
      workflowExecutionRetentionPeriod: oneDay,
    });
    const described = await env.client.workflowService.describeNamespace({ namespace: name });
    assert.equal(described.namespaceInfo?.name, name);
    assert.equal(described.namespaceInfo?.description, 'first description');

    const names: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await env.client.workflowService.listNamespaces({ pageSize: 100, nextPageToken });
      names.push(...(page.namespaces ?? []).map((n) => n.namespaceInfo?.name ?? ''));
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
    assert.ok(names.includes(name), `listNamespaces returned ${names.join(', ')}`);
    assert.ok(names.includes('default'), `listNamespaces returned ${names.join(', ')}`);

    const updated = await env.client.workflowService.updateNamespace({ namespace: name, updateInfo: { description: 'second description' } });
    assert.equal(updated.namespaceInfo?.description, 'second description');
    const after = await env.client.workflowService.describeNamespace({ namespace: name });
    assert.equal(after.namespaceInfo?.description, 'second description');
  });

  test('registering an existing namespace fails with ALREADY_EXISTS', async (t) => {
    const name = uniqueName(t);
    await env.client.workflowService.registerNamespace({ namespace: name, workflowExecutionRetentionPeriod: oneDay });
    for (const existing of [name, 'default']) {
      let caught: unknown;
      try {
        await env.client.workflowService.registerNamespace({ namespace: existing, workflowExecutionRetentionPeriod: oneDay });
      } catch (err) {
        caught = err;
      }
      assert.ok(caught, `registering ${existing} twice should fail`);
      assert.equal(grpcCode(caught), status.ALREADY_EXISTS, `registering ${existing}: ${grpcDetails(caught)}`);
    }
  });
});
