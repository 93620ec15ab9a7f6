import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { ServingEngine } from '../engine/engine.types';

/** How production and shadow compared over one window. */
export interface ShadowWindow {
  start: number;
  end: number;
  compared: number;
  agreed: number;
  /** production label -> shadow label -> texts. */
  confusion: Record<string, Record<string, number>>;
}

export interface ShadowReport {
  version: string;
  sampleRate: number;
  queued: number;
  /** Sampled texts dropped because the queue was full, since the shadow was attached. */
  dropped: number;
  current: ShadowWindow;
  previous?: ShadowWindow;
}

interface Pending {
  texts: string[];
  productionLabels: string[];
}

/**
 * The shadow version: a sample of production's interactive traffic is classified again by the shadow engine
 * after the response was sent, and only compared; nothing it computes reaches a caller. Work waits in a bounded
 * queue (SHADOW_QUEUE_CAPACITY texts) drained one call at a time, so the shadow never takes more than one
 * batch's share of the cores from production; sampled texts that find the queue full are dropped and counted.
 */
@Injectable()
export class ShadowService implements OnApplicationShutdown {
  private readonly logger = new Logger(ShadowService.name);
  private shadow: ServingEngine | undefined;
  private sampleRate = 0;
  private readonly queue: Pending[] = [];
  private queuedTexts = 0;
  private running = false;
  private dropped = 0;
  private current: ShadowWindow = emptyWindow(0, 0);
  private previous: ShadowWindow | undefined;
  /** Called with each comparison (metrics) and each dropped batch of texts. */
  onCompared: ((agreed: number, compared: number) => void) | undefined;
  onDropped: ((texts: number) => void) | undefined;

  constructor(private readonly config: AppConfig) {}

  /** The shadow engine is this service's alone (the router never sees it): it closes it at shutdown. */
  async onApplicationShutdown(): Promise<void> {
    const shadow = this.detach();
    await this.idle();
    await shadow?.engine.close().catch((error: Error) => this.logger.error(`Closing the shadow engine failed: ${error.message}`));
  }

  /** Starts shadowing with `serving`; returns the shadow it replaces (the caller closes it). */
  attach(serving: ServingEngine, sampleRate: number): ServingEngine | undefined {
    const previous = this.shadow;
    this.shadow = serving;
    this.sampleRate = sampleRate;
    this.dropped = 0;
    this.queue.length = 0;
    this.queuedTexts = 0;
    const now = Date.now();
    this.current = emptyWindow(now, now + this.windowMs());
    this.previous = undefined;
    return previous;
  }

  /** Stops shadowing; returns the shadow engine (the caller closes it once `idle()` resolves). */
  detach(): ServingEngine | undefined {
    const previous = this.shadow;
    this.shadow = undefined;
    this.queue.length = 0;
    this.queuedTexts = 0;
    return previous;
  }

  get version(): string | undefined {
    return this.shadow?.version;
  }

  /**
   * Offers production's answers for a sample: cheap when no shadow runs (one comparison) and never throws, since
   * it runs on the request path after the prediction was committed.
   */
  offer(texts: readonly string[], production: ReadonlyArray<{ label: string }>): void {
    if (!this.shadow || Math.random() >= this.sampleRate) return;
    if (this.queuedTexts + texts.length > this.config.shadowQueueCapacity) {
      this.dropped += texts.length;
      this.onDropped?.(texts.length);
      return;
    }
    this.queue.push({ texts: [...texts], productionLabels: production.map((p) => p.label) });
    this.queuedTexts += texts.length;
    if (!this.running) setImmediate(() => void this.drain());
  }

  report(): ShadowReport | undefined {
    if (!this.shadow) return undefined;
    this.rollWindow(Date.now());
    return {
      version: this.shadow.version,
      sampleRate: this.sampleRate,
      queued: this.queuedTexts,
      dropped: this.dropped,
      current: this.current,
      ...(this.previous ? { previous: this.previous } : {}),
    };
  }

  /** Resolves once the shadow engine has no call of this service in flight. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        this.queuedTexts -= next.texts.length;
        const shadow = this.shadow;
        if (!shadow) break;
        try {
          const results = await shadow.engine.classify(next.texts);
          if (shadow !== this.shadow) continue;
          this.compare(next.productionLabels, results.map((r) => r.label));
        } catch (error) {
          this.logger.warn(`Shadow version ${shadow.version} failed on ${next.texts.length} text(s): ${(error as Error).message}`);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private compare(production: readonly string[], shadow: readonly string[]): void {
    this.rollWindow(Date.now());
    let agreed = 0;
    for (let i = 0; i < production.length; i++) {
      const row = (this.current.confusion[production[i]] ??= {});
      row[shadow[i]] = (row[shadow[i]] ?? 0) + 1;
      if (production[i] === shadow[i]) agreed++;
    }
    this.current.compared += production.length;
    this.current.agreed += agreed;
    this.onCompared?.(agreed, production.length);
  }

  private rollWindow(now: number): void {
    if (now < this.current.end) return;
    this.previous = this.current;
    this.current = emptyWindow(now, now + this.windowMs());
  }

  private windowMs(): number {
    return this.config.monitorWindowMinutes * 60_000;
  }
}

function emptyWindow(start: number, end: number): ShadowWindow {
  return { start, end, compared: 0, agreed: 0, confusion: {} };
}
