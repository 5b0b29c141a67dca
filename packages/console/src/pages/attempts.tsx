import { useState, type FormEvent, type ReactNode } from 'react';
import { ATTEMPT_OUTCOMES, RISK_ACTIONS, RISK_REASON_CODES } from '@portcullis/protocol';
import { unwrap } from '../api/client.js';
import { useConsole } from '../context.js';
import { compact, formatTime, localToIso } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';
import { AttemptDetail, type Attempt } from './attempt-detail.js';

type Filters = { email: string; ip: string; action: string; reason: string; outcome: string; since: string; until: string };
const EMPTY: Filters = { email: '', ip: '', action: '', reason: '', outcome: '', since: '', until: '' };

function Select({ name, label, options }: { name: keyof Filters; label: string; options: readonly string[] }): ReactNode {
  return (
    <label>{label}
      <select name={name} defaultValue="">
        <option value="">any</option>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  );
}

/** The decision log with filters, and one attempt's full explanation. */
export function Attempts(): ReactNode {
  const { api, announce } = useConsole();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [more, setMore] = useState<{ rows: Attempt[]; cursor: string | null }>({ rows: [], cursor: null });
  const [open, setOpen] = useState<Attempt | null>(null);
  const query = (cursor?: string) => ({ ...compact({ ...filters, since: localToIso(filters.since), until: localToIso(filters.until) }), limit: 50, ...(cursor ? { cursor } : {}) });
  const list = useLoad(async () => {
    const page = await unwrap(api.GET('/api/v1/risk/attempts', { params: { query: query() as never } }));
    setMore({ rows: [], cursor: page.meta.next_cursor });
    announce(`${page.data.length} attempts${page.meta.next_cursor ? ' (more available)' : ''}.`);
    return page.data;
  }, [api, filters]);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setFilters(Object.fromEntries(Object.keys(EMPTY).map((k) => [k, String(data.get(k) ?? '').trim()])) as Filters);
    setOpen(null);
  };
  const loadMore = async () => {
    if (!more.cursor) return;
    const page = await unwrap(api.GET('/api/v1/risk/attempts', { params: { query: query(more.cursor) as never } }));
    setMore((m) => ({ rows: [...m.rows, ...page.data], cursor: page.meta.next_cursor }));
    announce(`${page.data.length} more attempts.`);
  };
  const rows = [...(list.data ?? []), ...more.rows];

  if (open) return <AttemptDetail attempt={open} onClose={() => setOpen(null)} />;
  return (
    <>
      <form className="filters" onSubmit={submit} aria-label="Filter attempts">
        <label>Email<input name="email" type="text" defaultValue={filters.email} /></label>
        <label>IP<input name="ip" type="text" defaultValue={filters.ip} /></label>
        <Select name="action" label="Action" options={RISK_ACTIONS} />
        <Select name="reason" label="Reason" options={RISK_REASON_CODES} />
        <Select name="outcome" label="Outcome" options={ATTEMPT_OUTCOMES} />
        <label>Since<input name="since" type="datetime-local" /></label>
        <label>Until<input name="until" type="datetime-local" /></label>
        <button type="submit">Apply filters</button>
      </form>
      <Problem error={list.error} />
      {list.loading && !list.data ? <Loading what="attempts" /> : null}
      {list.data ? (
        <table data-testid="attempts">
          <caption>Sign-in attempts, newest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Email</th><th scope="col">IP</th><th scope="col">Score</th><th scope="col">Action</th><th scope="col">Reasons</th><th scope="col">Outcome</th><th scope="col"><span className="visually-hidden">Details</span></th></tr></thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id} data-action={a.action}>
                <td>{formatTime(a.occurred_at)}</td><td>{a.email}</td><td>{a.ip}</td><td>{a.score}</td><td>{a.action}</td>
                <td>{a.reasons.map((r) => String((r as { code?: string }).code)).join(', ') || '—'}</td><td>{a.outcome}</td>
                <td><button type="button" onClick={() => setOpen(a)} aria-label={`Explain attempt ${a.id} by ${a.email}`}>Explain</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {list.data && rows.length === 0 ? <p>No attempt matches these filters.</p> : null}
      {more.cursor ? <button type="button" onClick={() => void loadMore()}>Load more</button> : null}
    </>
  );
}
