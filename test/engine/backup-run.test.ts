/**
 * A complete backup run through the reverse tunnel, against real sshd hosts:
 * the happy path, same-day and next-day reruns, pruning, injection, and the
 * guarantee that no private key ever lands on the source.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dateStamp } from '../../shared/archive-names';
import { ManualClock } from '../../shared/clock';
import { startLab, type Lab } from '../../electron/lab/lab';
import { day, extract, labConfig, listing, runJob, snapshotTree, visible, writeSampleTree } from './fixtures';

let lab: Lab;
let data: string;
let holding: string;
let backups: string;
let work: string;

beforeAll(async () => {
  lab = await startLab();
  data = join(lab.source.home, 'data');
  holding = join(lab.source.home, 'holding');
  backups = join(lab.destination.home, 'backups');
  work = join(lab.dir, 'work');
});
afterAll(() => lab?.stop());

beforeEach(async () => {
  for (const d of [data, holding, backups, work]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  await lab.source.own(data);
  await lab.source.own(holding);
  await lab.destination.own(backups);
});

/** Two source directories, one with a space and a quote in its name. */
async function twoTrees(): Promise<string[]> {
  const paths = [join(data, 'projects'), join(data, "bob's files")];
  paths.forEach((p, i) => writeSampleTree(p, i + 1));
  await lab.source.own(data);
  return paths;
}

