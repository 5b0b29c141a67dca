/**
 * The browser half shared by the three widget scripts, as source text. It runs in the host
 * page with a `CFG` object in scope (see `script.ts`) and defines the widget lifecycle the
 * provider globals are thin names for. The iframe, not this script, mints tokens: like the real
 * widgets, nothing the host page can call produces a token without the emulator's frame.
 */
export const WIDGET_RUNTIME = String.raw`
var current = document.currentScript;
var src = new URL(current && current.src ? current.src : location.href, location.href);
var ORIGIN = src.origin;
var BASE = ORIGIN + CFG.prefix;
var query = src.searchParams;
var widgets = {};
var order = [];
var counter = 0;

function resolveContainer(c) {
  if (typeof c !== 'string') return c || null;
  return document.getElementById(c.replace(/^#/, '')) || document.querySelector(c);
}
function call(fn, args) {
  if (typeof fn === 'string') fn = window[fn];
  return typeof fn === 'function' ? fn.apply(null, args) : undefined;
}
function makeId() {
  var n = counter++;
  return CFG.provider === 'recaptcha' ? n : CFG.idPrefix + n.toString(36) + Math.random().toString(36).slice(2, 7);
}
function makeWidget(container, params, opts) {
  var el = resolveContainer(container);
  if (!el) throw new Error('[captcha-emulator] widget container not found: ' + container);
  var w = { id: makeId(), el: el, params: params, opts: opts, response: '', expired: false,
    timer: null, frame: null, ready: false, queued: [], waiters: [], fields: [] };
  widgets[String(w.id)] = w;
  order.push(w);
  CFG.fields.forEach(function (name) {
    var f = document.createElement(CFG.fieldTag);
    f.name = name;
    if (CFG.fieldTag === 'input') f.type = 'hidden'; else f.style.display = 'none';
    w.fields.push(f);
  });
  mountFrame(w);
  w.fields.forEach(function (f) { el.appendChild(f); });
  return w;
}
function frameUrl(w) {
  var u = new URL(BASE + CFG.framePath);
  var p = w.params;
  u.searchParams.set('sitekey', p.sitekey || '');
  u.searchParams.set('action', p.action || '');
  u.searchParams.set('cdata', p.cData || p.cdata || '');
  u.searchParams.set('theme', p.theme || 'auto');
  u.searchParams.set('hostname', location.hostname);
  u.searchParams.set('origin', location.origin);
  u.searchParams.set('wid', String(w.id));
  u.searchParams.set('v', w.opts.version || 'v2');
  if (w.opts.deferred) u.searchParams.set('deferred', '1');
  u.searchParams.set('n', Math.random().toString(36).slice(2));
  return u.toString();
}
function mountFrame(w) {
  if (w.frame) w.frame.remove();
  var f = document.createElement('iframe');
  f.src = frameUrl(w);
  f.title = CFG.title;
  f.width = String(CFG.width);
  f.height = String(CFG.height);
  f.style.border = '0';
  if (w.opts.hidden) f.style.cssText = 'position:fixed;bottom:0;right:0;width:1px;height:1px;opacity:0;border:0';
  f.setAttribute('data-captcha-emulator', CFG.provider);
  w.frame = f;
  w.ready = false;
  w.el.insertBefore(f, w.el.firstChild);
}
function setResponse(w, token) {
  w.response = token;
  w.fields.forEach(function (f) { f.value = token; });
}
function post(w, msg) {
  msg.__captchaEmulator = 1;
  if (!w.ready) { w.queued.push(msg); return; }
  w.frame.contentWindow.postMessage(msg, ORIGIN);
}
function settle(w, error, token) {
  var waiters = w.waiters;
  w.waiters = [];
  waiters.forEach(function (x) { if (error) x.reject(new Error(String(error))); else x.resolve(token); });
}
function execute(w, action, fresh) {
  return new Promise(function (resolve, reject) {
    if (w.response && !fresh) { resolve(w.response); return; }
    if (fresh) setResponse(w, '');
    w.waiters.push({ resolve: resolve, reject: reject });
    if (w.opts.deferred) post(w, { type: 'execute', action: action || w.params.action || '' });
  });
}
function expire(w) {
  w.expired = true;
  setResponse(w, '');
  call(w.params['expired-callback'], []);
  if (CFG.provider === 'turnstile' && (w.params['refresh-expired'] || 'auto') === 'auto') reset(w);
}
function reset(w) {
  clearTimeout(w.timer);
  setResponse(w, '');
  w.expired = false;
  w.queued = [];
  mountFrame(w);
}
function remove(w) {
  clearTimeout(w.timer);
  w.frame.remove();
  w.fields.forEach(function (f) { f.remove(); });
  delete widgets[String(w.id)];
  order = order.filter(function (x) { return x !== w; });
}
function find(ref) {
  if (ref === undefined || ref === null || ref === '') return order[0];
  if (widgets[String(ref)]) return widgets[String(ref)];
  var el = resolveContainer(ref);
  return order.filter(function (w) { return w.el === el; })[0];
}
window.addEventListener('message', function (e) {
  if (e.origin !== ORIGIN || !e.data || e.data.__captchaEmulator !== 1) return;
  var w = widgets[String(e.data.wid)];
  if (!w || !w.frame || e.source !== w.frame.contentWindow) return;
  var d = e.data;
  if (d.type === 'ready') {
    w.ready = true;
    var q = w.queued; w.queued = [];
    q.forEach(function (m) { post(w, m); });
  } else if (d.type === 'token') {
    clearTimeout(w.timer);
    w.expired = false;
    setResponse(w, d.token);
    w.timer = setTimeout(function () { expire(w); }, CFG.ttlMs);
    call(w.params.callback, [d.token]);
    settle(w, null, d.token);
  } else if (d.type === 'error') {
    settle(w, d.code);
    call(w.params['error-callback'], d.code ? [d.code] : []);
  }
});
function implicitRender(render) {
  var nodes = document.querySelectorAll('.' + CFG.implicitClass);
  Array.prototype.forEach.call(nodes, function (el) {
    if (el.querySelector('iframe[data-captcha-emulator]')) return;
    var params = {};
    Array.prototype.forEach.call(el.attributes, function (a) {
      if (a.name.indexOf('data-') === 0) params[a.name.slice(5)] = a.value;
    });
    render(el, params);
  });
}
function whenReady(fn) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn); else setTimeout(fn, 0);
}
`;
