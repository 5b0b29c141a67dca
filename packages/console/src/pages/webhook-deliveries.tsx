import { useState, type ReactNode } from 'react';
import { unwrap } from '../api/client.js';
import { useConsole } from '../context.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';

/** What the receiver last answered, in words: the status code, or why no answer came. */
function lastAnswer(d: { last_status: number | null; last_error: string | null; attempts: number }): string {
  if (d.attempts === 0) return 'not sent yet';
  if (d.last_status !== null) return String(d.last_status);
  return d.last_error ?? '—';
}

/** One endpoint's delivery log (newest first): status, attempts, next retry, the receiver's answer; redeliver. */
export function WebhookDeliveries({ endpoint }: { endpoint: { id: string; url: string } }): ReactNode {
  const { api, announce } = useConsole();
  const [problem, setProblem] = useState<unknown>(undefined);
  const log = useLoad(async () => (await unwrap(api.GET('/api/v1/webhooks/{id}/deliveries', {
    params: { path: { id: endpoint.id }, query: { limit: 50 } },
  }))).data, [api, endpoint.id]);

  const redeliver = (deliveryId: string, eventType: string) => {
    setProblem(undefined);
    unwrap(api.POST('/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver', { params: { path: { id: endpoint.id, delivery_id: deliveryId } } })).then(() => {
      announce(`Delivery of ${eventType} queued again.`);
      log.reload();
    }, setProblem);
  };

  return (
    <section aria-labelledby="deliveries-title" data-testid="deliveries">
      <h2 id="deliveries-title" tabIndex={-1} ref={(el) => el?.focus()}>Deliveries to <code>{endpoint.url}</code></h2>
      <div className="toolbar"><button type="button" onClick={log.reload}>Refresh deliveries</button></div>
      <Problem error={problem ?? log.error} />
      {log.loading && !log.data ? <Loading what="deliveries" /> : null}
      {log.data && log.data.length === 0 ? <p>No event has been queued for this endpoint yet.</p> : null}
      {log.data && log.data.length > 0 ? (
        <table>
          <caption>Newest first; a failed attempt is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h</caption>
          <thead>
            <tr>
              <th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last response</th>
              <th scope="col">Last attempt</th><th scope="col">Next retry</th><th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {log.data.map((d) => (
              <tr key={d.id} data-status={d.status} data-event={d.event_id}>
                <th scope="row">{d.event_type}<br /><code>{d.event_id}</code></th>
                <td>{d.status}</td><td>{d.attempts}</td><td>{lastAnswer(d)}</td>
                <td>{formatTime(d.last_attempt_at)}</td><td>{d.status === 'pending' ? formatTime(d.next_attempt_at) : '—'}</td>
                <td><button type="button" onClick={() => redeliver(d.id, d.event_type)}>Redeliver<span className="visually-hidden"> {d.event_type} {d.event_id}</span></button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
