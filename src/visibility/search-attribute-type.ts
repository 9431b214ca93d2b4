/**
 * The search attribute types Temporal defines, by the names its CLI and operator API use. Kept in a
 * module of its own, free of imports, because the CLI's argument parser and the store name the type
 * too, and neither should load protobufs or the query language to do so.
 */
export const SEARCH_ATTRIBUTE_TYPES = ['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'] as const;

export type SearchAttributeType = (typeof SEARCH_ATTRIBUTE_TYPES)[number];
