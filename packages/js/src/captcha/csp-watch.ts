import { baseDirective, sourceToAdd, type CspDirective } from './csp.js';

/** The part of `SecurityPolicyViolationEvent` the diagnosis reads. */
interface Violation {
  effectiveDirective?: string;
  blockedURI?: string;
  disposition?: string;
}

/**
 * Listens for CSP violations against the widget's sources while it loads and lives, and reports
 * the first that actually blocked (report-only policies block nothing) as directive + source.
 * Returns the function that stops listening.
 */
export function watchCsp(
  target: EventTarget,
  sources: Record<CspDirective, string[]>,
  onBlocked: (directive: string, source: string) => void,
): () => void {
  const listener = (event: Event) => {
    const v = event as Event & Violation;
    if (v.disposition === 'report') return;
    const directive = baseDirective(v.effectiveDirective ?? '');
    const source = sourceToAdd(sources, directive, v.blockedURI ?? '');
    if (directive && source) onBlocked(directive, source);
  };
  target.addEventListener('securitypolicyviolation', listener);
  return () => target.removeEventListener('securitypolicyviolation', listener);
}
