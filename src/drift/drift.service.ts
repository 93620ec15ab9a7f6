import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { EngineService } from '../engine/engine.service';
import { ModelEventsService } from '../models/model-events.service';
import type { ClassifierEngine } from '../engine/engine.types';
import { PredictionLogService } from '../predictions/prediction-log.service';
import type { PredictionRecord, PredictionSource } from '../predictions/prediction.types';
import type { StoredReference, WindowResult } from './drift.types';
import { DriftStore } from './drift.store';
import { rawWindow } from './raw-window';
import type { FeatureSet } from './feature-set';
import { sampleOf } from './prediction-sample';
import { buildReference, deserialize, PROJECTION_FIT_FILE, readReferenceFile } from './reference-builder';
import { WindowBuffer } from './window-buffer';
import { WindowEvaluator } from './window-evaluator';

/** MMD permutations per window (the issue asks for at least 500). */
export const MMD_PERMUTATIONS = 500;
/** Windows of one version waiting for the evaluation thread beyond which a new one is dropped (memory bound). */
const MAX_PENDING_EVALUATIONS = 2;

/** The part of a model version's engine drift uses: its facts, and classify to build references. */
export type DriftEngine = Pick<ClassifierEngine, 'classify' | 'info'>;

/** What the service keeps per attached model version. */
export interface VersionState {
  version: string;
  /** What a reference is built with. */
  engine: DriftEngine;
  modelDir: string;
  labels: string[];
  labelIndex: Map<string, number>;
  /** Raw embedding width; 0 when the model has no embedding output. */
  embeddingDim: number;
  embeddingOutput?: string;
  embeddingUnavailable?: string;
  buffer: WindowBuffer;
  reference?: { stored: StoredReference; features: FeatureSet };
  referenceState: 'none' | 'building' | 'ready' | 'failed';
  referenceProblem?: string;
  /** Bumped by each reference replacement, so an older build finishing late cannot win. */
  referenceGeneration: number;
  /** Newest first, at most DRIFT_HISTORY_WINDOWS. */
  history: WindowResult[];
  sequence: number;
  pendingEvaluations: number;
  /** Whether the last tested window was drift (for the start/end log lines). */
  drifting: boolean;
}

/** Fired after each window is recorded (metrics observe it). */
export type WindowListener = (window: WindowResult) => void;

/**
 * Data drift per model version: the features of committed predictions (captured by the engine in the same
 * forward pass, plus cheap text and output features) fill tumbling windows of DRIFT_WINDOW_SIZE; each closed
 * window is tested against the version's reference on a worker thread, recorded in the store and reported.
 * A version is attached with one call (attachVersion) when its engine is loaded, and detached when unloaded.
 */
