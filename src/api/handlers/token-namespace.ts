import { invalidArgument, namespaceNotFound } from '../../common/errors';
import { decodeQueryTaskToken, taskTokenNamespaceId } from '../../engine/dispatch/task-token';
import { requireTaskToken } from '../validation';
import type { HandlerContext } from './context';

/**
 * The namespace checks of an RPC addressed by task token, in Temporal's order: the request's namespace, when set, must
 * exist (NamespaceNotFound, before the token is looked at); then the token must be set and deserialize
 * (INVALID_ARGUMENT); then the namespace it names must exist (NamespaceNotFound by id) and be the request's one.
 */
export async function checkTokenNamespace(
  ctx: HandlerContext,
  namespace: string | null | undefined,
  taskToken: Uint8Array | null | undefined,
  message: 'task' | 'query' = 'task',
): Promise<void> {
  const requested = namespace ? await ctx.namespaces.resolve(namespace) : undefined;
  requireTaskToken(taskToken);
  const namespaceId = message === 'query' ? decodeQueryTaskToken(taskToken).namespaceId : taskTokenNamespaceId(taskToken);
  if (!ctx.namespaces.nameOf(namespaceId)) throw namespaceNotFound(namespaceId);
  if (requested && requested.id !== namespaceId) throw invalidArgument('Operation requested with a token from a different namespace.');
}
