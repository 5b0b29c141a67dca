import { useId, useState, type ReactNode } from 'react';
import { unwrap } from '../api/client.js';
import { useConsole } from '../context.js';
import { Chart } from '../ui/chart.js';
import { formatRate, formatTime } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';

const WINDOWS = {
  hour: { label: 'Last hour, by minute', ms: 3600_000, bucket: 'minute' },
  day: { label: 'Last 24 hours, by hour', ms: 86_400_000, bucket: 'hour' },
  week: { label: 'Last 7 days, by day', ms: 7 * 86_400_000, bucket: 'day' },
} as const;
type WindowId = keyof typeof WINDOWS;

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), each series also dashed differently.
const COLORS = { allowed: '#0072B2', challenged: '#E69F00', denied: '#D55E00', passed: '#009E73', failed: '#CC79A7', succeeded: '#56B4E9' };

/** Attempts over time by action and outcome, the challenge funnel per reason, provider health. */
export function Overview(): ReactNode {
  const { api } = useConsole();
  const [windowId, setWindowId] = useState<WindowId>('hour');
  const selectId = useId();
  const stats = useLoad(async () => {
    const w = WINDOWS[windowId];
    const until = new Date();
    const since = new Date(until.getTime() - w.ms);
    return (await unwrap(api.GET('/api/v1/risk/stats', { params: { query: { since: since.toISOString(), until: until.toISOString(), bucket: w.bucket } } }))).data;
  }, [api, windowId]);

  const s = stats.data;
  const x = s?.buckets.map((b) => Math.floor(Date.parse(b.start) / 1000)) ?? [];
  const total = (k: 'attempts' | 'allowed' | 'challenged' | 'denied' | 'captcha_passed' | 'captcha_failed' | 'succeeded') => s?.buckets.reduce((n, b) => n + b[k], 0) ?? 0;
  return (
    <>
      <div className="toolbar">
        <label htmlFor={selectId}>Window</label>
        <select id={selectId} value={windowId} onChange={(e) => setWindowId(e.target.value as WindowId)}>
          {Object.entries(WINDOWS).map(([id, w]) => <option key={id} value={id}>{w.label}</option>)}
        </select>
        <button type="button" onClick={stats.reload}>Refresh</button>
      </div>
      <Problem error={stats.error} />
      {stats.loading && !s ? <Loading what="statistics" /> : null}
      {s ? (
        <>
          <section aria-labelledby="ov-totals">
            <h2 id="ov-totals">Totals</h2>
            <dl className="totals" data-testid="totals">
              <div><dt>Attempts</dt><dd data-testid="total-attempts">{total('attempts')}</dd></div>
              <div><dt>Allowed</dt><dd>{total('allowed')}</dd></div>
              <div><dt>Challenged</dt><dd>{total('challenged')}</dd></div>
              <div><dt>Denied</dt><dd>{total('denied')}</dd></div>
              <div><dt>Captcha solved</dt><dd>{total('captcha_passed')}</dd></div>
              <div><dt>Signed in</dt><dd>{total('succeeded')}</dd></div>
            </dl>
          </section>
          <section aria-labelledby="ov-actions">
            <h2 id="ov-actions">Attempts over time by action</h2>
            <Chart label="Sign-in attempts over time: allowed (solid), challenged (dashed), denied (dotted)" kind="time" x={x} series={[
              { label: 'allowed', values: s.buckets.map((b) => b.allowed), color: COLORS.allowed },
              { label: 'challenged', values: s.buckets.map((b) => b.challenged), color: COLORS.challenged, dash: [8, 4] },
              { label: 'denied', values: s.buckets.map((b) => b.denied), color: COLORS.denied, dash: [2, 3] },
            ]} />
            <h2 id="ov-outcomes">Outcomes over time</h2>
            <Chart label="Outcomes over time: captcha solved (solid), captcha failed (dashed), signed in (dotted)" kind="time" x={x} series={[
              { label: 'captcha solved', values: s.buckets.map((b) => b.captcha_passed), color: COLORS.passed },
              { label: 'captcha failed', values: s.buckets.map((b) => b.captcha_failed), color: COLORS.failed, dash: [8, 4] },
              { label: 'signed in', values: s.buckets.map((b) => b.succeeded), color: COLORS.succeeded, dash: [2, 3] },
            ]} />
            <details>
              <summary>Attempts over time as a table</summary>
              <table>
                <caption>Attempts per bucket</caption>
                <thead><tr><th scope="col">Start</th><th scope="col">Attempts</th><th scope="col">Allowed</th><th scope="col">Challenged</th><th scope="col">Denied</th><th scope="col">Captcha solved</th><th scope="col">Captcha failed</th><th scope="col">Signed in</th></tr></thead>
                <tbody>
                  {s.buckets.filter((b) => b.attempts > 0).map((b) => (
                    <tr key={b.start}><th scope="row">{formatTime(b.start)}</th><td>{b.attempts}</td><td>{b.allowed}</td><td>{b.challenged}</td><td>{b.denied}</td><td>{b.captcha_passed}</td><td>{b.captcha_failed}</td><td>{b.succeeded}</td></tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>
          <section aria-labelledby="ov-funnel">
            <h2 id="ov-funnel">Challenge funnel per reason</h2>
            <p className="hint">A reason whose challenges people solve almost always is a false-positive suspect: consider lowering its points or trusting the network.</p>
            {s.reasons.length > 0 ? (
              <Chart label="Per reason: fired (widest bar), challenged (middle), solved (narrowest)" kind="bars" x={s.reasons.map((_r, i) => i)} categories={s.reasons.map((r) => r.code)} series={[
                { label: 'fired', values: s.reasons.map((r) => r.fired), color: '#BBBBBB' },
                { label: 'challenged', values: s.reasons.map((r) => r.challenged), color: COLORS.challenged },
                { label: 'solved', values: s.reasons.map((r) => r.passed), color: COLORS.passed },
              ]} />
            ) : <p>No reason fired in this window.</p>}
            <table data-testid="funnel">
              <caption>Challenge funnel per reason</caption>
              <thead><tr><th scope="col">Reason</th><th scope="col">Fired</th><th scope="col">Challenged</th><th scope="col">Solved</th><th scope="col">Failed</th><th scope="col">Solve rate</th></tr></thead>
              <tbody>
                {s.reasons.map((r) => (
                  <tr key={r.code}><th scope="row"><code>{r.code}</code></th><td>{r.fired}</td><td>{r.challenged}</td><td>{r.passed}</td><td>{r.failed}</td><td>{formatRate(r.solve_rate)}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="ov-provider">
            <h2 id="ov-provider">Captcha provider health</h2>
            <dl className="totals" data-testid="provider">
              <div><dt>Verifications</dt><dd>{s.provider.verifications}</dd></div>
              <div><dt>Unreachable</dt><dd>{s.provider.unreachable}</dd></div>
              <div><dt>Latency p50</dt><dd>{s.provider.p50_ms === null ? '—' : `${s.provider.p50_ms} ms`}</dd></div>
              <div><dt>Latency p99</dt><dd>{s.provider.p99_ms === null ? '—' : `${s.provider.p99_ms} ms`}</dd></div>
            </dl>
          </section>
        </>
      ) : null}
    </>
  );
}
