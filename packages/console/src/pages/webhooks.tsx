import { useState, type FormEvent, type ReactNode } from 'react';
import { unwrap } from '../api/client.js';
import { useConsole } from '../context.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';
import { WebhookDeliveries } from './webhook-deliveries.js';

interface Secret { url: string; secret: string; rotated: boolean }

/** Shown once: the API never returns a signing secret again, so neither does the console. */
function SecretOnce({ secret, onDone }: { secret: Secret; onDone(): void }): ReactNode {
  const { announce } = useConsole();
  const copy = () => {
    navigator.clipboard.writeText(secret.secret).then(() => announce('Secret copied.'), () => announce('Copying failed: select the secret and copy it.'));
  };
  return (
    <section className="panel secret" aria-labelledby="whsec-title" data-testid="webhook-secret">
      <h2 id="whsec-title" tabIndex={-1} ref={(el) => el?.focus()}>{secret.rotated ? 'New signing secret' : 'Signing secret'} of {secret.url}: copy it now</h2>
      <p>This is the only time the secret is shown. Your receiver verifies the <code>webhook-signature</code> header with it.
        {secret.rotated ? ' The previous secret keeps signing for 24 hours, so receivers can switch without losing events.' : ''}</p>
      <p><code data-testid="webhook-secret-value">{secret.secret}</code></p>
      <button type="button" onClick={copy}>Copy secret</button>{' '}
      <button type="button" onClick={onDone}>I have stored the secret</button>
    </section>
  );
}

/** A row button's target, for screen readers only: the row already shows it to sighted users. */
const Of = ({ url, prefix = '' }: { url: string; prefix?: string }) => <span className="visually-hidden">{prefix} {url}</span>;

/** `captcha.*, user.signed_in` → the API's list (commas or spaces between filters). */
const splitEvents = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** Webhook endpoints (DESIGN §17): create, enable or disable, rotate the secret, delete; each one's delivery log. */
export function Webhooks(): ReactNode {
  const { api, announce } = useConsole();
  const [problem, setProblem] = useState<unknown>(undefined);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [selected, setSelected] = useState<{ id: string; url: string } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const list = useLoad(async () => (await unwrap(api.GET('/api/v1/webhooks', { params: { query: { limit: 100 } } }))).data, [api]);
  const act = <T,>(call: Promise<T>, done: (value: T) => void) => {
    setProblem(undefined);
    call.then((value) => { done(value); list.reload(); }, setProblem);
  };

  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const description = String(data.get('description') ?? '').trim();
    const body = { url: String(data.get('url') ?? '').trim(), events: splitEvents(String(data.get('events') ?? '')), ...(description ? { description } : {}) };
    act(unwrap(api.POST('/api/v1/webhooks', { body })), (res) => {
      setSecret({ url: res.data.url, secret: res.data.secret, rotated: false });
      announce(`Endpoint ${res.data.url} created. Its secret is shown once.`);
      form.reset();
    });
  };
  const setStatus = (id: string, url: string, status: 'enabled' | 'disabled') =>
    act(unwrap(api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id } }, body: { status } })), () => announce(`Endpoint ${url} ${status}.`));
  const rotate = (id: string, url: string) =>
    act(unwrap(api.POST('/api/v1/webhooks/{id}/rotate-secret', { params: { path: { id } } })), (res) => {
      setSecret({ url, secret: res.data.secret, rotated: true });
      announce(`Secret of ${url} rotated. The new secret is shown once.`);
    });
  const remove = (id: string, url: string) =>
    act(unwrap(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } })), () => {
      setDeleting(null);
      if (selected?.id === id) setSelected(null);
      announce(`Endpoint ${url} deleted.`);
    });

  return (
    <>
      <Problem error={problem} />
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
      <section aria-labelledby="hooks-new">
        <h2 id="hooks-new">New endpoint</h2>
        <form onSubmit={create} className="inline-form">
          <label>URL<input name="url" type="url" required placeholder="https://siem.example.com/portcullis" size={40} /></label>
          <label>Events
            <input name="events" type="text" required aria-describedby="events-hint" placeholder="user.signed_in, captcha.*" size={30} />
          </label>
          <label>Description (optional)<input name="description" type="text" maxLength={500} /></label>
          <button type="submit">Create endpoint</button>
        </form>
        <p className="hint" id="events-hint">Audit event types separated by commas; <code>captcha.*</code> matches every captcha event, <code>*</code> every event.</p>
      </section>
      <section aria-labelledby="hooks-list">
        <h2 id="hooks-list">Endpoints</h2>
        <Problem error={list.error} />
        {list.loading && !list.data ? <Loading what="endpoints" /> : null}
        {list.data && list.data.length === 0 ? <p>No endpoint yet: events are not sent anywhere.</p> : null}
        {list.data && list.data.length > 0 ? (
          <table data-testid="webhooks">
            <caption>Endpoints receive matching audit events, signed (Standard Webhooks)</caption>
            <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col">Description</th><th scope="col">Secret rotated</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((w) => (
                <tr key={w.id} data-status={w.status}>
                  <th scope="row"><code>{w.url}</code></th><td>{w.events.join(', ')}</td>
                  <td>{w.status}{w.disabled_reason ? ` (${w.disabled_reason})` : ''}</td><td>{w.description ?? '—'}</td>
                  <td>{formatTime(w.secret_rotated_at)}{w.previous_secret_expires_at ? ` (old secret signs until ${formatTime(w.previous_secret_expires_at)})` : ''}</td>
                  <td className="row-actions">
                    <button type="button" aria-pressed={selected?.id === w.id} onClick={() => setSelected({ id: w.id, url: w.url })}>Deliveries<Of url={w.url} prefix=" to" /></button>
                    <button type="button" onClick={() => setStatus(w.id, w.url, w.status === 'enabled' ? 'disabled' : 'enabled')}>{w.status === 'enabled' ? 'Disable' : 'Enable'}<Of url={w.url} /></button>
                    <button type="button" onClick={() => rotate(w.id, w.url)}>Rotate secret<Of url={w.url} prefix=" of" /></button>
                    {deleting === w.id
                      ? <button type="button" onClick={() => remove(w.id, w.url)}>Confirm: delete<Of url={w.url} /> and its deliveries</button>
                      : <button type="button" onClick={() => setDeleting(w.id)}>Delete<Of url={w.url} /></button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {selected ? <WebhookDeliveries key={selected.id} endpoint={selected} /> : null}
    </>
  );
}
