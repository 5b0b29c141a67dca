import { invalidRequest, type TenantSettings } from '@portcullis/protocol';
import { dictionary } from '@zxcvbn-ts/language-common';

let common: ReadonlySet<string> | undefined;

/**
 * The common-password list shipped with the server (NIST SP 800-63B §3.1.1.2 "passwords obtained
 * from previous breach corpuses, dictionary words"): zxcvbn-ts's 49k most common passwords and
 * the diceware words. Built once, on first use, into a Set: one lookup per check.
 */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set([...dictionary['passwords-common'], ...dictionary['diceware-common']].map((p) => p.toLowerCase()));
  return common;
}

/**
 * Refuses a new password that breaks the tenant's rules, naming the field. Length counts code
 * points, not UTF-16 units (an emoji is one character to the person typing it). The common check
 * ignores case: `Password1` is as guessable as `password1`.
 */
export function checkNewPassword(password: string, rules: TenantSettings['password'], path = 'password'): void {
  const length = [...password].length;
  if (length < rules.min_length) throw invalidRequest([{ path, message: `must be at least ${rules.min_length} characters` }]);
  if (rules.reject_common && commonPasswords().has(password.toLowerCase())) {
    throw invalidRequest([{ path, message: 'is too common: it appears in lists of breached or frequently used passwords' }]);
  }
}
