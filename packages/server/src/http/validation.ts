import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '@portcullis/protocol';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  // Bodies are never coerced: `{"password": 123}` is a client bug to report, not a string to guess.
  // Query strings and params arrive as text, so there numbers are coerced.
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
  return addFormats(ajv);
}

/** Fastify validator compiler: strict JSON for bodies, coercion for query strings and params. */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object) as ValidateFunction;
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
    const message = issue.keyword === 'additionalProperties' ? 'is not allowed' : issue.message ?? 'is invalid';
    const key = `${path}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fields.push({ path, message });
  }
  return fields.slice(0, 50);
}
