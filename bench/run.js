// `npm run bench`: every figure is a ratio against a baseline measured in the same run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const SUITES = ['sign-in', 'risk', 'flood', 'client-credentials', 'audit', 'captcha', 'scaled', 'limits', 'ip-lookup', 'simulate', 'altcha', 'node-verify', 'webhooks'];
const only = process.argv.slice(2);

const rows = [];
for (const name of SUITES.filter((s) => only.length === 0 || only.includes(s))) {
  let mod;
  try {
    mod = await import(`./${name}.js`);
  } catch (error) {
    if (error.code === 'ERR_MODULE_NOT_FOUND' && error.message.includes(`${name}.js`)) continue;
    throw error;
  }
  process.stderr.write(`bench: ${name}…\n`);
  try {
    rows.push(...(await mod.run()));
  } catch (error) {
    // One broken suite must not cost the figures of the others; it shows as a failed row.
    process.exitCode = 1;
    rows.push({ name: `${name}: FAILED (${error.message.slice(0, 120)})`, value: null, unit: '', baseline: null, baselineUnit: '', ratio: null, goal: '' });
  }
}

const fmt = (n) => (typeof n !== 'number' || !Number.isFinite(n) ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));
const lines = rows.map((r) => `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} ${r.baselineUnit ?? ''} | **${fmt(r.ratio)}** | ${r.goal} | ${r.note ?? ''} |`);
const table = ['| benchmark | measured | baseline (same run) | ratio | goal | notes |', '|---|---|---|---|---|---|', ...lines].join('\n');
process.stdout.write(`${table}\n`);

if (only.length === 0) {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  // The run rewrites the head of the file (up to the first section after "Reading the figures"); the
  // sections below it are written by hand per issue and are kept as they are.
  const file = new URL('../docs/benchmarks.md', import.meta.url);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const kept = previous.match(/\n## Reading the figures\n[\s\S]*?(\n## [\s\S]*)$/)?.[1] ?? '';
  writeFileSync(file, [
    '# Benchmarks', '',
    `Latest run: ${new Date().toISOString()} on ${machine}.`,
    `Command: \`BENCH_SECONDS=${process.env.BENCH_SECONDS ?? 5} npm run bench\` (builds first; each measurement runs that many seconds). Each figure is a ratio against a baseline measured in the same run; load comes from a separate process on loopback.`, '',
    table, '',
    '## Reading the figures', '',
    '- On this 2-core machine a password hash is the whole budget: the two hash threads use both cores, so every other',
    '  piece of work a sign-in does (HTTP, database reads and writes, ES256 signing, GC) is taken from them.',
    '  `node bench/cpu-account.js` splits a sign-in\'s CPU by thread against the bare loop.',
    '- SQLite commits are flushed (fdatasync of the WAL) on the thread pool, and every writer waits for a flush that',
    '  started after its commit: durable as with `synchronous=FULL`, without stopping the event loop. Group commit',
    '  shares one transaction and one flush between the requests of one I/O turn.',
    '- The machine is shared: each figure notes the load average, and the sides of a ratio alternate in short rounds.',
    '  The ratios are comparable within one run only.',
  ].join('\n') + kept);
}
