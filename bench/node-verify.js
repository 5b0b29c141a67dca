// `@portcullis/node` (DESIGN §18): `verify()` of a token whose key is cached, per second, against jose's
// `jwtVerify` on the same token and key with the same checks (goal ≥ 0.95: the wrapper costs nothing).
// The issuer is a bare discovery + JWKS server on loopback, so only verification is measured.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import { createVerifier } from '../packages/node/dist/index.js';
import { BENCH_SECONDS } from './lib.js';

async function issuerServer() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.endsWith('/.well-known/openid-configuration')) res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }));
    else res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}/tenants/bench`;
  const token = await new SignJWT({ scope: 'openid orders:read' }).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(issuer).setAudience(issuer).setSubject('usr_bench').setIssuedAt().setExpirationTime('1h').sign(privateKey);
  return { issuer, token, jwk, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Sequential calls for `ms`, one verification at a time as a request handler does, counted per
 * second of this process's CPU time: other tenants of the shared machine then move both sides less.
 */
async function rate(work, ms) {
  let n = 0;
  const end = performance.now() + ms;
  const cpu = process.cpuUsage();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await work();
    n += 100;
  }
  const used = process.cpuUsage(cpu);
  return n / ((used.user + used.system) / 1e6);
}

export async function run() {
  const { issuer, token, jwk, close } = await issuerServer();
  try {
    const verifier = createVerifier({ issuer });
    const key = await importJWK(jwk, 'ES256');
    // jose alone, doing what verify() promises: the same claims checked, the scope read.
    const options = { typ: 'at+jwt', issuer, audience: issuer, algorithms: ['ES256'], clockTolerance: 0, requiredClaims: ['sub', 'exp'] };
    const bare = async () => {
      const { payload } = await jwtVerify(token, key, options);
      if (!payload.scope.split(' ').includes('openid')) throw new Error('scope');
    };
    const wrapped = () => verifier.verify(token, { scopes: ['openid'] });
    await wrapped();
    await rate(bare, 500);
    await rate(wrapped, 500);
    // Interleaved rounds, the order flipped every round, and the median of the per-round ratios:
    // the machine is shared, so both sides see the same load and one disturbed round moves nothing.
    const rounds = 20;
    const ratios = [];
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < rounds; i++) {
      const ms = (BENCH_SECONDS * 1000) / rounds;
      let a;
      let b;
      if (i % 2 === 0) { a = await rate(bare, ms); b = await rate(wrapped, ms); } else { b = await rate(wrapped, ms); a = await rate(bare, ms); }
      theirs += a;
      ours += b;
      ratios.push(b / a);
    }
    ours /= rounds;
    theirs /= rounds;
    ratios.sort((x, y) => x - y);
    const median = (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
    return [{
      name: '@portcullis/node verify() of a cached-key token ÷ jose jwtVerify on the same key',
      value: ours, unit: 'verifies/CPU-s', baseline: theirs, baselineUnit: 'jwtVerify/CPU-s', ratio: median, goal: '≥ 0.95',
      note: `ES256, same claim checks and scope test; keys from the discovered JWKS (cached) vs the imported key; median of ${rounds} interleaved rounds (${ratios[0].toFixed(2)}–${ratios[rounds - 1].toFixed(2)})`,
    }];
  } finally {
    await close();
  }
}
