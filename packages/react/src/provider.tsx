import { AuthClient, type AuthClientOptions } from '@portcullis/js';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { createAuthStore } from './auth-store.js';
import { createCaptchaSlot } from './captcha-slot.js';
import { PortcullisContext, type PortcullisContextValue } from './context.js';

/** Props of {@link PortcullisProvider}: an existing client, or options to build one. */
export interface PortcullisProviderProps {
  /** A client the app built (and may use outside React). Takes precedence over `options`. */
  client?: AuthClient;
  /**
   * Options for the client the provider builds, read once on mount. Without a
   * `captchaContainer`, widgets render inline in the mounted `<SignIn/>`.
   */
  options?: AuthClientOptions;
  children?: ReactNode;
}

/**
 * Holds one {@link AuthClient} for the tree below and follows its session. Tokens live in that
 * client's memory only, so the provider should sit high enough not to remount on navigation.
 */
export function PortcullisProvider({ client, options, children }: PortcullisProviderProps): ReactNode {
  const [slot] = useState(createCaptchaSlot);
  const own = useRef<AuthClient | null>(null);
  const inline = !client && !options?.captchaContainer;
  if (!client && own.current === null) {
    own.current = new AuthClient(inline ? { ...options, captchaContainer: slot.resolve } : options);
  }
  const active = client ?? (own.current as AuthClient);
  const value = useMemo<PortcullisContextValue>(
    () => ({ store: createAuthStore(active), captchaSlot: inline ? slot : null }),
    [active, inline, slot],
  );
  return <PortcullisContext.Provider value={value}>{children}</PortcullisContext.Provider>;
}
