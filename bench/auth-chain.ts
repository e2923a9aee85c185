/**
 * Policy-chain bench: requests/s and p99 latency of an authenticated (JWT), rate-limited and
 * audited `GET /v1/me` next to the same server's unauthenticated `GET /health/live`, measured in
 * one run against one Crossdock process (a child, so the load generator does not share its event
 * loop), and the ratio between them. Target: the full chain keeps at least 50% of bare throughput.
 *
 *   npm run build && node dist/bench/auth-chain.js      (from the repository root)
 *
 * Needs the PostgreSQL of the tests (TEST_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres);
 * BENCH_REDIS_URL puts the rate-limit counters in Redis. BENCH_SECONDS (default 5), BENCH_ROUNDS
 * (default 3) and BENCH_CONCURRENCY (default 32) shape the load. The server logs at BENCH_LOG_LEVEL (default
 * `warn`): at `info` every request also writes a pino line, a cost of logging, not of the chain.
 *
 * Each row also shows CPU per request of the server and of the PostgreSQL backends serving it (from
 * /proc, Linux), and the load generator's share of a core: on a small machine these say whether the
 * server, the database (the audit writes) or the load generator set the pace. "Rest of machine" is
 * the busy CPU none of them used (other processes, interrupts; a few percent either way is tick
 * rounding): a run where it is high was shared, and its req/s and ratio say little; the last line
 * compares the watched CPU per request of the two routes instead, which other work disturbs far
 * less. BENCH_SERVER_NODE_ARGS passes node options to the server, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/profiles`.
 */
import { spawn } from 'node:child_process';
import { createBenchDatabase } from './support/bench-database.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

// Limits far above what one machine can send: the bench measures the cost of counting, not refusals.
const TENANT_FILE = `id: bench
name: Bench Logistics
environment: test
partners:
  - id: bench-carrier
    name: Bench Carrier
    kind: carrier
    scopes: [tracking:read]
    rateLimit: { perSecond: 10000000, burst: 10000000, perDay: 1000000000 }
apiClients:
  - id: bench-carrier
    partner: bench-carrier
    secrets: ['\${BENCH_CARRIER_SECRET}']
`;

interface Result {
  readonly requests: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Server CPU (user + system) per request, µs; NaN where /proc is not available. */
  readonly serverCpuUs: number;
  /** CPU of the PostgreSQL backends serving the bench database, per request, µs (the audit writes). */
  readonly databaseCpuUs: number;
  /** This process's (the load generator's) CPU as a share of one core: near 1 means it, not the server, limits. */
  readonly loadGeneratorCpu: number;
  /**
   * Busy CPU of the whole machine not accounted for above (other processes, interrupts), in cores:
   * well above zero means something else competed for the cores and req/s understate both routes.
   */
  readonly restOfMachineCpu: number;
}

// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in hundredths of a second.
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process `pid` has used so far (Linux), else NaN. */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine so far, from /proc/stat (Linux), else NaN. */
function machineBusySeconds(): number {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The processes whose CPU a run accounts for: the server and its database backends. */
interface Watched {
  readonly server: number | undefined;
  readonly database: () => Promise<number[]>;
}

/** CPU seconds used by `pids` between two readings; a backend that ended meanwhile is left out. */
function databaseCpuBetween(before: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const [pid, start] of before) {
    const now = processCpuSeconds(pid);
    if (Number.isFinite(now)) sum += now - start;
  }
  return sum;
}

/** The run with the median throughput (its own p50/p99 with it). */
function median(runs: readonly Result[]): Result {
  return [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)]!;
}

function request(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

/** `CONCURRENCY` keep-alive loops for `seconds`; latencies in ms. */
async function load(
  url: URL,
  headers: Record<string, string>,
  seconds: number,
  expect: number,
  watched: Watched,
): Promise<Result> {
  const databaseBefore = new Map((await watched.database()).map((pid) => [pid, processCpuSeconds(pid)]));
  const serverBefore = processCpuSeconds(watched.server);
  const ownCpuBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await request(agent, url, headers).catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status !== expect) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = processCpuSeconds(watched.server) - serverBefore;
  const databaseCpu = databaseCpuBetween(databaseBefore);
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const machineCpu = machineBusySeconds() - machineBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    serverCpuUs: (serverCpu / latencies.length) * 1e6,
    databaseCpuUs: (databaseCpu / latencies.length) * 1e6,
    loadGeneratorCpu: (ownCpu.user + ownCpu.system) / 1e6 / elapsed,
    restOfMachineCpu: (machineCpu - serverCpu - databaseCpu - (ownCpu.user + ownCpu.system) / 1e6) / elapsed,
  };
}

