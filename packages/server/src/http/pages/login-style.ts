/** The hosted page's stylesheet (inline, under the response's nonce: the CSP allows no other). */
export const LOGIN_STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f4f5f7; color: #1d1f23; }
  main { background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); width: min(26rem, 92vw); }
  h1 { font-size: 1.4rem; margin: 0 0 1.25rem; }
  h1:focus { outline: none; }
  label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .6rem .7rem; border: 1px solid #8a9099; border-radius: 8px; font: inherit; }
  input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #2f6fde; outline-offset: 2px; }
  .primary, .secondary { display: block; box-sizing: border-box; width: 100%; margin-top: 1.25rem; padding: .7rem; border-radius: 8px; font: inherit; font-weight: 600; text-align: center; text-decoration: none; cursor: pointer; }
  .primary { border: 0; background: #1f57c3; color: #fff; }
  .secondary { border: 1px solid #1f57c3; background: #fff; color: #1f57c3; }
  .primary[aria-busy="true"] { opacity: .7; cursor: progress; }
  [hidden] { display: none !important; }
  #captcha:not(:empty) { margin-top: 1rem; }
  #status { margin: 1rem 0 0; min-height: 1.5em; }
  #status.error { color: #a3151b; }
  #status.guide { color: #174aa8; font-weight: 600; }
  #signed-in { margin: 0; }
  .hint { margin: .25rem 0 0; font-size: .9rem; color: #4a4f57; }
  .links { margin: 1.25rem 0 0; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; justify-content: center; }
  a { color: #1f57c3; }
  a.primary { color: #fff; }
  input[aria-invalid="true"] { border-color: #a3151b; }
  #done { margin: 0; }
`;
