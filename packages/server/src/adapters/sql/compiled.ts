import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';

/** Marks a value's place while a template is compiled; never a real value (NUL does not occur in our inputs' SQL parameters). */
const MARK = '\u0000pc:';

/** Where a template's parameter comes from: row `row`'s field `key` of the values given, or a constant. */
type Slot = { row: number; key: string } | { constant: unknown };

export interface QueryTemplate {
  sql: string;
  slots: readonly Slot[];
}

/** `arg(row, key)` stands for the value of field `key` of the `row`-th object handed to `runTemplate`. */
export type Arg = (row: number, key: string) => string;
const arg: Arg = (row, key) => `${MARK}${row}:${key}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database schema: a template only carries SQL text.
type AnyDb = Kysely<any>;

const templates = new WeakMap<object, Map<string, QueryTemplate>>();

function compileTemplate(query: Compilable): QueryTemplate {
  const compiled = query.compile();
  const slots = compiled.parameters.map((p): Slot => {
    if (typeof p !== 'string' || !p.startsWith(MARK)) return { constant: p };
    const [row, key] = p.slice(MARK.length).split(':') as [string, string];
    return { row: Number(row), key };
  });
  return { sql: compiled.sql, slots };
}

/**
 * Kysely builds and compiles every query anew: on the sign-in and token paths that was ~15 % of the
 * event loop and most of the garbage per request. The hottest queries are built once per dialect
 * with marks in place of values and then run with the values bound in the marks' positions — the
 * same SQL text and parameters Kysely would have sent, through the same driver (store errors, WAL
 * flush and statement cache unchanged). `key` names the query's shape (e.g. its row count).
 */
export function queryTemplate(db: AnyDb, key: string, build: (arg: Arg) => Compilable): QueryTemplate {
  const adapter = db.getExecutor().adapter;
  let byKey = templates.get(adapter);
  if (!byKey) templates.set(adapter, byKey = new Map());
  let template = byKey.get(key);
  if (!template) byKey.set(key, template = compileTemplate(build(arg)));
  return template;
}

/** Runs `template` with the values of `rows` (objects keyed as the template's args). */
export function runTemplate<R>(db: AnyDb, template: QueryTemplate, rows: ReadonlyArray<Record<string, unknown>>): Promise<QueryResult<R>> {
  // An absent value binds as NULL, as the column Kysely would have left out defaults to.
  const parameters = template.slots.map((s) => ('constant' in s ? s.constant : rows[s.row]![s.key] ?? null));
  return db.executeQuery<R>(CompiledQuery.raw(template.sql, parameters));
}
