import { describe, expect, it } from 'vitest';
import { PortcullisClientError, describeError, retryAfterText } from '../src/index.js';
import { apiError, clientWith, scriptedFetch } from './helpers.js';

const LOGIN = '/api/v1/auth/login';
const creds = { email: 'anita@example.com', password: 'correct horse' };

/** Signs in once against a server that answers `reply`, and returns what signIn rejected with. */
async function refusal(reply: ReturnType<typeof apiError>): Promise<PortcullisClientError> {
  const { fetch } = scriptedFetch({ [LOGIN]: [reply] });
  const error = await clientWith({ fetch }).signIn(creds).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PortcullisClientError);
  return error as PortcullisClientError;
}

describe('when to try again (issue 9 #15)', () => {
  it.each([
    [429, 'account_locked', 900],
    [429, 'rate_limited', 45],
    [403, 'sign_in_denied', 720],
    [503, 'captcha_unavailable', 30],
  ])('exposes retry_after_s of a served %i %s as error.retryAfterS', async (status, code, seconds) => {
    const error = await refusal(apiError(status, code, { retry_after_s: seconds }));
    expect(error).toMatchObject({ code, status, retryAfterS: seconds, details: { retry_after_s: seconds } });
  });

  it('leaves retryAfterS undefined when the server names no time, or an unusable one', async () => {
    expect((await refusal(apiError(403, 'sign_in_denied'))).retryAfterS).toBeUndefined();
    expect((await refusal(apiError(429, 'rate_limited', { retry_after_s: 'soon' }))).retryAfterS).toBeUndefined();
    expect((await refusal(apiError(429, 'rate_limited', { retry_after_s: -5 }))).retryAfterS).toBeUndefined();
  });

  it('tells the person when a counters-based refusal lifts, in words', async () => {
    expect(describeError(await refusal(apiError(403, 'sign_in_denied', { retry_after_s: 720 }))))
      .toBe('This sign-in was refused for now. Try again in 12 minutes.');
    expect(describeError(await refusal(apiError(429, 'account_locked', { retry_after_s: 900 }))))
      .toBe('Too many failed sign-ins for this account. Try again in 15 minutes.');
    expect(describeError(await refusal(apiError(503, 'captcha_unavailable', { retry_after_s: 30 }))))
      .toBe('Human verification is unavailable right now. Try again in 30 seconds.');
  });

  it('does not promise a time for a refusal that names none', async () => {
    expect(describeError(await refusal(apiError(403, 'sign_in_denied'))))
      .toBe('This sign-in was refused. Contact your administrator if this keeps happening.');
  });

  it.each([
    [30, 'in 30 seconds'], [1, 'in 1 second'], [0.2, 'in 1 second'], [61, 'in 2 minutes'], [720, 'in 12 minutes'],
    [3600, 'in 60 minutes'], [7200, 'in 2 hours'], [undefined, 'later'], [0, 'later'], [Number.NaN, 'later'],
  ])('words %s seconds as "%s", rounding up', (seconds, words) => {
    expect(retryAfterText(seconds)).toBe(words);
  });
});
