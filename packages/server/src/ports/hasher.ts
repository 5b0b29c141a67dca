/** Password hashing, the one expensive step of a sign-in. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Exactly one verification; the caller passes a dummy hash for unknown users so timing matches. */
  verify(hash: string, password: string): Promise<boolean>;
  /** A hash of a random password made with the live parameters, for unknown emails. */
  readonly dummyHash: string;
  /** How many verifications ran since start (benchmarks assert refusals cost none). */
  readonly verifications: number;
  /** Every hash slot was taken within the last moment: allowed attempts are using all the CPU they can (refusals then yield). */
  readonly busy: boolean;
}