describe('a backup run through the reverse tunnel', () => {
  it('packs two directories, lands them on the destination, and they extract byte for byte with permissions', async () => {
    const paths = await twoTrees();
    const clock = new ManualClock(day(0));
    const config = labConfig(lab, { paths });
    const { record, events } = await runJob(config, { clock });

    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(record.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'connect:ok',
      'clean-up:ok',
      'pack:ok',
      'prune:ok',
      'guard:ok',
      'tunnel:ok',
      'transfer:ok',
      'verify:ok',
      'prune-destination:skipped',
      'teardown:ok',
    ]);
    expect(record.tunnelPort).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'tunnel' && e.state === 'up')).toBe(true);
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    for (const s of record.steps) expect(s.durationMs).toBeGreaterThanOrEqual(0);

    const stamp = dateStamp(day(0));
    const names = [`projects.${stamp}.tar.bz2`, `bob's files.${stamp}.tar.bz2`];
    expect(readdirSync(backups).sort()).toEqual(['.burrow-destination', ...names].sort());
    expect(record.verified?.map((v) => v.name).sort()).toEqual([...names].sort());
    paths.forEach((p, i) => {
      const out = join(work, `x${i}`);
      extract(join(backups, names[i]!), out);
      const base = p.slice(p.lastIndexOf('/') + 1);
      expect(snapshotTree(join(out, base))).toEqual(snapshotTree(p));
    });
  });

  it('changes nothing on a second run the same day, and sends only the new archives on the next day', async () => {
    const paths = await twoTrees();
    const clock = new ManualClock(day(0));
    const config = labConfig(lab, { paths });
    expect((await runJob(config, { clock })).record.status).toBe('succeeded');
    const before = listing(backups);

    clock.set(day(0, 17, 45));
    const again = await runJob(config, { clock });
    expect(again.record.status).toBe('succeeded');
    expect(again.record.transfer?.transferred).toEqual([]);
    expect(again.record.transfer?.deleted).toEqual([]);
    expect(listing(backups)).toEqual(before);

    clock.set(day(1));
    const next = await runJob(config, { clock });
    expect(next.record.status).toBe('succeeded');
    const stamp = dateStamp(day(1));
    expect(next.record.transfer?.transferred.sort()).toEqual([`bob's files.${stamp}.tar.bz2`, `projects.${stamp}.tar.bz2`]);
    expect(visible(backups)).toHaveLength(4);
    for (const [name, mtime] of Object.entries(before)) expect(listing(backups)[name]).toBe(mtime);
  });

  it('prunes only the archive older than keepDays (29 of 27, 28, 29 days), on source and destination', async () => {
    await twoTrees();
    const clock = new ManualClock(day(0));
    const config = labConfig(lab, { paths: [join(data, 'projects')], keepDays: 28 });
    const aged = [27, 28, 29].map((age) => `projects.${dateStamp(day(-age))}.tar.bz2`);
    for (const name of aged) {
      execFileSync('tar', ['-cjf', join(holding, name), '-C', data, 'projects']);
      utimesSync(join(holding, name), day(0), day(0)); // the date in the name decides, not mtime
    }
    await lab.source.own(holding);
    // Yesterday's run already copied them to the destination.
    clock.set(day(-1));
    expect((await runJob(config, { clock })).record.status).toBe('succeeded');
    expect(readdirSync(backups)).toEqual(expect.arrayContaining(aged));

    clock.set(day(0));
    const { record } = await runJob(config, { clock });
    expect(record.status).toBe('succeeded');
    expect(record.pruned).toEqual([aged[2]]);
    expect(record.transfer?.deleted).toEqual([aged[2]]);
    for (const dir of [holding, backups]) {
      const names = readdirSync(dir);
      expect(names).toContain(aged[0]);
      expect(names).toContain(aged[1]);
      expect(names).not.toContain(aged[2]);
    }
  });

  it('packs a path containing shell syntax as a path, never running it', async () => {
    const evilParent = join(data, 'x; touch ' + join(lab.source.home, 'pwned') + ' #');
    const evil = join(evilParent, "$(touch pwned2)'`id`");
    writeSampleTree(evil, 3);
    await lab.source.own(data);
    const missing = join(data, 'nope; touch ' + join(lab.source.home, 'pwned3'));
    const clock = new ManualClock(day(0));

    const { record } = await runJob(labConfig(lab, { paths: [evil] }), { clock });
    expect(record.status).toBe('succeeded');
    expect(visible(backups)).toEqual([`$(touch pwned2)'\`id\`.${dateStamp(day(0))}.tar.bz2`]);

    const rejected = await runJob(labConfig(lab, { paths: [missing] }), { clock });
    expect(rejected.record.status).toBe('failed');
    expect(rejected.record.error?.message).toContain(`not a directory: ${missing}`);
    for (const f of ['pwned', 'pwned2', 'pwned3']) {
      expect(existsSync(join(lab.source.home, f))).toBe(false);
      expect(existsSync(join(lab.source.home, 'holding', f))).toBe(false);
    }
  });

  it('never stores a private key on the source: before, during and after a run', async () => {
    await twoTrees();
    writeSampleTree(join(data, 'big'), 9, 3_000_000);
    await lab.source.own(data);
    const scan = async () => {
      // The source's sessions have TMPDIR inside its home, so this covers the run's temporary dir too.
      const r = await lab.source.exec(['sh', '-c', 'grep -rlE "PRIVATE KEY|OPENSSH PRIVATE" "$1" 2>/dev/null; true', 'scan', lab.source.home]);
      return r.stdout.trim();
    };
    expect(await scan()).toBe('');
    const config = labConfig(lab, { paths: [join(data, 'big')], bwlimitKiBps: 1000 });
    let during: Promise<string> | undefined;
    let tmpSeen: Promise<boolean> | undefined;
    const { record } = await runJob(config, {
      clock: new ManualClock(day(0)),
      onEvent: (e) => {
        if (e.type === 'progress' && !during) {
          during = scan();
          tmpSeen = lab.source.exec(['sh', '-c', 'ls -d "$1"/tmp/burrow.*', 'ls', lab.source.home]).then((r) => r.code === 0);
        }
      },
    });
    expect(record.status).toBe('succeeded');
    expect(during).toBeDefined();
    expect(await during).toBe('');
    expect(await tmpSeen).toBe(true); // the scan ran while the run's temporary dir existed
    expect(await scan()).toBe('');
    // Teardown removed the run's temporary directory on the source.
    const left = await lab.source.exec(['sh', '-c', 'ls -d "$1"/tmp/burrow.* 2>/dev/null; true', 'ls', lab.source.home]);
    expect(left.stdout.trim()).toBe('');
  });

  it('reaches a source behind a jump host (proxyJump), with both keys pinned', async () => {
    await twoTrees();
    const config = labConfig(
      lab,
      {},
      {
        hosts: {
          source: {
            hostname: lab.sourceAddressFromProxy,
            port: lab.source.port,
            user: lab.source.user,
            identityFile: lab.clientKey.privateKeyPath,
            hostKey: lab.source.hostKeyLine,
            proxyJump: 'proxy',
          },
        },
      },
    );
    const { record } = await runJob(config, { clock: new ManualClock(day(0)) });
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(record.steps.find((s) => s.name === 'connect')?.command).toContain('-J');
    expect(visible(backups)).toEqual([`projects.${dateStamp(day(0))}.tar.bz2`]);
  });

  it('with pack off, sends what someone else put in the holding dir', async () => {
    await twoTrees();
    execFileSync('tar', ['-cjf', join(holding, `projects.${dateStamp(day(0))}.tar.bz2`), '-C', data, 'projects']);
    writeFileSync(join(holding, 'notes.txt'), 'not an archive; synced like the original did\n');
    await lab.source.own(holding);
    const { record } = await runJob(labConfig(lab, { pack: false }), { clock: new ManualClock(day(0)) });
    expect(record.steps.find((s) => s.name === 'pack')?.status).toBe('skipped');
    expect(record.status).toBe('succeeded');
    expect(visible(backups)).toEqual(['notes.txt', `projects.${dateStamp(day(0))}.tar.bz2`]);
  });
});
