/** Public surface of the server package: embed Portcullis or script it. */
export { buildApp, type AppOptions } from './http/app.js';
export { compose, type ComposeOverrides } from './compose.js';
export { loadConfig, ConfigError } from './config/load.js';
export { ConfigSchema, type Config } from './config/schema.js';
export { createTenant } from './services/tenants.js';
export { createUser } from './services/users.js';
export type { Deps } from './services/deps.js';
