import { PortcullisClientError } from '../errors.js';
import type { EmailCodeInfo } from '../options.js';
import { openModal } from './modal.js';

/**
 * The built-in email-code prompt (default `onEmailCode`): a labelled one-time-code field in a
 * modal dialog. Resolves with the code; Escape or Cancel rejects with `email_otp_cancelled`.
 */
export function promptEmailCode(info: EmailCodeInfo, retry?: { attemptsLeft: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const minutes = Math.max(1, Math.round(info.expiresIn / 60));
    const modal = openModal({
      title: 'Check your email',
      text: `We could not show the usual human check, so we emailed you a 6-digit code. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      onCancel: () => {
        modal.close();
        reject(new PortcullisClientError('email_otp_cancelled'));
      },
    });
    const form = document.createElement('form');
    const label = document.createElement('label');
    const input = document.createElement('input');
    const submit = document.createElement('button');
    input.id = 'portcullis-otp-code';
    label.htmlFor = input.id;
    label.textContent = 'Code';
    Object.assign(input, { name: 'code', required: true, autocomplete: 'one-time-code', inputMode: 'numeric', pattern: '[0-9]{6}', maxLength: 6 });
    submit.type = 'submit';
    submit.textContent = 'Continue';
    Object.assign(label.style, { display: 'block', margin: '.5rem 0 .25rem' });
    Object.assign(input.style, { font: 'inherit', fontSize: '1.25rem', letterSpacing: '.2em', width: '8em', marginRight: '.5rem' });
    form.append(label, input, submit);
    modal.body.append(form);
    if (retry) {
      modal.alert.textContent = `That code did not work. ${retry.attemptsLeft} attempt${retry.attemptsLeft === 1 ? '' : 's'} left.`;
      input.setAttribute('aria-invalid', 'true');
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      modal.close();
      resolve(input.value.trim());
    });
    input.focus();
  });
}
