/**
 * The config's alert channels and `/metrics`, as schemas: part of the config
 * file (shared/config-schema.ts composes them), so the Settings page checks
 * them with the same words `burrow daemon` would print. Browser-safe.
 *
 * Secrets (an SMTP password, a webhook token, the metrics token) are never
 * written in the config: it names an environment variable (`passwordEnv`,
 * `tokenEnv`) or a file only its owner can read (`passwordFile`, `tokenFile`,
 * e.g. a systemd credential), and the value is read when it is needed.
 */
import { z } from 'zod';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const channelName = z.string().regex(NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The name every process gives its own desktop channel (notify-send, or the tray app's notifications). */
export const DESKTOP_CHANNEL = 'desktop';

export const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be the name of an environment variable, such as BURROW_SMTP_PASSWORD');

/** A file on this machine ("~" is the home directory) holding one secret. */
export const secretFile = z
  .string()
  .min(1)
  .refine((s) => s.startsWith('/') || s.startsWith('~/'), { message: 'must be an absolute path or start with "~/"' })
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'must not contain control characters' });

/** An http(s) URL without a user or password in it (those go in tokenEnv/tokenFile). */
export const httpUrl = z.string().superRefine((s, ctx) => {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a URL such as https://ntfy.sh/my-backups' });
    return;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' });
  else if (u.username || u.password)
    ctx.addIssue({ code: 'custom', input: undefined, message: 'must not carry a user or password: name a secret with tokenEnv or tokenFile' });
});

/** Loose on purpose: `burrow@localhost` is a fine sender on a small network. */
const mailAddress = z.string().regex(/^[^\s@<>,;"]+@[^\s@<>,;"]+$/, 'must be an e-mail address such as ops@example.com');

/** Placeholders a webhook template may use: `{{title}}` in any string of the template. */
export const TEMPLATE_FIELDS = ['title', 'body', 'kind', 'job', 'urgency', 'at', 'runId'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** Every `{{name}}` in a JSON value's strings that is not a known placeholder. */
export function unknownPlaceholders(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) if (!(TEMPLATE_FIELDS as readonly string[]).includes(m[1]!)) out.add(m[1]!);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out];
}

/** A field the config must not hold in clear: the message says where the secret goes instead. */
function refuseClear(field: string, instead: string) {
  return (c: Record<string, unknown>, ctx: z.RefinementCtx) => {
    // `input: undefined`: the message must never repeat the secret.
    if (c[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], input: undefined, message: `must not be written in the config: ${instead}` });
  };
}

const notifySuccess = z.boolean().default(false);

export const EMAIL_SECURITY = ['starttls', 'tls', 'none'] as const;

export const emailChannelSchema = z
  .object({
    type: z.literal('email'),
    name: channelName,
    /** The SMTP server. */
    host: z
      .string()
      .min(1)
      .refine((s) => !/[\s\u0000-\u001f]/.test(s), { message: 'must not contain spaces or control characters' }),
    /** Default: 587 with starttls, 465 with tls, 25 with none. */
    port: z.number().int().min(1).max(65535).optional(),
    /** starttls: upgrade a plain connection (refused when the server cannot); tls: TLS from the start; none: plain, only without a login. */
    security: z.enum(EMAIL_SECURITY, { error: 'must be starttls, tls or none' }).default('starttls'),
    user: z.string().min(1).max(256).optional(),
    passwordEnv: envVarName.optional(),
    passwordFile: secretFile.optional(),
    /** A PEM file of the CA that signed the server's certificate, when it is not a public one. */
    caFile: secretFile.optional(),
    from: mailAddress,
    to: z.array(mailAddress).min(1, 'must name at least one recipient'),
    notifySuccess,
    password: z.unknown().optional(),
  })
  .strict()
  .superRefine(refuseClear('password', 'set passwordEnv (an environment variable such as BURROW_SMTP_PASSWORD) or passwordFile (a file only you can read)'))
  .superRefine((c, ctx) => {
    if (c.user === undefined && (c.passwordEnv !== undefined || c.passwordFile !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['user'], input: undefined, message: 'is needed when a password is given' });
    }
    if (c.passwordEnv !== undefined && c.passwordFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], input: c.passwordFile, message: 'give passwordEnv or passwordFile, not both' });
    }
    if (c.security === 'none' && c.user !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['security'], input: c.security, message: 'none would send the password in clear: use starttls or tls' });
    }
  });

export const WEBHOOK_PRESETS = ['json', 'ntfy', 'gotify', 'slack'] as const;
export type WebhookPreset = (typeof WEBHOOK_PRESETS)[number];

