export * from './activity-workflows';
export * from './basic-workflows';
export * from './replay-workflows';
export * from './interaction-workflows';
export * from './time-skipping-workflows';
export * from './composition-workflows';
export * from './update-close-workflows';
export * from './info-workflows';
