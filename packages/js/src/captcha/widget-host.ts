import { openModal } from '../ui/modal.js';

/** Where one widget lives: an element to render into, and its removal. */
export interface WidgetHost {
  element: HTMLElement;
  close(): void;
}

/**
 * A fresh element inside the caller's container (so removing the widget never touches the
 * caller's own markup), or the built-in modal dialog, whose Escape / Cancel calls `onCancel`.
 */
export function openWidgetHost(container: HTMLElement | (() => HTMLElement) | undefined, onCancel: () => void): WidgetHost {
  if (container) {
    const parent = typeof container === 'function' ? container() : container;
    const element = document.createElement('div');
    element.className = 'portcullis-captcha';
    parent.append(element);
    return { element, close: () => element.remove() };
  }
  const modal = openModal({ title: 'Verify you are human', text: 'Complete the check below to continue signing in.', onCancel });
  return { element: modal.body, close: () => modal.close() };
}

/**
 * Calls `onLoaded` once an iframe inside `root` (including one the widget adds later) has
 * loaded: the sign that the widget rendered. Returns the function that stops watching.
 */
export function watchFrameLoad(root: HTMLElement, onLoaded: () => void): () => void {
  const seen = new WeakSet<HTMLIFrameElement>();
  const attach = () => {
    for (const frame of root.querySelectorAll('iframe')) {
      if (seen.has(frame)) continue;
      seen.add(frame);
      frame.addEventListener('load', onLoaded, { once: true });
    }
  };
  const observer = new MutationObserver(attach);
  observer.observe(root, { childList: true, subtree: true });
  attach();
  return () => observer.disconnect();
}
