import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { PostgresConnection, type TlsOptions } from 'pg-gateway';
import { parseFrontendMessage, parseStartupRequest } from './frontend-message.ts';
import { frameMessages } from './message-framer.ts';
import type { PgWireBackend } from './pg-wire-backend.ts';
import { type BackendKey, PgWireSession } from './pg-wire-session.ts';

/** Where and how the PostgreSQL front door listens. */
export interface PgWireServerOptions {
  readonly backend: PgWireBackend;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** Certificate and key: clients asking for TLS get it. Without them, SSLRequest is answered 'N'. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer; readonly ca?: Buffer };
}

/** One open connection: its socket and, once started, its session. */
interface Connection {
  readonly socket: Socket;
  session?: PgWireSession;
}

/** Resolves once the socket's write buffer has drained, or the socket is gone. */
function drained(socket: Socket): Promise<void> {
  if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

function keyText(key: BackendKey): string {
  return `${key.processId}:${key.secret}`;
}

/**
 * The PostgreSQL wire-protocol front door: `psql`, JDBC, node-postgres and BI tools connect to
 * it with their user name and their Quanta token as password, and query data products.
 * pg-gateway handles TLS, startup and the password request; the password and every later
 * message are handled by a PgWireSession over the backend.
 */
export class PgWireServer {
  readonly #server: Server;
  readonly #options: PgWireServerOptions;
  readonly #connections = new Set<Connection>();
  readonly #sessionsByKey = new Map<string, PgWireSession>();
  #nextProcessId = 1;
  /** The port listened on (the chosen one when created with port 0). */
  readonly port: number;
  /** A connection URL (`postgres://127.0.0.1:5433/mesh`), without user or password. */
  readonly url: string;

  private constructor(options: { server: Server; options: PgWireServerOptions; port: number }) {
    this.#server = options.server;
    this.#options = options.options;
    this.port = options.port;
    this.url = `postgres://${options.options.host ?? '127.0.0.1'}:${options.port}/mesh`;
  }

  /** Starts listening. */
  static async create(options: PgWireServerOptions): Promise<PgWireServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const pgWire = new PgWireServer({ server, options, port });
    server.on('connection', (socket) => pgWire.#accept(socket));
    return pgWire;
  }

  /** Stops listening and closes every connection; statements in flight are abandoned. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) {
      connection.session?.close();
      connection.socket.destroy();
    }
    await closed;
  }

  #accept(socket: Socket): void {
    const connection: Connection = { socket };
    this.#connections.add(connection);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    const tls = this.#options.tls;
    const gateway: PostgresConnection = new PostgresConnection(socket, {
      authMode: 'cleartextPassword',
      ...(tls ? { tls: { ...tls } satisfies TlsOptions } : {}),
      onMessage: (data, state) =>
        state.hasStarted
          ? this.#onMessage(connection, { data, gateway })
          : this.#onStartup({ data, gateway }),
    });
    socket.on('close', () => {
      this.#connections.delete(connection);
      connection.session?.close();
    });
  }

  /** Pre-startup requests pg-gateway does not know: CancelRequest and GSSENCRequest. */
  #onStartup(options: { data: Uint8Array; gateway: PostgresConnection }): boolean {
    const request = parseStartupRequest(options.data);
    switch (request.kind) {
      case 'cancel':
        this.#sessionsByKey.get(keyText(request))?.cancel();
        options.gateway.socket.end();
        return true;
      case 'gssenc':
        // Refused like a server without GSSAPI: 'N', then the client sends its StartupMessage.
        // pg-gateway marks the connection started when we answer, so undo that first.
        setImmediate(() => {
          options.gateway.hasStarted = false;
          options.gateway.sendData(Buffer.from('N'));
        });
        return true;
      case 'other':
        return false;
    }
  }

  async #onMessage(
    connection: Connection,
    options: { data: Uint8Array; gateway: PostgresConnection },
  ): Promise<boolean> {
    const session = connection.session ?? this.#openSession(connection, options.gateway);
    await this.#handle(connection, { session, message: Buffer.from(options.data) });
    if (session.isAuthenticated) {
      // From here on, messages are framed by Quanta: pg-gateway 0.2.4 mis-slices a chunk
      // holding several messages (the extended protocol's Parse/Bind/Execute/Sync).
      const socket = options.gateway.detach();
      socket.on(
        'data',
        frameMessages((message) => this.#handle(connection, { session, message })),
      );
    }
    return true;
  }

  async #handle(connection: Connection, options: { session: PgWireSession; message: Buffer }): Promise<void> {
    try {
      await options.session.handle(parseFrontendMessage(options.message));
    } catch {
      connection.socket.destroy();
    }
  }

  #openSession(connection: Connection, gateway: PostgresConnection): PgWireSession {
    const key = { processId: this.#nextProcessId, secret: randomInt(1, 2 ** 31 - 1) };
    this.#nextProcessId += 1;
    const session = PgWireSession.create({
      backend: this.#options.backend,
      parameters: gateway.clientInfo?.parameters ?? { user: '' },
      key,
      write: (chunk) => gateway.sendData(chunk),
      end: () => gateway.socket.end(),
      drained: () => drained(gateway.socket),
    });
    connection.session = session;
    this.#sessionsByKey.set(keyText(key), session);
    connection.socket.once('close', () => this.#sessionsByKey.delete(keyText(key)));
    return session;
  }
}
