// S3 bucket lifecycle: the configuration document (parse, validate, render) and the planner that
// says what the rules do at a given moment.
export { DAY_MS, dueAfterDays, httpDate, nextMidnightAfter } from './due.ts';
export { type FilterSubject, matchesFilter, matchesUploadKey } from './match.ts';
export {
  MAX_FILTER_SIZE,
  MAX_LIFECYCLE_RULES,
  MAX_RULE_ID_LENGTH,
  type ParseLifecycleOptions,
  parseLifecycleConfiguration,
} from './parse.ts';
export { abortHeaders, abortInfo, expirationHeader, planLifecycle } from './plan.ts';
export { renderLifecycleConfiguration } from './render.ts';
export type {
  LifecycleAction,
  LifecycleFilter,
  LifecycleNoncurrentTransition,
  LifecycleRule,
  LifecycleTransition,
  TransitionStorageClass,
  UploadView,
  VersionView,
} from './types.ts';
export { STORAGE_CLASSES } from './types.ts';
