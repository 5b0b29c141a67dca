import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import {
  DEFAULT_RISK_POLICY, RiskPolicy, RiskPolicyInput, RiskPolicyView, resolvePolicy, toPolicyView,
} from '../src/index.js';

const TURNSTILE = { provider: 'turnstile', site_key: 'site', secret: 'shh' } as const;

function resolved(input: unknown, currentSecret?: string | null): RiskPolicy {
  const result = resolvePolicy(input, { currentSecret });
  if (!result.ok) throw new Error(JSON.stringify(result.fields));
  return result.policy;
}

function fields(input: unknown) {
  const result = resolvePolicy(input);
  if (result.ok) throw new Error('expected the policy to be refused');
  return result.fields;
}

describe('the default risk policy', () => {
  it('is the DESIGN §7 document, with no captcha provider and no secret', () => {
    expect(DEFAULT_RISK_POLICY).toEqual({
      captcha: {
        provider: null, site_key: null, min_score: 0.5, allowed_hostnames: [], verify_url: null, script_url: null,
        timeout_ms: 3000, on_every_login: false, outage_fallback: 'deny', secret: null,
        pow: { difficulty: 20000 }, test_mode: false,
      },
      thresholds: { challenge: 30, deny: 90 },
      rules: {
        ip_failures: { limit: 5, window_s: 900, points: 40 },
        account_failures: { limit: 3, window_s: 900, points: 40 },
        device_low_confidence: { below: 0.3, points: 40 },
        ip_categories: { known_bot: 50, tor: 40, vpn: 30, proxy: 30, datacenter: 30 },
        signup: { limit: 5, window_s: 3600, points: 40, block_limit: 50 },
        password_reset: { limit: 5, window_s: 3600, points: 40, block_limit: 30 },
      },
      lockout: {
        account_ip: { limit: 10, window_s: 900, lock_s: 900 },
        account: { limit: 50, window_s: 86400, lock_s: 3600 },
        ip: { limit: 100, window_s: 86400, block_s: 3600 },
      },
      trusted_networks: [],
      monitor_only: false,
    });
  });

  it('is frozen, so no caller can change every tenant’s defaults at once', () => {
    expect(Object.isFrozen(DEFAULT_RISK_POLICY.rules.ip_categories)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RISK_POLICY.trusted_networks)).toBe(true);
  });

  it('passes its own schema', () => {
    expect(Value.Check(RiskPolicy, DEFAULT_RISK_POLICY)).toBe(true);
  });
});

describe('resolvePolicy fills what a partial document omits', () => {
  it.each([
    ['an empty document', {}, DEFAULT_RISK_POLICY],
    ['one threshold', { thresholds: { challenge: 50 } }, { ...DEFAULT_RISK_POLICY, thresholds: { challenge: 50, deny: 90 } }],
    ['one nested rule field', { rules: { ip_failures: { limit: 8 } } },
      { ...DEFAULT_RISK_POLICY, rules: { ...DEFAULT_RISK_POLICY.rules, ip_failures: { limit: 8, window_s: 900, points: 40 } } }],
    ['a whole section left empty', { lockout: {} }, DEFAULT_RISK_POLICY],
    ['monitor mode only', { monitor_only: true }, { ...DEFAULT_RISK_POLICY, monitor_only: true }],
    // The demo tenant's emulator, wherever this server listens (see docs/decisions.md).
    ['captcha URLs that are paths on this server', { captcha: { verify_url: '/__captcha/turnstile/v0/siteverify', script_url: '/__captcha/turnstile/v0/api.js' } },
      { ...DEFAULT_RISK_POLICY, captcha: { ...DEFAULT_RISK_POLICY.captcha, verify_url: '/__captcha/turnstile/v0/siteverify', script_url: '/__captcha/turnstile/v0/api.js' } }],
  ])('%s', (_name, input, expected) => {
    expect(resolved(input)).toEqual(expected);
  });

  it('keeps trusted networks, bare addresses included, as written', () => {
    const networks = ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '::ffff:10.0.0.0/104', '0.0.0.0/0'];
    expect(resolved({ trusted_networks: networks }).trusted_networks).toEqual(networks);
  });

  it('accepts challenge equal to deny', () => {
    expect(resolved({ thresholds: { challenge: 60, deny: 60 } }).thresholds).toEqual({ challenge: 60, deny: 60 });
  });

  it('lists keys in schema order, whatever order the input used', () => {
    const policy = resolved({ monitor_only: true, rules: { ip_failures: { points: 10, limit: 2 } } });
    expect(Object.keys(policy)).toEqual(['captcha', 'thresholds', 'rules', 'lockout', 'trusted_networks', 'monitor_only']);
    expect(Object.keys(policy.rules.ip_failures)).toEqual(['limit', 'window_s', 'points']);
  });

  it('does not change the document it was given', () => {
    const input = { thresholds: { challenge: 40 } };
    resolved(input);
    expect(input).toEqual({ thresholds: { challenge: 40 } });
  });
});

