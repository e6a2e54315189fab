// The mixed workload of bench/tenant_rest.py, run by Cumulocity's own TypeScript client (@c8y/client,
// resolved from tests/clients/node through NODE_PATH): BENCH_CLIENTS concurrent loops, each creating a
// measurement, listing the source's measurements and updating an alarm, for BENCH_SECONDS.
// Environment: C8Y_BASEURL, C8Y_TENANT, C8Y_USER, C8Y_PASSWORD, BENCH_SOURCE, BENCH_ALARM (ids),
// NODE_EXTRA_CA_CERTS. Prints one JSON line: {"requests", "seconds", "p99_ms", "errors"}.
'use strict';

const { BasicAuth, Client } = require('@c8y/client');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main() {
  const auth = new BasicAuth({ tenant: env('C8Y_TENANT'), user: env('C8Y_USER'), password: env('C8Y_PASSWORD') });
  const client = new Client(auth, env('C8Y_BASEURL'));
  const source = env('BENCH_SOURCE');
  const alarm = env('BENCH_ALARM');
  const seconds = Number(env('BENCH_SECONDS'));
  const clients = Number(env('BENCH_CLIENTS'));
  const latencies = [];
  let errors = 0;
  const timed = async (call) => {
    const started = process.hrtime.bigint();
    try {
      await call();
    } catch (error) {
      errors += 1;
    }
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  };
  const started = Date.now();
  const stopAt = started + seconds * 1000;
  const loop = async (worker) => {
    for (let round = 0; Date.now() < stopAt; round += 1) {
      await timed(() => client.measurement.create({
        source: { id: source }, type: 'c8y_Bench', time: new Date().toISOString(),
        c8y_Bench: { T: { value: round, unit: 'C' } },
      }));
      await timed(() => client.measurement.list({ source, pageSize: 5 }));
      await timed(() => client.alarm.update({ id: alarm, text: `worker ${worker} round ${round}` }));
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, worker) => loop(worker)));
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p99 = latencies.length ? latencies[Math.floor(latencies.length * 0.99)] : 0;
  process.stdout.write(`${JSON.stringify({ requests: latencies.length, seconds: elapsed, p99_ms: p99, errors })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error && error.stack) || error}\n`);
  process.exit(1);
});
