import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../engine/config-file';
import { BurrowError } from '../../engine/errors';
import type { KeyRole } from '../../engine/keys/authorized-keys';
import { identityFileHint, installKey, planKeyInstall, updateGate } from '../../engine/keys/install-key';
import type { GateWriteResult } from '../../engine/keys/gate-install';
import { gateStatus, updateGateCommand as updateGateHint } from '../../engine/keys/gate-check';
import { KeyStore, keyStoreDirFor, strengthenedNote, type StoredKeyInfo } from '../../engine/keys/key-store';
import { passphraseProblem } from '../../engine/keys/passphrase-floor';
import { privateKeyProtection } from '../../engine/keys/openssh-private-format';
import { readSecret } from '../../engine/keys/read-secret';
import { headlessAgentProvider } from '../../engine/keys/store-agent-provider';
import { SshSession } from '../../engine/ssh/ssh-session';
import type { CommandContext } from '../main';
import { confirm } from '../output';
import { KEYS_USAGE as USAGE } from './keys-usage';

/** The store beside the config file: `<configDir>/keys` for the default config. */
export function storeFor(configPath: string): KeyStore {
  return new KeyStore({ dir: keyStoreDirFor(configPath) });
}

/**
 * `burrow keys ...`: Burrow's key store (`keys/` beside the config).
 * Passphrases and passwords are read from the terminal without echo; for
 * automation and tests only they come from BURROW_KEY_PASSPHRASE and
 * BURROW_PASSWORD. Never from an argument, which the process list shows.
 */
export async function keysCommand(ctx: CommandContext): Promise<number> {
  const [sub, ...args] = ctx.positionals;
  const store = storeFor(ctx.configPath);
  switch (sub) {
    case 'list':
    case undefined:
      return listKeys(ctx, store);
    case 'generate':
      return generateKey(ctx, store, need(args[0], 'NAME'));
    case 'import':
      return importKey(ctx, store, need(args[0], 'PATH'));
    case 'show':
      ctx.io.out((await store.info(need(args[0], 'NAME'))).publicKeyLine);
      return 0;
    case 'remove':
      return removeKey(ctx, store, need(args[0], 'NAME'));
    case 'install':
      return installCommand(ctx, store, need(args[0], 'NAME'));
    case 'update-gate':
      return updateGateCli(ctx, store, need(args[0], 'HOST'));
    case 'gate':
      return gateStatusCommand(ctx, store, need(args[0], 'HOST'));
    default:
      throw new BurrowError('config', `unknown keys command "${sub}"\nusage: ${USAGE}`);
  }
}

function need(v: string | undefined, what: string): string {
  if (!v) throw new BurrowError('config', `name the ${what}\nusage: ${USAGE}`);
  return v;
}

function str(ctx: CommandContext, key: string): string | undefined {
  const v = ctx.values[key];
  return typeof v === 'string' ? v : undefined;
}

function describeKey(k: StoredKeyInfo): string {
  return `${k.name.padEnd(16)} ${k.type.padEnd(20)} ${k.fingerprint}  ${k.encrypted ? 'encrypted' : 'NOT ENCRYPTED'}  ${k.created.toISOString().slice(0, 10)}  ${k.comment}`;
}

async function listKeys({ io, values }: CommandContext, store: KeyStore): Promise<number> {
  const keys = await store.list();
  if (values.json) {
    io.out(
      JSON.stringify(
        keys.map(({ path: _path, ...k }) => k),
        null,
        2,
      ),
    );
    return 0;
  }
  if (keys.length === 0) io.err(`burrow: no keys in ${store.dir} (burrow keys generate NAME)`);
  for (const k of keys) io.out(describeKey(k));
  return 0;
}

async function generateKey(ctx: CommandContext, store: KeyStore, name: string): Promise<number> {
  const passphrase = await readSecret({ what: `passphrase for the new key ${name}`, envVar: 'BURROW_KEY_PASSPHRASE', confirm: true, check: passphraseProblem });
  const comment = str(ctx, 'comment');
  const k = await store.generate(name, { passphrase, ...(comment ? { comment } : {}) });
  ctx.io.out(k.publicKeyLine);
  ctx.io.err(`burrow: generated ${k.type} ${k.fingerprint} as ${k.path} (encrypted); use it with "identityFile": "burrow:${name}"`);
  return 0;
}

async function importKey(ctx: CommandContext, store: KeyStore, path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw new BurrowError('config', `cannot read ${path}: ${err.message}`);
  });
  const encrypted = privateKeyProtection(text).some((p) => p.kind !== 'none' && p.encrypted);
  const name = str(ctx, 'name');
  const comment = str(ctx, 'comment');
  let passphrase: string | undefined;
  let storePassphrase: string;
  if (encrypted) {
    // An encrypted file keeps its passphrase: an OpenSSH one is stored as it is, a PEM one re-encrypted under the same.
    passphrase = await readSecret({ what: `passphrase of ${path}`, envVar: 'BURROW_KEY_PASSPHRASE' });
    storePassphrase = passphrase;
  } else {
    storePassphrase = await readSecret({ what: `passphrase to store ${path} under`, envVar: 'BURROW_KEY_PASSPHRASE', confirm: true, check: passphraseProblem });
  }
  const k = await store.import(path, { ...(name ? { name } : {}), ...(comment ? { comment } : {}), ...(passphrase ? { passphrase } : {}), storePassphrase });
  ctx.io.out(k.publicKeyLine);
  ctx.io.err(`burrow: imported ${k.type} ${k.fingerprint} as ${k.path} (encrypted); ${path} was left as it is`);
  if (k.strengthened) ctx.io.err(`burrow: ${strengthenedNote(path, k.strengthened)}`);
  return 0;
}

