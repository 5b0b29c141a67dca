/** A built-in dialog: heading, text, a body for content, and a way out. */
export interface Modal {
  body: HTMLElement;
  /** An always-present live region for errors (announced when its text changes). */
  alert: HTMLElement;
  close(): void;
}

let counter = 0;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Opens an accessible modal `<dialog>`: labelled by its heading, described by its text, focus
 * moved in and given back on close, Escape and the Cancel button both call `onCancel`.
 * Styled through CSSOM only: a strict `style-src` (the hosted page's) blocks `<style>` and
 * `style=""`, not `element.style`.
 */
export function openModal(options: { title: string; text: string; onCancel: () => void }): Modal {
  const id = `portcullis-dialog-${++counter}`;
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const dialog = el('dialog');
  const heading = el('h2', options.title);
  const text = el('p', options.text);
  const body = el('div');
  const alert = el('p');
  const cancel = el('button', 'Cancel');
  heading.id = `${id}-title`;
  heading.tabIndex = -1;
  text.id = `${id}-text`;
  alert.setAttribute('role', 'alert');
  cancel.type = 'button';
  dialog.setAttribute('aria-labelledby', heading.id);
  dialog.setAttribute('aria-describedby', text.id);
  Object.assign(dialog.style, { maxWidth: '24rem', padding: '1.25rem', border: '1px solid #888', borderRadius: '8px', font: '16px system-ui, sans-serif' });
  Object.assign(heading.style, { margin: '0 0 .5rem', fontSize: '1.25rem' });
  Object.assign(alert.style, { color: '#b00020', margin: '.5rem 0' });
  dialog.append(heading, text, body, alert, cancel);

  let open = true;
  const cancelOnce = () => {
    if (open) options.onCancel();
  };
  // `cancel` is Escape on a modal dialog; prevent the default close so the flow decides.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    cancelOnce();
  });
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') cancelOnce();
  });
  cancel.addEventListener('click', cancelOnce);

  document.body.append(dialog);
  if (typeof dialog.showModal === 'function') dialog.showModal();
  else {
    dialog.setAttribute('open', '');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
  }
  heading.focus();

  return {
    body,
    alert,
    close() {
      if (!open) return;
      open = false;
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      dialog.remove();
      previous?.focus();
    },
  };
}
