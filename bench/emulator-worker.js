// The captcha emulator in its own process, as a provider is in production: its work (parsing
// siteverify calls, holding them for the configured latency) is not the server's, so it must not
// show in the server's event loop or CPU. Receives { site, latencyMs, mint: {count, …} } and
// answers { url, tokens }; then { calls: true } → { calls }.
import { startCaptchaEmulator } from '../packages/captcha-emulator/dist/index.js';

const emulator = await startCaptchaEmulator({ port: 0 });
process.on('message', async (message) => {
  if (message.setup) {
    const { site, latencyMs, mint } = message.setup;
    emulator.controls.registerSite(site);
    emulator.controls.setLatency(latencyMs);
    const tokens = Array.from({ length: mint.count }, () => emulator.controls.mintToken(mint.claims));
    process.send({ url: emulator.url, tokens });
  } else if (message.calls) {
    process.send({ calls: emulator.controls.siteverifyCalls() });
  } else if (message.close) {
    await emulator.close();
    process.exit(0);
  }
});
process.send({ ready: true });
