import { CONTINUE_TO_APP } from './continue-to-app.js';

/**
 * The hosted page's one script (a module under the response's nonce). It leaves the sign-in to
 * `@portcullis/js` and only guides the person: what to do at each step (a check to complete, a
 * code to enter), who is signed in and where to go next, and — for a lockout or refusal that
 * lifts by itself — when to try again, in the SDK's wording (`describeError`).
 */
export const LOGIN_SCRIPT = `
  import { AuthClient, describeError } from '/sdk/portcullis.js';
  const config = JSON.parse(document.getElementById('portcullis-config').textContent);
  const $ = (id) => document.getElementById(id);
  const form = $('sign-in'), status = $('status'), button = $('submit'), heading = $('heading');
  const view = $('signed-in-view'), who = $('signed-in'), next = $('next-step');
  const signInTitle = heading.textContent;
  const client = new AuthClient({ tenant: config.tenant, scriptUrls: config.scriptUrls, captchaContainer: $('captcha') });
  let inFlight = false;

  const say = (text, kind) => {
    status.className = kind || '';
    status.textContent = text;
    for (const key of ['code', 'retryAfter', 'step']) delete status.dataset[key];
  };
  // Disabled while anything is in flight: also stops Enter in a field from submitting again.
  const busy = (on, label) => {
    button.disabled = on;
    button.textContent = label;
    if (on && label !== 'Sign in') button.setAttribute('aria-busy', 'true'); else button.removeAttribute('aria-busy');
  };

  // The person has something to do: say what, and take the greyed "Signing in…" away.
  const onStep = (step) => {
    if (step.kind === 'captcha') {
      button.hidden = true;
      busy(true, 'Sign in');
      say('Complete the check to continue.', 'guide');
      status.dataset.step = 'captcha';
    } else if (step.kind === 'verifying') {
      button.hidden = false;
      busy(true, 'Signing in…');
      say('Signing in…');
    } else if (step.kind === 'email_code') {
      say('Enter the code we emailed you to continue.', 'guide');
      status.dataset.step = 'email_code';
    }
  };

  const showSignedIn = (email) => {
    form.hidden = true;
    say('');
    heading.textContent = 'You are signed in';
    who.textContent = 'Signed in as ' + email;
    const step = document.createElement(config.returnTo ? 'a' : 'button');
    if (config.returnTo) {
      step.href = config.returnTo;
      step.className = 'primary';
      step.textContent = 'Continue to ' + new URL(config.returnTo).host;
    } else {
      step.type = 'button';
      step.className = 'secondary';
      step.textContent = 'Sign out';
      step.addEventListener('click', signOut, { once: true });
    }
    next.replaceChildren(step);
    view.hidden = false;
    if ($('account-links')) $('account-links').hidden = true;
    // Focus follows the change, so a screen reader reads the new heading and the next step.
    heading.focus();
  };

  async function signOut() {
    try {
      await client.signOut();
      say('You have signed out.');
    } catch {
      say('You are signed out here; the server could not be told. Sign in again or close this tab.', 'error');
    }
    view.hidden = true;
    next.replaceChildren();
    heading.textContent = signInTitle;
    form.password.value = '';
    form.hidden = false;
    if ($('account-links')) $('account-links').hidden = false;
    form.email.focus();
  }

${CONTINUE_TO_APP}
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (inFlight) return;
    inFlight = true;
    say('Signing in…');
    busy(true, 'Signing in…');
    const email = form.email.value.trim();
    try {
      const session = await client.signIn({ email, password: form.password.value }, { onStep });
      if (config.authorize) await continueToApp(config.authorize, session, say, status);
      else showSignedIn(email);
    } catch (error) {
      const known = error && typeof error.code === 'string' ? error : { code: 'unknown', message: 'Sign-in failed. Please try again.' };
      say(known.code === 'authorize_failed' || known.code === 'access_denied' || known.code === 'invalid_request' ? known.message : describeError(known), 'error');
      status.dataset.code = known.code;
      if (known.retryAfterS) status.dataset.retryAfter = String(known.retryAfterS);
    } finally {
      inFlight = false;
      button.hidden = false;
      busy(false, 'Sign in');
    }
  });
`;
