/**
 * An open-loop load generator over keep-alive HTTP: requests are sent on a
 * schedule (rate per second) whether or not earlier ones were answered, and
 * each latency is measured from the moment the request was due, so a service
 * that falls behind shows it (no coordinated omission).
 */
import http from 'node:http';

export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface StepResult {
  rate: number;
  sent: number;
  ok: number;
  status: Record<string, number>;
  latencies: number[];
  /** Answers per second over the step (until the last answer). */
  achieved: number;
  /** How far behind schedule the generator itself sent, at worst (ms). */
  maxSendLagMs: number;
}

export function makeAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 1024 });
}

function send(agent: http.Agent, port: number, r: PreparedRequest, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: r.path, agent, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(-1));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(-1));
    req.end(r.body);
  });
}

/** Sends `requests` at `rate` per second; resolves when every one was answered (or failed). */
export async function runStep(agent: http.Agent, port: number, rate: number, requests: PreparedRequest[], timeoutMs = 10_000, onAnswer?: (index: number, status: number) => void): Promise<StepResult> {
  const latencies: number[] = new Array(requests.length);
  const status: Record<string, number> = {};
  let ok = 0;
  let maxLag = 0;
  let last = 0;
  const start = performance.now() + 5;
  const pending: Array<Promise<void>> = [];
  for (let k = 0; k < requests.length; k++) {
    const due = start + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    maxLag = Math.max(maxLag, performance.now() - due);
    pending.push(
      send(agent, port, requests[k]!, timeoutMs).then((code) => {
        const now = performance.now();
        latencies[k] = now - due;
        last = Math.max(last, now);
        status[code] = (status[code] ?? 0) + 1;
        if (code === 200) ok++;
        onAnswer?.(k, code);
      }),
    );
  }
  await Promise.all(pending);
  return { rate, sent: requests.length, ok, status, latencies, achieved: Math.round(requests.length / ((last - start) / 1000)), maxSendLagMs: Math.round(maxLag) };
}
