import Fastify from 'fastify';
import type { EmulatorControls } from './controls.js';
import { createCaptchaEmulator } from './emulator.js';
import type { EmulatorOptions } from './types.js';

/** Where a standalone emulator listens, plus the emulator's own options. */
export interface StandaloneOptions extends EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface; defaults to `127.0.0.1` (an emulator has no business on a public interface). */
  host?: string;
}

/** A running standalone emulator. */
export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  controls: EmulatorControls;
  close(): Promise<void>;
}

/**
 * Runs an emulator on its own origin, so a page's CSP treats it as a third party exactly as it
 * treats `challenges.cloudflare.com`: forgetting the origin in `frame-src` breaks the widget.
 */
export async function startCaptchaEmulator(options: StandaloneOptions = {}): Promise<RunningEmulator> {
  const { port = 0, host = '127.0.0.1', ...emulatorOptions } = options;
  // forceCloseConnections: close() must not wait on keep-alive sockets or on `hang` requests.
  const app = Fastify({ forceCloseConnections: true });
  const emulator = createCaptchaEmulator(emulatorOptions);
  await emulator.register(app);
  await app.listen({ port, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('emulator did not bind a TCP port');
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostPart}:${address.port}`,
    controls: emulator.controls,
    close: () => app.close(),
  };
}
