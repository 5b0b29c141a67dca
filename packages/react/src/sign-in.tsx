import type { PortcullisClientError, Session } from '@portcullis/js';
import { useEffect, useId, useRef, type FormEvent, type ReactNode, type Ref } from 'react';
import { usePortcullisContext } from './context.js';
import { describeError } from './messages.js';
import { useAuth } from './use-auth.js';

/** Props of {@link SignIn}. */
export interface SignInProps {
  /** Called with the new session after a successful sign-in. */
  onSuccess?: (session: Session) => void;
  className?: string;
}

/**
 * An accessible email-and-password form. Captcha widgets render inline under the password field
 * (when the provider built the client) and the email-code step opens the SDK's own prompt, so
 * the app writes no code for either.
 */
export function SignIn({ onSuccess, className }: SignInProps): ReactNode {
  const { captchaSlot } = usePortcullisContext('<SignIn/>');
  const { signIn, loading, error } = useAuth();
  const slotRef = useRef<HTMLDivElement>(null);
  useEffect(() => (captchaSlot && slotRef.current ? captchaSlot.add(slotRef.current) : undefined), [captchaSlot]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (loading) return; // a second submit would start a second captcha round
    const data = new FormData(event.currentTarget);
    signIn(String(data.get('email') ?? '').trim(), String(data.get('password') ?? ''))
      .then((session) => onSuccess?.(session))
      .catch(() => {}); // shown through `error`
  };

  return (
    <SignInForm className={className} busy={loading} error={error} onSubmit={submit}
      captchaSlotRef={captchaSlot ? slotRef : undefined} />
  );
}

/** The view of {@link SignIn}, without state: what the markup tests render. */
export interface SignInFormProps {
  busy: boolean;
  error: Pick<PortcullisClientError, 'code' | 'message' | 'details'> | null;
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
  captchaSlotRef?: Ref<HTMLDivElement> | undefined;
  className?: string | undefined;
}

export function SignInForm({ busy, error, onSubmit, captchaSlotRef, className }: SignInFormProps): ReactNode {
  const id = useId();
  const errorId = `${id}-error`;
  const badCredentials = error?.code === 'invalid_credentials';
  return (
    <form className={className ?? 'portcullis-sign-in'} onSubmit={onSubmit} aria-busy={busy}>
      <div className="portcullis-field">
        <label htmlFor={`${id}-email`}>Email</label>
        <input id={`${id}-email`} name="email" type="email" autoComplete="username" required
          autoCapitalize="none" spellCheck={false} aria-invalid={badCredentials || undefined} />
      </div>
      <div className="portcullis-field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input id={`${id}-password`} name="password" type="password" autoComplete="current-password" required
          aria-invalid={badCredentials || undefined} aria-describedby={error ? errorId : undefined} />
      </div>
      {captchaSlotRef ? <div ref={captchaSlotRef} className="portcullis-captcha-slot" /> : null}
      {/* Present (empty) from the first render: screen readers announce changes only to a live region they already know. */}
      <div id={errorId} className="portcullis-error" aria-live="polite" aria-atomic="true">
        {error ? describeError(error) : null}
      </div>
      {/* aria-disabled, not disabled: a disabled button drops keyboard focus to <body> mid-sign-in. */}
      <button type="submit" aria-disabled={busy || undefined}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}
