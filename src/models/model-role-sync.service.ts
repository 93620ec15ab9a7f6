import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { redactPassword } from '../database/postgres-database';
import { ModelsService } from './models.service';
import { MODEL_ROLES_CHANNEL } from './postgres-model.store';

/** First wait before reconnecting a dropped listener; doubled per failed attempt up to the maximum. */
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * Keeps this replica's served roles equal to the database's (PostgreSQL only; with SQLite this process alone
 * changes them). Two paths, both ending in ModelsService.reconcile:
 * - a dedicated connection LISTENs on the role-change channel: a change committed on any replica reaches this one
 *   within a round trip. It is not a pooled connection (LISTEN belongs to one session); when it drops it is
 *   reconnected with backoff, and a reconcile follows each reconnection, since notifications sent meanwhile are lost;
 * - every MODEL_RECONCILE_SECONDS a reconcile runs anyway, so a notification missed for any other reason costs at
 *   most that long.
 * Starts once the application is up (onApplicationBootstrap): startup has chosen what to serve by then.
 */
@Injectable()
export class ModelRoleSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ModelRoleSync.name);
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_FIRST_MS;
  private stopped = false;
  /** Whether the listening connection is established (LISTEN done); for the logs and the specs. */
  listening = false;

  constructor(
    private readonly config: AppConfig,
    private readonly models: ModelsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.databaseUrl) return;
    this.timer = setInterval(() => void this.models.reconcile('periodic reconcile'), this.config.modelReconcileSeconds * 1000);
    this.timer.unref();
    void this.connect(false);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(reconnecting: boolean): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.databaseUrl,
      connectionTimeoutMillis: this.config.databaseConnectTimeoutMs,
      application_name: 'onnx-classifier-server role listener',
    });
    this.client = client;
    let dropped = false;
    const onDrop = (why: string) => {
      if (dropped || this.stopped || this.client !== client) return;
      dropped = true;
      this.listening = false;
      this.logger.warn(`The model role listener lost its PostgreSQL connection (${why}); reconnecting in ${this.reconnectDelay} ms`);
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    // Without an 'error' listener node-postgres would raise an uncaught error and end the process.
    client.on('error', (error) => onDrop(error.message));
    client.on('end', () => onDrop('the connection ended'));
    client.on('notification', (message) => {
      if (message.channel === MODEL_ROLES_CHANNEL) void this.models.reconcile(`notification ${message.payload ?? ''}`);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${MODEL_ROLES_CHANNEL}`);
    } catch (error) {
      onDrop((error as Error).message);
      return;
    }
    if (this.stopped || this.client !== client) return;
    this.listening = true;
    this.reconnectDelay = RECONNECT_FIRST_MS;
    if (reconnecting) {
      this.logger.log(`The model role listener is connected again to ${redactPassword(this.config.databaseUrl!)}`);
      // Notifications sent while it was away are lost: catch up now rather than at the next periodic reconcile.
      void this.models.reconcile('listener reconnected');
    }
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => void this.connect(true), delay);
    this.reconnectTimer.unref();
  }
}
