/**
 * The `google.api.http` annotations on a service's methods, as routes: each binding (the primary one and its
 * `additional_bindings`) with its verb, path template and body rule. Templates here are literal segments and
 * `{field.path}` variables of one segment each, which is all Temporal's annotations use.
 */

export type Segment = { literal: string } | { field: string[] };

export interface HttpBinding {
  method: string;
  segments: Segment[];
  /** `*`: the whole body is the request; a field name: the body is that field; absent: no body, fields from the query. */
  body?: string;
  template: string;
}

const VERBS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface HttpRule {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  body?: string;
  additional_bindings?: HttpRule | HttpRule[];
}

export function parseTemplate(template: string): Segment[] {
  return splitPath(template).map((part) => {
    const variable = /^\{([A-Za-z0-9_.]+)\}$/.exec(part);
    return variable?.[1] ? { field: variable[1].split('.') } : { literal: part };
  });
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

/** Every binding of a method from its reflected `parsedOptions`. */
export function bindingsOf(parsedOptions: readonly Record<string, unknown>[] | undefined): HttpBinding[] {
  const rule = parsedOptions?.find((o) => o['(google.api.http)'] !== undefined)?.['(google.api.http)'] as HttpRule | undefined;
  if (!rule) return [];
  const additional = rule.additional_bindings === undefined ? [] : ([] as HttpRule[]).concat(rule.additional_bindings);
  return [rule, ...additional].flatMap((r) => {
    const verb = VERBS.find((v) => r[v] !== undefined);
    const template = verb && r[verb];
    return verb && template ? [{ method: verb.toUpperCase(), segments: parseTemplate(template), body: r.body, template }] : [];
  });
}

/** The path variables (dotted field path → value) when `path` matches the template, else undefined. */
export function matchPath(segments: readonly Segment[], path: string): Map<string, string> | undefined {
  const parts = splitPath(path);
  if (parts.length !== segments.length) return undefined;
  const variables = new Map<string, string>();
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] ?? '';
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if ('literal' in segment) {
      if (segment.literal !== decoded) return undefined;
    } else {
      variables.set(segment.field.join('.'), decoded);
    }
  }
  return variables;
}

/** Orders templates so that, at the first segment where two differ in kind, a literal comes before a variable. */
export function literalsFirst(a: readonly Segment[], b: readonly Segment[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const aLiteral = 'literal' in (a[i] as Segment);
    const bLiteral = 'literal' in (b[i] as Segment);
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}
