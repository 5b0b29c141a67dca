/**
 * The HTTP face of a running Portcullis, as `demo traffic` uses it: the public sign-in API, the
 * management API under client credentials, and the development captcha emulator. Nothing here
 * reaches into the server's modules: the command must work against any running instance.
 */
export interface Answer {
  status: number;
  body: Record<string, any>;
}

export class DemoTrafficError extends Error {}

export interface DemoClient {
  /** `POST /api/v1/auth/login`, claiming `ip` through X-Forwarded-For. */
  login(body: Record<string, unknown>, ip: string): Promise<Answer>;
  /** A management API call with a client-credentials token (fetched once, renewed on a 401). */
  manage(method: string, path: string, body?: unknown): Promise<Answer>;
  /** A solved token from the emulator, as the widget would get one. */
  solvedToken(): Promise<string>;
  /** Switches the emulated provider's siteverify into `mode` (`ok` ends an outage). */
  providerMode(mode: string): Promise<void>;
}

export interface ClientOptions {
  base: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** Where the tenant's emulator lives and which site it emulates; set once the policy is read. */
  captcha?: { emulator: string; provider: string; siteKey: string };
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new DemoTrafficError(`cannot reach ${new URL(url).origin} (${(error as Error).message}); is \`portcullis start\` running there?`);
  }
  const text = await response.text();
  let body: Record<string, any> = {};
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, any>);
  } catch {
    body = { error: 'not_json', text: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

const json = { 'content-type': 'application/json' };

export function createDemoClient(options: ClientOptions): DemoClient {
  const { base, tenant } = options;
  const tenantHeader = { 'x-tenant': tenant };
  let accessToken: string | undefined;

  async function token(): Promise<string> {
    const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64');
    const answer = await send(`${base}/oauth2/token`, {
      method: 'POST', headers: { ...tenantHeader, authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    if (answer.status !== 200 || typeof answer.body['access_token'] !== 'string') {
      throw new DemoTrafficError(`the admin application was refused a token (${answer.status} ${String(answer.body['error'] ?? '')}); are the credentials for tenant ${tenant}?`);
    }
    return answer.body['access_token'] as string;
  }

  async function manage(method: string, path: string, body?: unknown): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      accessToken ??= await token();
      const answer = await send(`${base}${path}`, {
        method, headers: { ...tenantHeader, authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : json) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (answer.status !== 401 || attempt > 0) return answer;
      accessToken = undefined; // expired during a long run
    }
  }

  const captcha = () => {
    if (!options.captcha) throw new DemoTrafficError('the captcha emulator is not known yet');
    return options.captcha;
  };

  return {
    login: (body, ip) => send(`${base}/api/v1/auth/login`, { method: 'POST', headers: { ...tenantHeader, ...json, 'x-forwarded-for': ip }, body: JSON.stringify(body) }),
    manage,
    async solvedToken() {
      const { emulator, provider, siteKey } = captcha();
      const answer = await send(`${emulator}/__emulator/tokens`, {
        method: 'POST', headers: json,
        body: JSON.stringify({ provider, sitekey: siteKey, action: 'login', hostname: new URL(base).hostname }),
      });
      if (answer.status !== 201 || typeof answer.body['token'] !== 'string') throw new DemoTrafficError(`the captcha emulator at ${emulator} minted no token (${answer.status})`);
      return answer.body['token'] as string;
    },
    async providerMode(mode) {
      const { emulator, provider } = captcha();
      const answer = await send(`${emulator}/__emulator/mode`, { method: 'POST', headers: json, body: JSON.stringify({ provider, mode }) });
      if (answer.status !== 200) throw new DemoTrafficError(`the captcha emulator refused mode ${mode} (${answer.status})`);
    },
  };
}
