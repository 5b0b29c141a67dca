import { createContext, useContext } from 'react';
import type { AuthStore } from './auth-store.js';
import type { CaptchaSlot } from './captcha-slot.js';

/** What `<PortcullisProvider>` shares: the store, and the captcha slot when it built the client. */
export interface PortcullisContextValue {
  store: AuthStore;
  /** Null when the app passed its own client or `captchaContainer`: widgets go where it said. */
  captchaSlot: CaptchaSlot | null;
}

export const PortcullisContext = createContext<PortcullisContextValue | null>(null);

/** The provider's value; throws a developer-facing error outside `<PortcullisProvider>`. */
export function usePortcullisContext(hook: string): PortcullisContextValue {
  const value = useContext(PortcullisContext);
  if (!value) throw new Error(`${hook} must be used inside <PortcullisProvider>.`);
  return value;
}
