import type { Provider } from '../types.js';

/**
 * The provider globals as source text, each a thin naming of the shared runtime with the
 * provider's own calling conventions (Turnstile ids are strings and `execute` renders when
 * needed; reCAPTCHA ids are numbers and v3 `execute(sitekey, {action})` returns a Promise;
 * hCaptcha `execute(id, {async:true})` resolves `{response, key}`).
 */
const TURNSTILE = String.raw`
window.turnstile = {
  render: function (c, p) { p = p || {}; return makeWidget(c, p, { deferred: p.execution === 'execute' }).id; },
  reset: function (ref) { var w = find(ref); if (w) reset(w); },
  remove: function (ref) { var w = find(ref); if (w) remove(w); },
  getResponse: function (ref) { var w = find(ref); return w && w.response ? w.response : undefined; },
  isExpired: function (ref) { var w = find(ref); return !!(w && w.expired); },
  execute: function (c, p) {
    var w = find(c);
    if (!w) w = makeWidget(c, p || {}, { deferred: true });
    execute(w).catch(function () {});
  },
  ready: function (cb) { setTimeout(cb, 0); },
  implicitRender: function () { implicitRender(window.turnstile.render); }
};
if (query.get('render') !== 'explicit') whenReady(window.turnstile.implicitRender);
`;

const RECAPTCHA = String.raw`
var v3 = {};
function v3Widget(sitekey) {
  if (!v3[sitekey]) {
    var holder = document.createElement('div');
    holder.className = 'grecaptcha-badge';
    document.body.appendChild(holder);
    v3[sitekey] = makeWidget(holder, { sitekey: sitekey }, { version: 'v3', deferred: true, hidden: true });
  }
  return v3[sitekey];
}
window.grecaptcha = {
  render: function (c, p) { p = p || {}; return makeWidget(c, p, { deferred: p.size === 'invisible' }).id; },
  reset: function (ref) { var w = find(ref); if (w) reset(w); },
  getResponse: function (ref) { var w = find(ref); return w ? w.response : ''; },
  execute: function (a, opts) {
    if (typeof a === 'string' && !widgets[a]) return execute(v3Widget(a), opts && opts.action, true);
    var w = find(a);
    return w ? execute(w) : Promise.reject(new Error('Invalid reCAPTCHA client id: ' + a));
  },
  ready: function (cb) { setTimeout(cb, 0); }
};
var mode = query.get('render');
if (mode && mode !== 'explicit' && mode !== 'onload') whenReady(function () { v3Widget(mode); });
if (mode !== 'explicit' && (!mode || mode === 'onload')) whenReady(function () { implicitRender(window.grecaptcha.render); });
`;

const HCAPTCHA = String.raw`
window.hcaptcha = {
  render: function (c, p) { p = p || {}; return makeWidget(c, p, { deferred: p.size === 'invisible' }).id; },
  reset: function (ref) { var w = find(ref); if (w) reset(w); },
  remove: function (ref) { var w = find(ref); if (w) remove(w); },
  getResponse: function (ref) { var w = find(ref); return w ? w.response : ''; },
  getRespKey: function () { return ''; },
  execute: function (ref, opts) {
    var w = find(ref);
    var pr = w ? execute(w) : Promise.reject(new Error('invalid-captcha-id'));
    if (opts && opts.async) return pr.then(function (t) { return { response: t, key: '' }; });
    pr.catch(function () {});
  },
  close: function () {},
  setData: function () {}
};
if (query.get('render') !== 'explicit') whenReady(function () { implicitRender(window.hcaptcha.render); });
`;

/** Source text of the global object for `provider`. */
export const WIDGET_GLOBALS: Readonly<Record<Provider, string>> = {
  turnstile: TURNSTILE,
  recaptcha: RECAPTCHA,
  hcaptcha: HCAPTCHA,
};

/** The `onload=` callback, called once the global exists, as the real scripts do. */
export const ONLOAD = String.raw`
var onloadName = query.get('onload');
if (onloadName) setTimeout(function () { call(onloadName, []); }, 0);
`;
