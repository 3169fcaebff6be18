/**
 * The reverse tunnel explained: source → this laptop → destination, each
 * hop coloured by its state, with the port the source's sshd bound. The
 * source cannot reach the destination; during a run it listens on its own
 * loopback, and this laptop relays each connection on to the destination.
 * Shown on a job card during a run and on the Check page.
 */
import type { HopState } from '../lib/tunnel-words';

export interface TunnelDiagramProps {
  testId: string;
  source?: string | undefined;
  destination?: string | undefined;
  /** Laptop ⇄ source: the SSH login that carries the reverse tunnel. */
  toSource: HopState;
  /** Laptop → destination: where the relay sends each connection. */
  toDestination: HopState;
  /** The port the source listens on (127.0.0.1), once bound. */
  port?: number | undefined;
  /** Connections through the tunnel now (rsync's ssh), while it is up. */
  connections?: number | undefined;
}

const HOP_WORDS: Record<HopState, string> = {
  idle: 'closed',
  opening: 'opening…',
  up: 'open',
  failed: 'failed',
  skipped: 'not tried',
};

/** `<testId>` with `data-source` / `data-destination` hop states; `<testId>-port`. */
export function TunnelDiagram({ testId, source, destination, toSource, toDestination, port, connections }: TunnelDiagramProps) {
  const tunnelText = port ? `listens on 127.0.0.1:${port}` : 'reverse tunnel';
  const relayText = connections !== undefined && toDestination === 'up' ? `${connections} connection${connections === 1 ? '' : 's'} relayed` : 'relay';
  return (
    <ol
      className="tunnel-diagram"
      data-testid={testId}
      data-source={toSource}
      data-destination={toDestination}
      aria-label={`Tunnel: source ${HOP_WORDS[toSource]}, destination ${HOP_WORDS[toDestination]}${port ? `, port ${port}` : ''}`}
    >
      <li className="node">
        <strong>source</strong>
        {source ? <span className="node-name">{source}</span> : null}
      </li>
      <li className={`link link-${toSource}`} title="The source's sshd listens on its own loopback; what connects there comes out at this laptop">
        <span className="link-line" aria-hidden="true">
          ⇠
        </span>
        <span className="link-text" data-testid={`${testId}-port`}>
          {tunnelText}
        </span>
        <span className="link-state">{HOP_WORDS[toSource]}</span>
      </li>
      <li className="node node-laptop">
        <strong>this laptop</strong>
        <span className="node-name">relays</span>
      </li>
      <li className={`link link-${toDestination}`} title="This laptop opens a connection to the destination for each one through the tunnel">
        <span className="link-line" aria-hidden="true">
          →
        </span>
        <span className="link-text">{relayText}</span>
        <span className="link-state">{HOP_WORDS[toDestination]}</span>
      </li>
      <li className="node">
        <strong>destination</strong>
        {destination ? <span className="node-name">{destination}</span> : null}
      </li>
    </ol>
  );
}
