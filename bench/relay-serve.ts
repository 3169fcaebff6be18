/**
 * The body of the bench's relay process (bench/relay-process.ts): loads what
 * `burrow` loads, opens the relay on request, and counts the garbage
 * collections V8 reports (PerformanceObserver 'gc' entries), so the bench
 * can show the full GCs a push cost next to its CPU.
 */
import { constants, PerformanceObserver, type NodeGCPerformanceDetail, type PerformanceEntry } from 'node:perf_hooks';
import { validateConfig } from '../shared/config-schema';
import { DefaultAgentProvider } from '../electron/engine/ssh/auth';
import { SshSession } from '../electron/engine/ssh/ssh-session';
import { ReverseTunnel, directTarget } from '../electron/engine/tunnel';

/** Parent to child. */
export type RelayRequest = { cmd: 'open'; config: unknown; destination: { address: string; port: number } } | { cmd: 'stats' } | { cmd: 'close' };

/** GCs since the relay process loaded its code, by kind, and the time V8 spent in them. */
export interface GcCounts {
  /** Full (mark-compact) collections. */
  major: number;
  majorMs: number;
  /** Scavenges of the young generation. */
  minor: number;
  minorMs: number;
}

/** Child to parent. */
export type RelayReply =
  | { ok: true; cmd: 'ready' }
  | { ok: true; cmd: 'open'; port: number; cipher: string }
  | { ok: true; cmd: 'stats'; gc: GcCounts }
  | { ok: true; cmd: 'close' }
  | { ok: false; error: string };

const gc: GcCounts = { major: 0, majorMs: 0, minor: 0, minorMs: 0 };

function countGcs(): void {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major++;
        gc.majorMs += e.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor++;
        gc.minorMs += e.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
}

/** ssh2 keeps what the key exchange settled on in private fields; best effort. */
export function negotiatedCipher(session: SshSession): string {
  const proto = (session.client as unknown as { _protocol?: { _kex?: { negotiated?: { cs?: { cipher?: string } } } } })._protocol;
  return proto?._kex?.negotiated?.cs?.cipher ?? 'ssh2 default';
}

/** Serves {@link RelayRequest}s on the IPC channel until 'close' or until the parent goes. */
export async function serveRelay(): Promise<void> {
  // The code a `burrow` process holds: every command and the engine under them.
  await import('../electron/cli/main');
  countGcs();
  const send = (r: RelayReply) => process.send!(r);
  let opened: { session: SshSession; tunnel: ReverseTunnel } | undefined;
  const close = async () => {
    await opened?.tunnel.close();
    opened?.session.close();
    opened = undefined;
  };
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  process.on('message', (m: RelayRequest) => {
    void (async (): Promise<RelayReply> => {
      switch (m.cmd) {
        case 'open': {
          const checked = validateConfig(m.config);
          if (!checked.ok) throw new Error(`bad config: ${JSON.stringify(checked.problems)}`);
          const session = await SshSession.open({ config: checked.config, hostName: 'source', agents: new DefaultAgentProvider() });
          const tunnel = new ReverseTunnel(session, 0, directTarget(m.destination.address, m.destination.port), 'destination');
          tunnel.on('error', (err) => console.error(`bench relay: ${err.message}`));
          try {
            const port = await tunnel.start();
            opened = { session, tunnel };
            return { ok: true, cmd: 'open', port, cipher: negotiatedCipher(session) };
          } catch (err) {
            session.close();
            throw err;
          }
        }
        case 'stats':
          return { ok: true, cmd: 'stats', gc: { ...gc } };
        case 'close':
          await close();
          return { ok: true, cmd: 'close' };
      }
    })().then(send, (err: unknown) => send({ ok: false, error: err instanceof Error ? err.message : String(err) }));
  });
  send({ ok: true, cmd: 'ready' });
}
