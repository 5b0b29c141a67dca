/**
 * The hosted page's icon, a portcullis in the page's blue, inlined as a `data:` URL: no extra
 * request, no route to keep, and the page's CSP already allows `img-src data:`. (Without a
 * `<link rel="icon">` the browser asks for `/favicon.ico` and gets a 404 in every tab.)
 */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">`
  + `<rect x="2" y="2" width="28" height="28" rx="6" fill="#1f57c3"/>`
  + `<path d="M8 7h16M8 7v18M13 7v18M19 7v18M24 7v18M8 13h16M8 19h16" stroke="#fff" stroke-width="2.2" stroke-linecap="round" fill="none"/>`
  + `</svg>`;

export const FAVICON_HREF = `data:image/svg+xml,${encodeURIComponent(SVG)}`;
