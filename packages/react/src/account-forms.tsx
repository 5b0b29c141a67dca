import { PortcullisClientError } from '@portcullis/js';
import { useCallback, useId, type FormEvent, type ReactNode, type Ref } from 'react';
import type { AuthStore } from './auth-store.js';
import { Done, Field, FormEnd, NewPasswordFields, fieldInError, formValues, useCaptchaSlotRef } from './form-parts.js';
import { useAction } from './use-action.js';

type ShownError = Pick<PortcullisClientError, 'code' | 'message' | 'details'> | null;
type Values = (name: string) => string;
type Client = AuthStore['client'];

/** What every account form view takes: the state to show and where its captcha goes. */
export interface AccountFormProps {
  busy: boolean;
  error: ShownError;
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
  captchaSlotRef?: Ref<HTMLDivElement> | undefined;
  className?: string | undefined;
  /** The tenant's minimum password length, shown as a hint and set as `minLength`. */
  minLength?: number | undefined;
}

/** The second password field must repeat the first: a typo would lock the person out of the account. */
function newPassword(value: Values): string {
  const password = value('password');
  if (password !== value('password-again')) throw new PortcullisClientError('password_mismatch', { message: 'The two passwords differ.', recoverable: true });
  return password;
}

/** One form's wiring: its SDK call run once at a time, its captcha slot, its submit. */
function useAccountForm<T>(component: string, call: (client: Client, value: Values) => Promise<T>) {
  const { store, slotRef } = useCaptchaSlotRef(component);
  const action = useCallback((value: Values) => call(store.client, value), [store, call]);
  const state = useAction(action);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => void state.run(formValues(event));
  return { ...state, onSubmit, captchaSlotRef: slotRef };
}

/** Props of {@link SignUp}. */
export interface SignUpProps {
  /** Called with the email once the server accepted the sign-up (the mail is on its way). */
  onSuccess?: (email: string) => void;
  className?: string;
  /** The tenant's `password.min_length`, for the hint; the server enforces it either way. */
  minLength?: number;
}

/**
 * An accessible sign-up form. The captcha (action `signup`) renders inline when the risk engine
 * asks; on success the form gives way to "check your email" — the same words whether or not the
 * email was taken, as the server's answer is the same.
 */
export function SignUp({ onSuccess, className, minLength }: SignUpProps): ReactNode {
  const call = useCallback(async (client: Client, value: Values) => {
    const email = value('email').trim();
    await client.signUp({ email, password: newPassword(value) });
    onSuccess?.(email);
    return email;
  }, [onSuccess]);
  const { done, run: _run, ...form } = useAccountForm('<SignUp/>', call);
  if (done !== undefined) return <Done className="portcullis-done" title="Check your email">We sent a message to {done}. Open the link in it to confirm your address.</Done>;
  return <SignUpForm {...form} className={className} minLength={minLength} />;
}

export function SignUpForm({ busy, error, onSubmit, captchaSlotRef, className, minLength }: AccountFormProps): ReactNode {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <form className={className ?? 'portcullis-sign-up'} onSubmit={onSubmit} aria-busy={busy} noValidate>
      <Field id={`${id}-email`} name="email" label="Email" type="email" autoComplete="email" errorId={errorId} invalid={fieldInError(error) === 'email'} />
      <NewPasswordFields id={id} label="Password" error={error} errorId={errorId} minLength={minLength} />
      <FormEnd errorId={errorId} error={error} busy={busy} label="Create account" busyLabel="Creating account…" captchaSlotRef={captchaSlotRef} />
    </form>
  );
}

/** Props of {@link ForgotPassword}. */
export interface ForgotPasswordProps {
  onSuccess?: (email: string) => void;
  className?: string;
}

/**
 * Asks for a reset mail. The captcha (action `password_reset`) renders inline when asked; the
 * outcome reads the same whether or not the account exists, so the form tells no one who has one.
 */
export function ForgotPassword({ onSuccess, className }: ForgotPasswordProps): ReactNode {
  const call = useCallback(async (client: Client, value: Values) => {
    const email = value('email').trim();
    await client.requestPasswordReset({ email });
    onSuccess?.(email);
    return email;
  }, [onSuccess]);
  const { done, run: _run, ...form } = useAccountForm('<ForgotPassword/>', call);
  if (done !== undefined) return <Done className="portcullis-done" title="Check your email">If {done} has an account, we sent it a link to choose a new password. The link works for one hour.</Done>;
  return <ForgotPasswordForm {...form} className={className} />;
}

export function ForgotPasswordForm({ busy, error, onSubmit, captchaSlotRef, className }: AccountFormProps): ReactNode {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <form className={className ?? 'portcullis-forgot-password'} onSubmit={onSubmit} aria-busy={busy} noValidate>
      <Field id={`${id}-email`} name="email" label="Email" type="email" autoComplete="username" errorId={errorId} invalid={fieldInError(error) === 'email'} />
      <FormEnd errorId={errorId} error={error} busy={busy} label="Send the link" busyLabel="Sending…" captchaSlotRef={captchaSlotRef} />
    </form>
  );
}

/** Props of {@link ResetPassword}. */
export interface ResetPasswordProps {
  /** The `token` of the mailed link (`/reset-password?token=…` on your own route). */
  token: string;
  onSuccess?: () => void;
  className?: string;
  minLength?: number;
}

/** Sets a new password with a mailed link's token; on success every session of the account is ended by the server. */
export function ResetPassword({ token, onSuccess, className, minLength }: ResetPasswordProps): ReactNode {
  const call = useCallback(async (client: Client, value: Values) => {
    await client.confirmPasswordReset({ token, password: newPassword(value) });
    onSuccess?.();
    return true;
  }, [token, onSuccess]);
  const { done, run: _run, ...form } = useAccountForm('<ResetPassword/>', call);
  if (done) return <Done className="portcullis-done" title="Your password is changed">Every session of your account was signed out. Sign in with the new password.</Done>;
  return <ResetPasswordForm {...form} className={className} minLength={minLength} />;
}

export function ResetPasswordForm({ busy, error, onSubmit, className, minLength }: AccountFormProps): ReactNode {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <form className={className ?? 'portcullis-reset-password'} onSubmit={onSubmit} aria-busy={busy} noValidate>
      <NewPasswordFields id={id} label="New password" error={error} errorId={errorId} minLength={minLength} />
      <FormEnd errorId={errorId} error={error} busy={busy} label="Set the new password" busyLabel="Saving…" />
    </form>
  );
}
