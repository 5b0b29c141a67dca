import type { FastifyInstance } from 'fastify';
import { jsonBody } from './body.js';
import { isOutageMode, isProvider, type EmulatorControls } from './controls.js';
import type { ChallengeBehaviour } from './types.js';

const CHALLENGES: readonly ChallengeBehaviour[] = ['auto', 'click', 'block'];

/**
 * The HTTP face of `controls`, for tests that drive an emulator in another process (e2e against
 * `npm start` or the bin). Bad input gets a 400 with the reason; nothing is half-applied.
 */
export function registerControlRoutes(app: FastifyInstance, controls: EmulatorControls): void {
  app.get('/__emulator/state', async () => controls.state());

  app.post('/__emulator/mode', async (request, reply) => {
    const body = jsonBody(request);
    const provider = body.provider === undefined ? undefined : isProvider(body.provider) ? body.provider : null;
    if (provider === null) return reply.code(400).send({ error: 'unknown provider' });
    if (body.mode !== undefined && !isOutageMode(body.mode)) return reply.code(400).send({ error: 'unknown mode' });
    const latency = body.latency_ms;
    if (latency !== undefined && (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0)) {
      return reply.code(400).send({ error: 'latency_ms must be a non-negative number' });
    }
    if (body.mode !== undefined) controls.setMode(body.mode, provider);
    if (latency !== undefined) controls.setLatency(latency, provider);
    return controls.state();
  });

  app.post('/__emulator/sites', async (request, reply) => {
    const body = jsonBody(request);
    const { provider, sitekey, secret, score, challenge } = body;
    if (!isProvider(provider) || typeof sitekey !== 'string' || !sitekey || typeof secret !== 'string' || !secret) {
      return reply.code(400).send({ error: 'provider, sitekey and secret are required' });
    }
    if (score !== undefined && (typeof score !== 'number' || score < 0 || score > 1)) {
      return reply.code(400).send({ error: 'score must be between 0 and 1' });
    }
    if (challenge !== undefined && !CHALLENGES.includes(challenge as ChallengeBehaviour)) {
      return reply.code(400).send({ error: 'challenge must be auto, click or block' });
    }
    controls.registerSite({
      provider, sitekey, secret,
      ...(score !== undefined ? { score: score as number } : {}),
      ...(challenge !== undefined ? { challenge: challenge as ChallengeBehaviour } : {}),
    });
    return reply.code(201).send({ provider, sitekey });
  });

  app.post('/__emulator/tokens', async (request, reply) => {
    const body = jsonBody(request);
    if (!isProvider(body.provider) || typeof body.sitekey !== 'string') {
      return reply.code(400).send({ error: 'provider and sitekey are required' });
    }
    const opt = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const action = opt(body.action);
    const hostname = opt(body.hostname);
    const token = controls.mintToken({
      provider: body.provider, sitekey: body.sitekey,
      ...(action !== undefined ? { action } : {}), ...(hostname !== undefined ? { hostname } : {}),
      ...(body.version === 'v3' ? { version: 'v3' as const } : {}),
    });
    return reply.code(201).send({ token });
  });

  app.post('/__emulator/reset', async (_request, reply) => {
    controls.reset();
    return reply.code(204).send();
  });
}
