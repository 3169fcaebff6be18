/**
 * Measurement 1: how fast, and at what CPU cost, the relay hop carries bytes.
 * The source pushes zeros through `ssh` into `dd of=/dev/null` on the
 * destination, through Burrow's relay (as shipped, and with V8's default heap
 * growth for comparison) and through OpenSSH's `ssh -R` (its default cipher,
 * and the cipher Burrow's session negotiated), in alternating rounds so each
 * Burrow round has an `ssh -R` round beside it in time. The rate is dd's own
 * (first byte read to EOF, so the ssh handshakes are not counted); the
 * relay's CPU is its process's, from /proc, over the push; Burrow's relay
 * also reports V8's garbage collections over the push.
 */
import { loadavg } from 'node:os';
import type { BurrowConfig } from '../shared/config-schema';
import type { Lab } from '../electron/lab/lab';
import { openBurrowRelay, type RelayHeap } from './burrow-relay';
import { openOpensshRelay, sh, type Relay, type SourceLogin } from './hops';
import { cpuBetween, cpuSnapshot } from './proc-stat';

/**
 * The cipher of the ssh *inside* the tunnel (source to destination): AES-GCM
 * runs on AES-NI, so the two ends' crypto costs as little as it can and the
 * relay hop shows.
 */
export const INNER_CIPHER = 'aes128-gcm@openssh.com';

/** One push through one relay. */
export interface RelayRound {
  /** 10^6 bytes per second, dd's seconds on the destination. */
  mbPerSec: number;
  seconds: number;
  /** Whole push as seen from the laptop, handshakes included. */
  wallSeconds: number;
  /** CPU of the relaying process over the push. */
  cpuSeconds: number;
  cpuSecondsPerGiB: number;
  /** Burrow only: V8's full (mark-compact) and young-generation collections over the push, and their time. */
  majorGcs?: number;
  minorGcs?: number;
  gcMs?: number;
  /** The 1-minute load average when the push ended. */
  load1: number;
}

/** One relay's rounds and their summary. */
export interface RelayResult {
  name: string;
  relay: 'burrow' | 'openssh';
  /** Burrow only: how its process's heap grows. */
  heap?: RelayHeap;
  /** Cipher of the laptop<->source connection. */
  cipher: string;
  /** Bytes per push. */
  bytes: number;
  rounds: RelayRound[];
  /** Fastest round's MB/s. */
  mbPerSec: number;
  /** Median over the rounds. */
  cpuSecondsPerGiB: number;
  /** Burrow only: median full GCs per push. */
  majorGcs?: number;
}

const DD_SUMMARY = /(\d+) bytes .*copied, ([\d.]+) s/;

