/** Encrypts secrets at rest (signing keys, captcha secrets) under the master key. */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws when the sealed text was not made by this key or was altered. */
  open(sealed: string): string;
  /** A keyed hash (HMAC-SHA256 under a key derived from the master key): short codes stored this way cannot be brute-forced from a database dump. */
  mac(text: string): string;
}
