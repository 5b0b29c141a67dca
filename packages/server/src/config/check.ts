import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';

/** A problem at a dotted path below an object (`PORT`, `0.source.url`). */
export interface PathProblem {
  readonly path: string;
  readonly message: string;
}

interface ObjectSchema {
  readonly properties: Record<string, TSchema>;
  readonly required?: readonly string[];
}

/**
 * The first problem of every property of `value`, and every unknown key when `unknown` says so.
 * Each property is checked on its own because typebox's `Value.Errors` stops at eight errors in
 * all, and an operator must see every bad setting in one pass.
 */
export function propertyProblems(schema: ObjectSchema, value: Record<string, unknown>, options: { unknown?: boolean } = {}): PathProblem[] {
  const problems: PathProblem[] = [];
  const required = new Set(schema.required ?? []);
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (value[key] === undefined) {
      if (required.has(key)) problems.push({ path: key, message: 'is required' });
      continue;
    }
    const first = Value.Errors(sub, value[key])[0];
    if (first) problems.push({ path: `${key}${first.instancePath.replace(/\//g, '.')}`, message: first.message });
  }
  if (options.unknown) {
    for (const key of Object.keys(value)) if (!Object.hasOwn(schema.properties, key)) problems.push({ path: key, message: 'is not a known field' });
  }
  return problems;
}