async function push(lab: Lab, login: SourceLogin, port: number, mib: number): Promise<{ bytes: number; seconds: number; wall: number }> {
  const script = 'n=$1; shift; dd if=/dev/zero bs=1M count="$n" status=none | "$@" "LC_ALL=C dd of=/dev/null bs=1M"';
  const started = performance.now();
  const r = await sh(lab.source, script, [String(mib), ...login.argv(port, ['-c', INNER_CIPHER]), login.target], 300_000);
  const wall = (performance.now() - started) / 1000;
  const m = DD_SUMMARY.exec(r.stderr);
  if (!m) throw new Error(`no dd summary from the destination: ${r.stderr.slice(-500)}`);
  const bytes = Number(m[1]);
  if (bytes !== mib * 1024 * 1024) throw new Error(`the destination read ${bytes} bytes, not ${mib} MiB`);
  return { bytes, seconds: Number(m[2]), wall };
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function measureRound(lab: Lab, login: SourceLogin, relay: Relay, mib: number): Promise<RelayRound> {
  const snap = () => {
    const s = cpuSnapshot(relay.pid);
    if (!s) throw new Error(`relay process ${relay.pid} is gone`);
    return s;
  };
  const gcBefore = await relay.gcCounts?.();
  const before = snap();
  const p = await push(lab, login, relay.port, mib);
  const cpuSeconds = cpuBetween(before, snap());
  const gcAfter = await relay.gcCounts?.();
  const gc =
    gcBefore && gcAfter
      ? {
          majorGcs: gcAfter.major - gcBefore.major,
          minorGcs: gcAfter.minor - gcBefore.minor,
          gcMs: gcAfter.majorMs + gcAfter.minorMs - gcBefore.majorMs - gcBefore.minorMs,
        }
      : {};
  return {
    mbPerSec: p.bytes / p.seconds / 1e6,
    seconds: p.seconds,
    wallSeconds: p.wall,
    cpuSeconds,
    cpuSecondsPerGiB: cpuSeconds / (p.bytes / 1024 ** 3),
    ...gc,
    load1: loadavg()[0]!,
  };
}

/** Opens the relays, pushes `mib` MiB through each `rounds` times (alternating), and sums each one up. */
export async function measureRelays(lab: Lab, config: BurrowConfig, login: SourceLogin, mib: number, rounds: number): Promise<RelayResult[]> {
  const relays: { name: string; relay: RelayResult['relay']; heap?: RelayHeap; open: () => Promise<Relay> }[] = [
    { name: 'Burrow relay, as shipped (--heap-growing-percent=400)', relay: 'burrow', heap: 'shipped', open: () => openBurrowRelay(lab, config, 'shipped') },
    { name: 'OpenSSH ssh -R (default cipher)', relay: 'openssh', open: () => openOpensshRelay(lab) },
    {
      name: "for comparison: Burrow relay with V8's default heap growth",
      relay: 'burrow',
      heap: 'v8-default',
      open: () => openBurrowRelay(lab, config, 'v8-default'),
    },
  ];
  const opened: Relay[] = [];
  try {
    for (const r of relays) opened.push(await r.open());
    // Like for like: OpenSSH with the cipher Burrow's session got, when that differs; right after Burrow's row in each round.
    const burrowCipher = opened[0]!.cipher;
    if (burrowCipher !== opened[1]!.cipher && !burrowCipher.includes(' ')) {
      const same = { name: `OpenSSH ssh -R (-c ${burrowCipher})`, relay: 'openssh' as const, open: () => openOpensshRelay(lab, burrowCipher) };
      relays.splice(1, 0, same);
      opened.splice(1, 0, await same.open());
    }
    const all: RelayRound[][] = relays.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < relays.length; i++) {
        const r = await measureRound(lab, login, opened[i]!, mib);
        all[i]!.push(r);
        const gc = r.majorGcs !== undefined ? `, ${r.majorGcs} full GC(s), ${r.minorGcs} scavenges` : '';
        console.log(`bench: relay ${relays[i]!.name}: ${r.mbPerSec.toFixed(0)} MB/s, relay CPU ${r.cpuSeconds.toFixed(2)} s${gc} (load ${r.load1.toFixed(2)})`);
      }
    }
    return relays.map((r, i) => {
      const rs = all[i]!;
      return {
        name: r.name,
        relay: r.relay,
        ...(r.heap ? { heap: r.heap } : {}),
        cipher: opened[i]!.cipher,
        bytes: mib * 1024 * 1024,
        rounds: rs,
        mbPerSec: Math.max(...rs.map((x) => x.mbPerSec)),
        cpuSecondsPerGiB: median(rs.map((x) => x.cpuSecondsPerGiB)),
        ...(rs[0]!.majorGcs !== undefined ? { majorGcs: median(rs.map((x) => x.majorGcs!)) } : {}),
      };
    });
  } finally {
    for (const r of opened) await r.close().catch(() => undefined);
  }
}

/**
 * Burrow's shipped relay against `ssh -R` with the same cipher, round by
 * round (each pair pushed back to back): the median of the per-round ratios
 * of MB/s and of CPU-s/GiB. Undefined without both rows.
 */
export function sideBySide(relay: RelayResult[]): { burrow: RelayResult; openssh: RelayResult; speed: number; cpu: number } | undefined {
  const burrow = relay.find((e) => e.relay === 'burrow' && e.heap === 'shipped');
  const openssh = relay.find((e) => e.relay === 'openssh' && e.cipher === burrow?.cipher);
  if (!burrow || !openssh) return undefined;
  const pairs = burrow.rounds.map((b, i) => [b, openssh.rounds[i]] as const).filter((p): p is readonly [RelayRound, RelayRound] => p[1] !== undefined);
  return {
    burrow,
    openssh,
    speed: median(pairs.map(([b, o]) => b.mbPerSec / o.mbPerSec)),
    cpu: median(pairs.map(([b, o]) => b.cpuSecondsPerGiB / o.cpuSecondsPerGiB)),
  };
}