async function removeKey({ io, values }: CommandContext, store: KeyStore, name: string): Promise<number> {
  const k = await store.info(name);
  if (!values.yes) {
    if (!process.stdin.isTTY) throw new BurrowError('config', `not removing ${name} (${k.fingerprint}) without confirmation: re-run with --yes`);
    if (!(await confirm(`Remove key ${name} (${k.fingerprint})? Hosts that only accept it will refuse Burrow.`))) {
      io.err('burrow: not removed');
      return 1;
    }
  }
  await store.remove(name);
  io.err(`burrow: removed ${name} (${k.fingerprint})`);
  return 0;
}

function parseRole(v: string | undefined): KeyRole {
  if (v === undefined) return 'unrestricted';
  if (v === 'source' || v === 'destination') return v;
  throw new BurrowError('config', `--role must be source or destination, not "${v}"`);
}

async function installCommand(ctx: CommandContext, store: KeyStore, name: string): Promise<number> {
  const { io, configPath } = ctx;
  const hostName = str(ctx, 'host');
  if (!hostName) throw new BurrowError('config', `name the host: burrow keys install ${name} --host HOST`);
  const role = parseRole(str(ctx, 'role'));
  const config = await loadConfig(configPath);
  const { host, needsFingerprint, install } = planKeyInstall(config, hostName, role, str(ctx, 'path'));
  const key = await store.info(name);

  let confirmFingerprint = str(ctx, 'fingerprint');
  if (needsFingerprint && confirmFingerprint === undefined) {
    // First contact: show the key without logging in, and let the user vouch for it.
    const presented = await SshSession.fetchHostKey({ config, hostName });
    io.err(`burrow: ${hostName} has no pinned host key; it presents ${presented.type} ${presented.fingerprint}`);
    if (!process.stdin.isTTY) {
      throw new BurrowError(
        'host-key-missing',
        `not sending a password to an unpinned host: compare ${presented.fingerprint} with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on it), then re-run with --fingerprint ${presented.fingerprint}`,
      );
    }
    if (!(await confirm(`Trust ${presented.fingerprint} for ${hostName}? Only if it matches the host's own fingerprint.`))) {
      io.err('burrow: nothing installed');
      return 1;
    }
    confirmFingerprint = presented.fingerprint;
  }

  const password = await readSecret({ what: `password of ${host.user}@${host.hostname}`, envVar: 'BURROW_PASSWORD' });
  const result = await installKey({
    ...install,
    publicKeyLine: key.publicKeyLine,
    password,
    ...(confirmFingerprint !== undefined ? { confirmFingerprint } : {}),
    // A host behind a proxyJump is reached with the keys a run would use.
    agents: headlessAgentProvider(configPath, process.env, store),
    pinIn: configPath,
  });
  io.err(
    `burrow: key ${name} ${result.outcome === 'present' ? 'was already installed' : result.outcome} on ${hostName}${role === 'unrestricted' ? '' : ` (restricted: ${role})`}`,
  );
  io.out(result.line);
  if (result.gate) reportGate(io, hostName, result.gate);
  if (result.pinned) io.err(`burrow: pinned ${result.pinned} for ${hostName} in ${configPath}`);
  const hint = identityFileHint(hostName, host, name, role);
  if (hint) io.err(`burrow: ${hint}`);
  return 0;
}

/** What writing a gate pinned, and what the person still has to do (sudoers lines, missing dirs). */
function reportGate(io: CommandContext['io'], hostName: string, gate: GateWriteResult): void {
  io.err(
    `burrow: the gate on ${hostName} admits job${gate.jobs.length === 1 ? '' : 's'} ${gate.jobs.join(', ') || '(none)'}, as the config describes them now`,
  );
  for (const w of gate.warnings) io.err(`burrow: warning: ${w}`);
  if (gate.sudoers.length > 0) {
    io.err(`burrow: jobs with sudo: true need these lines in /etc/sudoers.d/burrow on ${hostName} (edit with visudo); they allow exactly the tar Burrow runs:`);
    for (const line of gate.sudoers) io.out(line);
  }
}

/** `burrow keys update-gate HOST`: the gate rewritten from the config's jobs, with the host's password. */
async function updateGateCli(ctx: CommandContext, store: KeyStore, hostName: string): Promise<number> {
  const config = await loadConfig(ctx.configPath);
  const host = config.hosts[hostName];
  if (!host) throw new BurrowError('config', `no host named "${hostName}" in ${ctx.configPath}`);
  const password = await readSecret({ what: `password of ${host.user}@${host.hostname}`, envVar: 'BURROW_PASSWORD' });
  const gate = await updateGate({ config, hostName, password, agents: headlessAgentProvider(ctx.configPath, process.env, store) });
  reportGate(ctx.io, hostName, gate);
  return 0;
}

/** `burrow keys gate HOST`: whether the gate there admits the config's jobs as they are now (with the host's usual key). */
async function gateStatusCommand(ctx: CommandContext, store: KeyStore, hostName: string): Promise<number> {
  const config = await loadConfig(ctx.configPath);
  const report = await gateStatus(config, hostName, headlessAgentProvider(ctx.configPath, process.env, store));
  if (ctx.values.json) ctx.io.out(JSON.stringify(report, null, 2));
  else if (report.state === 'none') ctx.io.out(`${hostName}: no gate guards this login (the key is not a source key)`);
  else if (report.state === 'current') ctx.io.out(`${hostName}: the gate admits every job as configured`);
  else ctx.io.out(`${hostName}: the gate is out of date:\n${report.changes.map((c) => `  ${c}`).join('\n')}\nupdate it with: ${updateGateHint(hostName)}`);
  return report.state === 'stale' ? 1 : 0;
}
