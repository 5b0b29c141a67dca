import type { Provider } from '../types.js';
import { ONLOAD, WIDGET_GLOBALS } from './globals.js';
import { WIDGET_RUNTIME } from './runtime.js';
import { SPECS, scriptJson } from './spec.js';

/**
 * The widget script for `provider`, served from `<prefix><scriptPath>`. `prefix` is the mount
 * point as the browser sees it; the origin comes from the script's own URL at run time, so
 * the same text works mounted in the dev server and standalone.
 */
export function widgetScript(provider: Provider, prefix: string, ttlMs: number): string {
  const spec = SPECS[provider];
  const cfg = {
    provider, prefix, ttlMs, framePath: spec.framePath, title: spec.title, width: spec.width, height: spec.height,
    fields: spec.fields, fieldTag: spec.fieldTag, implicitClass: spec.implicitClass, idPrefix: spec.idPrefix,
  };
  return `/* Portcullis captcha emulator: ${provider} (not the real provider) */\n(function () {\n'use strict';\n`
    + `var CFG = ${scriptJson(cfg)};\n${WIDGET_RUNTIME}\n${WIDGET_GLOBALS[provider]}\n${ONLOAD}\n})();\n`;
}
