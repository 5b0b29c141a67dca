import type { Kysely } from 'kysely';

/**
 * Why: a refresh token from the code flow is bound to the client it was issued to (RFC 6749 §6), and
 * a refresh must not widen what the person granted that client: the session keeps both (null for
 * first-party sessions from /api/v1/auth/login).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('client_id', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('scope', 'text').execute();
}
