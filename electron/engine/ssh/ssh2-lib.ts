/**
 * ssh2 is CommonJS and Node cannot see all of its named exports from ESM;
 * take them from the default export once, here.
 */
import ssh2 from 'ssh2';

export const { AgentProtocol, BaseAgent, Client, createAgent, utils } = ssh2;
export type { BaseAgent as BaseAgentType, ClientChannel, ConnectConfig, ParsedKey, SigningRequestOptions } from 'ssh2';
