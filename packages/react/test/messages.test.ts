import { PortcullisClientError } from '@portcullis/js';
import { describe, expect, it, vi } from 'vitest';
import { describeError } from '../src/messages.js';

vi.mock('@portcullis/js', () => import('./sdk.js').then((m) => m.loadSdk()));

const say = (code: string, details?: Record<string, unknown>, message?: string) =>
  describeError(new PortcullisClientError(code, { details, message }));

describe('describeError', () => {
  it.each([
    [{ retry_after_s: 30 }, 'in 30 seconds'],
    [{ retry_after_s: 1 }, 'in 1 second'],
    [{ retry_after_s: 61 }, 'in 2 minutes'],
    [{ retry_after_s: 3600 }, 'in 60 minutes'],
    [{ retry_after_s: 7200 }, 'in 2 hours'],
    [{}, 'later'],
    [{ retry_after_s: 'soon' }, 'later'],
  ])('words retry_after_s %o as "%s"', (details, words) => {
    expect(say('rate_limited', details)).toBe(`Too many attempts from this network. Try again ${words}.`);
  });

  it('words a refusal that lifts with its time, and one that does not without a promise', () => {
    expect(say('sign_in_denied', { retry_after_s: 120 })).toBe('This sign-in was refused for now. Try again in 2 minutes.');
    expect(say('sign_in_denied')).toBe('This sign-in was refused. Contact your administrator if this keeps happening.');
    expect(say('captcha_unavailable', { retry_after_s: 30 })).toBe('Human verification is unavailable right now. Try again in 30 seconds.');
  });

  it('keeps captcha_blocked verbatim', () => {
    expect(say('captcha_blocked', { directive: 'frame-src' }, 'frame-src must allow https://challenges.cloudflare.com'))
      .toBe('frame-src must allow https://challenges.cloudflare.com');
  });

  it('does not leak the password-or-email distinction', () => {
    expect(say('invalid_credentials')).toBe('The email or password is incorrect.');
  });

  it('falls back to the error message for codes it does not know', () => {
    expect(say('invalid_grant', undefined, 'The refresh token is invalid.')).toBe('The refresh token is invalid.');
  });
});
