/**
 * Measurement 1: how fast the relay hop carries bytes. The source pushes
 * zeros through `ssh` into `dd of=/dev/null` on the destination, once through
 * Burrow's relay and once through OpenSSH's `ssh -R` (with its default cipher
 * and with the cipher Burrow's session negotiated), in alternating rounds.
 * The rate is dd's own (from its first byte read to EOF, so the ssh
 * handshakes are not counted); the relay's CPU is the delta over the push.
 */
import type { BurrowConfig } from '../shared/config-schema';
import type { Lab } from '../electron/lab/lab';
import { openBurrowRelay, openOpensshRelay, sh, type Relay, type SourceLogin } from './hops';
import { cpuSecondsOf, ownCpuSeconds } from './proc-stat';

/**
 * The cipher of the ssh *inside* the tunnel (source to destination): AES-GCM
 * runs on AES-NI, so the two ends' crypto costs as little as it can and the
 * relay hop shows.
 */
export const INNER_CIPHER = 'aes128-gcm@openssh.com';

/** One relay's best round. */
export interface RelayResult {
  name: string;
  relay: 'burrow' | 'openssh';
  /** Cipher of the laptop<->source connection. */
  cipher: string;
  bytes: number;
  /** dd's seconds on the destination. */
  seconds: number;
  /** 10^6 bytes per second. */
  mbPerSec: number;
  /** Whole push as seen from the laptop, handshakes included. */
  wallSeconds: number;
  relayCpuSeconds: number;
  cpuSecondsPerGiB: number;
  /** MB/s of every round, in order. */
  rounds: number[];
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

/** Opens the three relays, pushes `mib` MiB through each `rounds` times (alternating), keeps each one's fastest round. */
export async function measureRelays(lab: Lab, config: BurrowConfig, login: SourceLogin, mib: number, rounds: number): Promise<RelayResult[]> {
  const relays: { name: string; relay: RelayResult['relay']; open: () => Promise<Relay> }[] = [
    { name: 'Burrow relay (ReverseTunnel)', relay: 'burrow', open: () => openBurrowRelay(lab, config) },
    { name: 'OpenSSH ssh -R (default cipher)', relay: 'openssh', open: () => openOpensshRelay(lab) },
  ];
  const opened: Relay[] = [];
  try {
    for (const r of relays) opened.push(await r.open());
    // Like for like: OpenSSH with the cipher Burrow's session got, when that differs.
    const burrowCipher = opened[0]!.cipher;
    if (burrowCipher !== opened[1]!.cipher && !burrowCipher.includes(' ')) {
      relays.push({ name: `OpenSSH ssh -R (-c ${burrowCipher})`, relay: 'openssh', open: () => openOpensshRelay(lab, burrowCipher) });
      opened.push(await relays[2]!.open());
    }
    const best: (RelayResult | undefined)[] = relays.map(() => undefined);
    const all: number[][] = relays.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < relays.length; i++) {
        const relay = opened[i]!;
        const cpu = () => (relays[i]!.relay === 'burrow' ? ownCpuSeconds() : (cpuSecondsOf(relay.pid) ?? Number.NaN));
        const before = cpu();
        const p = await push(lab, login, relay.port, mib);
        const used = cpu() - before;
        const mbPerSec = p.bytes / p.seconds / 1e6;
        all[i]!.push(mbPerSec);
        if (!best[i] || mbPerSec > best[i]!.mbPerSec) {
          best[i] = {
            name: relays[i]!.name,
            relay: relays[i]!.relay,
            cipher: relay.cipher,
            bytes: p.bytes,
            seconds: p.seconds,
            mbPerSec,
            wallSeconds: p.wall,
            relayCpuSeconds: used,
            cpuSecondsPerGiB: used / (p.bytes / 1024 ** 3),
            rounds: [],
          };
        }
        console.log(`bench: relay ${relays[i]!.name}: ${mbPerSec.toFixed(0)} MB/s, relay CPU ${used.toFixed(2)} s`);
      }
    }
    return best.map((b, i) => ({ ...b!, rounds: all[i]! }));
  } finally {
    for (const r of opened) await r.close().catch(() => undefined);
  }
}
