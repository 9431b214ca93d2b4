import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { executeChild, upsertSearchAttributes } from '@temporalio/workflow';
import { returnValue } from './basic-workflows';

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

/** Runs returnValue as a child `childId` started with untyped (legacy) search attributes: an Int, a Datetime, a KeywordList. */
export async function childWithUntypedAttributes(childId: string, when: string): Promise<void> {
  await executeChild(returnValue, {
    workflowId: childId,
    args: [1],
    searchAttributes: { CustomIntField: [7], CustomDatetimeField: [new Date(when)], TypedSaKeywordList: ['x', 'y'] },
  });
}
