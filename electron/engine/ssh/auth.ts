/**
 * Which agent signs for a host: Burrow's in-process agent holding the host's
 * identityFile, or the user's ssh-agent (SSH_AUTH_SOCK). Either one is also
 * what agent forwarding offers the source during a run.
 */
import { readFile, stat } from 'node:fs/promises';
import { createAgent, type BaseAgentType as BaseAgent } from './ssh2-lib';
import type { HostConfig } from '../../../shared/config-schema';
import { BurrowError } from '../errors';
import { expandHome } from '../paths';
import { KeyAgent, parsePrivateKey } from './key-agent';

export interface AgentProvider {
  agentFor(hostName: string, host: HostConfig): Promise<BaseAgent>;
}

/**
 * Loads each identity file once, and again only when it changes: the daemon
 * and the app keep one provider for their whole life, and a key file fixed
 * or rotated meanwhile must count at the next run. A failed load is not kept.
 */
export class DefaultAgentProvider implements AgentProvider {
  private readonly cache = new Map<string, { mtimeMs: number; agent: Promise<BaseAgent> }>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async agentFor(hostName: string, host: HostConfig): Promise<BaseAgent> {
    if (!host.identityFile) return this.load(hostName, host);
    const key = expandHome(host.identityFile);
    const mtimeMs = await stat(key).then(
      (s) => s.mtimeMs,
      () => -1,
    );
    const cached = this.cache.get(key);
    if (cached && cached.mtimeMs === mtimeMs) return cached.agent;
    const agent = this.load(hostName, host);
    this.cache.set(key, { mtimeMs, agent });
    agent.catch(() => {
      if (this.cache.get(key)?.agent === agent) this.cache.delete(key);
    });
    return agent;
  }

  private async load(hostName: string, host: HostConfig): Promise<BaseAgent> {
    if (host.identityFile) {
      const path = expandHome(host.identityFile);
      let text: Buffer;
      try {
        text = await readFile(path);
      } catch (err) {
        throw new BurrowError('auth', `hosts.${hostName}.identityFile: cannot read ${path}: ${(err as Error).message}`);
      }
      try {
        return new KeyAgent([parsePrivateKey(text, path, this.env.BURROW_KEY_PASSPHRASE)]);
      } catch (err) {
        throw new BurrowError('auth', `hosts.${hostName}.identityFile: ${(err as Error).message}`);
      }
    }
    const sock = this.env.SSH_AUTH_SOCK;
    if (!sock) {
      throw new BurrowError('auth', `host "${hostName}" has no identityFile and no ssh-agent is running (SSH_AUTH_SOCK is not set)`);
    }
    return createAgent(sock);
  }
}
