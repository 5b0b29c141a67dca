import { useState, type FormEvent, type ReactNode } from 'react';
import { MANAGEMENT_SCOPES } from '@portcullis/protocol';
import { unwrap } from '../api/client.js';
import { useConsole } from '../context.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';

/** Shown once: the API never returns a secret again, so neither does the console. */
function SecretOnce({ secret, onDone }: { secret: { name: string; client_id: string; client_secret: string }; onDone(): void }): ReactNode {
  return (
    <section className="panel secret" aria-labelledby="secret-title" role="region" data-testid="secret">
      <h2 id="secret-title" tabIndex={-1} ref={(el) => el?.focus()}>Secret of {secret.name}: copy it now</h2>
      <p>This is the only time the secret is shown. Store it in your secret manager.</p>
      <dl className="facts"><dt>client_id</dt><dd><code>{secret.client_id}</code></dd><dt>client_secret</dt><dd><code>{secret.client_secret}</code></dd></dl>
      <button type="button" onClick={onDone}>I have stored the secret</button>
    </section>
  );
}

/** Machine clients: create (scopes), rotate secret (the previous one keeps working for the overlap). */
export function Applications(): ReactNode {
  const { api, announce } = useConsole();
  const [problem, setProblem] = useState<unknown>(undefined);
  const [secret, setSecret] = useState<{ name: string; client_id: string; client_secret: string } | null>(null);
  const list = useLoad(async () => (await unwrap(api.GET('/api/v1/applications', { params: { query: { limit: 100 } } }))).data, [api]);

  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const scopes = data.getAll('scopes').map(String);
    setProblem(undefined);
    unwrap(api.POST('/api/v1/applications', { body: { name, scopes, type: 'machine' } })).then((res) => {
      const { name: appName, client_id, client_secret } = res.data;
      // Machine and web apps have a secret, shown once; a spa has none.
      setSecret(client_secret ? { name: appName, client_id, client_secret } : null);
      announce(`Application ${name} created. Its secret is shown once.`);
      form.reset();
      list.reload();
    }, setProblem);
  };
  const rotate = (id: string, name: string) => {
    setProblem(undefined);
    unwrap(api.POST('/api/v1/applications/{id}/rotate-secret', { params: { path: { id } }, body: {} })).then((res) => {
      const { name: appName, client_id, client_secret } = res.data;
      // Machine and web apps have a secret, shown once; a spa has none.
      setSecret(client_secret ? { name: appName, client_id, client_secret } : null);
      announce(`Secret of ${name} rotated. The new secret is shown once.`);
      list.reload();
    }, setProblem);
  };

  return (
    <>
      <Problem error={problem} />
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
      <section aria-labelledby="apps-new">
        <h2 id="apps-new">New application</h2>
        <form onSubmit={create}>
          <label>Name<input name="name" type="text" required /></label>
          <fieldset>
            <legend>Scopes</legend>
            {MANAGEMENT_SCOPES.map((s) => <label key={s} className="check"><input type="checkbox" name="scopes" value={s} /> {s}</label>)}
          </fieldset>
          <button type="submit">Create application</button>
        </form>
      </section>
      <section aria-labelledby="apps-list">
        <h2 id="apps-list">Applications</h2>
        <Problem error={list.error} />
        {list.loading && !list.data ? <Loading what="applications" /> : null}
        {list.data ? (
          <table data-testid="applications">
            <caption>Machine clients</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">client_id</th><th scope="col">Scopes</th><th scope="col">Secret rotated</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.name}</th><td><code>{a.client_id}</code></td><td>{a.scopes.join(' ') || 'none'}</td>
                  <td>{formatTime(a.secret_rotated_at)}{a.previous_secret_expires_at ? ` (old secret valid until ${formatTime(a.previous_secret_expires_at)})` : ''}</td>
                  <td><button type="button" onClick={() => rotate(a.id, a.name)}>Rotate secret of {a.name}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </>
  );
}
