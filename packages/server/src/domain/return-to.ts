/**
 * Where the account pages send a person back to when they were reached from an app's sign-in
 * (`/oauth2/authorize`): a same-origin path of the authorize endpoint of this tenant, nothing else.
 * The value travels in a query string and in a mailed link, so anything an attacker can write there
 * must not turn the page into an open redirect: an absolute URL, `//host`, a backslash (browsers
 * read `/\host` as `//host`), control characters, another tenant's path or any other path are
 * dropped, not followed. Coming back only re-runs the authorize request, which checks the client
 * and its registered redirect URI again.
 */
const AUTHORIZE_PATH = /^(?:\/tenants\/([a-z0-9][a-z0-9-]{0,62}))?\/oauth2\/authorize\?([^\s\\#\u0000-\u001f\u007f]{1,8000})$/;

export interface AuthorizeReturn {
  /** As given: the path the page links back to (same origin as the page). */
  path: string;
  /** The same request under the issuer path (`/tenants/<slug>/oauth2/authorize?…`): what a mailed link carries, since it opens on the issuer's origin. */
  atIssuer: string;
}

/** The accepted return target, or undefined for anything that is not this tenant's authorize endpoint. */
export function authorizeReturn(value: string | undefined, tenantSlug: string): AuthorizeReturn | undefined {
  if (!value) return undefined;
  const match = AUTHORIZE_PATH.exec(value);
  if (!match || (match[1] !== undefined && match[1] !== tenantSlug)) return undefined;
  return { path: value, atIssuer: `/tenants/${tenantSlug}/oauth2/authorize?${match[2]}` };
}
