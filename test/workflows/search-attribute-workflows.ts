import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';

/** A search attribute to upsert, as it crosses the workflow boundary (a Datetime as its ISO string). */
export interface AttributeToUpsert {
  name: string;
  type: SearchAttributeType;
  value: string | number | boolean | string[];
}

/** Upserts the given typed search attributes, each declared with the type given (right or wrong), then completes. */
export async function upsertTypedAttributes(attributes: AttributeToUpsert[]): Promise<void> {
  upsertSearchAttributes(
    attributes.map(({ name, type, value }) => {
      const key = defineSearchAttributeKey(name, type);
      return { key, value: type === SearchAttributeType.DATETIME ? new Date(value as string) : value } as never;
    }),
  );
  return Promise.resolve();
}
