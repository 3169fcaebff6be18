/**
 * `burrow demo`: a throw-away lab (the test suite's own lab, in loopback mode
 * for a normal user: a source and a destination sshd with their own host keys,
 * trees and a fresh key pair), a config for it with both host keys pinned, a
 * small sample tree, and everything removed again at the end.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateConfig, type BurrowConfig } from '../../shared/config-schema';
import { startLab, type Lab } from '../lab/lab';
import { BurrowError } from './errors';
import { installCommand, missingPrograms } from './prerequisites';

export interface DemoLab {
  lab: Lab;
  config: BurrowConfig;
  configPath: string;
  stateDir: string;
  /** Where the archives land, on the demo destination. */
  destinationPath: string;
  stop(): Promise<void>;
}

/** Throws with the exact install command when sshd, rsync or friends are missing. */
export function checkDemoPrerequisites(): void {
  const missing = missingPrograms();
  if (missing.length > 0) {
    throw new BurrowError('config', `the demo needs ${missing.join(', ')}; install with: ${installCommand(missing)}`);
  }
}

async function writeSampleTree(root: string): Promise<void> {
  const files: Record<string, string> = {
    'cvs_repository/CVSROOT/config': 'SystemAuth=no\n',
    'cvs_repository/project/main.c,v': 'head 1.3;\naccess;\nsymbols;\n'.repeat(200),
    'cvs_repository/project/README,v': 'A project kept in CVS, as in Tunnel Tales.\n'.repeat(50),
    'etc/hosts': '127.0.0.1 localhost\n10.0.0.2 test\n',
    'etc/motd': 'This machine is a network orphan.\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

export async function startDemoLab(): Promise<DemoLab> {
  checkDemoPrerequisites();
  // A normal user gets loopback hosts running as themselves. Root gets the
  // lab's network namespaces with one plain /bin/sh user per host: root's own
  // login shell (its rc files) then never runs in the demo's sessions.
  const lab = await startLab({ mode: process.getuid?.() === 0 ? 'auto' : 'loopback' });
  try {
    const data = join(lab.source.home, 'data');
    await writeSampleTree(data);
    const host = (h: Lab['source']) => ({
      hostname: h.address,
      port: h.port,
      user: h.user,
      identityFile: lab.clientKey.privateKeyPath,
      hostKey: h.hostKeyLine,
    });
    const destinationPath = join(lab.destination.home, 'backups');
    const raw = {
      hosts: { source: host(lab.source), destination: host(lab.destination) },
      jobs: [
        {
          name: 'demo',
          source: 'source',
          paths: [join(data, 'cvs_repository'), join(data, 'etc')],
          holdingDir: join(lab.source.home, 'holding'),
          destination: { host: 'destination', path: destinationPath },
        },
      ],
    };
    const checked = validateConfig(raw);
    if (!checked.ok) throw new BurrowError('internal', `demo config invalid: ${JSON.stringify(checked.problems)}`);
    const configPath = join(lab.dir, 'burrow-demo.json');
    await writeFile(configPath, `${JSON.stringify(raw, null, 2)}\n`);
    return { lab, config: checked.config, configPath, stateDir: join(lab.dir, 'state'), destinationPath, stop: () => lab.stop() };
  } catch (err) {
    await lab.stop();
    throw err;
  }
}
