export * from './errors.js';
export * from './events.js';
export * from './common.js';
export * from './auth.js';
export * from './management.js';
export * from './policy.js';
export * from './risk.js';
export * from './analytics.js';
