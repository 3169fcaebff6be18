/**
 * Notices by e-mail over SMTP (nodemailer): STARTTLS required by default,
 * or TLS from the start; the password comes from an environment variable
 * or a private file, read at each send.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type { EmailChannelConfig } from '../../../shared/alerts-schema';
import { expandHome } from '../paths';
import { ChannelError, wantsNotice, type Channel, type ChannelDeps, type Message } from './channel';
import { readSecretRef } from './secrets';

const DEFAULT_PORT = { starttls: 587, tls: 465, none: 25 } as const;

export function emailChannel(c: EmailChannelConfig, deps: ChannelDeps): Channel {
  return {
    name: c.name,
    type: 'email',
    wants: (m) => wantsNotice(m, c.notifySuccess),
    async send(m: Message) {
      if (m.kind !== 'notice') return;
      const n = m.notice;
      const pass = await readSecretRef({ env: c.passwordEnv, file: c.passwordFile }, deps.env, `e-mail ${c.name} password`);
      let ca: string | undefined;
      if (c.caFile) {
        try {
          ca = await readFile(expandHome(c.caFile), 'utf8');
        } catch (err) {
          throw new ChannelError(`e-mail ${c.name}: cannot read caFile ${c.caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
      const transport = nodemailer.createTransport({
        host: c.host,
        port: c.port ?? DEFAULT_PORT[c.security],
        secure: c.security === 'tls',
        requireTLS: c.security === 'starttls',
        ignoreTLS: c.security === 'none',
        ...(c.user ? { auth: { user: c.user, pass: pass ?? '' } } : {}),
        // SNI takes names only (RFC 6066); an address is checked against the certificate all the same.
        tls: { ...(isIP(c.host) ? {} : { servername: c.host }), minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      });
      try {
        await transport.sendMail({
          from: c.from,
          to: c.to,
          subject: `[Burrow] ${n.title}`,
          text: `${n.body}\n\n${n.job ? `Job: ${n.job}\n` : ''}${n.runId ? `Run: ${n.runId}\n` : ''}When: ${n.at}\nFrom: Burrow on ${deps.hostname}\n`,
          headers: { 'X-Burrow-Kind': n.kind, ...(n.job ? { 'X-Burrow-Job': n.job } : {}) },
        });
      } catch (err) {
        throw new ChannelError(`e-mail via ${c.host}: ${oneLine(err)}`);
      } finally {
        transport.close();
      }
    },
  };
}

/** nodemailer's error in one line, without the server's multi-line chatter. */
function oneLine(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const text = (e.message ?? String(err)).split('\n')[0]!.slice(0, 300);
  return e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text;
}
