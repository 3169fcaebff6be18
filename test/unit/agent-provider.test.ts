/**
 * The default agent provider lives as long as the daemon or the app: an
 * identity file that was missing, fixed or rotated counts at the next use.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { HostConfig } from '../../shared/config-schema';
import { DefaultAgentProvider } from '../../electron/engine/ssh/auth';
import type { ParsedKey } from '../../electron/engine/ssh/ssh2-lib';

const dir = mkdtempSync(join(tmpdir(), 'burrow-agents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = join(dir, 'id_ed25519');
const host = { hostname: 'h', port: 22, user: 'u', identityFile: keyFile } as HostConfig;

function keygen(): void {
  rmSync(keyFile, { force: true });
  rmSync(`${keyFile}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
}

async function publicKeys(p: DefaultAgentProvider): Promise<string[]> {
  const agent = await p.agentFor('h', host);
  return new Promise((resolve, reject) =>
    agent.getIdentities((err, keys) => (err ? reject(err) : resolve((keys ?? []).map((k) => (k as ParsedKey).getPublicSSH().toString('base64'))))),
  );
}

it('retries a file that could not be read, and reloads one that changed', async () => {
  const p = new DefaultAgentProvider({});
  await expect(p.agentFor('h', host)).rejects.toThrow(/hosts\.h\.identityFile: cannot read/);
  keygen();
  const first = await publicKeys(p);
  expect(first).toHaveLength(1);
  expect(await p.agentFor('h', host)).toBe(await p.agentFor('h', host));
  keygen();
  utimesSync(keyFile, new Date(), new Date(Date.now() + 60_000));
  const second = await publicKeys(p);
  expect(second).toHaveLength(1);
  expect(second).not.toEqual(first);
});
