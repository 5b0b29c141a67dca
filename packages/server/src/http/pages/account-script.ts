import { CONTINUE_TO_APP } from './continue-to-app.js';

/**
 * The script of the account pages (sign-up, forgot password, and the two pages mailed links
 * open). `@portcullis/js` does the work — the captcha, bound to the page's action, renders by
 * itself when the risk engine asks — and this script only guides the person: what to do, what
 * happened, in words, with focus moved to the outcome. A mailed token is read from the address
 * and removed from it at once, so it is not left in history or shared by a copied URL.
 */
export const ACCOUNT_SCRIPT = `
  import { AuthClient, describeError } from '/sdk/portcullis.js';
  const config = JSON.parse(document.getElementById('portcullis-config').textContent);
  const $ = (id) => document.getElementById(id);
  const form = $('account-form'), status = $('status'), button = $('submit'), heading = $('heading');
  const client = new AuthClient({ tenant: config.tenant, scriptUrls: config.scriptUrls, captchaContainer: $('captcha') });
  const label = button.textContent;
  const mailed = config.page === 'verify-email' || config.page === 'reset-password';
  const token = mailed ? new URLSearchParams(location.search).get('token') || '' : '';
  // The token leaves the address bar; an app's pending sign-in (return_to) may stay, it is no secret.
  if (mailed) history.replaceState(null, '', location.pathname + (config.returnTo ? '?return_to=' + encodeURIComponent(config.returnTo) : ''));
  let inFlight = false;

  const say = (text, kind) => {
    status.className = kind || '';
    status.textContent = text;
    for (const key of ['code', 'step']) delete status.dataset[key];
  };
  const busy = (on, text) => {
    button.disabled = on;
    button.textContent = text || label;
    if (on) button.setAttribute('aria-busy', 'true'); else button.removeAttribute('aria-busy');
  };
  if (mailed && !token) { say('This link is incomplete. Open the link from the mail again.', 'error'); button.disabled = true; }

  // The person has something to do: say what, and take the greyed button away meanwhile.
  const onStep = (step) => {
    if (step.kind === 'captcha') {
      button.hidden = true;
      say('Complete the check to continue.', 'guide');
      status.dataset.step = 'captcha';
    } else if (step.kind === 'verifying') {
      button.hidden = false;
      say('Sending…');
    }
  };

  // The outcome replaces the form; focus goes to the new heading so a screen reader reads it.
  const done = (title, text) => {
    form.hidden = true;
    heading.textContent = title;
    document.title = title + ' · ' + config.tenant;
    $('done').textContent = text;
    $('done-view').hidden = false;
    say('');
    heading.focus();
  };

  const newPassword = () => {
    const password = form.password.value;
    if (password === form['password-again'].value) return password;
    say('The two passwords differ.', 'error');
    status.dataset.code = 'password_mismatch';
    form['password-again'].setAttribute('aria-invalid', 'true');
    form['password-again'].focus();
    return null;
  };

${CONTINUE_TO_APP}

  // Reached from an app's sign-in: the way back to it is the next step, not a footnote.
  const backToApp = () => { if (config.returnTo) { $('sign-in-link').textContent = 'Continue to sign in'; $('sign-in-link').className = 'primary'; } };

  const actions = {
    'signup': async () => {
      const email = form.email.value.trim(), password = newPassword();
      if (password === null) return;
      await client.signUp(config.returnTo ? { email, password, returnTo: config.returnTo } : { email, password }, { onStep });
      done('Check your email', 'We sent a message to ' + email + '. Open the link in it to confirm your address and finish creating your account.');
    },
    'forgot-password': async () => {
      const email = form.email.value.trim();
      await client.requestPasswordReset(config.returnTo ? { email, returnTo: config.returnTo } : { email }, { onStep });
      // The same words whether or not the account exists: the page must not tell who has one.
      done('Check your email', 'If ' + email + ' has an account, we sent it a link to choose a new password. The link works for one hour.');
    },
    'verify-email': async () => {
      const session = await client.verifyEmail({ token });
      done('Your email is confirmed', 'You are signed in.');
      $('done').dataset.testid = 'signed-in';
      if (!config.authorize) return backToApp();
      // The link is spent: a failed hand-off must not read as a failed confirmation, and the way back stays.
      await continueToApp(config.authorize, session, say, status).catch((error) => { say(error.message, 'error'); status.dataset.code = error.code; backToApp(); });
    },
    'reset-password': async () => {
      const password = newPassword();
      if (password === null) return;
      await client.confirmPasswordReset({ token, password });
      done('Your password is changed', 'Every session of your account was signed out. Sign in with the new password.');
      backToApp();
    },
  };

  // Correcting the field an error was about takes the error away: it no longer describes the form.
  form.addEventListener('input', (event) => {
    if (!event.target.hasAttribute('aria-invalid')) return;
    event.target.removeAttribute('aria-invalid');
    if (!inFlight) say('');
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (inFlight || button.disabled) return;
    inFlight = true;
    say('Sending…');
    busy(true, 'Sending…');
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    let spent = false;
    try {
      await actions[config.page]();
    } catch (error) {
      const known = error && typeof error.code === 'string' ? error : { code: 'unknown', message: 'Something went wrong; please try again.' };
      say(describeError(known), 'error');
      status.dataset.code = known.code;
      // A spent or expired link will not work on a second press either.
      spent = known.code === 'token_invalid';
      const field = known.details && known.details.fields && known.details.fields[0];
      const input = field && form[String(field.path).replace(/^\\/+/, '')];
      if (input && input.focus) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
    } finally {
      inFlight = false;
      button.hidden = false;
      busy(spent);
    }
  });
`;
