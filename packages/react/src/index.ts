'use client';
// Everything here holds state or effects: a React Server Components app (Next.js app router)
// must render it on the client, and this directive, kept first in the built file, says so.

/**
 * `@portcullis/react`: Portcullis sign-in for React: a provider holding one `AuthClient`, the
 * `useAuth()` hook, accessible `<SignIn/>`, `<SignUp/>`, `<ForgotPassword/>` and `<ResetPassword/>`
 * forms, and `useRedirectCallback()` for the hosted-page redirect sign-in (DESIGN §1, §5, §6, §19).
 * @packageDocumentation
 */
export { PortcullisProvider, type PortcullisProviderProps } from './provider.js';
export { useAuth, type AuthUser, type UseAuthResult } from './use-auth.js';
export { SignIn, type SignInProps } from './sign-in.js';
export { SignUp, ForgotPassword, ResetPassword, type SignUpProps, type ForgotPasswordProps, type ResetPasswordProps } from './account-forms.js';
export { useRedirectCallback, type RedirectCallbackState } from './use-redirect.js';
export { describeError } from './messages.js';
