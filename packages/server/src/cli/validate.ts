import type { TSchema } from 'typebox';
import { PortcullisError } from '@portcullis/protocol';
import { createValidatorCompiler, fieldErrors } from '../http/validation.js';

const compile = createValidatorCompiler();
const compiled = new WeakMap<TSchema, ReturnType<typeof compile>>();

/**
 * Checks a command's input against the body schema of the matching API route, with the API's own
 * validator: a password the API refuses must not get in through the CLI, and the error reads alike.
 */
export function validateBody<T>(schema: TSchema, body: T): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = compile({ schema, httpPart: 'body', method: 'POST', url: '(cli)' });
    compiled.set(schema, validate);
  }
  const result = validate(body) as boolean | { error?: unknown };
  if (result !== true) {
    const errors = (validate as unknown as { errors?: Parameters<typeof fieldErrors>[0] | null }).errors ?? [];
    throw new PortcullisError('invalid_request', { details: { fields: fieldErrors(errors, 'body') } });
  }
  return body;
}
