import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, unwrap } from '../api/client.js';
import type { paths } from '../api/generated/schema.js';
import { useConsole } from '../context.js';
import { useLoad } from '../ui/load.js';
import { Loading, Problem } from '../ui/problem.js';
import { Field, Section, type Doc, type FieldErrors } from './policy-form.js';

type Simulation = paths['/api/v1/risk/policy/simulate']['post']['responses'][200]['content']['application/json'];

/** The switches an admin reaches for during an incident or a false-positive report, kept at the top. */
const QUICK = ['monitor_only', 'captcha.on_every_login', 'trusted_networks'];

/** Without the read-only `secret_set`: what is sent is exactly what the admin can edit. */
function editable(doc: Doc): Doc {
  const captcha = { ...(doc.captcha as Doc) };
  delete captcha.secret_set;
  return { ...doc, captcha };
}

/** Field messages by document path: PUT names `thresholds.deny`, simulate names the same field `policy.thresholds.deny`. */
function fieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError) || error.code !== 'invalid_request') return new Map();
  return new Map(error.fields.map((f) => [f.path.replace(/^policy(\.|$)/, ''), f.message]));
}

/** Editor for the whole policy document; Simulate shows the impact on recorded attempts before Apply. */
export function Policy(): ReactNode {
  const { api, announce } = useConsole();
  const loaded = useLoad(async () => (await unwrap(api.GET('/api/v1/risk/policy'))).data as Doc, [api]);
  const [draft, setDraft] = useState<Doc | null>(null);
  const [problem, setProblem] = useState<unknown>(undefined);
  const [simulation, setSimulation] = useState<{ for: Doc; result: Simulation } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { if (loaded.data) setDraft(loaded.data); }, [loaded.data]);

  if (loaded.error) return <Problem error={loaded.error} />;
  if (!loaded.data || !draft) return <Loading what="the policy" />;
  const shape = loaded.data;
  const errors = fieldErrors(problem);
  const onChange = (path: string, value: unknown) => {
    setDraft((d) => {
      const next = structuredClone(d ?? {});
      const keys = path.split('.');
      let at = next as Doc;
      for (const k of keys.slice(0, -1)) at = at[k] as Doc;
      at[keys.at(-1)!] = value;
      return next;
    });
  };
  const fresh = simulation?.for === draft;
  const simulate = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const result = await unwrap(api.POST('/api/v1/risk/policy/simulate', { body: { policy: editable(draft) } }));
      setSimulation({ for: draft, result });
      announce(`Simulated over ${result.data.attempts} attempts: ${result.data.changed.newly_challenged} newly challenged, ${result.data.changed.newly_denied} newly denied, ${result.data.changed.newly_allowed} newly allowed.`);
    } catch (error) {
      setProblem(error);
      announce('The policy has errors; see the messages next to the fields.');
    } finally { setBusy(false); }
  };
  const apply = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await unwrap(api.PUT('/api/v1/risk/policy', { body: editable(draft) as never }));
      announce('Policy applied. The change is in the audit log as risk.policy_updated.');
      setSimulation(null);
      loaded.reload();
    } catch (error) {
      setProblem(error);
      announce('The policy was not applied; see the messages next to the fields.');
    } finally { setBusy(false); }
  };

  const topLevel = Object.keys(shape).filter((k) => !QUICK.includes(k));
  return (
    <form onSubmit={(e) => { e.preventDefault(); void simulate(); }} aria-label="Risk policy">
      <Problem error={problem} />
      <fieldset className="quick">
        <legend>Quick settings</legend>
        {QUICK.map((p) => <Field key={p} path={p} doc={draft} shape={shape} errors={errors} onChange={onChange} />)}
      </fieldset>
      {topLevel.map((k) => (shape[k] && typeof shape[k] === 'object' && !Array.isArray(shape[k])
        ? <Section key={k} path={k} doc={draft} shape={shape} errors={errors} onChange={onChange} skip={new Set(QUICK)} />
        : <Field key={k} path={k} doc={draft} shape={shape} errors={errors} onChange={onChange} />))}
      <div className="actions">
        <button type="submit" aria-disabled={busy || undefined}>Simulate</button>
        <button type="button" disabled={!fresh || busy} onClick={() => void apply()} aria-describedby="apply-note">Apply</button>
        <button type="button" onClick={() => { setDraft(shape); setProblem(undefined); setSimulation(null); }}>Discard changes</button>
        <p id="apply-note" className="hint">{fresh ? 'The impact below is for this draft.' : 'Simulate this draft to see its impact before applying it.'}</p>
      </div>
      {simulation ? <Impact result={simulation.result} stale={!fresh} /> : null}
    </form>
  );
}

function Impact({ result, stale }: { result: Simulation; stale: boolean }): ReactNode {
  const d = result.data;
  return (
    <section aria-labelledby="impact-title" className="panel" data-testid="impact">
      <h2 id="impact-title">Impact over {d.attempts} recorded attempts{stale ? ' (for an earlier draft)' : ''}</h2>
      <table data-testid="impact-actions">
        <caption>Decisions now and with this draft</caption>
        <thead><tr><th scope="col">Decision</th><th scope="col">Current policy</th><th scope="col">This draft</th></tr></thead>
        <tbody>
          {(['allow', 'challenge', 'deny'] as const).map((a) => <tr key={a} data-row={a}><th scope="row">{a}</th><td>{d.current[a]}</td><td>{d.candidate[a]}</td></tr>)}
        </tbody>
      </table>
      <table data-testid="impact-changes">
        <caption>What changes</caption>
        <tbody>
          <tr data-row="newly_allowed"><th scope="row">Newly allowed</th><td>{d.changed.newly_allowed}</td></tr>
          <tr data-row="newly_challenged"><th scope="row">Newly challenged</th><td>{d.changed.newly_challenged}</td></tr>
          <tr data-row="newly_denied"><th scope="row">Newly denied</th><td>{d.changed.newly_denied}</td></tr>
          <tr data-row="humans_newly_challenged"><th scope="row">Likely people ({d.humans.total}) newly challenged</th><td>{d.humans.newly_challenged}</td></tr>
          <tr data-row="humans_newly_denied"><th scope="row">Likely people newly denied</th><td>{d.humans.newly_denied}</td></tr>
          <tr data-row="suspects_newly_allowed"><th scope="row">Likely bots ({d.suspects.total}) newly allowed</th><td>{d.suspects.newly_allowed}</td></tr>
        </tbody>
      </table>
      {d.by_reason.length ? (
        <table data-testid="impact-reasons">
          <caption>Attempts each reason fires on</caption>
          <thead><tr><th scope="col">Reason</th><th scope="col">Current policy</th><th scope="col">This draft</th></tr></thead>
          <tbody>{d.by_reason.map((r) => <tr key={r.code}><th scope="row"><code>{r.code}</code></th><td>{r.current}</td><td>{r.candidate}</td></tr>)}</tbody>
        </table>
      ) : null}
      {d.samples.length ? <p>Sample changed attempts: {d.samples.map((s) => <code key={s}>{s} </code>)}</p> : null}
    </section>
  );
}
