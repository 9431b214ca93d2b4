export * from './activity-workflows';
export * from './basic-workflows';
export * from './replay-workflows';
