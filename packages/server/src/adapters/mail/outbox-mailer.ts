import type { Mailer } from '../../ports/mailer.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/clock.js';
import { newId } from '../../ports/ids.js';

/** The embedded default: mail is kept in the database and shown by `portcullis outbox`. */
export function createOutboxMailer(store: Store, clock: Clock): Mailer {
  return {
    async send(m) {
      await store.outbox.insert({ id: newId('msg'), tenantId: m.tenantId, recipient: m.to, subject: m.subject, body: m.text, createdAt: new Date(clock.now()).toISOString() });
    },
    close: async () => {},
  };
}
