export * from './errors.js';
export * from './events.js';
export * from './common.js';
export * from './auth.js';
export * from './captcha-providers.js';
export * from './management.js';
export * from './policy.js';
export * from './risk.js';
export * from './ip.js';

export * from './analytics.js';
export * from './webhooks.js';
export * from './signup.js';
