/**
 * Network namespaces for netns mode: one namespace per host, veth pairs to the
 * root namespace (the laptop), a proxy<->source link, and nftables rules that
 * make the source and destination unable to initiate connections.
 */
import { existsSync } from 'node:fs';
import { run, runOk } from './run';
import type { HostRole } from './types';

/** Addresses and interface names of one lab's network. */
export interface NetworkPlan {
  /** The lab's /24, e.g. `10.213.7`. */
  prefix: string;
  netns: Record<HostRole, string>;
  /** Address of each host on its link to the laptop. */
  hostAddress: Record<HostRole, string>;
  /** Laptop-side address of each host's link. */
  laptopAddress: Record<HostRole, string>;
  /** Root-namespace end of each laptop<->host veth pair. */
  rootVeth: Record<HostRole, string>;
  /** Namespace end of each laptop<->host veth pair. */
  hostVeth: Record<HostRole, string>;
  /** proxy<->source link: interface names and addresses. */
  proxyLink: { proxyVeth: string; sourceVeth: string; proxyAddress: string; sourceAddress: string };
}

const ROLES: HostRole[] = ['source', 'destination', 'proxy'];
const SHORT: Record<HostRole, string> = { source: 's', destination: 'd', proxy: 'p' };
const NS_SUFFIX: Record<HostRole, string> = { source: 'src', destination: 'dst', proxy: 'prx' };

/** Every name prefix the lab uses for namespaces, interfaces and users. */
export const LAB_PREFIX = 'blab';

/** Namespace name of `role` in lab `id`. */
export function netnsName(id: string, role: HostRole): string {
  return `${LAB_PREFIX}-${id}-${NS_SUFFIX[role]}`;
}

/** The 10.x.y prefixes already used by an address of the root namespace. */
async function usedPrefixes(): Promise<Set<string>> {
  const r = await runOk(['ip', '-o', '-4', 'addr']);
  const used = new Set<string>();
  for (const m of r.stdout.matchAll(/inet (10\.\d+\.\d+)\.\d+/g)) used.add(m[1]!);
  const routes = await run(['ip', '-4', 'route']);
  for (const m of routes.stdout.matchAll(/^(10\.\d+\.\d+)\./gm)) used.add(m[1]!);
  return used;
}

/** Pick an unused 10.x.y.0/24 (x in 200..250) and lay out the /30 links in it. */
export async function planNetwork(id: string): Promise<NetworkPlan> {
  const used = await usedPrefixes();
  let prefix: string | undefined;
  for (let i = 0; i < 1000 && !prefix; i++) {
    const candidate = `10.${200 + Math.floor(Math.random() * 51)}.${Math.floor(Math.random() * 256)}`;
    if (!used.has(candidate)) prefix = candidate;
  }
  if (!prefix) throw new Error('no unused 10.x.y.0/24 (x in 200..250) left');
  // /30 number n covers .4n..4n+3; .4n+1 is the laptop (or proxy) end, .4n+2 the host end.
  const hostAddress = {} as Record<HostRole, string>;
  const laptopAddress = {} as Record<HostRole, string>;
  const rootVeth = {} as Record<HostRole, string>;
  const hostVeth = {} as Record<HostRole, string>;
  const netns = {} as Record<HostRole, string>;
  ROLES.forEach((role, n) => {
    laptopAddress[role] = `${prefix}.${4 * n + 1}`;
    hostAddress[role] = `${prefix}.${4 * n + 2}`;
    rootVeth[role] = `${LAB_PREFIX}${id}l${SHORT[role]}`;
    hostVeth[role] = `${LAB_PREFIX}${id}${SHORT[role]}l`;
    netns[role] = netnsName(id, role);
  });
  return {
    prefix,
    netns,
    hostAddress,
    laptopAddress,
    rootVeth,
    hostVeth,
    proxyLink: {
      proxyVeth: `${LAB_PREFIX}${id}ps`,
      sourceVeth: `${LAB_PREFIX}${id}sp`,
      proxyAddress: `${prefix}.13`,
      sourceAddress: `${prefix}.14`,
    },
  };
}

/** nftables ruleset for a host that may answer but never initiate. */
export const NO_INITIATE_RULESET = `table inet burrowlab {
  chain output {
    type filter hook output priority 0; policy drop;
    oif "lo" accept
    ct state established,related accept
  }
}
`;