describe('resolvePolicy refuses a bad document with every bad field at once', () => {
  it('reports schema errors in document order, unknown fields after the known ones', () => {
    expect(fields({
      captcha: { provider: 'friendlycaptcha', timeout_ms: 50, outage_fallback: 'allow', colour: 'red' },
      thresholds: { challenge: -1, deny: 101 },
      rules: { ip_failures: { window_s: 0 }, device_low_confidence: { below: 1.5 }, ip_categories: { tor: 100.5 } },
      lockout: { account: { limit: 101 }, ip: { block_s: 31 * 86400 } },
      trusted_networks: ['10.0.0.1/8', 'intranet', '10.0.0.0/33', '::ffff:0:0/95', 7],
      monitor_only: 'yes',
      thresold: {},
    })).toEqual([
      { path: 'captcha.provider', message: 'must be one of "turnstile", "recaptcha", "hcaptcha", "altcha" or null' },
      { path: 'captcha.timeout_ms', message: 'must be an integer from 100 to 30000' },
      { path: 'captcha.outage_fallback', message: 'must be one of "deny", "email_otp" or "pow"' },
      { path: 'captcha.colour', message: 'is not a known field' },
      { path: 'thresholds.challenge', message: 'must be an integer from 0 to 100' },
      { path: 'thresholds.deny', message: 'must be an integer from 0 to 100' },
      { path: 'rules.ip_failures.window_s', message: 'must be an integer from 1 to 2592000' },
      { path: 'rules.device_low_confidence.below', message: 'must be a number from 0 to 1' },
      { path: 'rules.ip_categories.tor', message: 'must be an integer from 0 to 100' },
      { path: 'lockout.account.limit', message: 'must be an integer from 1 to 100' },
      { path: 'lockout.ip.block_s', message: 'must be an integer from 1 to 2592000' },
      { path: 'trusted_networks.0', message: 'has address bits set after the /8 prefix' },
      { path: 'trusted_networks.1', message: 'must be an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32' },
      { path: 'trusted_networks.2', message: 'prefix length must be 0 to 32' },
      { path: 'trusted_networks.3', message: 'an IPv4-mapped network needs a prefix of at least /96' },
      { path: 'trusted_networks.4', message: 'must be an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32' },
      { path: 'monitor_only', message: 'must be true or false' },
      { path: 'thresold', message: 'is not a known field' },
    ]);
  });

  it('reports more than eight errors (the schema library stops at eight by default)', () => {
    const bad = Array.from({ length: 12 }, () => 'nope');
    expect(fields({ trusted_networks: bad })).toHaveLength(12);
  });

  it('refuses a challenge threshold above the deny threshold', () => {
    expect(fields({ thresholds: { challenge: 95 } }))
      .toEqual([{ path: 'thresholds.challenge', message: 'must not exceed thresholds.deny (90)' }]);
  });

  it('does not judge challenge against deny when deny is itself bad', () => {
    expect(fields({ thresholds: { challenge: 90, deny: 'high' } }))
      .toEqual([{ path: 'thresholds.deny', message: 'must be an integer from 0 to 100' }]);
  });

  it.each([
    ['a non-object document', [], [{ path: '', message: 'must be an object' }]],
    ['null', null, [{ path: '', message: 'must be an object' }]],
    ['prototype-polluting keys, reported rather than dropped', JSON.parse('{"__proto__":{"x":1},"rules":{"constructor":{}}}'), [
      { path: 'rules.constructor', message: 'is not a known field' },
      { path: '__proto__', message: 'is not a known field' },
    ]],
    ['sections that are not objects', { captcha: null, rules: [], trusted_networks: '10.0.0.0/8' }, [
      { path: 'captcha', message: 'must be an object' },
      { path: 'rules', message: 'must be an object' },
      { path: 'trusted_networks', message: 'must be a list, each entry an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32' },
    ]],
    ['too many trusted networks, as one error', { trusted_networks: Array.from({ length: 1001 }, () => '10.0.0.0/8') },
      [{ path: 'trusted_networks', message: 'must have at most 1000 entries' }]],
    ['a hostname with a scheme', { captcha: { allowed_hostnames: ['https://app.example.com'] } },
      [{ path: 'captcha.allowed_hostnames.0', message: 'must be a hostname without scheme or port' }]],
    ['a verify URL that is not http(s)', { captcha: { verify_url: 'ftp://x' } },
      [{ path: 'captcha.verify_url', message: 'must be an http(s) URL or a /path on this server or null' }]],
    // A URL parser reads `//host/…` and `/\host/…` as another host, not as a path on this one.
    ['a script URL that only looks like a path', { captcha: { script_url: '//evil.example/api.js', verify_url: '/\\evil.example/siteverify' } },
      [{ path: 'captcha.verify_url', message: 'must be an http(s) URL or a /path on this server or null' },
        { path: 'captcha.script_url', message: 'must be an http(s) URL or a /path on this server or null' }]],
  ])('%s', (_name, input, expected) => {
    expect(fields(input)).toEqual(expected);
  });
});

