import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';

/** What went wrong, in words an admin can act on; `forbidden` and `unauthorized` say what to do about them. */
export function describeProblem(error: unknown): string {
  if (!(error instanceof ApiError)) return 'The console could not reach the server. Check your connection and try again.';
  if (error.code === 'forbidden') {
    return 'Your account is not an administrator of this tenant, so the console cannot show its data. Ask an administrator to give you the admin role, then sign in again.';
  }
  if (error.code === 'unauthorized') return 'Your session has ended. Sign out and sign in again.';
  if (error.code === 'invalid_request' && error.fields.length > 0) {
    return `${error.message} ${error.fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`;
  }
  return error.message;
}

/** An error shown where the data would be, announced at once (role=alert). */
export function Problem({ error }: { error: unknown }): ReactNode {
  if (error === undefined || error === null) return null;
  const code = error instanceof ApiError ? error.code : 'network';
  return <div className="problem" role="alert" data-code={code}>{describeProblem(error)}</div>;
}

export function Loading({ what }: { what: string }): ReactNode {
  return <p className="loading" aria-busy="true">Loading {what}…</p>;
}
