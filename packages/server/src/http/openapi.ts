import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Config } from '../config/schema.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body schema the OpenAPI document shows when the route validates it elsewhere (the policy). */
    documentedBody?: unknown;
  }
}

/**
 * Names a schema for the OpenAPI document: every occurrence becomes a `$ref` to
 * `#/components/schemas/<name>`, so generators emit one type per name. Validation is unchanged
 * (a `title` is an annotation to Ajv and to the serialiser).
 */
export function named<T extends object>(name: string, schema: T): T {
  return { ...schema, title: name };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Replaces every titled schema below `node` by a reference, collecting it (itself hoisted) in `components`. */
function hoist(node: unknown, components: Json): unknown {
  if (Array.isArray(node)) return node.map((n) => hoist(n, components));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = hoist(v, components);
  const name = typeof node['title'] === 'string' ? node['title'] : undefined;
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) return out;
  const existing = components[name];
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(out)) {
    throw new Error(`OpenAPI: two different schemas are named ${name}`);
  }
  components[name] = out;
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * A request schema without `default`s: generators (openapi-typescript's `defaultNonNullable`)
 * read a default as "always present" and would make every field of a partial document required.
 */
function withoutDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDefaults);
  if (!isObject(schema)) return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'default').map(([k, v]) => [k, withoutDefaults(v)]));
}

const TENANT_HEADER = {
  type: 'object',
  properties: { 'x-tenant': { type: 'string', description: 'Tenant slug, when the Host does not name the tenant (DESIGN §3).', maxLength: 63 } },
};

/** The OpenAPI 3.1 document at `/openapi.json`, generated from the route schemas (DESIGN §4). */
export async function registerOpenApi(app: FastifyInstance, config: Readonly<Config>): Promise<void> {
  const server = config.PORTCULLIS_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Portcullis API', version: '1.0.0', description: 'Multi-tenant sign-in with a risk engine.' },
      servers: [{ url: server.replace(/\/$/, ''), description: 'This instance' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: ({ schema, url, route }) => {
      const documented: Json = { ...(schema as Json) };
      // Routes under the issuer path take the tenant from the URL; every other one from Host or X-Tenant.
      if (!url.startsWith('/tenants/') && !documented['headers']) documented['headers'] = TENANT_HEADER;
      if (route.config?.documentedBody) documented['body'] = withoutDefaults(route.config.documentedBody);
      return { schema: documented as never, url };
    },
    transformObject: (document) => {
      const doc = ('openapiObject' in document ? document.openapiObject : document.swaggerObject) as Json;
      const components = (doc['components'] ??= {}) as Json;
      const schemas = (components['schemas'] ??= {}) as Json;
      doc['paths'] = hoist(doc['paths'], schemas);
      return doc as never;
    },
  });
}
