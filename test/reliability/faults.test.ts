/**
 * Faults against the real lab. Each scenario states its invariant; the rows
 * go into docs/reliability.md. Shared invariants: the run ends in a defined
 * state with a clear cause, the destination keeps what it had, no partial
 * file carries a final name, and nothing is left listening.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect } from 'vitest';
import { dateStamp } from '../../shared/archive-names';
import { ManualClock } from '../../shared/clock';
import { rsyncOutcome } from '../../shared/rsync-exit';
import { verifyBackups } from '../../electron/engine/archives';
import { Engine } from '../../electron/engine/engine';
import { DefaultAgentProvider } from '../../electron/engine/ssh/auth';
import { resolveLabMode } from '../../electron/lab/lab';
import { run } from '../../electron/lab/run';
import { SshSession } from '../../electron/engine/ssh/ssh-session';
import { waitFor } from '../../electron/lab/wait-for';
import { accessOf, day, extract, labConfig, listing, runJob, snapshotTree, visible, writeSampleTree } from '../engine/fixtures';
import { resetLab, useLab } from '../engine/lab-fixture';
import { scenario } from './report';

const BURROW = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'burrow.mjs');
const check = scenario('faults');

const setup = useLab();
/** Known while the tests are collected, unlike setup.lab (started in beforeAll). */
const labMode = await resolveLabMode('auto');
beforeEach(() => resetLab(setup));

async function seed(): Promise<Record<string, number>> {
  const { record } = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(-1)) });
  expect(record.error).toBeUndefined();
  return listing(setup.backups);
}

