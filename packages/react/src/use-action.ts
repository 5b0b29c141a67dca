import type { PortcullisClientError } from '@portcullis/js';
import { useCallback, useEffect, useRef, useState } from 'react';
import { toClientError } from './errors.js';

/** The state of one account form: in flight, failed with an error, or done with a value. */
export interface ActionState<T> {
  busy: boolean;
  error: PortcullisClientError | null;
  done: T | undefined;
}

/**
 * Runs one SDK call for a form: one at a time (a second submit would start a second captcha
 * round), its error kept for the live region, nothing set after the form unmounted.
 */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>): ActionState<T> & { run: (...args: A) => Promise<T | undefined> } {
  const [state, setState] = useState<ActionState<T>>({ busy: false, error: null, done: undefined });
  const live = useRef(true);
  const inFlight = useRef(false);
  useEffect(() => {
    live.current = true;
    return () => { live.current = false; };
  }, []);
  const run = useCallback(async (...args: A) => {
    if (inFlight.current) return undefined;
    inFlight.current = true;
    setState({ busy: true, error: null, done: undefined });
    try {
      const done = await action(...args);
      if (live.current) setState({ busy: false, error: null, done });
      return done;
    } catch (caught) {
      if (live.current) setState({ busy: false, error: toClientError(caught), done: undefined });
      return undefined;
    } finally {
      inFlight.current = false;
    }
  }, [action]);
  return { ...state, run };
}
