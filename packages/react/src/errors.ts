import { PortcullisClientError } from '@portcullis/js';

/**
 * The SDK rejects with {@link PortcullisClientError}; anything else is a bug somewhere below us.
 * The shape is checked rather than `instanceof`, so a second copy of the SDK in a bundle
 * still has its errors shown as they are instead of as a generic failure.
 */
export function toClientError(error: unknown): PortcullisClientError {
  if (error instanceof PortcullisClientError) return error;
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string'
    && typeof (error as { recoverable?: unknown }).recoverable === 'boolean') {
    return error as PortcullisClientError;
  }
  return new PortcullisClientError('internal_error', { message: 'Something went wrong; please try again.', cause: error });
}
