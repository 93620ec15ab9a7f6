import { Injectable, Logger } from '@nestjs/common';
import type { ClassifierEngine } from '../engine/engine.types';

/** The role a loaded engine serves. */
export type ServingRole = 'production' | 'canary' | 'shadow';

export interface VersionLoadedEvent {
  version: string;
  engine: ClassifierEngine;
  /** The version's directory in the registry (e.g. where drift_reference.txt would be). */
  modelDir: string;
  role: ServingRole;
}

export interface ModelEventListener {
  /** A version's engine took a role (it is loaded, warmed and validated). Called again when its role changes. */
  versionLoaded?(event: VersionLoadedEvent): void;
  /** A version's engine left every role and is being closed. */
  versionUnloaded?(version: string): void;
}

/**
 * "A version's engine is loaded / unloaded", for features that keep per-version state next to the engine
 * (drift detection). Listeners are called synchronously; one that throws is logged and does not stop the others
 * or the model change.
 */
@Injectable()
export class ModelEventsService {
  private readonly logger = new Logger(ModelEventsService.name);
  private readonly listeners: ModelEventListener[] = [];

  subscribe(listener: ModelEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  versionLoaded(event: VersionLoadedEvent): void {
    this.emit((l) => l.versionLoaded?.(event));
  }

  versionUnloaded(version: string): void {
    this.emit((l) => l.versionUnloaded?.(version));
  }

  private emit(call: (listener: ModelEventListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (error) {
        this.logger.error(`A model event listener failed: ${(error as Error).message}`);
      }
    }
  }
}
