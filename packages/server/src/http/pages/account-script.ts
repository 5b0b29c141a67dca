/**
 * The script of the verify-email and reset-password pages: reads the token from the address
 * (then removes it, so it is not left in history or shared by a copied URL), posts it with the
 * person's input, and says what happened in words, moving focus to the outcome.
 */
export const ACCOUNT_SCRIPT = `
  const config = JSON.parse(document.getElementById('portcullis-config').textContent);
  const $ = (id) => document.getElementById(id);
  const form = $('account-form'), status = $('status'), button = $('submit'), next = $('next');
  const token = new URLSearchParams(location.search).get('token') || '';
  history.replaceState(null, '', location.pathname);
  const say = (text, kind) => { status.className = kind || ''; status.textContent = text; };
  if (!token) { say('This link is incomplete. Open the link from the mail again.', 'error'); button.disabled = true; }
  const post = async (path, body) => {
    const res = await fetch('/api/v1/auth/' + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant': config.tenant }, body: JSON.stringify(body), credentials: 'omit' });
    return { ok: res.ok, body: await res.json().catch(() => ({})) };
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let body = { token };
    if (config.page === 'reset-password') {
      const password = $('password').value;
      if (password !== $('password-again').value) { say('The two passwords differ.', 'error'); $('password-again').focus(); return; }
      body = { token, password };
    }
    button.disabled = true;
    say(config.page === 'verify-email' ? 'Confirming…' : 'Saving…');
    try {
      const { ok, body: answer } = await post(config.page === 'verify-email' ? 'verify-email' : 'password-reset/confirm', body);
      if (ok) {
        form.hidden = true;
        say(config.page === 'verify-email' ? 'Your email is confirmed. You can sign in now.' : 'Your password is changed, and every other session is signed out.', 'success');
        next.hidden = false;
        $('sign-in-link').focus();
        return;
      }
      const field = answer.details && answer.details.fields && answer.details.fields[0];
      say(answer.error === 'token_invalid' ? 'This link is used or expired. Ask for a new one.' : field ? 'The new password ' + field.message + '.' : (answer.message || 'Something went wrong; please try again.'), 'error');
      button.disabled = answer.error === 'token_invalid';
    } catch {
      say('The server could not be reached; please try again.', 'error');
      button.disabled = false;
    }
  });
`;
