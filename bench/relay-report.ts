/**
 * The relay's part of docs/performance.md: its two goals (throughput and CPU
 * per GiB against `ssh -R` with the same cipher, round by round) and its
 * table.
 */
import { table, x } from './markdown';
import type { BenchResults, Goal } from './report';
import { sideBySide, type RelayResult } from './relay-throughput';

/** Throughput >= 0.9x and CPU per GiB <= 1.7x `ssh -R` with Burrow's cipher; none without both rows. */
export function relayGoals(relay: RelayResult[]): Goal[] {
  const pair = sideBySide(relay);
  if (!pair) return [];
  const same = `\`ssh -R\` with the same cipher (\`${pair.openssh.cipher}\`), median of the per-round ratios`;
  return [
    {
      name: `Relay throughput vs ${same}`,
      target: '≥ 0.90×',
      measured: `${x(pair.speed)} (fastest rounds ${pair.burrow.mbPerSec.toFixed(0)} vs ${pair.openssh.mbPerSec.toFixed(0)} MB/s)`,
      pass: pair.speed >= 0.9,
    },
    {
      name: `Relay CPU per GiB vs ${same}`,
      target: '≤ 1.70×',
      measured: `${x(pair.cpu)} (medians ${pair.burrow.cpuSecondsPerGiB.toFixed(2)} vs ${pair.openssh.cpuSecondsPerGiB.toFixed(2)} CPU-s/GiB; ${pair.burrow.majorGcs ?? '?'} full GCs per push)`,
      pass: pair.cpu <= 1.7,
    },
  ];
}

/** Section 1 of docs/performance.md. */
export function relaySection(relay: RelayResult[], settings: BenchResults['settings']): string {
  const pair = sideBySide(relay);
  const base = pair?.openssh;
  const list = (values: (number | undefined)[], digits: number) => values.map((v) => (v === undefined ? '' : v.toFixed(digits))).join(', ');
  return [
    `## 1. Tunnel relay throughput and CPU`,
    '',
    `${settings.relayMiB} MiB of zeros from the source through \`ssh -c ${settings.innerCipher}\` into \`dd of=/dev/null\` on the destination, ` +
      `relayed by the laptop; ${settings.relayRounds} rounds, the relays taking turns in each, so every Burrow push has an \`ssh -R\` push beside it in time. ` +
      "MB/s is dd's own rate on the destination (10^6 B/s, handshakes excluded), the fastest round's. " +
      'Relay CPU: utime+stime of the relaying process (per thread, from /proc) over the push, per GiB, median of the rounds. ' +
      "Burrow's relay runs in a process of its own as in the product (bench/relay-process.ts: the heap flag first, as `burrow` sets it, then the whole `burrow` command's code loaded, then the tunnel); " +
      "full GCs are the mark-compacts V8 reported there (PerformanceObserver 'gc') over each push. " +
      'The comparison row is the same process without the heap flag. The 1-min load average (2 CPUs, shared) is taken as each push ends.',
    '',
    table(
      [
        'relay (laptop process)',
        'laptop↔source cipher',
        'MB/s',
        '× `ssh -R` same cipher',
        'MB/s per round',
        'CPU-s/GiB',
        'CPU-s/GiB per round',
        'full GCs per push',
        '1-min load per round',
      ],
      relay.map((e) => [
        e.name,
        `\`${e.cipher}\``,
        e.mbPerSec.toFixed(0),
        base ? x(e.mbPerSec / base.mbPerSec) : '',
        list(
          e.rounds.map((v) => v.mbPerSec),
          0,
        ),
        e.cpuSecondsPerGiB.toFixed(2),
        list(
          e.rounds.map((v) => v.cpuSecondsPerGiB),
          2,
        ),
        e.rounds[0]?.majorGcs === undefined
          ? ''
          : list(
              e.rounds.map((v) => v.majorGcs),
              0,
            ),
        list(
          e.rounds.map((v) => v.load1),
          1,
        ),
      ]),
    ),
    '',
    pair
      ? `Side by side, round by round (median of the ${pair.burrow.rounds.length} per-round ratios): Burrow's relay as shipped moves ${x(pair.speed)} the bytes per second of \`ssh -R -c ${pair.openssh.cipher}\` at ${x(pair.cpu)} its CPU per GiB.`
      : "No `ssh -R` row with Burrow's cipher: no side-by-side ratio.",
  ].join('\n');
}