/** PIDs of the PostgreSQL backends connected to the bench database (this query's own excepted). */
async function databaseBackends(databaseUrl: URL): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return (rows as { pid: number }[]).map((r) => r.pid);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function main(): Promise<void> {
  const benchDatabase = await createBenchDatabase('auth');
  const database = new URL(benchDatabase.url).pathname.slice(1);
  const tenantsDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-'));
  writeFileSync(join(tenantsDir, 'bench.yaml'), TENANT_FILE);
  const databaseUrl = new URL(benchDatabase.url);
  const secret = randomBytes(18).toString('base64url');
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the server, not the load generator.
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...serverArgs, MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl.toString(),
      CROSSDOCK_DEMO: '0',
      CROSSDOCK_TENANTS_DIR: tenantsDir,
      CROSSDOCK_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      BENCH_CARRIER_SECRET: secret,
      PORT: String(port),
      SFTP_PORT: '0', // the bench measures HTTP; never clash with a dev server's 2222
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      ...(process.env.BENCH_REDIS_URL
        ? { REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_KEY_PREFIX: `crossdock-bench:${database}` }
        : { REDIS_URL: '' }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
      const up = await fetch(`${base}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const tokenResponse = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`bench-carrier:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (tokenResponse.status !== 200)
      throw new Error(`token: ${tokenResponse.status} ${await tokenResponse.text()}`);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const bare = new URL('/health/live', base);
    const chain = new URL('/v1/me', base);
    const auth = { authorization: `Bearer ${token}` };

    // Warm both paths (JIT, pools, caches), then alternate them for ROUNDS rounds and compare the
    // medians: other work on the machine then weighs on both sides alike.
    const watched: Watched = { server: child.pid, database: () => databaseBackends(databaseUrl) };
    await load(bare, {}, 1, 200, watched);
    await load(chain, auth, 1, 200, watched);
    const bareRuns: Result[] = [];
    const chainRuns: Result[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      bareRuns.push(await load(bare, {}, SECONDS, 200, watched));
      chainRuns.push(await load(chain, auth, SECONDS, 200, watched));
    }
    const bareResult = median(bareRuns);
    const chainResult = median(chainRuns);
    const ratio = chainResult.perSecond / bareResult.perSecond;

    const row = (name: string, r: Result) =>
      `${name.padEnd(44)} ${r.perSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99
        .toFixed(2)
        .padStart(
          6,
        )} ms   errors ${r.errors}   CPU/req: server ${r.serverCpuUs.toFixed(0).padStart(4)} µs, database ${r.databaseCpuUs.toFixed(0).padStart(3)} µs   load generator ${(
        r.loadGeneratorCpu * 100
      ).toFixed(0)}% of a core, rest of machine ${(r.restOfMachineCpu * 100).toFixed(0)}%`;
    // CPU per request of everything the bench watches (server, its database backends, load generator):
    // on two cores these, not req/s, show what a change saved when other work shares the machine.
    const watchedCpuUs = (r: Result) =>
      r.serverCpuUs + r.databaseCpuUs + (r.loadGeneratorCpu / r.perSecond) * 1e6;
    process.stdout.write(
      `concurrency ${CONCURRENCY}, median of ${ROUNDS} alternating ${SECONDS}s runs each, rate limits in ${process.env.BENCH_REDIS_URL ? 'Redis' : 'memory'}, ` +
        `server log level ${process.env.BENCH_LOG_LEVEL ?? 'warn'}\n` +
        `${row('GET /health/live (no auth, not audited)', bareResult)}\n` +
        `${row('GET /v1/me (JWT + rate limit + audit)', chainResult)}\n` +
        `ratio: ${(ratio * 100).toFixed(1)}% of bare throughput (target >= 50%) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}\n` +
        `watched CPU per request (server + database + load generator): bare ${watchedCpuUs(bareResult).toFixed(0)} µs, ` +
        `chain ${watchedCpuUs(chainResult).toFixed(0)} µs, bare/chain ${((watchedCpuUs(bareResult) / watchedCpuUs(chainResult)) * 100).toFixed(1)}%\n`,
    );
    const audited = new pg.Client({ connectionString: databaseUrl.toString() });
    await audited.connect();
    await new Promise((r) => setTimeout(r, 1200));
    const { rows } = await audited.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = 'bench' AND route = '/v1/me'`,
    );
    await audited.end();
    process.stdout.write(`audit entries written for /v1/me: ${(rows[0] as { n: number }).n}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(tenantsDir, { recursive: true, force: true });
    await benchDatabase.drop();
    if (process.env.BENCH_REDIS_URL) {
      const redis = new Redis(process.env.BENCH_REDIS_URL);
      const keys = await redis.keys(`crossdock-bench:${database}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  }
}

await main();
