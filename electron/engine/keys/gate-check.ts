/**
 * Is the source key's gate in step with the config? One fixed query (the
 * gate answers it with its scripts hash and pins; without a gate the query
 * script just says so), compared with what the config pins now. A run
 * asks before anything else, so a job whose holding dir, paths,
 * compression, sudo or destination moved fails at once with what changed
 * and the command that updates the gate, not half-way with a refusal.
 */
import type { BurrowConfig } from '../../../shared/config-schema';
import { shScript } from '../shell-quote';
import type { AgentProvider } from '../ssh/auth';
import { SshSession } from '../ssh/ssh-session';
import { describePinChanges, gatePinsFor, parsePins, type GatePins } from './gate-pins';
import { GATE_QUERY_SCRIPT, scriptsHash } from './source-gate';

export type GateAnswer =
  /** No gate guards this login (an unrestricted key): nothing to compare. */
  | { kind: 'none' }
  | { kind: 'gate'; scripts: string; pins: GatePins }
  /** A gate that does not answer the query as this Burrow's do (an older one). */
  | { kind: 'outdated'; detail: string };

/** Asks the source's gate for its pins (one command). */
export async function queryGate(session: SshSession, signal?: AbortSignal): Promise<GateAnswer> {
  const r = await session.exec(shScript(GATE_QUERY_SCRIPT, []), signal ? { signal } : {});
  const out = r.stdout.trim();
  if (r.code === 0 && out === 'no-gate') return { kind: 'none' };
  const lines = out.split('\n');
  const scripts = lines.find((l) => l.startsWith('scripts '))?.slice(8);
  const pins = parsePins(lines.find((l) => l.startsWith('pins '))?.slice(5) ?? '');
  if (r.code === 0 && lines[0] === 'burrow-gate 2' && scripts && pins) return { kind: 'gate', scripts, pins };
  const said = r.stderr.trim().split('\n').pop() ?? '';
  return { kind: 'outdated', detail: said || `exit ${r.code ?? 'none'}` };
}

export interface GateReport {
  state: 'none' | 'current' | 'stale';
  /** What differs, one line each (empty unless stale). */
  changes: string[];
}

/** Compares the gate's answer with the config's pins for `hostName` (only `job`'s, when given). */
export function compareGate(config: BurrowConfig, hostName: string, answer: GateAnswer, job?: string): GateReport {
  if (answer.kind === 'none') return { state: 'none', changes: [] };
  if (answer.kind === 'outdated') return { state: 'stale', changes: [`the gate is from an older Burrow and does not say what it admits (${answer.detail})`] };
  const changes = describePinChanges(gatePinsFor(config, hostName), answer.pins, job);
  if (answer.scripts !== scriptsHash()) changes.push("Burrow's source scripts changed (an upgrade), so the gate would refuse them");
  return { state: changes.length ? 'stale' : 'current', changes };
}

/** The one command that brings the gate in step again. */
export const updateGateCommand = (hostName: string) => `burrow keys update-gate ${hostName}`;

export function gateStaleMessage(hostName: string, changes: readonly string[]): string {
  return `the source gate on ${hostName} does not match the config: ${changes.join('; ')}. Nothing was sent. Update it with: ${updateGateCommand(hostName)}`;
}

/** Logs in to `hostName` with its usual key and compares its gate with the config (the whole host). */
export async function gateStatus(config: BurrowConfig, hostName: string, agents: AgentProvider): Promise<GateReport> {
  const session = await SshSession.open({ config, hostName, agents });
  try {
    return compareGate(config, hostName, await queryGate(session));
  } finally {
    session.close();
  }
}
