import { common, type IPayload } from './proto';

/**
 * Temporal's search attribute limits (`frontend.searchAttributesNumberOfKeysLimit`,
 * `…SizeOfValueLimit`, `…TotalSizeLimit`), checked as its searchattribute.Validator does.
 */
export interface SearchAttributeLimits {
  numberOfKeys: number;
  sizeOfValue: number;
  totalSize: number;
}

export const DEFAULT_SEARCH_ATTRIBUTE_LIMITS: SearchAttributeLimits = { numberOfKeys: 100, sizeOfValue: 2 * 1024, totalSize: 40 * 1024 };

type Fields = Record<string, IPayload> | null | undefined;

/** Validate's first check, before any type: too many keys. */
export function searchAttributesCountError(fields: Fields, limits: SearchAttributeLimits): string | undefined {
  const count = Object.keys(fields ?? {}).length;
  return count > limits.numberOfKeys ? `number of search attributes ${count} exceeds limit ${limits.numberOfKeys}` : undefined;
}

/** ValidateSize: a value's data over the value limit, then the encoded map over the total limit. */
export function searchAttributesSizeError(fields: Fields, limits: SearchAttributeLimits): string | undefined {
  if (!fields) return undefined;
  for (const [name, payload] of Object.entries(fields)) {
    const size = payload.data?.length ?? 0;
    if (size > limits.sizeOfValue) return `search attribute ${name} value size ${size} exceeds size limit ${limits.sizeOfValue}`;
  }
  const total = common.SearchAttributes.encode({ indexedFields: fields }).finish().length;
  return total > limits.totalSize ? `total size of search attributes ${total} exceeds size limit ${limits.totalSize}` : undefined;
}
