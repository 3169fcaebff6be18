/** One HTTP request of a channel: a timeout, a 2xx or a one-line cause. */
import { ChannelError } from './channel';

export interface PostRequest {
  url: string;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

/** POSTs and resolves on 2xx; the cause names the host (never the path, which may hold a secret). */
export async function post(req: PostRequest, signal: AbortSignal, what: string): Promise<void> {
  const host = new URL(req.url).host;
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      body: req.body,
      headers: { 'Content-Type': req.contentType, 'User-Agent': 'Burrow', ...req.headers },
      signal,
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const cause = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'no answer in time' : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new ChannelError(`${what} to ${host}: ${cause}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new ChannelError(`${what} to ${host}: HTTP ${res.status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`);
}