/** A command in the laptop's own (root) namespace, checked. */
async function execInRoot(argv: string[], input?: string): Promise<void> {
  const r = await run(argv, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
}

async function withBulk(bytes: number): Promise<void> {
  writeSampleTree(join(setup.data, 'projects', 'bulk'), 9, bytes);
  await setup.lab.source.own(setup.data);
}

describe('SSH and tunnel', () => {
  check('source black-holed mid-run', 'keepalive notices within interval x count; the run fails and nothing hangs', async (note) => {
    const before = await seed();
    await withBulk(3_000_000);
    let dropped: Promise<unknown> | undefined;
    let droppedAt = 0;
    const { record } = await runJob(labConfig(setup.lab, { bwlimitKiBps: 300 }), {
      clock: new ManualClock(day(0)),
      onEvent: (e) => {
        if (e.type === 'progress' && !dropped) {
          droppedAt = Date.now();
          dropped = setup.lab.source.exec(['nft', '-f', '-'], {
            input: 'table inet burrowfault {\n chain in {\n  type filter hook input priority -10; policy drop;\n }\n}\n',
          });
        }
      },
    });
    const noticed = (Date.now() - droppedAt) / 1000;
    await setup.lab.source.exec(['nft', 'delete', 'table', 'inet', 'burrowfault']);
    expect(dropped).toBeDefined();
    expect(((await dropped) as { code: number }).code).toBe(0);
    expect(record.status).toBe('failed');
    expect(record.error?.message).toMatch(/stopped answering|keepalive|timed out|timeout/i);
    expect(noticed).toBeLessThan(2 * 3 + 10); // keepalive 2 s x 3, plus the teardown's bounded waits
    expect(visible(setup.backups)).toEqual(
      Object.keys(before)
        .filter((n) => !n.startsWith('.'))
        .sort(),
    );
    note(`failed after ${noticed.toFixed(1)} s (keepalive 2 s x 3): ${record.error?.message}`);
  });

  check('sshd refuses forwarding (AllowTcpForwarding no)', 'a clear message that names the sshd setting', async (note) => {
    await setup.lab.source.reconfigure(['AllowTcpForwarding no']);
    try {
      const { record } = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(0)) });
      expect(record.error).toMatchObject({ kind: 'forward-refused', step: 'tunnel' });
      expect(record.error?.message).toContain('AllowTcpForwarding');
      note(record.error!.message);
    } finally {
      await setup.lab.source.reconfigure([]);
    }
  });

  check('remote command ends without an exit status', 'counted as a failure, never as success', async (note) => {
    const config = labConfig(setup.lab);
    const s = await SshSession.open({ config, hostName: 'source', agents: new DefaultAgentProvider() });
    try {
      const r = await s.exec(['sh', '-c', 'kill -9 $PPID']);
      expect(r.code).toBeNull();
      const err = await s.run(['sh', '-c', 'kill -9 $PPID'], 'a command that dies').catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/killed by SIGKILL|without an exit status/);
      note((err as Error).message);
    } finally {
      s.close();
    }
  });

  check(
    'app killed with -9 mid-run, then restarted',
    'the stale lock is taken over and the next run completes; no partial file under a final name',
    async (note) => {
      await seed();
      await withBulk(3_000_000);
      const state = join(setup.lab.dir, `state-${Math.random()}`);
      const configPath = join(setup.lab.dir, 'kill9.json');
      writeFileSync(configPath, JSON.stringify(labConfig(setup.lab, { bwlimitKiBps: 300 })));
      const env = { ...process.env, XDG_STATE_HOME: state };
      const child = spawn(process.execPath, [BURROW, 'run', '--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      await waitFor(() => out.includes('… transfer'), { timeoutMs: 30_000, what: 'the transfer to start' });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(visible(setup.backups).every((n) => !n.includes('partial'))).toBe(true);
      const again = spawn(process.execPath, [BURROW, 'run', '--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out2 = '';
      again.stderr.on('data', (b: Buffer) => (out2 += b.toString()));
      const code = await new Promise<number | null>((r) => again.once('exit', r));
      expect(code, out2).toBe(0);
      expect(out2).toMatch(/took over a lock left by process \d+/);
      expect(visible(setup.backups)).toContain(`projects.${dateStamp(new Date())}.tar.bz2`);
      note("second run exit 0 after taking over the dead process's lock");
    },
  );

  check('50 connect/fail cycles', 'no leaked sockets, timers, listeners or event handlers', async (note) => {
    await setup.lab.source.kill();
    const config = labConfig(setup.lab);
    const counts = () => {
      const info = process.getActiveResourcesInfo();
      return { resources: info.length, tcp: info.filter((r) => r.startsWith('TCP')).length, sigint: process.listenerCount('SIGINT') };
    };
    await runJob(config, { clock: new ManualClock(day(0)) }); // warm up lazily created handles
    const before = counts();
    for (let i = 0; i < 50; i++) {
      const { record } = await runJob(config, { clock: new ManualClock(day(0)) });
      expect(record.error?.kind).toBe('unreachable');
    }
    await waitFor(() => counts().resources <= before.resources, { timeoutMs: 5000, what: 'handles to settle' });
    const after = counts();
    expect(after.tcp).toBe(before.tcp);
    expect(after.sigint).toBe(before.sigint);
    expect(after.resources).toBeLessThanOrEqual(before.resources);
    note(`before ${JSON.stringify(before)}, after 50 failed runs ${JSON.stringify(after)}`);
  });
});

describe('rsync and data', () => {
  check('relay connection dies mid-transfer', 'the run fails with a clear cause and the next one completes', async (note) => {
    const before = await seed();
    await withBulk(3_000_000);
    // Reset the laptop's connections to the destination's sshd: the relay's leg dies.
    const rule = `table ip burrowrelay {\n chain out {\n  type filter hook output priority 0; policy accept;\n  ip daddr ${setup.lab.destination.address} tcp dport ${setup.lab.destination.port} reject with tcp reset\n }\n}\n`;
    let cut: Promise<unknown> | undefined;
    const { record } = await runJob(labConfig(setup.lab, { bwlimitKiBps: 300 }), {
      clock: new ManualClock(day(0)),
      onEvent: (e) => {
        if (e.type === 'progress' && !cut) cut = execInRoot(['nft', '-f', '-'], rule);
      },
    });
    await execInRoot(['nft', 'delete', 'table', 'ip', 'burrowrelay']);
    expect(cut).toBeDefined();
    expect(record.status).toBe('failed');
    expect(record.error?.step).toBe('transfer');
    expect(visible(setup.backups)).toEqual(
      Object.keys(before)
        .filter((n) => !n.startsWith('.'))
        .sort(),
    );
    const next = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(0)) });
    expect(next.record.error).toBeUndefined();
    note(`first run: ${record.error?.message}; the next run succeeded`);
  });

  check(
    'destination disk full',
    'a clear error, older archives intact, and success once space is freed',
    async (note) => {
      // The destination's sshd lives in its own mount namespace (ip netns exec): mount there.
      const inDest = (argv: string[]) => execInRoot(['nsenter', '-t', String(setup.lab.destination.sshdPid()), '-m', ...argv]);
      const before = await seed();
      await inDest(['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', setup.backups]);
      try {
        // Yesterday's archives move onto the small disk, as they were.
        for (const name of Object.keys(before).filter((n) => !n.startsWith('.'))) await inDest(['cp', '-a', join(setup.holding, name), setup.backups]);
        await inDest([
          'sh',
          '-c',
          `printf '{}\n' > ${setup.backups}/.burrow-destination && chown -R ${setup.lab.destination.uid}:${setup.lab.destination.gid} ${setup.backups}`,
        ]);
        await withBulk(6_000_000);
        const { record } = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(0)) });
        expect(record.status).toBe('failed');
        expect(record.error?.message).toMatch(/No space left on device|file I\/O|partial transfer/);
        const listingAfter = await run([
          'nsenter',
          '-t',
          String(setup.lab.destination.sshdPid()),
          '-m',
          'sh',
          '-c',
          `cd ${setup.backups} && for f in *; do printf '%s %s\n' "$f" "$(sha256sum < "$f" | cut -c1-16)"; done`,
        ]);
        for (const name of Object.keys(before).filter((n) => !n.startsWith('.'))) expect(listingAfter.stdout).toContain(name);
        expect(listingAfter.stdout.split('\n').filter(Boolean)).toHaveLength(Object.keys(before).filter((n) => !n.startsWith('.')).length);
        await inDest(['mount', '-o', 'remount,size=64m', setup.backups]);
        const next = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(0)) });
        expect(next.record.error).toBeUndefined();
        note(`full: ${record.error?.message}; after freeing space the run succeeded`);
      } finally {
        await inDest(['umount', setup.backups]);
      }
    },
    120_000,
    process.getuid?.() === 0 && labMode === 'netns' ? undefined : 'needs root and the netns lab to mount a small disk at the destination',
  );

  check(
    'source files vanish and change while they are packed',
    'a defined outcome: the run warns, naming what tar saw, and the archive is whole (it passes its test), never silently truncated',
    async (note) => {
      writeSampleTree(join(setup.data, 'projects', 'busy'), 4, 16_000_000); // seconds of bzip2: the writers surely run meanwhile
      const churn = join(setup.data, 'projects', 'churn');
      mkdirSync(churn);
      for (let i = 0; i < 2000; i++) writeFileSync(join(churn, `f${i}`), `file ${i}\n`);
      await setup.lab.source.own(setup.data);
      const busy = join(setup.data, 'projects', 'busy', 'sub', 'data.bin');
      const writers: ReturnType<typeof spawn>[] = [];
      const { record } = await runJob(labConfig(setup.lab), {
        clock: new ManualClock(day(0)),
        beforeStep: async (step) => {
          if (step === 'pack') {
            writers.push(spawn('sh', ['-c', `while :; do head -c 4096 /dev/urandom >> '${busy}'; done`], { stdio: 'ignore' }));
            // Files disappear from under tar after it listed the directory.
            writers.push(spawn('sh', ['-c', `cd '${churn}' && i=1999; while [ $i -ge 0 ]; do rm -f f$i; i=$((i-1)); done`], { stdio: 'ignore' }));
          }
          if (step === 'prune') for (const w of writers) w.kill('SIGKILL');
        },
      });
      for (const w of writers) w.kill('SIGKILL');
      expect(record.error).toBeUndefined();
      const warned = record.log?.find((l) => l.level === 'warn' && /changed or vanished while/.test(l.message));
      expect(warned, 'tar reported the change').toBeDefined();
      const name = `projects.${dateStamp(day(0))}.tar.bz2`;
      const tested = await run(['bzip2', '-t', join(setup.backups, name)]);
      expect(tested.code).toBe(0);
      note(warned!.message);
    },
  );

  check('a flipped bit in a destination archive', 'found by verify and recorded in history', async (note) => {
    const engine = await Engine.open({ config: labConfig(setup.lab), stateDir: join(setup.lab.dir, `state-${Math.random()}`), clock: new ManualClock(day(0)) });
    expect((await engine.runNow('daily')).error).toBeUndefined();
    const path = join(setup.backups, `projects.${dateStamp(day(0))}.tar.bz2`);
    const bytes = readFileSync(path);
    bytes[1000] = bytes[1000]! ^ 0x01;
    writeFileSync(path, bytes);
    const [result] = await verifyBackups(accessOf(engine), engine.config.jobs[0]!, { all: true });
    expect(result!.ok).toBe(false);
    expect(engine.history.verifyRuns('daily')[0]!.results[0]!.ok).toBe(false);
    note(`verify: ${result!.problems.join('; ')}`);
  });

  check('receiver stopped (SIGSTOP) mid-transfer', "rsync's --timeout fires and the run says timeout", async (note) => {
    await withBulk(3_000_000);
    let stopped: Promise<unknown> | undefined;
    const started = Date.now();
    const { record } = await runJob(labConfig(setup.lab, { bwlimitKiBps: 300 }, { rsync: { timeoutSec: 5 } }), {
      clock: new ManualClock(day(0)),
      onEvent: (e) => {
        if (e.type === 'progress' && !stopped) stopped = setup.lab.destination.exec(['pkill', '-STOP', '-u', setup.lab.destination.user, 'rsync']);
      },
    });
    await setup.lab.destination.exec(['pkill', '-CONT', '-u', setup.lab.destination.user, 'rsync']);
    expect(stopped).toBeDefined();
    expect(record.error).toMatchObject({ kind: 'timeout', step: 'transfer' });
    expect(record.error?.message).toMatch(/timeout/);
    note(`failed after ${((Date.now() - started) / 1000).toFixed(1)} s: ${record.error?.message}`);
  });

  check('every rsync exit status', 'maps to a defined state (ok, warning, failed); an unknown one is a failure', async (note) => {
    const states = new Map<number, string>();
    for (let code = 0; code <= 255; code++) states.set(code, rsyncOutcome(code).state);
    expect([...states.values()].every((s) => s === 'ok' || s === 'warning' || s === 'failed')).toBe(true);
    expect([0, 23, 24, 25, 30, 99].map((c) => states.get(c))).toEqual(['ok', 'failed', 'warning', 'failed', 'failed', 'failed']);
    expect(rsyncOutcome(null).state).toBe('failed');
    note('0 ok; 24 warning (vanished source files); 23, 25, 30 and unknown (99) failed; no status failed');
  });

  check('hostile names in packed trees', 'symlinks out, names starting with -, newlines and .. never escape the destination path', async (note) => {
    const tree = join(setup.data, 'projects');
    writeFileSync(join(tree, '-rf'), 'dash\n');
    writeFileSync(join(tree, 'new\nline'), 'newline\n');
    writeFileSync(join(tree, '..dots'), 'dots\n');
    symlinkSync('/etc/passwd', join(tree, 'to-passwd'));
    symlinkSync('../../../../outside-burrow', join(tree, 'up-and-out'));
    await setup.lab.source.own(setup.data);
    for (const format of ['archive', 'snapshot'] as const) {
      rmSync(setup.backups, { recursive: true, force: true });
      mkdirSync(setup.backups);
      await setup.lab.destination.own(setup.backups);
      const { record } = await runJob(labConfig(setup.lab, { format }), { clock: new ManualClock(day(0)) });
      expect(record.error).toBeUndefined();
      const expected = format === 'archive' ? [`projects.${dateStamp(day(0))}.tar.bz2`] : ['daily'];
      expect(visible(setup.backups)).toEqual(expected);
    }
    const out = join(setup.lab.dir, 'hostile-extract');
    rmSync(out, { recursive: true, force: true });
    rmSync(join(setup.lab.dir, 'outside-burrow'), { force: true });
    extract(join(setup.holding, `projects.${dateStamp(day(0))}.tar.bz2`), out);
    const got = snapshotTree(join(out, 'projects'));
    expect(got['to-passwd']).toMatchObject({ type: 'link', target: '/etc/passwd' });
    expect(got['new\nline']).toMatchObject({ type: 'file' });
    expect(got['-rf']).toMatchObject({ type: 'file' });
    note('archive and snapshot: only the archive (or the job dir) at the destination; links stay links when unpacked');
  });

  check('clock forwards a year, then back a day', 'no mass pruning, and a clear warning', async (note) => {
    const clock = new ManualClock(day(0));
    const config = labConfig(setup.lab);
    for (let n = -3; n <= 0; n++) {
      clock.set(day(n));
      expect((await runJob(config, { clock })).record.error).toBeUndefined();
    }
    const before = visible(setup.backups);
    clock.set(day(365));
    const ahead = await runJob(config, { clock });
    expect(ahead.record.error).toBeUndefined();
    expect(ahead.record.pruned).toEqual([]);
    expect(ahead.record.log?.some((l) => l.level === 'warn' && /is it right\?/.test(l.message))).toBe(true);
    for (const n of before) expect(visible(setup.backups)).toContain(n);
    rmSync(join(setup.holding, `projects.${dateStamp(day(365))}.tar.bz2`));
    clock.set(day(-1));
    const back = await runJob(config, { clock });
    expect(back.record.log?.some((l) => l.level === 'warn' && /dated after today/.test(l.message))).toBe(true);
    expect(back.record.pruned).toEqual([]);
    note(ahead.record.log!.find((l) => l.level === 'warn')!.message);
  });
});