@Injectable()
export class DriftService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DriftService.name);
  private readonly versions = new Map<string, VersionState>();
  private readonly sources: ReadonlySet<PredictionSource>;
  private readonly listeners: WindowListener[] = [];
  private readonly minSamples: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Settles when every reference build and evaluation started so far has (tests and shutdown wait on it). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly config: AppConfig,
    private readonly engine: EngineService,
    private readonly predictions: PredictionLogService,
    private readonly store: DriftStore,
    private readonly evaluator: WindowEvaluator,
    private readonly clock: Clock,
    modelEvents: ModelEventsService,
  ) {
    this.sources = new Set(config.driftSources);
    this.minSamples = Math.min(config.driftMinSamples, config.driftWindowSize);
    // Subscribed here, not in onModuleInit: the model registry loads production during its own onModuleInit, which
    // runs first (this module imports it), and its first versionLoaded must not be missed.
    if (config.driftEnabled) {
      modelEvents.subscribe({
        versionLoaded: ({ version, engine, modelDir }) => {
          if (this.stopped) return;
          this.track(
            this.attachVersion(version, engine, modelDir).catch((error: Error) => {
              this.logger.warn(`Drift could not attach ${version}: ${error.message}`);
            }),
          );
        },
        versionUnloaded: (version) => this.detachVersion(version),
      });
    }
  }

  get enabled(): boolean {
    return this.config.driftEnabled;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    this.predictions.subscribe((records) => this.onRecords(records));
    const periodMs = Math.min(60_000, (this.config.driftWindowMaxMinutes * 60_000) / 4);
    this.timer = setInterval(() => {
      this.closeExpiredWindows();
      if (this.store.shared) this.track(this.adoptSharedReferences());
    }, periodMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  onWindow(listener: WindowListener): void {
    this.listeners.push(listener);
  }

  /**
   * Starts watching a loaded model version: its reference comes from the store, else from drift_reference.txt
   * or .jsonl in `modelDir` (built in the background through `engine`), and its windows history from the store.
   */
  async attachVersion(version: string, engine: DriftEngine, modelDir: string): Promise<void> {
    if (!this.enabled || this.versions.has(version)) return;
    const info = engine.info();
    const embeddingDim = info.drift?.embeddingOutput ? (info.drift.embeddingDim ?? 0) : 0;
    const state: VersionState = {
      version,
      engine,
      modelDir,
      labels: [...info.labels],
      labelIndex: new Map(info.labels.map((label, i) => [label, i])),
      embeddingDim,
      embeddingOutput: info.drift?.embeddingOutput,
      embeddingUnavailable: embeddingDim > 0 ? undefined : (info.drift?.unavailable ?? 'the engine does not capture features'),
      buffer: new WindowBuffer(this.config.driftWindowSize, embeddingDim),
      referenceState: 'none',
      referenceGeneration: 0,
      history: await this.store.recentWindows(version, this.config.driftHistoryWindows),
      sequence: 0,
      pendingEvaluations: 0,
      drifting: false,
    };
    state.sequence = state.history[0]?.sequence ?? 0;
    state.drifting = state.history.find((w) => w.status === 'ok' || w.status === 'drift')?.status === 'drift';
    this.versions.set(version, state);
    const stored = await this.store.loadReference(version);
    if (stored) {
      this.useReference(state, stored);
      return;
    }
    const file = await readReferenceFile(modelDir).catch((error: Error) => {
      state.referenceState = 'failed';
      state.referenceProblem = error.message;
      this.logger.warn(`Drift reference of ${version} could not be read: ${error.message}`);
      return undefined;
    });
    if (!file) return;
    this.track(
      this.replaceReference(state, file.texts, 'file', file.file, await this.projectionTexts(modelDir)).catch((error: Error) => {
        this.logger.warn(`Drift reference of ${version} from ${file.file} could not be built: ${error.message}`);
      }),
    );
  }

  /** Stops watching a version (its engine is being unloaded); its open window is dropped, its history stays stored. */
  detachVersion(version: string): void {
    this.versions.delete(version);
  }

  /**
   * PUT /monitoring/drift/reference: replaces the version's reference with these texts' features (default: the
   * version in production) and starts a new window. Throws NOT_FOUND for a version not loaded, VALIDATION_FAILED
   * for too few texts.
   */
  async setReference(texts: string[], modelVersion?: string): Promise<StoredReference> {
    if (!this.enabled) throw new AppError('VALIDATION_FAILED', 'Drift detection is off (DRIFT_ENABLED=false)');
    const version = modelVersion ?? this.engine.modelVersion;
    const state = this.versions.get(version);
    if (!state) {
      throw new AppError('NOT_FOUND', `Model version ${JSON.stringify(version)} is not loaded; loaded: ${[...this.versions.keys()].join(', ')}`);
    }
    const build = this.replaceReference(state, texts, 'admin', undefined, undefined);
    this.track(build.catch(() => undefined));
    return build;
  }

  /** Resolves once every reference build and window evaluation started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * A version's drift in one line, for the model registry's view (GET /models): the status of its last tested window
   * and the features that moved there; undefined while the version is not attached (not loaded, or drift is off).
   */
  summary(version: string): { status: string; lastWindowClosedAt: number | null; driftedFeatures: string[] } | undefined {
    const state = this.versions.get(version);
    if (!state) return undefined;
    const last = state.history[0];
    if (!last) return { status: state.reference ? 'no_window_yet' : 'no_reference', lastWindowClosedAt: null, driftedFeatures: [] };
    return {
      status: last.status,
      lastWindowClosedAt: last.closedAt,
      driftedFeatures: last.tests.filter((t) => t.drifted).map((t) => t.feature),
    };
  }

  /** The attached versions' state, for the report and the metrics (read-only views). */
  attached(): ReadonlyArray<Readonly<VersionState>> {
    return [...this.versions.values()];
  }

  /** Stored windows of a version (every replica's with a shared store), newest first. */
  storedWindows(version: string, limit: number): Promise<WindowResult[]> {
    return this.read(`the drift windows of ${version}`, this.store.recentWindows(version, limit));
  }

  storedVersions(): Promise<string[]> {
    return this.read('the model versions with drift data', this.store.versions());
  }

  storedReference(version: string): Promise<StoredReference | undefined> {
    return this.read(`the drift reference of ${version}`, this.store.loadReference(version));
  }

  /** A store that cannot be read (PostgreSQL unreachable) is STORAGE_UNAVAILABLE for the caller, logged here. */
  private async read<T>(what: string, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.logger.error(`Could not read ${what}: ${(error as Error).message}`);
      throw new AppError('STORAGE_UNAVAILABLE', `Could not read ${what} from the database; retry later`);
    }
  }

  /** Whether other replicas share the store (PostgreSQL): the report then reads every window from it. */
  get sharedStore(): boolean {
    return this.store.shared;
  }

  /** Fewest predictions a window closed by time needs to be tested (DRIFT_MIN_SAMPLES, at most the window size). */
  get minimumSamples(): number {
    return this.minSamples;
  }

  /** The prediction listener: O(features) per prediction, no I/O, no logging. */
  private onRecords(records: readonly PredictionRecord[]): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const record of records) {
      if (!this.sources.has(record.source)) continue;
      const state = this.versions.get(record.modelVersion);
      if (!state) continue;
      const sample = sampleOf(record, state.labelIndex);
      if (!sample) continue;
      if (state.buffer.push(sample, now) && state.buffer.full) this.closeWindow(state, 'size');
    }
  }

  private closeExpiredWindows(): void {
    const now = this.clock.now();
    const maxMs = this.config.driftWindowMaxMinutes * 60_000;
    for (const state of this.versions.values()) {
      const started = state.buffer.startedAt;
      if (started !== undefined && now - started >= maxMs) this.closeWindow(state, 'time');
    }
  }

  private closeWindow(state: VersionState, closedBy: 'size' | 'time'): void {
    const buffer = state.buffer;
    state.buffer = new WindowBuffer(this.config.driftWindowSize, state.embeddingDim);
    const base: WindowResult = {
      modelVersion: state.version,
      sequence: ++state.sequence,
      startedAt: buffer.startedAt ?? this.clock.now(),
      closedAt: this.clock.now(),
      closedBy,
      size: buffer.size,
      status: 'no_reference',
      alpha: this.config.driftAlpha,
      correction: 'holm',
      tests: [],
      evaluationMs: 0,
      embeddingUnavailable: state.embeddingUnavailable,
    };
    const reference = state.reference;
    if (!reference) {
      this.track(this.record(state, base));
      return;
    }
    if (buffer.size < this.minSamples) {
      this.track(this.record(state, { ...base, status: 'insufficient_samples' }));
      return;
    }
    if (state.pendingEvaluations >= MAX_PENDING_EVALUATIONS) {
      this.logger.warn(
        `Drift window ${base.sequence} of ${state.version} was dropped untested: ${state.pendingEvaluations} earlier windows are still being evaluated`,
      );
      return;
    }
    const embeddingTested = reference.stored.projection !== null && reference.features.embeddingDim > 0;
    const window = rawWindow(buffer, state.labels);
    state.pendingEvaluations++;
    const evaluation = this.evaluator
      .evaluate({
        reference: reference.features,
        projection: reference.stored.projection,
        window,
        options: {
          alpha: this.config.driftAlpha,
          permutations: MMD_PERMUTATIONS,
          // Reproducible per window: the same window of the same version always gets the same permutations.
          seed: (hashString(state.version) ^ base.sequence) >>> 0,
          bandwidth: reference.stored.bandwidth > 0 ? reference.stored.bandwidth : 1,
        },
      })
      .then(
        ({ evaluation: result, evaluationMs }) =>
          this.record(state, {
            ...base,
            status: result.status,
            alpha: result.alpha,
            correction: result.correction,
            tests: result.tests,
            evaluationMs,
            embeddingUnavailable: embeddingTested ? undefined : (state.embeddingUnavailable ?? 'the reference has no projection'),
          }),
        (error: Error) => {
          this.logger.error(`Drift window ${base.sequence} of ${state.version} could not be evaluated: ${error.message}`);
        },
      )
      .finally(() => state.pendingEvaluations--);
    this.track(evaluation);
  }

  private async record(state: VersionState, window: WindowResult): Promise<void> {
    state.history = [window, ...state.history].sort((a, b) => b.sequence - a.sequence).slice(0, this.config.driftHistoryWindows);
    if (window.status === 'ok' || window.status === 'drift') this.logTransition(state, window);
    for (const listener of this.listeners) {
      try {
        listener(window);
      } catch (error) {
        this.logger.error(`A drift window listener failed: ${(error as Error).message}`);
      }
    }
    try {
      const sequence = await this.store.saveWindow(window, this.config.driftHistoryWindows);
      if (sequence !== window.sequence) {
        // Another replica stored this number first (PostgreSQL): this window was filed under the next free one.
        window.sequence = sequence;
        state.sequence = Math.max(state.sequence, sequence);
        state.history.sort((a, b) => b.sequence - a.sequence);
      }
    } catch (error) {
      this.logger.error(`Drift window ${window.sequence} of ${window.modelVersion} could not be stored: ${(error as Error).message}`);
    }
  }

  private logTransition(state: VersionState, window: WindowResult): void {
    const drifting = window.status === 'drift';
    if (drifting === state.drifting) return;
    state.drifting = drifting;
    const moved = window.tests.filter((t) => t.drifted).map((t) => t.feature);
    this.logger.warn({
      msg: drifting
        ? `Drift started on model version ${window.modelVersion}: ${moved.join(', ')} moved`
        : `Drift ended on model version ${window.modelVersion}`,
      event: drifting ? 'drift_started' : 'drift_ended',
      model_version: window.modelVersion,
      window: window.sequence,
      features: moved,
    });
  }

  private async replaceReference(
    state: VersionState,
    texts: readonly string[],
    source: 'file' | 'admin',
    file: string | undefined,
    projectionTexts: string[] | undefined,
  ): Promise<StoredReference> {
    const generation = ++state.referenceGeneration;
    const previousState = state.referenceState;
    state.referenceState = 'building';
    let stored: StoredReference;
    try {
      stored = await buildReference(
        state.engine,
        { modelVersion: state.version, source, file, texts, projectionTexts, labels: state.labels, now: this.clock.now() },
        this.evaluator,
      );
    } catch (error) {
      if (generation === state.referenceGeneration) {
        state.referenceState = source === 'admin' ? previousState : 'failed';
        if (source === 'file') state.referenceProblem = (error as Error).message;
      }
      throw error;
    }
    if (generation !== state.referenceGeneration) return stored; // a newer replacement is under way
    // A reference from the model's file is built once per version: when another replica stored one first, that
    // one is used (every replica then tests against the same reference). An admin's reference replaces it.
    let saved: StoredReference;
    try {
      saved = await this.store.saveReference(stored, source === 'admin' ? 'replace' : 'if-absent');
    } catch (error) {
      const problem = `the drift reference of ${state.version} could not be stored: ${(error as Error).message}`;
      if (generation === state.referenceGeneration) {
        state.referenceState = source === 'admin' ? previousState : 'failed';
        if (source === 'file') state.referenceProblem = problem;
      }
      this.logger.error(problem);
      throw new AppError('STORAGE_UNAVAILABLE', `The drift reference of ${state.version} could not be stored; nothing changed; retry later`);
    }
    if (saved.createdAt !== stored.createdAt || saved.source !== stored.source) {
      this.logger.log(`Drift reference of ${state.version}: using the one another replica stored first (${saved.size} texts)`);
    }
    stored = saved;
    if (generation !== state.referenceGeneration) return stored;
    this.useReference(state, stored);
    // A new reference starts a new window: the open one was collected against the old one.
    state.buffer = new WindowBuffer(this.config.driftWindowSize, state.embeddingDim);
    this.logger.log(
      `Drift reference of ${state.version}: ${stored.size} texts from ${source === 'file' ? stored.file : 'PUT /monitoring/drift/reference'}` +
        (stored.projection ? `, embeddings projected to ${stored.projection.outputDim} dimensions (fitted on ${stored.projectionFitSize} other texts)` : ''),
    );
    return stored;
  }

  /**
   * With a shared store, a reference another replica stored (an admin's PUT answered there, or a build that
   * finished there first) replaces this replica's, so every replica tests its windows against the same one.
   */
  private async adoptSharedReferences(): Promise<void> {
    for (const state of [...this.versions.values()]) {
      let stored: StoredReference | undefined;
      try {
        stored = await this.store.loadReference(state.version);
      } catch (error) {
        this.logger.warn(`Drift could not read the stored reference of ${state.version}: ${(error as Error).message}`);
        continue;
      }
      if (!stored || this.versions.get(state.version) !== state || state.referenceState === 'building') continue;
      const current = state.reference?.stored;
      if (current && current.createdAt === stored.createdAt && current.source === stored.source) continue;
      state.referenceGeneration++;
      this.useReference(state, stored);
      state.buffer = new WindowBuffer(this.config.driftWindowSize, state.embeddingDim);
      this.logger.log(`Drift reference of ${state.version}: replaced by the one stored by another replica (${stored.size} texts)`);
    }
  }

  private useReference(state: VersionState, stored: StoredReference): void {
    state.reference = { stored, features: deserialize(stored.features) };
    state.referenceState = 'ready';
    state.referenceProblem = undefined;
  }

  private async projectionTexts(modelDir: string): Promise<string[] | undefined> {
    const file = join(modelDir, PROJECTION_FIT_FILE);
    if (!existsSync(file)) return undefined;
    return (await readFile(file, 'utf8')).split(/\r?\n/).filter((line) => line.trim().length > 0);
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }
}

/** FNV-1a, 32 bits: a stable number from a version name (for seeds). */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
