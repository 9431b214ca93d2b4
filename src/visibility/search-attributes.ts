import { invalidArgument } from '../common/errors';
import { enums, type IPayload } from '../common/proto';
import { DEFAULT_SEARCH_ATTRIBUTE_LIMITS, searchAttributesSizeError, type SearchAttributeLimits } from '../common/search-attribute-limits';
import type { VisibilityStore } from '../store/store';
import type { SearchAttributeType } from './search-attribute-type';
import { validateSearchAttributes, type ValidationTypes } from './search-attribute-values';

/** Attributes every namespace of Temporal's dev server has, so samples and tests work unregistered. */
export const DEV_SERVER_ATTRIBUTES: ReadonlyMap<string, SearchAttributeType> = new Map([
  ['CustomKeywordField', 'Keyword'],
  ['CustomStringField', 'Text'],
  ['CustomTextField', 'Text'],
  ['CustomIntField', 'Int'],
  ['CustomDoubleField', 'Double'],
  ['CustomBoolField', 'Bool'],
  ['CustomDatetimeField', 'Datetime'],
]);

/** Attributes Temporal itself sets; never registered, always accepted. */
export const SYSTEM_ATTRIBUTES: ReadonlyMap<string, SearchAttributeType> = new Map([
  ['TemporalChangeVersion', 'KeywordList'],
  ['BuildIds', 'KeywordList'],
  ['TemporalNamespaceDivision', 'Keyword'],
  ['TemporalScheduledById', 'Keyword'],
  ['TemporalScheduledStartTime', 'Datetime'],
  ['TemporalSchedulePaused', 'Bool'],
]);

/** Columns every run has; listed as system attributes, queryable, never set by users. */
export const BUILTIN_ATTRIBUTES: ReadonlyMap<string, SearchAttributeType> = new Map([
  ['WorkflowId', 'Keyword'],
  ['RunId', 'Keyword'],
  ['WorkflowType', 'Keyword'],
  ['StartTime', 'Datetime'],
  ['ExecutionTime', 'Datetime'],
  ['CloseTime', 'Datetime'],
  ['ExecutionStatus', 'Keyword'],
  ['TaskQueue', 'Keyword'],
  ['HistoryLength', 'Int'],
  ['HistorySizeBytes', 'Int'],
  ['ExecutionDuration', 'Int'],
  ['StateTransitionCount', 'Int'],
  ['ParentWorkflowId', 'Keyword'],
  ['ParentRunId', 'Keyword'],
  ['RootWorkflowId', 'Keyword'],
  ['RootRunId', 'Keyword'],
]);

const TYPE_BY_INDEXED_VALUE: ReadonlyMap<number, SearchAttributeType> = new Map([
  [enums.IndexedValueType.INDEXED_VALUE_TYPE_TEXT, 'Text'],
  [enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, 'Keyword'],
  [enums.IndexedValueType.INDEXED_VALUE_TYPE_INT, 'Int'],
  [enums.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE, 'Double'],
  [enums.IndexedValueType.INDEXED_VALUE_TYPE_BOOL, 'Bool'],
  [enums.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME, 'Datetime'],
  [enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST, 'KeywordList'],
]);

export function typeFromIndexedValue(value: number): SearchAttributeType {
  const type = TYPE_BY_INDEXED_VALUE.get(value);
  if (!type) throw invalidArgument(`Unknown search attribute type ${value}.`);
  return type;
}

export function indexedValueOf(type: SearchAttributeType): enums.IndexedValueType {
  for (const [value, name] of TYPE_BY_INDEXED_VALUE) if (name === type) return value;
  return enums.IndexedValueType.INDEXED_VALUE_TYPE_UNSPECIFIED;
}

/** Custom search attributes per namespace, cached; the store holds the registrations. */
export class SearchAttributeRegistry {
  /** Per namespace: its custom attributes, and those plus the system ones (read on every task completion and commit). */
  private readonly cache = new Map<string, { custom: ReadonlyMap<string, SearchAttributeType>; all: ReadonlyMap<string, SearchAttributeType> }>();

