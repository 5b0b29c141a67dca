import { PortcullisError, type ApplicationType } from '@portcullis/protocol';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a registered URI is refused: codes travel in its query, so it must be absolute, carry no
 * fragment (RFC 6749 §3.1.2) and use https — plain http only on loopback (RFC 8252 §7.3), where
 * no network sits between the browser and the app.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return undefined;
  return 'must use https (http only on loopback)';
}

/** Checks the OIDC fields of an application: a field error per bad URI, and code-flow apps need one. */
export function checkClientUris(type: ApplicationType, uris: { redirect_uris?: readonly string[] | undefined; post_logout_redirect_uris?: readonly string[] | undefined }): void {
  const fields = (['redirect_uris', 'post_logout_redirect_uris'] as const).flatMap((name) =>
    (uris[name] ?? []).flatMap((u, i) => {
      const problem = redirectUriProblem(u);
      return problem ? [{ path: `${name}.${i}`, message: problem }] : [];
    }));
  if (type !== 'machine' && uris.redirect_uris !== undefined && uris.redirect_uris.length === 0) {
    fields.push({ path: 'redirect_uris', message: `a ${type} application needs at least one redirect URI` });
  }
  if (type === 'machine' && ((uris.redirect_uris?.length ?? 0) > 0 || (uris.post_logout_redirect_uris?.length ?? 0) > 0)) {
    fields.push({ path: 'redirect_uris', message: 'a machine application has no redirect URIs (use type spa or web)' });
  }
  if (fields.length > 0) throw new PortcullisError('invalid_request', { details: { fields } });
}
