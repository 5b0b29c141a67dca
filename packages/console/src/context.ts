import { createContext, useContext } from 'react';
import type { Api } from './api/client.js';

export interface ConsoleContextValue {
  api: Api;
  /** Says something to screen readers (and sighted users) through the shell's status region. */
  announce(message: string): void;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole() outside the console shell');
  return value;
}
