import type { PortcullisClientError } from '@portcullis/js';
import { useEffect, useRef, type FormEvent, type ReactNode, type Ref } from 'react';
import { usePortcullisContext } from './context.js';
import { describeError } from './messages.js';

type ShownError = Pick<PortcullisClientError, 'code' | 'message' | 'details'> | null;

/** The field a server refusal names (`details.fields[0].path`), to mark it invalid. */
export function fieldInError(error: ShownError): string | undefined {
  const fields = error?.details?.['fields'];
  const path = Array.isArray(fields) ? (fields[0] as { path?: unknown } | undefined)?.path : undefined;
  return typeof path === 'string' ? path.replace(/^\/+/, '') : undefined;
}

/** A labelled input; `invalid` points it at the error region, so a screen reader reads why. */
export function Field(props: { id: string; name: string; label: string; type: string; autoComplete: string; invalid?: boolean; errorId: string; hint?: string; minLength?: number }): ReactNode {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const describedBy = [hintId, props.invalid ? props.errorId : undefined].filter(Boolean).join(' ') || undefined;
  return (
    <div className="portcullis-field">
      <label htmlFor={props.id}>{props.label}</label>
      <input id={props.id} name={props.name} type={props.type} autoComplete={props.autoComplete} required
        minLength={props.minLength} autoCapitalize={props.type === 'email' ? 'none' : undefined} spellCheck={props.type === 'email' ? false : undefined}
        aria-invalid={props.invalid || undefined} aria-describedby={describedBy} />
      {props.hint ? <p id={hintId} className="portcullis-hint">{props.hint}</p> : null}
    </div>
  );
}

/** Two new-password fields; the second is checked against the first before anything is sent. */
export function NewPasswordFields({ id, label, error, errorId, minLength }: { id: string; label: string; error: ShownError; errorId: string; minLength?: number | undefined }): ReactNode {
  const field = fieldInError(error);
  return (
    <>
      <Field id={`${id}-password`} name="password" label={label} type="password" autoComplete="new-password" errorId={errorId}
        invalid={field === 'password'} minLength={minLength}
        hint={`${minLength ? `At least ${minLength} characters. ` : ''}A long passphrase is best; common passwords are refused.`} />
      <Field id={`${id}-password-again`} name="password-again" label={`${label}, again`} type="password" autoComplete="new-password"
        errorId={errorId} invalid={error?.code === 'password_mismatch'} />
    </>
  );
}

/** The form's end: the captcha slot, a live region present (empty) from the first render, and the button. */
export function FormEnd({ errorId, error, busy, label, busyLabel, captchaSlotRef }: {
  errorId: string; error: ShownError; busy: boolean; label: string; busyLabel: string; captchaSlotRef?: Ref<HTMLDivElement> | undefined;
}): ReactNode {
  return (
    <>
      {captchaSlotRef ? <div ref={captchaSlotRef} className="portcullis-captcha-slot" /> : null}
      <div id={errorId} className="portcullis-error" aria-live="polite" aria-atomic="true">{error ? describeError(error) : null}</div>
      {/* aria-disabled, not disabled: a disabled button drops keyboard focus to <body> mid-request. */}
      <button type="submit" aria-disabled={busy || undefined}>{busy ? busyLabel : label}</button>
    </>
  );
}

/** What replaces a form once it did its job: a status the screen reader announces. */
export function Done({ className, title, children }: { className: string; title: string; children: ReactNode }): ReactNode {
  return (
    <div className={className} role="status">
      <p className="portcullis-done-title"><strong>{title}</strong></p>
      <p>{children}</p>
    </div>
  );
}

/** A ref for the form's captcha slot, registered with the provider's slot while mounted (null when the app placed widgets itself). */
export function useCaptchaSlotRef(component: string): { store: ReturnType<typeof usePortcullisContext>['store']; slotRef: Ref<HTMLDivElement> | undefined } {
  const { store, captchaSlot } = usePortcullisContext(component);
  const slotRef = useRef<HTMLDivElement>(null);
  useEffect(() => (captchaSlot && slotRef.current ? captchaSlot.add(slotRef.current) : undefined), [captchaSlot]);
  return { store, slotRef: captchaSlot ? slotRef : undefined };
}

/** The named fields of a submitted form, as strings. */
export function formValues(event: FormEvent<HTMLFormElement>): (name: string) => string {
  event.preventDefault();
  const data = new FormData(event.currentTarget);
  return (name) => String(data.get(name) ?? '');
}
