import type { Kysely } from 'kysely';

/**
 * Why: a tenant's own people must be able to run its console (DESIGN §14) without an operator
 * handing out machine credentials. Roles are a JSON array like the other lists; existing users hold none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}
