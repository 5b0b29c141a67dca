import { useState, type FormEvent, type ReactNode } from 'react';
import { unwrap } from '../api/client.js';
import type { paths } from '../api/generated/schema.js';
import { useConsole } from '../context.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';

type User = paths['/api/v1/users']['get']['responses'][200]['content']['application/json']['data'][number];

/** Users of the tenant: create, disable or enable, give or take the admin role, unlock. */
export function Users(): ReactNode {
  const { api, announce } = useConsole();
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<unknown>(undefined);
  const list = useLoad(async () => unwrap(api.GET('/api/v1/users', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })), [api, cursor]);

  const act = async (what: string, call: () => Promise<unknown>) => {
    setProblem(undefined);
    try { await call(); announce(what); list.reload(); } catch (error) { setProblem(error); }
  };
  const patch = (u: User, body: { disabled?: boolean; roles?: Array<'admin'> }, what: string) =>
    act(what, () => unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body })));
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    void act(`User ${email} created.`, async () => {
      await unwrap(api.POST('/api/v1/users', { body: { email, ...(password ? { password } : {}), roles: data.get('admin') ? ['admin'] : [] } }));
      form.reset();
    });
  };

  return (
    <>
      <Problem error={problem} />
      <section aria-labelledby="users-new">
        <h2 id="users-new">New user</h2>
        <form onSubmit={create} className="inline-form">
          <label>Email<input name="email" type="email" required autoComplete="off" /></label>
          <label>Password (optional, 8 characters or more)<input name="password" type="password" autoComplete="new-password" /></label>
          <label className="check"><input name="admin" type="checkbox" /> Administrator</label>
          <button type="submit">Create user</button>
        </form>
      </section>
      <section aria-labelledby="users-list">
        <h2 id="users-list">Users</h2>
        <Problem error={list.error} />
        {list.loading && !list.data ? <Loading what="users" /> : null}
        {list.data ? (
          <table data-testid="users">
            <caption>Users, oldest first</caption>
            <thead><tr><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Roles</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.data.data.map((u) => {
                const admin = u.roles.includes('admin');
                return (
                  <tr key={u.id}>
                    <th scope="row">{u.email}</th><td>{u.disabled ? 'disabled' : 'active'}</td><td>{u.roles.join(', ') || 'none'}</td><td>{formatTime(u.created_at)}</td>
                    <td className="row-actions">
                      <button type="button" onClick={() => void patch(u, { disabled: !u.disabled }, `${u.email} ${u.disabled ? 'enabled' : 'disabled'}.`)}>{u.disabled ? 'Enable' : 'Disable'} {u.email}</button>
                      <button type="button" onClick={() => void patch(u, { roles: admin ? [] : ['admin'] }, `${u.email} ${admin ? 'is no longer an administrator' : 'is now an administrator'}.`)}>{admin ? 'Remove admin from' : 'Make admin'} {u.email}</button>
                      <button type="button" onClick={() => void act(`${u.email} unlocked.`, () => unwrap(api.POST('/api/v1/users/{id}/unlock', { params: { path: { id: u.id } } })))}>Unlock {u.email}</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
        <div className="pager">
          {cursor ? <button type="button" onClick={() => setCursor(undefined)}>First page</button> : null}
          {list.data?.meta.next_cursor ? <button type="button" onClick={() => setCursor(list.data!.meta.next_cursor ?? undefined)}>Next page</button> : null}
        </div>
      </section>
    </>
  );
}
