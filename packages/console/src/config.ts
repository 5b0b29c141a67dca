import type { AuthClientOptions } from '@portcullis/js';

/** What the server tells the console about its tenant, in a `<meta>` tag (no inline script to allow in the CSP). */
export interface ConsoleConfig {
  tenant: string;
  scriptUrls: NonNullable<AuthClientOptions['scriptUrls']>;
}

export function readConfig(doc: Document = document): ConsoleConfig {
  const raw = doc.querySelector('meta[name="portcullis-console"]')?.getAttribute('content') ?? '';
  try {
    const parsed = JSON.parse(raw) as Partial<ConsoleConfig>;
    return { tenant: String(parsed.tenant ?? ''), scriptUrls: parsed.scriptUrls ?? {} };
  } catch {
    // Served by `vite dev` or opened from disk: no server to say which tenant.
    return { tenant: '', scriptUrls: {} };
  }
}
