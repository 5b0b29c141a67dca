import { useEffect, useRef, type ReactNode } from 'react';
import type { paths } from '../api/generated/schema.js';
import { formatTime } from '../ui/format.js';

export type Attempt = paths['/api/v1/risk/attempts/{id}']['get']['responses'][200]['content']['application/json']['data'];

/** Everything the engine saw for one attempt, and why it decided what it did. */
export function AttemptDetail({ attempt, onClose }: { attempt: Attempt; onClose(): void }): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [attempt.id]);
  const s = attempt.signals;
  return (
    <section className="panel" aria-labelledby="attempt-title" data-testid="attempt-detail">
      <h2 id="attempt-title" ref={heading} tabIndex={-1}>Attempt <code>{attempt.id}</code></h2>
      <dl className="facts">
        <dt>When</dt><dd>{formatTime(attempt.occurred_at)}</dd>
        <dt>Email</dt><dd>{attempt.email}</dd>
        <dt>IP</dt><dd>{attempt.ip}</dd>
        <dt>Decision</dt><dd>{attempt.action} (score {attempt.score}){attempt.monitor_only ? ', monitor-only: not enforced' : ''}</dd>
        <dt>Outcome</dt><dd>{attempt.outcome}</dd>
        <dt>Challenge</dt><dd>{attempt.challenge ? `${attempt.challenge.kind}: ${attempt.challenge.result ?? 'unanswered'}${attempt.challenge.latency_ms === null ? '' : `, provider ${attempt.challenge.latency_ms} ms`}` : 'none'}</dd>
      </dl>
      <h3>Reasons</h3>
      {attempt.reasons.length === 0 ? <p>No reason fired.</p> : (
        <table data-testid="attempt-reasons">
          <caption>Reasons the engine gave</caption>
          <thead><tr><th scope="col">Code</th><th scope="col">Points</th><th scope="col">Details</th></tr></thead>
          <tbody>
            {attempt.reasons.map((r, i) => {
              const { code, points, ...rest } = r as { code?: string; points?: number };
              return <tr key={i}><th scope="row"><code>{String(code)}</code></th><td>{points ?? '—'}</td><td>{Object.entries(rest).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ') || '—'}</td></tr>;
            })}
          </tbody>
        </table>
      )}
      <h3>What the engine saw</h3>
      <dl className="facts">
        <dt>Feeds hit</dt><dd>{s.ip_categories.length ? s.ip_categories.map((c) => `${c.feed} (${c.category}${c.weight === null ? '' : `, ${c.weight}`})`).join(', ') : 'none'}</dd>
        <dt>Trusted network</dt><dd>{s.trusted_network ? 'yes' : 'no'}</dd>
        <dt>Counts</dt><dd>{s.counts ? Object.entries(s.counts).map(([k, v]) => `${k.replaceAll('_', ' ')}: ${v}`).join(', ') : 'unavailable (counter store down)'}</dd>
        <dt>Locks</dt><dd>{Object.entries(s.locks).filter(([, v]) => v).map(([k, v]) => `${k.replaceAll('_', ' ')} ${formatTime(v)}`).join(', ') || 'none'}</dd>
        <dt>Device confidence</dt><dd>{s.device_confidence}{s.device_factors.length ? ` (${s.device_factors.join(', ')})` : ''}</dd>
        <dt>Captcha on every login</dt><dd>{s.captcha_always ? 'yes' : 'no'}</dd>
      </dl>
      <p><a href={`#/locks?email=${encodeURIComponent(attempt.email)}`}>Explain this account now</a> · <button type="button" onClick={onClose}>Back to the list</button></p>
    </section>
  );
}
