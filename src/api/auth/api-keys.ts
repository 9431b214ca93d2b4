import { createHash, timingSafeEqual } from 'node:crypto';
import { requestUnauthorized, unauthenticated } from '../../common/errors';

/** An API key the server accepts (`--api-key KEY` or `KEY=ns1,ns2`): for every namespace, or only for `namespaces`. */
export interface ApiKeySpec {
  key: string;
  /** The namespaces the key may act on; absent: all of them and the cluster-wide calls (a system grant). */
  namespaces?: readonly string[];
}

/**
 * The call being authorized, as Temporal's authorizer sees it (authorization.CallTarget): the full method name and,
 * for a method whose request has a `namespace` field, that namespace (api.ScopeNamespace); otherwise the call is
 * cluster-wide (api.ScopeCluster: ListNamespaces, GetClusterInfo, GetSearchAttributes, the TestService).
 */
export interface CallTarget {
  apiName: string;
  namespace?: string;
}

/** What a valid key grants: every namespace (`undefined`) or the listed ones. */
export interface ApiKeyGrant {
  namespaces: ReadonlySet<string> | undefined;
}

/**
 * Calls that are essentially health checks, allowed without a key as Temporal's default authorizer allows them to
 * everyone (authorization/frontend_api.go): the SDKs' connection check calls GetSystemInfo before anything else.
 */
const HEALTH_CHECK_APIS: ReadonlySet<string> = new Set(['/grpc.health.v1.Health/Check', '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo']);

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Checks the API key of every call, from its `authorization: Bearer <key>` metadata (what the SDKs' `apiKey` sends):
 * a missing or unknown key is UNAUTHENTICATED; a key bound to namespaces, used on another namespace or on a
 * cluster-wide call, is PERMISSION_DENIED "Request unauthorized.", as Temporal's authorizer answers a namespace role
 * without a system role. A key is compared by its SHA-256 digest against every configured key's, each in constant
 * time, so neither the time nor the error tells how much of a guess was right. Keys are never logged or echoed.
 */
export class ApiKeyAuthorizer {
  private readonly keys: { digest: Buffer; grant: ApiKeyGrant }[];

  constructor(keys: readonly ApiKeySpec[]) {
    this.keys = keys.map(({ key, namespaces }) => ({
      digest: digestOf(key),
      grant: { namespaces: namespaces === undefined ? undefined : new Set(namespaces) },
    }));
  }

  /**
   * The key's check alone, before the request is read: throws UNAUTHENTICATED for a missing or unknown key (a health
   * check may come without one). Returns the grant to pass to {@link authorize}, `undefined` for a keyless health check.
   */
  authenticate(apiName: string, authorization: string | string[] | undefined): ApiKeyGrant | undefined {
    const header = Array.isArray(authorization) ? authorization[0] : authorization;
    if (header === undefined || header === '') {
      if (HEALTH_CHECK_APIS.has(apiName)) return undefined;
      throw unauthenticated('Request unauthenticated: no API key (send "authorization: Bearer <key>").');
    }
    const token = BEARER.exec(header)?.[1];
    const grant = token === undefined ? undefined : this.match(token);
    if (!grant) throw unauthenticated('Request unauthenticated: invalid API key.');
    return grant;
  }

  /** Throws PERMISSION_DENIED unless `grant` covers the target: any call for a system key, its namespaces' calls otherwise. */
  authorize(grant: ApiKeyGrant | undefined, target: CallTarget): void {
    if (HEALTH_CHECK_APIS.has(target.apiName)) return;
    if (!grant) throw requestUnauthorized();
    if (grant.namespaces === undefined) return;
    if (target.namespace === undefined || !grant.namespaces.has(target.namespace)) throw requestUnauthorized();
  }

  /** Both checks for a call whose request is already decoded. */
  check(target: CallTarget, authorization: string | string[] | undefined): void {
    this.authorize(this.authenticate(target.apiName, authorization), target);
  }

  private match(token: string): ApiKeyGrant | undefined {
    const digest = digestOf(token);
    let found: ApiKeyGrant | undefined;
    // Every key is compared, so the time taken does not depend on which one matched.
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest) && !found) found = key.grant;
    }
    return found;
  }
}

/** The namespace a decoded request names, for a method whose request type has a `namespace` field (namespace scope). */
export function callTarget(apiName: string, namespaced: boolean, request: unknown): CallTarget {
  if (!namespaced) return { apiName };
  const namespace = (request as { namespace?: unknown } | null)?.namespace;
  return { apiName, namespace: typeof namespace === 'string' ? namespace : '' };
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
