import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCaptchaSlot } from '../src/captcha-slot.js';

const el = (isConnected = true) => ({ isConnected }) as HTMLElement;

describe('captcha slot', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('resolves to the most recently mounted, still connected form', () => {
    const slot = createCaptchaSlot();
    const [a, b] = [el(), el()];
    slot.add(a);
    const removeB = slot.add(b);
    expect(slot.resolve()).toBe(b);
    removeB();
    expect(slot.resolve()).toBe(a);
  });

  it('falls back to one container at the end of <body> when no form is mounted', () => {
    const appended: unknown[] = [];
    vi.stubGlobal('document', {
      createElement: () => ({ className: '', isConnected: false }),
      body: { append: (e: { isConnected: boolean }) => { e.isConnected = true; appended.push(e); } },
    });
    const slot = createCaptchaSlot();
    slot.add(el(false)); // unmounted without cleanup: never a target
    const first = slot.resolve();
    expect(slot.resolve()).toBe(first);
    expect(appended).toEqual([{ className: 'portcullis-captcha-fallback', isConnected: true }]);
  });
});
