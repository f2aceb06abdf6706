// The load generator for `bench/run.ts`, in its own process so it does not share the server's event
// loop. Takes one JSON argument (see LoadSpec) and prints autocannon's JSON result on stdout.
//
// `distinctClients`: every request carries its own `X-Forwarded-For` address (10.x.y.z, counting
// up), so a route rate-limited per client (10 a minute) is measured as many reporters would use
// it. The server must trust the proxy header (TRUST_PROXY=true), as it does behind a reverse proxy.
import autocannon from 'autocannon';

export type LoadSpec = {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  distinctClients: boolean;
};

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;

let client = 0;
/** The n-th client address: 10.0.0.1, 10.0.0.2, … (16 million before it wraps). */
const nextAddress = () => {
  client = (client % 0xfffffe) + 1;
  return `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`;
};

const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    timeout: 10,
    requests: [
      {
        method: spec.method,
        headers: spec.headers,
        ...(spec.body ? { body: spec.body } : {}),
        ...(spec.distinctClients
          ? {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...spec.headers, 'x-forwarded-for': nextAddress() },
              }),
            }
          : {}),
      },
    ],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify(result));
  },
);
process.once('SIGINT', () => instance.stop());
