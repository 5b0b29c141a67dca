import { useState, type FormEvent, type ReactNode } from 'react';
import { unwrap, type Api } from '../api/client.js';
import type { paths } from '../api/generated/schema.js';
import { useConsole } from '../context.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Problem } from '../ui/problem.js';

type IpView = paths['/api/v1/risk/ips/{ip}']['get']['responses'][200]['content']['application/json']['data'];
type Explanation = paths['/api/v1/risk/explain']['get']['responses'][200]['content']['application/json']['data'];

/** The user id of an email: from the attempts the explanation carries, else from the user list (bounded). */
async function userIdOf(api: Api, email: string, explanation?: Explanation): Promise<string | null> {
  const fromLog = explanation?.attempts.find((a) => a.user_id)?.user_id;
  if (fromLog) return fromLog;
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await unwrap(api.GET('/api/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    const hit = res.data.find((u) => u.email === email);
    if (hit) return hit.id;
    if (!res.meta.next_cursor) return null;
    cursor = res.meta.next_cursor;
  }
  return null;
}

function initialEmail(): string {
  const q = window.location.hash.split('?')[1] ?? '';
  return new URLSearchParams(q).get('email') ?? '';
}

/** Locked accounts and blocked addresses with their expiry; unlock, clear failures, look up an IP. */
export function Locks(): ReactNode {
  const { api, announce } = useConsole();
  const [ip, setIp] = useState<{ view?: IpView; error?: unknown }>({});
  const [account, setAccount] = useState<{ email: string; view?: Explanation; error?: unknown }>({ email: initialEmail() });
  const [busy, setBusy] = useState<unknown>(undefined);
  const recent = useLoad(async () => (await unwrap(api.GET('/api/v1/risk/attempts', { params: { query: { outcome: 'account_locked', limit: 100 } } }))).data, [api]);

  const lookUpIp = async (value: string) => {
    try {
      const view = (await unwrap(api.GET('/api/v1/risk/ips/{ip}', { params: { path: { ip: value } } }))).data;
      setIp({ view });
      announce(`${view.ip}: ${view.failures.window} recent failures${view.blocked_until ? `, blocked until ${formatTime(view.blocked_until)}` : ''}.`);
    } catch (error) { setIp({ error }); }
  };
  const explain = async (email: string) => {
    try {
      const view = (await unwrap(api.GET('/api/v1/risk/explain', { params: { query: { email } } }))).data;
      setAccount({ email, view });
      announce(`${email}: a sign-in now would get ${view.verdict.action}; ${view.locks.length} lock(s).`);
    } catch (error) { setAccount({ email, error }); }
  };
  const unlock = async (email: string, userId: string | null) => {
    setBusy(undefined);
    try {
      const id = userId ?? await userIdOf(api, email, account.email === email ? account.view : undefined);
      if (!id) { announce(`${email} has no user account: its lock lapses by itself.`); return; }
      await unwrap(api.POST('/api/v1/users/{id}/unlock', { params: { path: { id } } }));
      announce(`${email} unlocked.`);
      recent.reload();
      if (account.email === email) await explain(email);
    } catch (error) { setBusy(error); }
  };
  const clearIp = async (value: string) => {
    setBusy(undefined);
    try {
      await unwrap(api.DELETE('/api/v1/risk/ips/{ip}/failures', { params: { path: { ip: value } } }));
      announce(`Failures of ${value} cleared.`);
      await lookUpIp(value);
    } catch (error) { setBusy(error); }
  };
  const onIp = (e: FormEvent<HTMLFormElement>) => { e.preventDefault(); void lookUpIp(String(new FormData(e.currentTarget).get('ip') ?? '').trim()); };
  const onEmail = (e: FormEvent<HTMLFormElement>) => { e.preventDefault(); void explain(String(new FormData(e.currentTarget).get('email') ?? '').trim()); };

  const locked = new Map<string, string | null>();
  for (const a of recent.data ?? []) if (!locked.has(a.email)) locked.set(a.email, a.user_id);
  return (
    <>
      <Problem error={busy} />
      <section aria-labelledby="locks-recent">
        <h2 id="locks-recent">Recently locked accounts</h2>
        <Problem error={recent.error} />
        {recent.data && locked.size === 0 ? <p>No sign-in was refused by an account lock recently.</p> : null}
        {locked.size > 0 ? (
          <table data-testid="locked">
            <caption>Accounts whose sign-in was refused as locked (from the decision log)</caption>
            <thead><tr><th scope="col">Email</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>{[...locked].map(([email, id]) => (
              <tr key={email}><td>{email}</td><td>
                <button type="button" onClick={() => void unlock(email, id)}>Unlock {email}</button>{' '}
                <button type="button" onClick={() => void explain(email)}>Explain {email}</button>
              </td></tr>
            ))}</tbody>
          </table>
        ) : null}
      </section>
      <section aria-labelledby="locks-account">
        <h2 id="locks-account">Look up an account</h2>
        <form onSubmit={onEmail} className="inline-form">
          <label>Email<input name="email" type="email" defaultValue={account.email} required /></label>
          <button type="submit">Explain</button>
        </form>
        <Problem error={account.error} />
        {account.view ? (
          <div className="panel" data-testid="explanation">
            <p>A sign-in by <strong>{account.email}</strong> now would get <strong>{account.view.verdict.action}</strong> (score {account.view.verdict.score}).</p>
            <ul>{account.view.locks.map((l) => <li key={l.scope}>Locked ({l.scope.replaceAll('_', ' ')}) until {formatTime(l.until)}</li>)}</ul>
            {account.view.locks.length ? <button type="button" onClick={() => void unlock(account.email, null)}>Unlock {account.email}</button> : <p>No lock.</p>}
            <ul>{account.view.hints.map((h) => <li key={h.code}><code>{h.code}</code>: {h.hint}</li>)}</ul>
          </div>
        ) : null}
      </section>
      <section aria-labelledby="locks-ip">
        <h2 id="locks-ip">Look up an IP address</h2>
        <form onSubmit={onIp} className="inline-form">
          <label>IP address<input name="ip" type="text" required /></label>
          <button type="submit">Look up</button>
        </form>
        <Problem error={ip.error} />
        {ip.view ? (
          <div className="panel" data-testid="ip-view">
            <dl className="facts">
              <dt>Address</dt><dd>{ip.view.ip}</dd>
              <dt>Trusted network</dt><dd>{ip.view.trusted ? 'yes' : 'no'}</dd>
              <dt>Feeds</dt><dd>{ip.view.feeds.map((f) => `${f.feed} (${f.category})`).join(', ') || 'none'}</dd>
              <dt>Failures</dt><dd>{ip.view.failures.window} in {ip.view.failures.window_s / 60} min, {ip.view.failures.day} today</dd>
              <dt>Blocked until</dt><dd>{formatTime(ip.view.blocked_until)}</dd>
              <dt>Counters</dt><dd>{ip.view.counters_available ? 'available' : 'unavailable: figures may be stale'}</dd>
            </dl>
            <button type="button" onClick={() => void clearIp(ip.view!.ip)}>Clear failures of {ip.view.ip}</button>
          </div>
        ) : null}
      </section>
    </>
  );
}