  constructor(
    private readonly store: VisibilityStore,
    /** `frontend.searchAttributes*Limit`, checked with the types on every request and command that sets attributes. */
    readonly limits: SearchAttributeLimits = DEFAULT_SEARCH_ATTRIBUTE_LIMITS,
  ) {}

  private async entry(namespaceId: string): Promise<{ custom: ReadonlyMap<string, SearchAttributeType>; all: ReadonlyMap<string, SearchAttributeType> }> {
    let entry = this.cache.get(namespaceId);
    if (!entry) {
      const custom = await this.store.listSearchAttributes(namespaceId);
      entry = { custom, all: new Map([...SYSTEM_ATTRIBUTES, ...custom]) };
      this.cache.set(namespaceId, entry);
    }
    return entry;
  }

  async custom(namespaceId: string): Promise<ReadonlyMap<string, SearchAttributeType>> {
    return (await this.entry(namespaceId)).custom;
  }

  /** Custom plus system attributes: what a list query or a start request may name. */
  async all(namespaceId: string): Promise<ReadonlyMap<string, SearchAttributeType>> {
    return (await this.entry(namespaceId)).all;
  }

  async add(namespaceId: string, attributes: Map<string, SearchAttributeType>): Promise<void> {
    const existing = await this.custom(namespaceId);
    for (const [name, type] of attributes) {
      if (SYSTEM_ATTRIBUTES.has(name)) throw invalidArgument(`Search attribute ${name} is reserved by system.`);
      const current = existing.get(name);
      if (current && current !== type) throw invalidArgument(`Search attribute ${name} already exists with type ${current}.`);
    }
    await this.store.addSearchAttributes(namespaceId, attributes);
    this.cache.delete(namespaceId);
  }

  async remove(namespaceId: string, names: string[]): Promise<void> {
    const existing = await this.custom(namespaceId);
    for (const name of names) if (!existing.has(name)) throw invalidArgument(`Search attribute ${name} doesn't exist.`);
    await this.store.removeSearchAttributes(namespaceId, names);
    this.cache.delete(namespaceId);
  }

  /** What a start, an upsert, a child start or a continue-as-new may set in the namespace. */
  async validationTypes(namespaceId: string): Promise<ValidationTypes> {
    return { settable: await this.all(namespaceId), system: BUILTIN_NAMES };
  }

  /**
   * Checks the values against the namespace's registered types (Temporal's searchattribute.Validator)
   * and returns them carrying their type; throws INVALID_ARGUMENT naming the attribute.
   */
  async validate(namespaceId: string, fields: { [k: string]: IPayload } | null | undefined): Promise<{ [k: string]: IPayload }> {
    const valid = validateSearchAttributes(fields, await this.validationTypes(namespaceId), this.limits);
    // Temporal's ValidateSearchAttributes: the sizes once the types are known good.
    const tooLarge = searchAttributesSizeError(valid, this.limits);
    if (tooLarge) throw invalidArgument(tooLarge);
    return valid;
  }
}

const BUILTIN_NAMES: ReadonlySet<string> = new Set(BUILTIN_ATTRIBUTES.keys());

/**
 * Search attribute payloads as JSON values for the visibility row: the registered type decides the
 * shape (the SDK's untyped form sends single values as one-element lists).
 */
export function searchAttributesToJson(fields: Record<string, IPayload>, types: ReadonlyMap<string, SearchAttributeType>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, payload] of Object.entries(fields)) {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
    } catch {
      continue;
    }
    const metaType = payload.metadata?.type ? Buffer.from(payload.metadata.type).toString('utf8') : undefined;
    const type = types.get(name) ?? (metaType as SearchAttributeType | undefined);
    if (type === 'KeywordList') {
      out[name] = Array.isArray(value) ? value : [value];
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      value = value[0];
    }
    if (value === null || value === undefined) continue;
    if (type === 'Datetime') {
      const time = new Date(value as string | number);
      if (!Number.isNaN(time.getTime())) out[name] = time.toISOString();
      continue;
    }
    if (type === 'Bool' && typeof value === 'boolean') {
      out[name] = value;
      continue;
    }
    out[name] = value;
  }
  return out;
}
