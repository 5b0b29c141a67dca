/**
 * Where the provider's own client renders captcha widgets: inside the most recently mounted
 * `<SignIn/>`, under its password field. The SDK reads the container when a challenge comes,
 * so the slot is resolved then, not when the client is built.
 */
export interface CaptchaSlot {
  /** Registers a mounted slot element; returns its removal. */
  add(element: HTMLElement): () => void;
  /** The element to render into now. */
  resolve(): HTMLElement;
}

/**
 * With no `<SignIn/>` mounted (an app calling `useAuth().signIn` from its own form), widgets go
 * into one container appended to `<body>`, as the SDK's `captchaContainer` must name an element.
 */
export function createCaptchaSlot(): CaptchaSlot {
  const mounted: HTMLElement[] = [];
  let fallback: HTMLElement | undefined;
  return {
    add(element) {
      mounted.push(element);
      return () => {
        const i = mounted.lastIndexOf(element);
        if (i >= 0) mounted.splice(i, 1);
      };
    },
    resolve() {
      const live = mounted.findLast((e) => e.isConnected);
      if (live) return live;
      if (!fallback?.isConnected) {
        fallback = document.createElement('div');
        fallback.className = 'portcullis-captcha-fallback';
        document.body.append(fallback);
      }
      return fallback;
    },
  };
}
