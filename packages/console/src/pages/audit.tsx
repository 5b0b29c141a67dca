import { useState, type FormEvent, type ReactNode } from 'react';
import { AUDIT_EVENT_TYPES, AUDIT_OUTCOMES } from '@portcullis/protocol';
import { unwrap } from '../api/client.js';
import { useConsole } from '../context.js';
import { compact, formatTime, localToIso } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';

type Filters = { type: string; outcome: string; actor: string; ip: string; since: string; until: string };
const EMPTY: Filters = { type: '', outcome: '', actor: '', ip: '', since: '', until: '' };

/** The audit log with filters, and an NDJSON export of everything the filters match. */
export function Audit(): ReactNode {
  const { api, announce } = useConsole();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [problem, setProblem] = useState<unknown>(undefined);
  const query = () => compact({ ...filters, since: localToIso(filters.since), until: localToIso(filters.until) });
  const events = useLoad(async () => {
    const page = await unwrap(api.GET('/api/v1/audit/events', { params: { query: { ...query(), limit: 100 } as never } }));
    announce(`${page.data.length} audit events.`);
    return page.data;
  }, [api, filters]);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setFilters(Object.fromEntries(Object.keys(EMPTY).map((k) => [k, String(data.get(k) ?? '').trim()])) as Filters);
  };
  const exportAll = async () => {
    setProblem(undefined);
    try {
      const res = await api.GET('/api/v1/audit/events', { params: { query: query() as never }, headers: { Accept: 'application/x-ndjson' }, parseAs: 'blob' });
      if (!res.response.ok) await unwrap(api.GET('/api/v1/audit/events', { params: { query: query() as never } }));
      const url = URL.createObjectURL(res.data as Blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `audit-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.ndjson`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce('Audit export downloaded.');
    } catch (error) { setProblem(error); }
  };

  return (
    <>
      <form className="filters" onSubmit={submit} aria-label="Filter audit events">
        <label>Type
          <select name="type" defaultValue=""><option value="">any</option>{AUDIT_EVENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}</select>
        </label>
        <label>Outcome
          <select name="outcome" defaultValue=""><option value="">any</option>{AUDIT_OUTCOMES.map((o) => <option key={o} value={o}>{o}</option>)}</select>
        </label>
        <label>Actor id<input name="actor" type="text" /></label>
        <label>IP<input name="ip" type="text" /></label>
        <label>Since<input name="since" type="datetime-local" /></label>
        <label>Until<input name="until" type="datetime-local" /></label>
        <button type="submit">Apply filters</button>
        <button type="button" onClick={() => void exportAll()}>Export (NDJSON)</button>
      </form>
      <Problem error={problem ?? events.error} />
      {events.loading && !events.data ? <Loading what="audit events" /> : null}
      {events.data ? (
        <table data-testid="audit">
          <caption>Audit events, newest first (up to 100; export for all)</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Outcome</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Data</th></tr></thead>
          <tbody>
            {events.data.map((e) => (
              <tr key={e.id}>
                <td>{formatTime(e.occurred_at)}</td><td><code>{e.type}</code></td><td>{e.outcome}</td>
                <td>{e.actor.kind}{e.actor.id ? ` ${e.actor.id}` : ''}</td><td>{e.target.kind}{e.target.id ? ` ${e.target.id}` : ''}</td>
                <td className="data">{Object.keys(e.data).length ? JSON.stringify(e.data) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
