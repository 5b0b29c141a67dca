import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { freePort } from '../packages/server/test/support/tcp-proxy.js';
import { describeBrowser, headlessContext, screenshot } from './support/browser.js';
import { OPERATOR, operatorContext, turnstileVia, USER } from './support/portcullis.js';
import { submitHostedForm, useBrowser, useStack } from './support/suite.js';
import { createApplication } from '../packages/server/src/services/applications.js';

/** The relying party's loopback redirect endpoint (RFC 8252 §7.3): it only records what arrived. */
async function startCallback(): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    if (req.url !== '/favicon.ico') hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>RP</title><h1>Back at the app</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

// DESIGN §19: an app registered as a spa sends a person through the hosted page and gets tokens
// back. The relying party is openid-client (panva), which nobody here wrote: it reads discovery,
// builds the request, checks state, iss (RFC 9207), PKCE and the ID token by its own rules.
describeBrowser('OIDC code flow with openid-client through the hosted page', () => {
  const browser = useBrowser();
  let port = 0;
  let callback: Awaited<ReturnType<typeof startCallback>>;
  const stack = useStack(browser, async (emulator, cleanup) => {
    port = await freePort();
    callback = await startCallback();
    cleanup(() => new Promise((resolve) => callback.server.close(resolve)));
    return { port, env: { PORTCULLIS_PUBLIC_URL: `http://127.0.0.1:${port}` }, policy: { captcha: turnstileVia(emulator.url) } };
  });

  it('signs a person in (captcha included), returns to the app, and the app gets verified tokens and userinfo', async () => {
    const { server } = stack;
    const redirectUri = `${callback.url}/callback`;
    const app = await createApplication(server.deps, operatorContext(server), OPERATOR, {
      name: 'Demo SPA', scopes: [], type: 'spa', redirect_uris: [redirectUri], post_logout_redirect_uris: [`${callback.url}/bye`],
    });
    expect(app.client_secret).toBeUndefined();
    const issuer = `http://127.0.0.1:${port}/tenants/${server.tenant.slug}`;
    const config = await oidc.discovery(new URL(issuer), app.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizeUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid email', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });

    // Plain headless Chromium scores low on device confidence: the hosted page shows the captcha.
    const context = await headlessContext(stack.browser);
    const page = await context.newPage();
    await page.goto(authorizeUrl.href);
    await submitHostedForm(page);
    const human = page.frameLocator('#captcha iframe').getByRole('checkbox', { name: 'I am human' });
    await human.waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'oidc-authorize-captcha');
    await human.click();
    await page.waitForURL((url) => url.href.startsWith(redirectUri), { timeout: 10_000 });
    expect(callback.hits).toHaveLength(1);
    const returned = new URL(callback.hits[0]!, callback.url);
    expect(returned.searchParams.get('state')).toBe(state);
    expect(returned.searchParams.get('iss')).toBe(issuer);

    const tokens = await oidc.authorizationCodeGrant(config, returned, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    const user = await server.deps.store.users.byEmail(server.tenant.id, USER.email);
    expect(claims).toMatchObject({ iss: issuer, sub: user!.id, aud: app.client_id, nonce, email: USER.email, amr: ['pwd'] });
    expect(tokens.refresh_token).toMatch(/^prt_/);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toEqual({ sub: user!.id, email: USER.email, email_verified: true });
    const [passed] = await server.audit('captcha.passed');
    expect(passed?.data).toMatchObject({ provider: 'turnstile' });

    // RP-initiated logout back to the app, then the access token no longer answers userinfo.
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${callback.url}/bye`, state: 'bye-state' });
    await page.goto(end.href);
    await page.waitForURL((url) => url.href.startsWith(`${callback.url}/bye`), { timeout: 10_000 });
    expect(callback.hits.at(-1)).toBe('/bye?state=bye-state');
    await expect(oidc.fetchUserInfo(config, tokens.access_token, claims.sub)).rejects.toThrow();
    await context.close();
  });
});
