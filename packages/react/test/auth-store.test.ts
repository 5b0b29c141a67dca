import { PortcullisClientError } from '@portcullis/js';
import { describe, expect, it, vi } from 'vitest';
import { createAuthStore, type AuthClientLike } from '../src/auth-store.js';
import { aSession, FakeClient } from './sdk.js';

vi.mock('@portcullis/js', () => import('./sdk.js').then((m) => m.loadSdk()));

const setup = () => {
  const client = new FakeClient();
  const store = createAuthStore(client as unknown as AuthClientLike);
  const seen: unknown[] = [];
  const unsubscribe = store.subscribe(() => seen.push(store.getState()));
  return { client, store, seen, unsubscribe };
};

describe('auth store', () => {
  it('starts from the client session, idle and without error', () => {
    const client = new FakeClient();
    client.session = aSession();
    expect(createAuthStore(client as unknown as AuthClientLike).getState())
      .toEqual({ session: client.session, loading: false, error: null });
  });

  it('goes loading → signed in, resolving with the session', async () => {
    const { client, store, seen } = setup();
    const pending = store.signIn('anita@example.com', 'pw');
    expect(store.getState()).toEqual({ session: null, loading: true, error: null });
    client.signIns[0]!.resolve(aSession());
    await expect(pending).resolves.toEqual(aSession());
    expect(store.getState()).toEqual({ session: aSession(), loading: false, error: null });
    expect(client.calls).toEqual(['signIn anita@example.com']);
    expect(seen.at(-1)).toBe(store.getState());
  });

  it('keeps the SDK error in state and rejects with the same object', async () => {
    const { client, store } = setup();
    const pending = store.signIn('a@example.com', 'wrong');
    const error = new PortcullisClientError('invalid_credentials', { status: 401 });
    client.signIns[0]!.reject(error);
    await expect(pending).rejects.toBe(error);
    expect(store.getState()).toEqual({ session: null, loading: false, error });
  });

  it('clears the error when the next attempt starts', async () => {
    const { client, store } = setup();
    const first = store.signIn('a@example.com', 'wrong');
    client.signIns[0]!.reject(new PortcullisClientError('invalid_credentials'));
    await first.catch(() => {});
    void store.signIn('a@example.com', 'right');
    expect(store.getState()).toMatchObject({ loading: true, error: null });
  });

  it('wraps a foreign failure as internal_error, keeping the cause', async () => {
    const { client, store } = setup();
    const pending = store.signIn('a@example.com', 'pw');
    const bug = new TypeError('x is undefined');
    client.signIns[0]!.reject(bug);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortcullisClientError);
    expect(error).toMatchObject({ code: 'internal_error', cause: bug });
    expect(store.getState().error).toBe(error);
  });

  it('lets only the newest attempt settle loading and error', async () => {
    const { client, store } = setup();
    const first = store.signIn('a@example.com', 'one');
    const second = store.signIn('a@example.com', 'two');
    client.signIns[0]!.reject(new PortcullisClientError('captcha_cancelled'));
    await first.catch(() => {});
    expect(store.getState()).toMatchObject({ loading: true, error: null });
    client.signIns[1]!.resolve(aSession());
    await second;
    expect(store.getState()).toEqual({ session: aSession(), loading: false, error: null });
  });

  it('follows sessions changed through the client elsewhere, and a new session ends a shown error', async () => {
    const { client, store } = setup();
    const failed = store.signIn('a@example.com', 'wrong');
    client.signIns[0]!.reject(new PortcullisClientError('invalid_credentials'));
    await failed.catch(() => {});
    client.emit(aSession('usr_2'));
    expect(store.getState()).toEqual({ session: aSession('usr_2'), loading: false, error: null });
    client.emit(null); // e.g. a refresh token rejected as reused
    expect(store.getState().session).toBeNull();
  });

  it('signs out: loading, then no session', async () => {
    const { client, store } = setup();
    client.emit(aSession());
    const pending = store.signOut();
    expect(store.getState().loading).toBe(true);
    await pending;
    expect(store.getState()).toEqual({ session: null, loading: false, error: null });
  });

  it('reports a failed sign-out, with the local session gone as the SDK leaves it', async () => {
    const { client, store } = setup();
    client.emit(aSession());
    client.signOutResult = Promise.reject(new PortcullisClientError('network_error'));
    await expect(store.signOut()).rejects.toMatchObject({ code: 'network_error' });
    expect(store.getState()).toMatchObject({ session: null, loading: false, error: { code: 'network_error' } });
  });

  it('listens to the client only while it has listeners, and catches up on resubscribe', () => {
    const { client, store, unsubscribe } = setup();
    expect(client.listeners.size).toBe(1);
    unsubscribe();
    expect(client.listeners.size).toBe(0);
    client.emit(aSession()); // missed while nobody listened
    const again = store.subscribe(() => {});
    expect(store.getState().session).toEqual(aSession());
    again();
  });

  it('keeps the snapshot identity until something changes', () => {
    const { client, store, seen } = setup();
    const before = store.getState();
    client.emit(null); // no change: still signed out
    expect(store.getState()).toBe(before);
    expect(seen).toEqual([]);
  });

  it('passes getAccessToken through', async () => {
    const { client, store } = setup();
    client.emit(aSession());
    await expect(store.getAccessToken()).resolves.toBe('at');
  });
});
