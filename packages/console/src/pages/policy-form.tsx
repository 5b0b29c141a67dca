import { useId, type ReactNode } from 'react';
import { CAPTCHA_PROVIDERS, OUTAGE_FALLBACKS } from '@portcullis/protocol';

export type Doc = Record<string, unknown>;
export type FieldErrors = Map<string, string>;

/** Fields with a fixed set of values get a select; the rest follow the type of their current value. */
const CHOICES: Record<string, readonly (string | null)[]> = {
  'captcha.provider': [null, ...CAPTCHA_PROVIDERS],
  // From the protocol's list, so a new fallback (`pow`) can be chosen here as soon as the API takes it.
  'captcha.outage_fallback': OUTAGE_FALLBACKS,
};
/** Shown by the server, never sent back (`secret_set` says whether a secret is stored; the secret itself is write-only). */
const READ_ONLY = new Set(['captcha.secret_set']);

export function getAt(doc: Doc, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Doc)[k] : undefined), doc);
}

export function setAt(doc: Doc, path: string, value: unknown): Doc {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...doc, [head]: value };
  return { ...doc, [head]: setAt((doc[head] as Doc) ?? {}, rest.join('.'), value) };
}

/** The message for a field, including those of its list items (`trusted_networks.3` → line 4). */
export function messageFor(errors: FieldErrors, path: string): string | undefined {
  const own = errors.get(path);
  const items = [...errors].filter(([p]) => p.startsWith(`${path}.`) && /^\d+$/.test(p.slice(path.length + 1)))
    .map(([p, m]) => `line ${Number(p.slice(path.length + 1)) + 1}: ${m}`);
  const all = [own, ...items].filter(Boolean);
  return all.length ? all.join('; ') : undefined;
}

/** `window_s` → "window (seconds)", `ip` → "IP": the unit is part of what a field means. */
const label = (key: string) => key.replace(/_s$/, ' (seconds)').replace(/_ms$/, ' (ms)').replaceAll('_', ' ').replace(/\bip\b/g, 'IP');

interface Props { path: string; doc: Doc; shape: Doc; errors: FieldErrors; onChange(path: string, value: unknown): void }

/** One field of the policy document, labelled, with the API's message for it next to it. */
export function Field({ path, doc, shape, errors, onChange }: Props): ReactNode {
  const id = useId();
  const value = getAt(doc, path);
  // The type comes from the document as loaded: a number typed wrong stays a number field.
  const kind = getAt(shape, path);
  const message = messageFor(errors, path);
  const key = path.split('.').at(-1)!;
  const described = message ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-msg` } : {};
  let control: ReactNode;
  if (READ_ONLY.has(path)) {
    control = <output id={id}>{value ? 'yes' : 'no'}</output>;
  } else if (CHOICES[path]) {
    control = (
      <select id={id} value={value === null ? '' : String(value)} onChange={(e) => onChange(path, e.target.value === '' ? null : e.target.value)} {...described}>
        {CHOICES[path]!.map((c) => <option key={String(c)} value={c ?? ''}>{c ?? 'none'}</option>)}
      </select>
    );
  } else if (typeof kind === 'boolean') {
    control = <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(path, e.target.checked)} {...described} />;
  } else if (Array.isArray(kind)) {
    control = (
      <textarea id={id} rows={Math.min(8, Math.max(3, (value as unknown[]).length + 1))} value={(value as unknown[]).join('\n')}
        onChange={(e) => onChange(path, e.target.value.split('\n').map((l) => l.trim()).filter((l, i, all) => l !== '' || i < all.length - 1))} {...described} />
    );
  } else if (typeof kind === 'number') {
    // Kept as typed when it is not a number, so the server's message says what is wrong with it.
    control = <input id={id} type="text" inputMode="decimal" value={String(value)} onChange={(e) => onChange(path, e.target.value.trim() !== '' && Number.isFinite(Number(e.target.value)) ? Number(e.target.value) : e.target.value)} {...described} />;
  } else {
    control = <input id={id} type="text" value={value === null || value === undefined ? '' : String(value)} onChange={(e) => onChange(path, e.target.value === '' ? null : e.target.value)} {...described} />;
  }
  return (
    <div className={`field${message ? ' invalid' : ''}`} data-path={path}>
      <label htmlFor={id}>{label(key)}{Array.isArray(kind) ? ' (one per line)' : ''}</label>
      {control}
      {message ? <p id={`${id}-msg`} className="field-message">{message}</p> : null}
    </div>
  );
}

/** Every leaf of a section, in the document's order; nested sections become nested fieldsets. */
export function Section({ path, doc, shape, errors, onChange, skip }: Props & { skip: Set<string> }): ReactNode {
  const value = getAt(shape, path) as Doc;
  return (
    <fieldset>
      <legend>{label(path.split('.').at(-1)!)}</legend>
      {errors.get(path) ? <p className="field-message">{errors.get(path)}</p> : null}
      {Object.entries(value).map(([k, v]) => {
        const p = `${path}.${k}`;
        if (skip.has(p)) return null;
        return v && typeof v === 'object' && !Array.isArray(v)
          ? <Section key={p} path={p} doc={doc} shape={shape} errors={errors} onChange={onChange} skip={skip} />
          : <Field key={p} path={p} doc={doc} shape={shape} errors={errors} onChange={onChange} />;
      })}
    </fieldset>
  );
}
