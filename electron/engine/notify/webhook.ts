/**
 * Notices as a JSON POST: presets for ntfy, Gotify and Slack-compatible
 * incoming webhooks (Mattermost, Rocket.Chat, Discord's /slack), and for
 * anything else a template with {{placeholders}}.
 */
import type { TemplateField, WebhookChannelConfig, WebhookPreset } from '../../../shared/alerts-schema';
import type { Notice } from '../../../shared/notification-policy';
import { wantsNotice, type Channel, type ChannelDeps } from './channel';
import { post, type PostRequest } from './http-post';
import { readSecretRef } from './secrets';

const NTFY_PRIORITY = { critical: 5, normal: 3, low: 2 } as const;
const GOTIFY_PRIORITY = { critical: 8, normal: 5, low: 2 } as const;
const NTFY_TAGS: Record<Notice['kind'], string> = {
  missed: 'warning',
  failed: 'rotating_light',
  stale: 'hourglass',
  succeeded: 'white_check_mark',
  'caught-up': 'white_check_mark',
  test: 'test_tube',
};

/** The values a template's placeholders stand for. */
export function templateValues(n: Notice): Record<TemplateField, string> {
  return { title: n.title, body: n.body, kind: n.kind, job: n.job ?? '', urgency: n.urgency, at: n.at, runId: n.runId ?? '' };
}

/** The template with every {{placeholder}} in its strings replaced (keys are left alone). */
export function fillTemplate(template: unknown, values: Record<string, string>): unknown {
  if (typeof template === 'string') return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, k: string) => values[k] ?? all);
  if (Array.isArray(template)) return template.map((v) => fillTemplate(v, values));
  if (template && typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, values)]));
  return template;
}

type Shape = (c: WebhookChannelConfig, n: Notice, token: string | undefined, hostname: string) => PostRequest;

const json = (url: string, body: unknown, headers: Record<string, string> = {}): PostRequest => ({
  url,
  body: JSON.stringify(body),
  contentType: 'application/json',
  headers,
});
const bearer = (token: string | undefined): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

/** One request shape per preset; the compiler asks for a new preset's. */
export const WEBHOOK_SHAPES: Record<WebhookPreset, Shape> = {
  // ntfy's JSON publishing goes to the server's root with the topic in the body.
  ntfy: (c, n, token) => {
    const u = new URL(c.url);
    const parts = u.pathname.split('/').filter(Boolean);
    const topic = parts.pop() ?? '';
    u.pathname = `/${parts.map((p) => `${p}/`).join('')}`;
    return json(u.toString(), { topic, title: n.title, message: n.body, priority: NTFY_PRIORITY[n.urgency], tags: [NTFY_TAGS[n.kind]] }, bearer(token));
  },
  gotify: (c, n, token) => {
    const u = new URL(c.url);
    if (!u.pathname.endsWith('/message')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/message`;
    return json(u.toString(), { title: n.title, message: n.body, priority: GOTIFY_PRIORITY[n.urgency] }, token ? { 'X-Gotify-Key': token } : {});
  },
  slack: (c, n) => json(c.url, { text: `*${n.title}*\n${n.body}` }),
  json: (c, n, token, hostname) =>
    json(c.url, c.template ? fillTemplate(c.template, templateValues(n)) : { ...templateValues(n), host: hostname, source: 'burrow' }, bearer(token)),
};

export function webhookChannel(c: WebhookChannelConfig, deps: ChannelDeps): Channel {
  return {
    name: c.name,
    type: 'webhook',
    wants: (m) => wantsNotice(m, c.notifySuccess),
    async send(m, signal) {
      if (m.kind !== 'notice') return;
      const token = await readSecretRef({ env: c.tokenEnv, file: c.tokenFile }, deps.env, `webhook ${c.name} token`);
      await post(WEBHOOK_SHAPES[c.preset](c, m.notice, token, deps.hostname), signal, `webhook ${c.name}`);
    },
  };
}
