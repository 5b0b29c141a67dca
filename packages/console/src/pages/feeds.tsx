import type { ReactNode } from 'react';
import { unwrap } from '../api/client.js';
import { useConsole } from '../context.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';

/** Threat feeds the engine reads: whether each loaded, how many entries, when, and why it failed. */
export function Feeds(): ReactNode {
  const { api } = useConsole();
  const feeds = useLoad(async () => (await unwrap(api.GET('/api/v1/risk/feeds'))).data, [api]);
  return (
    <>
      <div className="toolbar"><button type="button" onClick={feeds.reload}>Refresh</button></div>
      <Problem error={feeds.error} />
      {feeds.loading && !feeds.data ? <Loading what="feeds" /> : null}
      {feeds.data && feeds.data.length === 0 ? <p>No threat feed is configured for this tenant.</p> : null}
      {feeds.data && feeds.data.length > 0 ? (
        <table data-testid="feeds">
          <caption>Threat feeds</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Category</th><th scope="col">Status</th><th scope="col">Entries</th><th scope="col">Last refresh</th><th scope="col">Failures in a row</th><th scope="col">Last error</th></tr></thead>
          <tbody>
            {feeds.data.map((f) => (
              <tr key={f.id}>
                <th scope="row">{f.name}</th><td>{f.scope}</td><td>{f.category}</td>
                <td>{f.status.loaded ? 'loaded' : 'not loaded'}</td><td>{f.status.entries}</td><td>{formatTime(f.status.loaded_at)}</td>
                <td>{f.status.consecutive_failures}</td><td>{f.status.last_error ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
