import type { Accounts } from './accounts.js';
import type { Faults } from './faults.js';
import type { TokenCodec } from './token.js';
import {
  OUTAGE_MODES, PROVIDERS, type MintInput, type OutageMode, type Provider, type SiteRegistration,
} from './types.js';

/** A snapshot of the emulator's switches and counters (also served at `GET /__emulator/state`). */
export interface EmulatorState {
  modes: Record<Provider, OutageMode>;
  latency_ms: Record<Provider, number>;
  siteverify_calls: Record<Provider | 'total', number>;
}

/** What a test (or the dev server) may do to an emulator. */
export interface EmulatorControls {
  /** Emulates a provider account: tokens for `sitekey` verify with `secret` and nothing else. */
  registerSite(site: SiteRegistration): void;
  /** Switches siteverify into an outage mode, for one provider or (without one) all three. */
  setMode(mode: OutageMode, provider?: Provider): void;
  /** Delays every siteverify answer by `ms`, for one provider or all three. */
  setLatency(ms: number, provider?: Provider): void;
  /** Current mode of a provider. */
  mode(provider: Provider): OutageMode;
  /** Siteverify requests received (answered or not), for one provider or all. */
  siteverifyCalls(provider?: Provider): number;
  /** Mints a token without a browser, as the widget would after a solved challenge. */
  mintToken(input: MintInput): string;
  /** Back to `ok`, no latency, zero counters, no spent tokens; registered sites stay. */
  reset(): void;
  state(): EmulatorState;
}

/** Validates a mode name from outside TypeScript (the HTTP control endpoint, the CLI). */
export function isOutageMode(value: unknown): value is OutageMode {
  return typeof value === 'string' && (OUTAGE_MODES as readonly string[]).includes(value);
}

/** Validates a provider name from outside TypeScript. */
export function isProvider(value: unknown): value is Provider {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
}

/** Builds the controls over one emulator's state. */
export function createControls(accounts: Accounts, faults: Faults, codec: TokenCodec): EmulatorControls {
  const perProvider = <T>(f: (p: Provider) => T): Record<Provider, T> =>
    Object.fromEntries(PROVIDERS.map((p) => [p, f(p)])) as Record<Provider, T>;
  return {
    registerSite(site) {
      if (!isProvider(site.provider)) throw new TypeError(`unknown provider: ${String(site.provider)}`);
      accounts.registerSite(site);
    },
    setMode(mode, provider) {
      if (!isOutageMode(mode)) throw new TypeError(`unknown outage mode: ${String(mode)}`);
      faults.setMode(mode, provider);
    },
    setLatency: (ms, provider) => faults.setLatency(ms, provider),
    mode: (provider) => faults.mode(provider),
    siteverifyCalls: (provider) => faults.calls(provider),
    mintToken: (input) => codec.mint(input),
    reset() {
      faults.reset();
      accounts.clearSpent();
    },
    state: () => ({
      modes: perProvider((p) => faults.mode(p)),
      latency_ms: perProvider((p) => faults.latency(p)),
      siteverify_calls: { ...perProvider((p) => faults.calls(p)), total: faults.calls() },
    }),
  };
}
