import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { siteverifyParams } from './body.js';
import { sendFault, type Faults } from './faults.js';
import { PROVIDERS } from './types.js';
import { verifySiteResponse, type VerifyDeps } from './verify.js';
import { SPECS } from './widget/spec.js';

/**
 * `POST <siteverifyPath>` for each provider. Every request is counted before anything else, so
 * a test can assert that the server did (or did not) call the provider even when the answer
 * is a fault. The mode is read on arrival; latency applies to every answer, faults included.
 */
export function registerSiteverifyRoutes(app: FastifyInstance, faults: Faults, deps: VerifyDeps): void {
  for (const provider of PROVIDERS) {
    app.post(SPECS[provider].siteverifyPath, async (request, reply) => {
      faults.count(provider);
      const mode = faults.mode(provider);
      const delay = faults.latency(provider);
      if (delay > 0) await sleep(delay);
      if (mode !== 'ok') {
        sendFault(mode, request, reply, faults);
        return reply;
      }
      const answer = verifySiteResponse(provider, siteverifyParams(provider, request), deps);
      return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(answer));
    });
  }
}
