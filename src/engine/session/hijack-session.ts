/**
 * The `POST /session` upgrade through dockerode's modem (as dockerode/lib/session.js dials it):
 * the modem sets `Connection: Upgrade` and keeps `Upgrade: h2c`; Node's http sends an array
 * header value as one header line per value, which is what the daemon needs for
 * `X-Docker-Expose-Session-Grpc-Method` (BuildKit's session manager takes each value of that
 * header as one method and does not split a comma-joined one).
 */
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { SessionHijack } from './build-session.js';

interface DialOptions {
  method: string;
  path: string;
  hijack: true;
  headers: Record<string, string | string[]>;
  statusCodes: Record<number, string | boolean>;
}
type Dial = (options: DialOptions, callback: (error: Error | null, socket: Duplex | null) => void) => void;

/** A hijack for openBuildSession on this daemon. */
export function hijackSession(docker: Docker): SessionHijack {
  const modem = docker.modem as { dial: Dial };
  return (headers) =>
    new Promise<Duplex>((resolve, reject) => {
      modem.dial(
        {
          method: 'POST',
          path: '/session',
          hijack: true,
          headers: { Upgrade: 'h2c', ...headers },
          // a reply that is not the upgrade is a refusal (an engine without sessions, an error)
          statusCodes: { 400: 'bad parameter', 404: 'sessions not supported', 500: 'server error' },
        },
        (error, socket) => {
          if (error !== null) reject(error);
          else if (socket === null || typeof (socket as Partial<Duplex>).pipe !== 'function') reject(new Error('POST /session was not upgraded'));
          else resolve(socket);
        },
      );
    });
}
