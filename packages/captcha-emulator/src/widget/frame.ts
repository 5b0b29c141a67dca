import type { Provider } from '../types.js';
import type { WidgetVerdict } from './behaviour.js';
import { scriptJson } from './spec.js';

/** What the frame page is rendered with; all but the verdict comes from its query string. */
export interface FrameInput {
  provider: Provider;
  sitekey: string;
  action: string;
  cdata: string;
  hostname: string;
  parentOrigin: string;
  wid: string;
  theme: string;
  version: 'v2' | 'v3';
  deferred: boolean;
  verdict: WidgetVerdict;
  errorCode: string;
  mintUrl: string;
}

const LABEL: Readonly<Record<Provider, string>> = {
  turnstile: 'Cloudflare Turnstile (emulated)', recaptcha: 'reCAPTCHA (emulated)', hcaptcha: 'hCaptcha (emulated)',
};

/**
 * The challenge iframe. It is served from the emulator's origin, so a host page whose CSP
 * `frame-src` lacks that origin cannot show it, exactly as with the real provider. On a click
 * (or at once for pass-through sitekeys) it asks the emulator for a token bound to the parent's
 * hostname and action and posts it to the parent origin only.
 */
export function framePage(input: FrameInput): string {
  const dark = input.theme === 'dark';
  const cfg = { ...input, label: LABEL[input.provider] };
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${LABEL[input.provider]}</title>
<style>
body{margin:0;font:14px system-ui,sans-serif;background:${dark ? '#222' : '#fafafa'};color:${dark ? '#eee' : '#222'}}
.box{display:flex;align-items:center;gap:10px;height:100vh;padding:0 12px;box-sizing:border-box;border:1px solid #ccc}
button{font:inherit;padding:6px 10px;cursor:pointer}
small{margin-left:auto;opacity:.6}
</style></head>
<body><div class="box">
<button id="human" type="button" role="checkbox" aria-checked="false" hidden>I am human</button>
<span id="status" role="status"></span><small id="label"></small>
</div>
<script>
(function () {
  var cfg = ${scriptJson(cfg)};
  var btn = document.getElementById('human');
  var status = document.getElementById('status');
  document.getElementById('label').textContent = cfg.label;
  function post(msg) {
    msg.__captchaEmulator = 1; msg.wid = cfg.wid;
    parent.postMessage(msg, cfg.parentOrigin);
  }
  function fail(code) { status.textContent = 'Verification failed'; post({ type: 'error', code: code }); }
  function solve(interactive) {
    btn.disabled = true;
    status.textContent = 'Verifying...';
    fetch(cfg.mintUrl, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: cfg.provider, sitekey: cfg.sitekey, action: cfg.action, cdata: cfg.cdata,
        hostname: cfg.hostname, version: cfg.version, interactive: interactive }) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (!res.ok) { fail(res.body.error || cfg.errorCode); return; }
        btn.setAttribute('aria-checked', 'true');
        btn.hidden = true;
        status.textContent = 'Success!';
        post({ type: 'token', token: res.body.token });
      }, function () { fail(cfg.errorCode); });
  }
  function start() {
    if (cfg.verdict === 'block' || cfg.verdict === 'unknown') { fail(cfg.errorCode); return; }
    if (cfg.verdict === 'auto') { solve(false); return; }
    btn.hidden = false; btn.disabled = false; btn.setAttribute('aria-checked', 'false');
    status.textContent = '';
    btn.onclick = function () { solve(true); };
  }
  window.addEventListener('message', function (e) {
    if (e.origin !== cfg.parentOrigin || !e.data || e.data.__captchaEmulator !== 1 || e.data.type !== 'execute') return;
    if (e.data.action) cfg.action = e.data.action;
    start();
  });
  if (!cfg.deferred) start();
  post({ type: 'ready' });
})();
</script></body></html>`;
}
