import type { ChangeBus, ChangeHandler } from '../../ports/change-bus.js';

/** Endpoints in one process that hear each other: the embedded default (one endpoint) and in-process tests (several). */
export interface MemoryChangeHub {
  bus(): ChangeBus;
}

export function createMemoryChangeHub(): MemoryChangeHub {
  const endpoints = new Set<{ handlers: ChangeHandler[] }>();
  return {
    bus() {
      const self = { handlers: [] as ChangeHandler[] };
      endpoints.add(self);
      return {
        async publish(tenantId) {
          for (const other of endpoints) {
            if (other === self) continue;
            for (const handler of other.handlers) {
              try { handler(tenantId); } catch { /* one subscriber's bug does not fail the publisher */ }
            }
          }
        },
        subscribe(handler) { self.handlers.push(handler); },
        async close() { endpoints.delete(self); },
      };
    },
  };
}