/**
 * Create the namespaces, links, addresses, routes and firewall rules of `plan`.
 * On failure whatever was created is left for {@link teardownNetwork}.
 */
export async function setupNetwork(plan: NetworkPlan): Promise<void> {
  const ns = plan.netns;
  const { proxyLink: pl, prefix } = plan;
  await runOk(['ip', '-batch', '-'], { input: ROLES.map((r) => `netns add ${ns[r]}\n`).join('') });
  const root: string[] = [];
  for (const role of ROLES) {
    root.push(`link add ${plan.rootVeth[role]} type veth peer name ${plan.hostVeth[role]} netns ${ns[role]}`);
    root.push(`addr add ${plan.laptopAddress[role]}/30 dev ${plan.rootVeth[role]}`);
    root.push(`link set ${plan.rootVeth[role]} up`);
  }
  root.push(`link add ${pl.proxyVeth} netns ${ns.proxy} type veth peer name ${pl.sourceVeth} netns ${ns.source}`);
  await runOk(['ip', '-batch', '-'], { input: root.map((l) => `${l}\n`).join('') });
  await Promise.all(
    ROLES.map(async (role) => {
      const cmds = [
        'link set lo up',
        `addr add ${plan.hostAddress[role]}/30 dev ${plan.hostVeth[role]}`,
        `link set ${plan.hostVeth[role]} up`,
        // Only the lab's own /24 is routed (via the laptop, which does not
        // forward): nothing in a lab namespace has a route to the outside.
        `route add ${prefix}.0/24 via ${plan.laptopAddress[role]}`,
      ];
      if (role === 'proxy') cmds.push(`addr add ${pl.proxyAddress}/30 dev ${pl.proxyVeth}`, `link set ${pl.proxyVeth} up`);
      if (role === 'source') cmds.push(`addr add ${pl.sourceAddress}/30 dev ${pl.sourceVeth}`, `link set ${pl.sourceVeth} up`);
      await runOk(['ip', '-n', ns[role], '-batch', '-'], { input: cmds.map((l) => `${l}\n`).join('') });
      if (role !== 'proxy') {
        await runOk(['ip', 'netns', 'exec', ns[role], 'nft', '-f', '-'], { input: NO_INITIATE_RULESET });
      }
    }),
  );
}

/** Delete namespaces (and with them their interfaces and nft tables) and root-side veths. */
export async function teardownNetwork(netns: string[], rootVeths: string[]): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    netns.map(async (name) => {
      if (!existsSync(`/run/netns/${name}`)) return;
      const r = await run(['ip', 'netns', 'del', name]);
      if (r.code !== 0 && existsSync(`/run/netns/${name}`)) problems.push(`ip netns del ${name}: ${r.stderr.trim()}`);
    }),
  );
  // Deleting a namespace destroys its veth ends and so the root-side peers,
  // but a half-built lab may have a root-side end whose peer never moved.
  await Promise.all(
    rootVeths.map(async (dev) => {
      if (!existsSync(`/sys/class/net/${dev}`)) return;
      const r = await run(['ip', 'link', 'del', dev]);
      if (r.code !== 0 && existsSync(`/sys/class/net/${dev}`)) problems.push(`ip link del ${dev}: ${r.stderr.trim()}`);
    }),
  );
  return problems;
}

let cachedReason: Promise<string | undefined> | undefined;

/**
 * Why netns mode is unavailable, or `undefined` when it is available. Probes
 * once per process by creating a namespace, loading an nftables table into it
 * and deleting it again.
 */
export function netnsUnavailableReason(): Promise<string | undefined> {
  cachedReason ??= probeNetns();
  return cachedReason;
}

async function probeNetns(): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid !== 0) return `not running as root (uid ${uid ?? 'unknown'})`;
  const name = `${LAB_PREFIX}-probe-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  try {
    const add = await run(['ip', 'netns', 'add', name]);
    if (add.code !== 0) return `\`ip netns add\` failed: ${add.stderr.trim()}`;
    const nft = await run(['ip', 'netns', 'exec', name, 'nft', '-f', '-'], { input: NO_INITIATE_RULESET });
    if (nft.code !== 0) return `nftables does not work in a network namespace: ${nft.stderr.trim()}`;
    return undefined;
  } catch (err) {
    return `cannot run ip/nft: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await run(['ip', 'netns', 'del', name]).catch(() => undefined);
  }
}
