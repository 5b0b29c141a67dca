/** What a fingerprinting surface looked like: the same twice, randomised, or unavailable. */
export type Stability = 'stable' | 'noisy' | 'blocked';

function drawCanvas(): string | null {
  const canvas = document.createElement('canvas');
  canvas.width = 240;
  canvas.height = 60;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const blank = canvas.toDataURL();
  ctx.textBaseline = 'top';
  ctx.font = '16px Arial';
  ctx.fillStyle = '#f60';
  ctx.fillRect(100, 1, 62, 20);
  ctx.fillStyle = '#069';
  ctx.fillText('Portcullis \u{1F512} 0.1', 2, 15);
  ctx.fillStyle = 'rgba(102, 204, 0, 0.7)';
  ctx.beginPath();
  ctx.arc(50, 30, 20, 0, Math.PI * 2);
  ctx.fill();
  const url = canvas.toDataURL();
  // 'data:,' is a refusal; an image equal to the blank canvas is a browser answering "nothing drawn".
  return url.length < 32 || url === blank ? null : url;
}

/** Canvas: draw the same scene twice; privacy-hardened browsers add per-read noise (noisy) or refuse (blocked). */
export function probeCanvas(): Stability {
  const a = drawCanvas();
  const b = drawCanvas();
  if (a === null || b === null) return 'blocked';
  return a === b ? 'stable' : 'noisy';
}

/** WebGL: a software rasteriser (SwiftShader, llvmpipe) is typical of headless and virtualised browsers. */
export function probeWebgl(): 'ok' | 'software' | 'blocked' {
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl') ?? canvas.getContext('experimental-webgl')) as WebGLRenderingContext | null;
  if (!gl) return 'blocked';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  // Browsers cap live WebGL contexts per page; give this one back at once.
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer) ? 'software' : 'ok';
}

/** Resolves with `fallback` if `promise` takes longer than `ms`, so one stuck probe cannot stall sign-in. */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      () => { clearTimeout(timer); resolve(fallback); },
    );
  });
}

type OfflineCtx = typeof OfflineAudioContext;

async function renderAudio(timeoutMs: number): Promise<number | null> {
  const Ctx = (globalThis.OfflineAudioContext ?? (globalThis as { webkitOfflineAudioContext?: OfflineCtx }).webkitOfflineAudioContext);
  if (!Ctx) return null;
  const ctx = new Ctx(1, 5000, 44100);
  const oscillator = ctx.createOscillator();
  oscillator.type = 'triangle';
  oscillator.frequency.value = 10000;
  const compressor = ctx.createDynamicsCompressor();
  compressor.threshold.value = -50;
  compressor.knee.value = 40;
  compressor.ratio.value = 12;
  oscillator.connect(compressor);
  compressor.connect(ctx.destination);
  oscillator.start(0);
  // Old Safari answers startRendering() with undefined and fires `complete` instead.
  const done = new Promise<AudioBuffer>((resolve, reject) => {
    ctx.oncomplete = (event) => resolve(event.renderedBuffer);
    const pending = ctx.startRendering() as Promise<AudioBuffer> | undefined;
    pending?.then(resolve, reject);
  });
  const buffer = await withTimeout(done, timeoutMs, null);
  if (!buffer) return null;
  const data = buffer.getChannelData(0);
  let sum = 0;
  for (let i = 4500; i < data.length; i++) sum += Math.abs(data[i] ?? 0);
  return sum === 0 ? null : sum; // silence means the API is stubbed out
}

/** Audio: render the same offline graph twice and compare, within `timeoutMs` each. */
export async function probeAudio(timeoutMs = 500): Promise<Stability> {
  const a = await renderAudio(timeoutMs);
  const b = a === null ? null : await renderAudio(timeoutMs);
  if (a === null || b === null) return 'blocked';
  return a === b ? 'stable' : 'noisy';
}
