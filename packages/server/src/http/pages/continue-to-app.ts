/**
 * OIDC code flow, shared by the sign-in page and the verify-email page: hands the fresh session to
 * the server, which answers where the app wants the browser (its registered redirect URI with the
 * code). The token goes only to our own origin. Script text, spliced into the pages' modules.
 */
export const CONTINUE_TO_APP = `
  async function continueToApp(authorize, session, say, status) {
    say('Returning to ' + authorize.client + '…');
    const res = await fetch(authorize.completeUrl, {
      method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'same-origin',
      body: JSON.stringify({ request: authorize.request, access_token: session.accessToken }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok || typeof body.redirect_to !== 'string') {
      const error = new Error(body.error_description || 'The application could not be reached. Start again from the application.');
      error.code = body.error || 'authorize_failed';
      throw error;
    }
    status.dataset.step = 'redirecting';
    location.assign(body.redirect_to);
  }
`;