describe('the captcha secret is write-only', () => {
  it('is stored when written', () => {
    expect(resolved({ captcha: TURNSTILE }).captcha.secret).toBe('shh');
  });

  it('keeps the stored secret when the document does not mention it', () => {
    expect(resolved({ captcha: { provider: 'turnstile', site_key: 'site' } }, 'stored').captcha.secret).toBe('stored');
    expect(resolved({}, 'stored').captcha.secret).toBe('stored');
  });

  it('is cleared by null', () => {
    expect(resolved({ captcha: { secret: null } }, 'stored').captcha.secret).toBeNull();
  });

  it('reads back as secret_set, never as the secret', () => {
    const view = toPolicyView(resolved({ captcha: TURNSTILE }));
    expect(view.captcha).not.toHaveProperty('secret');
    expect(view.captcha.secret_set).toBe(true);
    expect(toPolicyView(DEFAULT_RISK_POLICY).captcha.secret_set).toBe(false);
    expect(Value.Check(RiskPolicyView, view)).toBe(true);
  });

  it('survives a GET → PUT round trip of the view, secret_set and all', () => {
    const view = toPolicyView(resolved({ captcha: TURNSTILE }));
    expect(resolved(view, 'shh')).toEqual(resolved({ captcha: TURNSTILE }));
  });

  it('refuses a secret_set that is not a boolean', () => {
    expect(fields({ captcha: { secret_set: 'yes' } })).toEqual([{ path: 'captcha.secret_set', message: 'must be true or false' }]);
  });

  it('is required, with the site key, once a provider is chosen', () => {
    expect(fields({ captcha: { provider: 'hcaptcha' } })).toEqual([
      { path: 'captcha.site_key', message: 'is required when captcha.provider is set' },
      { path: 'captcha.secret', message: 'is required when captcha.provider is set' },
    ]);
  });

  it('refuses an empty secret', () => {
    expect(fields({ captcha: { ...TURNSTILE, secret: '' } }))
      .toEqual([{ path: 'captcha.secret', message: 'must be a string of 1 to 1024 characters or null' }]);
  });
});

describe('RiskPolicyInput, the PUT body schema', () => {
  it.each([
    ['an empty document', {}, true],
    ['a partial section', { rules: { ip_categories: { tor: 10 } } }, true],
    ['a view read back', toPolicyView(DEFAULT_RISK_POLICY), true],
    ['an unknown field', { thresold: {} }, false],
    ['an out-of-range number', { thresholds: { deny: 200 } }, false],
  ])('%s → valid: %s', (_name, body, ok) => {
    expect(Value.Check(RiskPolicyInput, body)).toBe(ok);
  });

  it('documents defaults but has none for the secret, so a validator that fills defaults cannot clear it', () => {
    type Props = Record<string, Record<string, unknown>>;
    const captcha = (RiskPolicyInput as unknown as { properties: { captcha: { properties: Props } } }).properties.captcha.properties;
    expect(captcha.timeout_ms).toHaveProperty('default', 3000);
    expect(captcha.secret).not.toHaveProperty('default');
  });
});
