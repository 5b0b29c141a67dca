import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { IDENTIFIER_PATTERN, type FieldError } from '@portcullis/protocol';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  // Bodies are never coerced: `{"password": 123}` is a client bug to report, not a string to guess.
  // Query strings and params arrive as text, so there numbers are coerced.
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
  return addFormats(ajv);
}

/** Paths (Ajv style, `/device/visitor_id`) of every string or key holding U+0000, at most 50. */
function nulPaths(value: unknown, path: string, found: string[] = []): string[] {
  if (found.length >= 50) return found;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulPaths(item, `${path}/${i}`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push(`${path}/${key.replace(/\u0000/g, '\\0')}`);
      else nulPaths(item, `${path}/${key}`, found);
    }
  }
  return found;
}

/**
 * PostgreSQL text cannot hold U+0000: a NUL in an email, client id or filter would reach the database and come
 * back as a 500. No legitimate value contains one, so it is a validation error on every database alike.
 */
function rejectingNul(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown) => {
    const valid = validate(data);
    const nul = nulPaths(data, '');
    // A NUL is also a control character: report it once, with the NUL message.
    const nulSet = new Set(nul);
    const others = (validate.errors ?? []).filter((e) => !(nulSet.has(e.instancePath) && e.keyword === 'pattern' && e.params['pattern'] === IDENTIFIER_PATTERN));
    wrapped.errors = nul.length === 0 ? validate.errors : [
      ...others,
      ...nul.map((instancePath) => ({ instancePath, schemaPath: '', keyword: 'nul', params: {}, message: 'must not contain NUL characters' })),
    ];
    return valid && nul.length === 0;
  }) as ValidateFunction;
  return wrapped;
}

/** Fastify validator compiler: strict JSON for bodies, coercion for query strings and params. */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return rejectingNul(ajv.compile(schema as object) as ValidateFunction);
  };
}

interface AjvIssue { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }

/** Ajv issues as `{path, message}` with dotted paths (`device.signals.plugins`), one per field. */
export function fieldErrors(issues: readonly AjvIssue[], part: string | undefined): FieldError[] {
  const seen = new Set<string>();
  const fields: FieldError[] = [];
  for (const issue of issues) {
    let path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (issue.keyword === 'required' && typeof issue.params['missingProperty'] === 'string') {
      path = path ? `${path}.${issue.params['missingProperty']}` : issue.params['missingProperty'];
    }
    if (issue.keyword === 'additionalProperties' && typeof issue.params['additionalProperty'] === 'string') {
      path = path ? `${path}.${issue.params['additionalProperty']}` : issue.params['additionalProperty'];
    }
    if (!path) path = part === 'body' || part === undefined ? '(body)' : `(${part})`;
    const message = issue.keyword === 'additionalProperties' ? 'is not allowed'
      : issue.keyword === 'pattern' && issue.params['pattern'] === IDENTIFIER_PATTERN ? 'must not contain control or bidirectional-override characters'
        : issue.message ?? 'is invalid';
    const key = `${path}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fields.push({ path, message });
  }
  return fields.slice(0, 50);
}