export const webhookChannelSchema = z
  .object({
    type: z.literal('webhook'),
    name: channelName,
    /** ntfy: the topic's URL; gotify: the server's URL; slack: the incoming webhook's URL; json: where to POST. */
    url: httpUrl,
    preset: z.enum(WEBHOOK_PRESETS, { error: `must be one of ${WEBHOOK_PRESETS.join(', ')}` }).default('json'),
    /** ntfy and json: sent as `Authorization: Bearer`; gotify: the application token (X-Gotify-Key). */
    tokenEnv: envVarName.optional(),
    tokenFile: secretFile.optional(),
    /** json only: the body to POST, any JSON, with {{title}}, {{body}}, {{kind}}, {{job}}, {{urgency}}, {{at}} or {{runId}} in its strings. */
    template: z.record(z.string(), z.unknown()).optional(),
    notifySuccess,
    token: z.unknown().optional(),
  })
  .strict()
  .superRefine(refuseClear('token', 'set tokenEnv (an environment variable) or tokenFile (a file only you can read)'))
  .superRefine((c, ctx) => {
    if (c.tokenEnv !== undefined && c.tokenFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenFile'], input: c.tokenFile, message: 'give tokenEnv or tokenFile, not both' });
    }
    if (c.preset === 'gotify' && c.tokenEnv === undefined && c.tokenFile === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenEnv'],
        input: undefined,
        message: "gotify needs the application's token: name it with tokenEnv or tokenFile",
      });
    }
    if (c.template !== undefined && c.preset !== 'json') {
      ctx.addIssue({ code: 'custom', path: ['template'], input: undefined, message: `is for preset json; ${c.preset} has its own shape` });
    }
    const unknown = c.template ? unknownPlaceholders(c.template) : [];
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['template'],
        input: unknown.map((u) => `{{${u}}}`).join(', '),
        message: `uses unknown placeholders; known are ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(', ')}`,
      });
    }
  });

/** healthchecks.io-style pings per job: URL/start when a run starts, URL on success, URL/fail with the cause. */
export const pingChannelSchema = z
  .object({
    type: z.literal('ping'),
    name: channelName,
    jobs: z
      .record(z.string().regex(NAME, 'must be a job name'), httpUrl)
      .refine((r) => Object.keys(r).length > 0, { message: 'must give at least one job its ping URL' }),
  })
  .strict();

export const CHANNEL_TYPES = ['email', 'webhook', 'ping'] as const;

export const channelSchema = z.discriminatedUnion('type', [emailChannelSchema, webhookChannelSchema, pingChannelSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? `type must be one of ${CHANNEL_TYPES.join(', ')}` : undefined),
});

export const alertsSchema = z
  .object({
    channels: z.array(channelSchema).default([]),
  })
  .strict()
  .superRefine((a, ctx) => {
    const seen = new Set<string>([DESKTOP_CHANNEL]);
    a.channels.forEach((c, i) => {
      if (seen.has(c.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'name'],
          input: c.name,
          message: c.name === DESKTOP_CHANNEL ? 'is the name of the desktop channel every process has; choose another' : 'is used by another channel',
        });
      }
      seen.add(c.name);
    });
  });

/** `host:port` or `[v6]:port`. */
export const LISTEN_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export const metricsSchema = z
  .object({
    /** `/metrics` in `burrow serve`; off unless asked for. */
    enabled: z.boolean().default(false),
    /** A separate address for `/metrics` alone (e.g. 127.0.0.1:9464); without it, `/metrics` is on serve's own port and needs a token. */
    listen: z
      .string()
      .regex(LISTEN_ADDRESS, 'must be host:port, such as 127.0.0.1:9464')
      .refine((s) => Number(LISTEN_ADDRESS.exec(s)?.[2]) >= 1 && Number(LISTEN_ADDRESS.exec(s)?.[2]) <= 65535, { message: 'must have a port from 1 to 65535' })
      .optional(),
    /** The scrape token (Authorization: Bearer); on serve's port the UI's token works too. */
    tokenEnv: envVarName.optional(),
    tokenFile: secretFile.optional(),
    token: z.unknown().optional(),
  })
  .strict()
  .superRefine(refuseClear('token', 'set tokenEnv (an environment variable) or tokenFile (a file only you can read)'))
  .superRefine((m, ctx) => {
    if (m.tokenEnv !== undefined && m.tokenFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenFile'], input: m.tokenFile, message: 'give tokenEnv or tokenFile, not both' });
    }
  });

export type AlertsConfig = z.output<typeof alertsSchema>;
export type ChannelConfig = z.output<typeof channelSchema>;
export type ChannelType = ChannelConfig['type'];
export type EmailChannelConfig = z.output<typeof emailChannelSchema>;
export type WebhookChannelConfig = z.output<typeof webhookChannelSchema>;
export type PingChannelConfig = z.output<typeof pingChannelSchema>;
export type MetricsConfig = z.output<typeof metricsSchema>;

type UnlistedType = Exclude<ChannelType, (typeof CHANNEL_TYPES)[number]>;
/** Fails to compile when a channel type of the schema is missing from CHANNEL_TYPES (the Settings page's list). */
export const ALL_CHANNEL_TYPES_LISTED: UnlistedType extends never ? true : UnlistedType = true;
