/**
 * What the original could not tell you: a taken port, a changed host key on
 * either hop, and a destination that dies mid-transfer. Each fails the run
 * with a clear cause and leaves the destination as it was.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { dateStamp } from '../../shared/archive-names';
import { ManualClock } from '../../shared/clock';
import { waitFor } from '../../electron/lab/wait-for';
import { day, labConfig, listing, runJob, visible, writeSampleTree } from './fixtures';
import { resetLab, useLab } from './lab-fixture';

const setup = useLab();

beforeEach(() => resetLab(setup));

/** A first good run, so "unchanged" has something to compare with. */
async function seed(): Promise<Record<string, number>> {
  const { record } = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(-1)) });
  expect(record.status).toBe('succeeded');
  return listing(setup.backups);
}

describe('a taken tunnel port', () => {
  it('fails within seconds naming the port and the host, and the destination is unchanged', async () => {
    const before = await seed();
    const release = await setup.lab.source.occupyPort(9122);
    try {
      const started = Date.now();
      const { record } = await runJob(labConfig(setup.lab, { tunnelPort: 9122 }), { clock: new ManualClock(day(0)) });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(record.status).toBe('failed');
      expect(record.error).toMatchObject({ kind: 'port-in-use', step: 'tunnel' });
      expect(record.error?.message).toContain('port 9122 in use on source');
      expect(record.steps.find((s) => s.name === 'transfer')?.status).toBe('skipped');
      expect(record.steps.find((s) => s.name === 'teardown')?.status).toBe('ok');
      expect(listing(setup.backups)).toEqual(before);

      const dynamic = await runJob(labConfig(setup.lab, { tunnelPort: 0 }), { clock: new ManualClock(day(0)) });
      expect(dynamic.record.status).toBe('succeeded');
      expect(dynamic.record.tunnelPort).not.toBe(9122);
    } finally {
      await release();
    }
  });

  it('leaves no listener on the source after a run', async () => {
    const ports = await setup.lab.source.listeningPorts();
    const { record } = await runJob(labConfig(setup.lab, { tunnelPort: 9123 }), { clock: new ManualClock(day(0)) });
    expect(record.status).toBe('succeeded');
    expect(record.tunnelPort).toBe(9123);
    await waitFor(async () => !(await setup.lab.source.listeningPorts()).includes(9123), { timeoutMs: 5000, what: 'port 9123 to close' });
    expect((await setup.lab.source.listeningPorts()).sort()).toEqual(ports.sort());
  });
});

describe('host keys', () => {
  it('refuses a changed source host key before authenticating', async () => {
    const config = labConfig(setup.lab);
    const oldFp = setup.lab.source.hostKeyFingerprint;
    await setup.lab.source.rotateHostKey();
    const accepted = () => (readFileSync(join(setup.lab.dir, 'source', 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;
    const acceptedBefore = accepted();
    const { record } = await runJob(config, { clock: new ManualClock(day(0)) });
    expect(accepted()).toBe(acceptedBefore); // the key was never offered
    expect(record.status).toBe('failed');
    expect(record.error).toMatchObject({ kind: 'host-key-mismatch', step: 'connect' });
    expect(record.error?.message).toContain(oldFp);
    expect(record.error?.message).toContain(setup.lab.source.hostKeyFingerprint);
    expect(record.error?.message).toContain('may be impersonated');
    expect(record.steps.find((s) => s.name === 'pack')?.status).toBe('skipped');
  });

  it('fails when a different sshd answers behind the tunnel: rsync on the source refuses it', async () => {
    const before = await seed();
    const config = labConfig(setup.lab); // pins the destination's current, whole key
    // The laptop's own check of the destination (guard step) sees the pinned key;
    // then, before the transfer, another sshd answers on that address.
    const { record } = await runJob(config, {
      clock: new ManualClock(day(0)),
      beforeStep: async (step) => {
        if (step === 'transfer') await setup.lab.destination.rotateHostKey();
      },
    });
    expect(record.status).toBe('failed');
    expect(record.error).toMatchObject({ kind: 'host-key-mismatch', step: 'transfer' });
    expect(record.error?.message).toContain('not the pinned destination');
    expect(listing(setup.backups)).toEqual(before);
  });

  it('checks a fingerprint-only destination pin itself before the transfer', async () => {
    const config = labConfig(setup.lab);
    config.hosts.destination!.hostKey = setup.lab.destination.hostKeyFingerprint;
    const { record } = await runJob(config, { clock: new ManualClock(day(0)) });
    expect(record.status).toBe('succeeded');
    await setup.lab.destination.rotateHostKey();
    const after = await runJob(config, { clock: new ManualClock(day(1)) });
    expect(after.record.error).toMatchObject({ kind: 'host-key-mismatch', step: 'guard' });
  });
});

describe('the destination dies mid-transfer', () => {
  it('fails with a clear cause, leaves no partial archive under its final name, and the next run completes', async () => {
    const before = await seed();
    writeSampleTree(join(setup.data, 'projects', 'bulk'), 7, 4_000_000);
    await setup.lab.source.own(setup.data);
    const config = labConfig(setup.lab, { bwlimitKiBps: 1500 });
    let killed: Promise<void> | undefined;
    const { record } = await runJob(config, {
      clock: new ManualClock(day(0)),
      onEvent: (e) => {
        if (e.type === 'progress' && e.progress.bytes > 0 && !killed) killed = setup.lab.destination.kill();
      },
    });
    await killed;
    expect(killed).toBeDefined();
    expect(record.status).toBe('failed');
    expect(record.error?.step).toBe('transfer');
    expect(record.error?.message).toMatch(/rsync on source to destination failed|connection/);
    // Only hidden temporaries may remain; every visible name is one that was there before.
    expect(visible(setup.backups)).toEqual(
      Object.keys(before)
        .filter((n) => !n.startsWith('.'))
        .sort(),
    );
    for (const [name, mtime] of Object.entries(before)) expect(listing(setup.backups)[name]).toBe(mtime);

    await setup.lab.destination.start();
    const next = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(0)) });
    expect(next.record.error).toBeUndefined();
    expect(next.record.status).toBe('succeeded');
    // Verify checks what this run sent (today's archive, again, in full); the older one is the rolling sample's.
    expect(next.record.verified?.map((v) => v.name)).toEqual([`projects.${dateStamp(day(0))}.tar.bz2`]);
    expect(next.record.verification?.full.items).toBe(1);
  });
});
