import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { EngineService } from '../engine/engine.service';
import type { ServingEngine } from '../engine/engine.types';
import { ModelLoadError } from '../engine/model-load.error';
import { digestModelFiles, modelVersion } from '../engine/model-version';
import { InjectMetric } from '../metrics/metric.providers';
import { PredictionLogService } from '../predictions/prediction-log.service';
import { resolveImportPath } from './import-path';
import { ModelEventsService, ServingRole } from './model-events.service';
import { contentDigest, hashModelFiles, listModelFiles, modelNameOf } from './model-files';
import type { ModelManifest } from './model-manifest';
import { ModelRepository, VERSION_NAME } from './model-repository';
import { ModelStore } from './model.store';
import type { HistoryEntry, HistoryOutcome, RoleAssignment, RoleChange } from './model.types';
import { ModelValidator, ValidationReport } from './model-validator';
import { MODEL_LOAD_SECONDS, MODEL_LOADS_TOTAL, MODEL_SWAP_SECONDS, MODEL_SWAPS_TOTAL, SHADOW_AGREED_TOTAL, SHADOW_COMPARED_TOTAL, SHADOW_DROPPED_TOTAL } from './models.metric-names';
import { ShadowService } from './shadow.service';

/** The settings key under which the content digest of MODEL_DIR at the last start is kept. */
const MODEL_DIR_DIGEST = 'model_dir_sha256';

export interface RegisterRequest {
  modelPath: string;
  versionName?: string;
  notes?: string;
}

export interface ActivateOptions {
  allowLabelChange?: boolean;
}

/** What a loaded version is doing now. */
export interface LoadedVersion {
  serving: ServingEngine;
  role: ServingRole;
  loadedAt: number;
}

export interface VersionView {
  manifest: ModelManifest;
  roles: RoleAssignment[];
  loaded?: { role: ServingRole; loadedAt: number };
  predictionsSinceStart: number;
}

export interface ProductionChange {
  version: string;
  previousVersion?: string;
  validation: ValidationReport;
  warm: boolean;
}

/**
 * The model lifecycle: the registry (immutable versions on disk), the roles (production, canary, shadow) and
 * their history in the store, and every change between them. A change runs alone (a second one is refused with
 * ACTIVATION_IN_PROGRESS), loads and validates a version in its own engine beside the serving ones, switches the
 * router in one step, then closes the engine that left. Any refusal or failure leaves what serves unchanged and
 * is written to the history with its reason.
 */
@Injectable()
export class ModelsService implements OnModuleInit {
  private readonly logger = new Logger(ModelsService.name);
  private readonly loaded = new Map<string, LoadedVersion>();
  private busy: string | undefined;
  private readonly predictionCounts = new Map<string, number>();
  private canarySince: { production: number; canary: number } | undefined;
  /** A reconcile was asked for while a change ran: it runs when that change ends. */
  private reconcilePending = false;
  /** Why the production version the database names is not served here (set by the reconcile, cleared when it is). */
  private productionProblem: string | undefined;
  /** The same for canary and shadow (logged once per new problem, not at every reconcile). */
  private readonly secondaryProblems = new Map<'canary' | 'shadow', string>();

  constructor(
    private readonly config: AppConfig,
    private readonly engine: EngineService,
    private readonly repository: ModelRepository,
    private readonly store: ModelStore,
    private readonly validator: ModelValidator,
    private readonly shadow: ShadowService,
    private readonly events: ModelEventsService,
    private readonly predictions: PredictionLogService,
    @InjectMetric(MODEL_LOADS_TOTAL) private readonly loadsTotal: Counter<'outcome'>,
    @InjectMetric(MODEL_LOAD_SECONDS) private readonly loadSeconds: Histogram<'temperature'>,
    @InjectMetric(MODEL_SWAP_SECONDS) private readonly swapSeconds: Histogram<never>,
    @InjectMetric(MODEL_SWAPS_TOTAL) private readonly swapsTotal: Counter<never>,
    @InjectMetric(SHADOW_COMPARED_TOTAL) shadowCompared: Counter<never>,
    @InjectMetric(SHADOW_AGREED_TOTAL) shadowAgreed: Counter<never>,
    @InjectMetric(SHADOW_DROPPED_TOTAL) shadowDropped: Counter<never>,
  ) {
    for (const outcome of ['ok', 'refused', 'failed']) this.loadsTotal.inc({ outcome }, 0);
    shadow.onCompared = (agreed, compared) => {
      shadowAgreed.inc(agreed);
      shadowCompared.inc(compared);
    };
    shadow.onDropped = (texts) => shadowDropped.inc(texts);
  }

  // ---------------------------------------------------------------------------------------------- startup

  /**
   * The startup rule: a MODEL_DIR whose content is what it was at the last start serves the persisted production
   * (API changes survive restarts); a changed MODEL_DIR (first start, new image) is registered and becomes
   * production, which the log and the history say. Then the persisted canary and shadow are loaded again.
   */
  async onModuleInit(): Promise<void> {
    this.predictions.subscribe((records) => {
      for (const record of records) this.predictionCounts.set(record.modelVersion, (this.predictionCounts.get(record.modelVersion) ?? 0) + 1);
    });
    this.engine.markLoading();
    try {
      await this.repository.open();
      await this.startProduction();
    } catch (error) {
      this.engine.markFailed();
      throw error instanceof ModelLoadError ? error : new ModelLoadError(this.config.modelDir, error);
    }
    await this.restoreSecondaryRoles();
  }

  private async startProduction(): Promise<void> {
    const started = performance.now();
    const modelDir = this.config.modelDir;
    const files = await hashModelFiles(modelDir).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' || error.code === 'ENOTDIR'
        ? Object.assign(new Error(`no such directory: ${modelDir}`), { code: 'MODEL_NOT_FOUND' })
        : error;
    });
    const digest = contentDigest(files);
    const production = await this.roleOf('production');
    const unchanged = (await this.store.setting(MODEL_DIR_DIGEST)) === digest;
    if (production && unchanged && !this.repository.get(production.version) && this.sharedRoles) {
      await this.serveModelDirUnrecorded(modelDir, production.version, started);
      return;
    }
    if (production && unchanged && this.repository.get(production.version)) {
      const serving = await this.loadVersion(production.version);
      await this.validator.validate(serving, undefined, true);
      this.engine.serve(serving);
      this.markLoaded(serving, 'production');
      this.logger.log(`Serving production version ${production.version} (MODEL_DIR unchanged since the last start)`);
      this.logReady(serving, started);
      return;
    }
    const { manifest } = await this.registerDirectory(modelDir, { versionName: this.config.modelVersion, source: 'MODEL_DIR' });
    const serving = await this.loadVersion(manifest.version);
    try {
      await this.validator.validate(serving, undefined, true);
    } catch (error) {
      await serving.engine.close().catch(() => undefined);
      throw error;
    }
    const previous = production?.version !== manifest.version ? production?.version : undefined;
    const reason = production ? 'MODEL_DIR content changed since the last start' : 'first start';
    await this.store.changeRoles(this.productionChanges(manifest.version, previous), {
      at: Date.now(),
      action: 'startup',
      version: manifest.version,
      previousVersion: previous,
      outcome: 'ok',
      detail: `${reason}: registered MODEL_DIR and made it production`,
    });
    await this.store.setSetting(MODEL_DIR_DIGEST, digest);
    this.engine.serve(serving);
    this.markLoaded(serving, 'production');
    this.logger.log(`Production is now ${manifest.version} (${reason}: MODEL_DIR registered)${previous ? `; it was ${previous}` : ''}`);
    this.logReady(serving, started);
  }

  /**
   * Several replicas, and the production version the shared database names is not in this replica's
   * MODEL_REPOSITORY (not shared with the others?): serve MODEL_DIR so the replica answers something, but change no
   * role (the other replicas' production stays), and stay not ready (readiness compares with the database) until
   * the version appears and the reconcile loads it.
   */
  private async serveModelDirUnrecorded(modelDir: string, named: string, started: number): Promise<void> {
    const { manifest } = await this.registerDirectory(modelDir, { versionName: this.config.modelVersion, source: 'MODEL_DIR' });
    const serving = await this.loadVersion(manifest.version);
    try {
      await this.validator.validate(serving, undefined, true);
    } catch (error) {
      await serving.engine.close().catch(() => undefined);
      throw error;
    }
    this.engine.serve(serving);
    this.markLoaded(serving, 'production');
    this.productionProblem = this.missingVersionProblem(named);
    this.logger.error(`Serving MODEL_DIR (${manifest.version}) without making it production: ${this.productionProblem}`);
    this.logReady(serving, started);
  }

  /** The startup line operators (and the readiness spec) look for: the served model is loaded and warmed. */
  private logReady(serving: ServingEngine, started: number): void {
    const info = serving.info;
    if (info.executionProviderFallback) this.logger.warn(`Execution provider: ${info.executionProviderFallback}`);
    this.logger.log(
      `Model "${info.modelName}" version ${serving.version} ready in ${Math.round(performance.now() - started)} ms: ` +
        `labels [${info.labels.join(', ')}], max ${info.maxLength} tokens, ${info.executionProvider} execution provider`,
    );
  }

  private async restoreSecondaryRoles(): Promise<void> {
    for (const role of ['canary', 'shadow'] as const) {
      const assignment = await this.roleOf(role);
      if (!assignment) continue;
      try {
        const serving = await this.loadVersion(assignment.version);
        this.attachSecondary(role, serving, assignment.traffic ?? 0);
      } catch (error) {
        if (this.sharedRoles) {
          // The other replicas may serve it: clearing the role here would take it from all of them. The periodic
          // reconcile tries again.
          this.logger.error(`Model could not load ${role} ${assignment.version} at startup: ${(error as Error).message}; this replica runs without it`);
          continue;
        }
        const detail = `could not load ${role} ${assignment.version} at startup: ${(error as Error).message}; ${role} cleared`;
        this.logger.error(`Model ${detail}`);
        await this.store.changeRoles([{ role }], { at: Date.now(), action: `${role}.restore`, version: assignment.version, outcome: 'failed', detail });
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- queries

  async list(): Promise<VersionView[]> {
    // Several replicas share the registry: list what the others registered (or deleted) too.
    if (this.sharedRoles) await this.repository.rescan();
    const roles = await this.storage('read', this.store.roles());
    return this.repository.list().map((manifest) => this.view(manifest, roles));
  }

  async get(version: string): Promise<VersionView> {
    const manifest = await this.manifestOf(version);
    return this.view(manifest, await this.storage('read', this.store.roles()));
  }

  history(limit: number, beforeId?: number): Promise<HistoryEntry[]> {
    return this.storage('read', this.store.history(limit, beforeId));
  }

  /** Versions holding a serving role now (metrics). */
  servingRoles(): Array<{ version: string; role: ServingRole }> {
    return [...this.loaded.values()].map((l) => ({ version: l.serving.version, role: l.role }));
  }

  /** The canary's configured percent and the share of interactive predictions it actually made since it was set. */
  canaryShare(): { percent: number; served: number } {
    const canary = this.engine.canaryEngine;
    const production = this.engine.productionEngine;
    if (!canary || !production || !this.canarySince) return { percent: 0, served: 0 };
    const c = (this.predictionCounts.get(canary.serving.version) ?? 0) - this.canarySince.canary;
    const p = (this.predictionCounts.get(production.version) ?? 0) - this.canarySince.production;
    return { percent: canary.percent, served: c + p > 0 ? c / (c + p) : 0 };
  }

  shadowReport() {
    return this.shadow.report();
  }

  // ---------------------------------------------------------------------------------------------- changes

  /** POST /models: copies a directory from MODEL_IMPORT_ROOT into the registry; serves nothing. */
  register(request: RegisterRequest): Promise<{ manifest: ModelManifest; created: boolean }> {
    return this.exclusive('register', request.versionName, async () => {
      const { dir, root } = await resolveImportPath(request.modelPath, this.config.modelImportRoot);
      const result = await this.registerDirectory(dir, { versionName: request.versionName, source: dir, notes: request.notes, allowedRoot: root });
      return { result, detail: result.created ? 'registered' : 'already registered with the same content', version: result.manifest.version };
    });
  }

  /** POST /update-model: register + activate in one call (the seed's route). */
  updateModel(request: RegisterRequest & ActivateOptions): Promise<ProductionChange> {
    return this.exclusive('update-model', request.versionName, async () => {
      const { dir, root } = await resolveImportPath(request.modelPath, this.config.modelImportRoot);
      const { manifest } = await this.registerDirectory(dir, { versionName: request.versionName, source: dir, notes: request.notes, allowedRoot: root });
      const { recorded, ...change } = await this.makeProduction('update-model', manifest.version, request.allowLabelChange ?? false);
      return { result: change, detail: describeChange(change), version: change.version, previousVersion: change.previousVersion, recorded };
    });
  }

  activate(version: string, options: ActivateOptions = {}): Promise<ProductionChange> {
    return this.exclusive('activate', version, async () => {
      const { recorded, ...change } = await this.makeProduction('activate', version, options.allowLabelChange ?? false);
      return { result: change, detail: describeChange(change), version, previousVersion: change.previousVersion, recorded };
    });
  }

  /** Production returns to the version it was before the last production change (a second rollback undoes the first). */
  rollback(options: ActivateOptions = {}): Promise<ProductionChange> {
    return this.exclusive('rollback', undefined, async () => {
      const previous = await this.roleOf('previous');
      if (!previous) throw new AppError('MODEL_ROLE_EMPTY', 'There is no previous production version to roll back to');
      const { recorded, ...change } = await this.makeProduction('rollback', previous.version, options.allowLabelChange ?? true);
      return { result: change, detail: describeChange(change), version: change.version, previousVersion: change.previousVersion, recorded };
    });
  }

  setCanary(version: string, percent: number): Promise<VersionView> {
    return this.exclusive('canary.set', version, async () => {
      await this.assignSecondary('canary', version, percent);
      return { result: await this.get(version), detail: `canary at ${percent} % of interactive requests`, version, recorded: true };
    });
  }

  promoteCanary(options: ActivateOptions = {}): Promise<ProductionChange> {
    return this.exclusive('canary.promote', undefined, async () => {
      const canary = await this.roleOf('canary');
      if (!canary) throw new AppError('MODEL_ROLE_EMPTY', 'There is no canary to promote');
      const { recorded, ...change } = await this.makeProduction('canary.promote', canary.version, options.allowLabelChange ?? false);
      return { result: change, detail: describeChange(change), version: change.version, previousVersion: change.previousVersion, recorded };
    });
  }

  clearCanary(): Promise<void> {
    return this.exclusive('canary.clear', undefined, async () => {
      const canary = await this.roleOf('canary');
      if (!canary) throw new AppError('MODEL_ROLE_EMPTY', 'There is no canary');
      await this.storage('stored', this.store.changeRoles([{ role: 'canary' }], entry('canary.clear', canary.version, 'all traffic back to production')));
      const serving = this.engine.setCanary(undefined);
      this.canarySince = undefined;
      if (serving) await this.unload(serving);
      return { result: undefined, detail: 'canary cleared', version: canary.version, recorded: true };
    });
  }

  setShadow(version: string, sampleRate: number): Promise<VersionView> {
    return this.exclusive('shadow.set', version, async () => {
      await this.assignSecondary('shadow', version, sampleRate);
      return { result: await this.get(version), detail: `shadow sampling ${sampleRate} of production traffic`, version, recorded: true };
    });
  }

  clearShadow(): Promise<void> {
    return this.exclusive('shadow.clear', undefined, async () => {
      const shadow = await this.roleOf('shadow');
      if (!shadow) throw new AppError('MODEL_ROLE_EMPTY', 'There is no shadow');
      await this.storage('stored', this.store.changeRoles([{ role: 'shadow' }], entry('shadow.clear', shadow.version, 'shadow stopped')));
      const serving = this.shadow.detach();
      await this.shadow.idle();
      if (serving) await this.unload(serving);
      return { result: undefined, detail: 'shadow cleared', version: shadow.version, recorded: true };
    });
  }

  /** DELETE /models/{version}: refused while the version holds a role (previous production included). */
  remove(version: string): Promise<void> {
    return this.exclusive('delete', version, async () => {
      await this.manifestOf(version);
      const role = (await this.storage('read', this.store.roles())).find((r) => r.version === version);
      if (role) {
        throw new AppError('MODEL_VERSION_IN_USE', `Version ${version} is the ${role.role === 'previous' ? 'previous production (the rollback target)' : role.role}; it cannot be deleted`);
      }
      await this.repository.remove(version);
      return { result: undefined, detail: 'deleted from the registry', version };
    });
  }

  // ---------------------------------------------------------------------------------------------- replicas

  /** Whether the roles live in a database other replicas share (PostgreSQL): they may change them. */
  get sharedRoles(): boolean {
    return this.config.databaseUrl !== undefined;
  }

  /**
   * Readiness with several replicas: whether this replica serves the production version the database names.
   * Undefined when it does (or with SQLite, where this process alone changes the roles); else both versions and
   * why, while the change propagates or when this replica cannot load the version.
   */
  async productionMismatch(): Promise<{ served: string | null; named: string; problem: string } | undefined> {
    if (!this.sharedRoles) return undefined;
    const named = (await this.roleOf('production'))?.version;
    const served = this.engine.productionEngine?.version ?? null;
    if (named === undefined || named === served) return undefined;
    const problem = this.productionProblem ?? 'the role change has not been applied here yet';
    return { served, named, problem };
  }

  /**
   * Applies the roles the database names (changed by another replica) to what this replica serves, through the
   * same hot swap as a local change: load beside, switch, drain, close. The replica that made the change has
   * validated the version (smoke batch, accuracy gate) and written the history; here each version's files are
   * checked against its manifest's hashes, then loaded (which warms it). Runs one at a time with local changes: a
   * reconcile asked for during one runs when it ends. Called on every notification and every
   * MODEL_RECONCILE_SECONDS (ModelRoleSync); a failure is logged and retried at the next call.
   */
  async reconcile(trigger: string): Promise<void> {
    if (this.busy !== undefined) {
      this.reconcilePending = true;
      return;
    }
    this.busy = 'reconcile with the database';
    try {
      await this.applyStoredRoles(trigger);
    } catch (error) {
      this.logger.warn(`Could not apply the model roles the database names (${trigger}): ${(error as Error).message}`);
    } finally {
      this.busy = undefined;
      this.runPendingReconcile();
    }
  }

  private runPendingReconcile(): void {
    if (!this.reconcilePending) return;
    this.reconcilePending = false;
    void this.reconcile('deferred until a model change ended');
  }

  private async applyStoredRoles(trigger: string): Promise<void> {
    const roles = await this.store.roles();
    const named = (role: RoleAssignment['role']) => roles.find((r) => r.role === role);
    const production = named('production');
    if (production && this.engine.productionEngine?.version !== production.version) {
      try {
        await this.followProduction(production.version, trigger);
        this.productionProblem = undefined;
      } catch (error) {
        const problem = (error as Error).message;
        if (problem !== this.productionProblem) this.logger.error(`Still serving ${this.engine.productionEngine?.version}: ${problem}`);
        this.productionProblem = problem;
      }
    } else {
      this.productionProblem = undefined;
    }
    for (const role of ['canary', 'shadow'] as const) {
      const want = named(role);
      const have = role === 'canary' ? this.engine.canaryEngine : this.shadowState();
      const haveVersion = have?.serving.version;
      if (want?.version === haveVersion && (want === undefined || want.traffic === have?.percent)) {
        this.secondaryProblems.delete(role);
        continue;
      }
      try {
        await this.followSecondary(role, want, trigger);
        this.secondaryProblems.delete(role);
      } catch (error) {
        const problem = `could not make ${want?.version} the ${role} here as the database names it: ${(error as Error).message}`;
        if (this.secondaryProblems.get(role) !== problem) this.logger.error(`Model ${problem}`);
        this.secondaryProblems.set(role, problem);
      }
    }
  }

  private shadowState(): { serving: ServingEngine; percent: number } | undefined {
    const version = this.shadow.version;
    const holder = version !== undefined ? this.loaded.get(version) : undefined;
    const report = this.shadow.report();
    return holder && report ? { serving: holder.serving, percent: report.sampleRate } : undefined;
  }

  private async followProduction(version: string, trigger: string): Promise<void> {
    const { serving, reusedRole } = await this.servingFor(version);
    if (reusedRole === 'canary') {
      this.engine.setCanary(undefined);
      this.canarySince = undefined;
    }
    if (reusedRole === 'shadow') {
      this.shadow.detach();
      await this.shadow.idle();
    }
    const swapStarted = performance.now();
    const previous = this.engine.serve(serving);
    this.markLoaded(serving, 'production');
    this.swapsTotal.inc();
    if (previous && previous !== serving) await this.unload(previous);
    this.swapSeconds.observe((performance.now() - swapStarted) / 1000);
    this.logger.log(`Production is now ${version}${previous ? ` (was ${previous.version})` : ''}, as the database names it (${trigger})`);
  }

  private async followSecondary(role: 'canary' | 'shadow', want: RoleAssignment | undefined, trigger: string): Promise<void> {
    if (!want) {
      const serving = role === 'canary' ? this.engine.setCanary(undefined) : this.shadow.detach();
      if (role === 'canary') this.canarySince = undefined;
      else await this.shadow.idle();
      if (serving) await this.unload(serving);
      this.logger.log(`No ${role} any more, as the database names it (${trigger})`);
      return;
    }
    const holder = this.loaded.get(want.version);
    if (holder && holder.role !== role) {
      throw new AppError('MODEL_VERSION_IN_USE', `version ${want.version} is the ${holder.role} here; it takes the ${role} role once that changes`);
    }
    const { serving } = await this.servingFor(want.version);
    const replaced = this.attachSecondary(role, serving, want.traffic ?? 0);
    if (replaced && replaced.version !== want.version) await this.unload(replaced);
    this.logger.log(`The ${role} is now ${want.version} (${want.traffic}), as the database names it (${trigger})`);
  }

  /** A loaded engine of `version` (reused when this replica has one), or a new one after an integrity check. */
  private async servingFor(version: string): Promise<{ serving: ServingEngine; reusedRole?: ServingRole }> {
    const reused = this.loaded.get(version);
    if (reused) return { serving: reused.serving, reusedRole: reused.role };
    if (!this.repository.get(version)) await this.repository.rescan();
    const manifest = this.repository.get(version);
    if (!manifest) throw new AppError('MODEL_VERSION_NOT_FOUND', this.missingVersionProblem(version));
    const dir = this.repository.dirOf(version)!;
    const files = await hashModelFiles(dir, manifest.files.map((f) => f.name)).catch((error: Error) => {
      throw new AppError('MODEL_VALIDATION_FAILED', `version ${version}'s files in ${dir} cannot be read: ${error.message}`);
    });
    if (contentDigest(files) !== manifest.content_sha256) {
      throw new AppError('MODEL_VALIDATION_FAILED', `version ${version}'s files in ${dir} differ from its manifest's hashes: the copy is damaged or incomplete`);
    }
    const started = performance.now();
    const serving = await this.loadVersion(version);
    this.loadsTotal.inc({ outcome: 'ok' });
    this.loadSeconds.observe({ temperature: 'cold' }, (performance.now() - started) / 1000);
    return { serving };
  }

  private missingVersionProblem(version: string): string {
    return (
      `version ${version}, which the database names, is not in MODEL_REPOSITORY (${this.repository.root}) on this replica: ` +
      'with several replicas that directory must be one volume shared by all of them'
    );
  }

  // ---------------------------------------------------------------------------------------------- internals

  /**
   * Runs one model change at a time and writes its outcome to the history (refusals and failures included,
   * with their reason). `work` returns its result and the history detail; `recorded` means it already wrote
   * the history entry in the same transaction as its role change.
   */
  private async exclusive<T>(
    action: string,
    version: string | undefined,
    work: () => Promise<{ result: T; detail: string; version?: string; previousVersion?: string; recorded?: boolean }>,
  ): Promise<T> {
    if (this.busy !== undefined) {
      const error = new AppError('ACTIVATION_IN_PROGRESS', `Another model change (${this.busy}) is running; one at a time: retry when it has finished`);
      await this.record({ at: Date.now(), action, version, outcome: 'refused', detail: error.message });
      throw error;
    }
    this.busy = version ? `${action} ${version}` : action;
    try {
      const done = await work();
      if (!done.recorded) {
        await this.record({ at: Date.now(), action, version: done.version ?? version, previousVersion: done.previousVersion, outcome: 'ok', detail: done.detail });
      }
      return done.result;
    } catch (error) {
      const outcome: HistoryOutcome = isStorageFailure(error) || !(error instanceof AppError || hasEngineCode(error)) ? 'failed' : 'refused';
      await this.record({ at: Date.now(), action, version, outcome, detail: (error as Error).message });
      if (!(error instanceof AppError) && !hasEngineCode(error)) this.logger.error(`Model change ${action} failed: ${(error as Error).stack}`);
      throw error;
    } finally {
      this.busy = undefined;
      this.runPendingReconcile();
    }
  }

  /**
   * A database failure (PostgreSQL unreachable, SQLite disk full) becomes STORAGE_UNAVAILABLE: the client learns the
   * roles could not be read or stored (nothing changed), the details go to the log, and the server keeps serving.
   */
  private async storage<T>(what: 'read' | 'stored', work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.logger.error(`The model roles could not be ${what}: ${(error as Error).message}`);
      throw new AppError('STORAGE_UNAVAILABLE', `The model roles could not be ${what}${what === 'stored' ? '; nothing changed' : ''}; retry later`);
    }
  }

  private async record(e: HistoryEntry | Omit<HistoryEntry, 'id'>): Promise<void> {
    try {
      await this.store.appendHistory(e);
    } catch (error) {
      this.logger.error(`Could not write the model history (${e.action} ${e.outcome}): ${(error as Error).message}`);
    }
  }

  /** Loads (or reuses), validates and switches production to `version`, then retires the old production engine. */
  private async makeProduction(action: string, version: string, allowLabelChange: boolean): Promise<ProductionChange & { recorded: boolean }> {
    await this.manifestOf(version);
    const current = this.engine.productionEngine;
    if (current?.version === version) {
      return { version, previousVersion: (await this.roleOf('previous'))?.version, validation: { smokeTexts: 0 }, warm: true, recorded: false };
    }
    const reused = this.loaded.get(version);
    const started = performance.now();
    const serving = reused ? reused.serving : await this.loadVersion(version);
    let validation: ValidationReport;
    try {
      validation = await this.validator.validate(serving, current?.info.labels, allowLabelChange);
    } catch (error) {
      this.loadsTotal.inc({ outcome: 'refused' });
      if (!reused) await serving.engine.close().catch(() => undefined);
      throw error;
    }
    this.loadsTotal.inc({ outcome: 'ok' });
    this.loadSeconds.observe({ temperature: reused ? 'warm' : 'cold' }, (performance.now() - started) / 1000);
    const changes = this.productionChanges(version, current?.version);
    if (reused?.role === 'canary' || reused?.role === 'shadow') changes.push({ role: reused.role });
    // The store first: if it cannot commit, nothing switched and the caller is told.
    try {
      await this.storage('stored', this.store.changeRoles(changes, entry(action, version, describeValidation(validation, !!reused), current?.version)));
    } catch (error) {
      if (!reused) await serving.engine.close().catch(() => undefined);
      throw error;
    }
    if (reused?.role === 'canary') {
      this.engine.setCanary(undefined);
      this.canarySince = undefined;
    }
    if (reused?.role === 'shadow') {
      this.shadow.detach();
      await this.shadow.idle();
    }
    const swapStarted = performance.now();
    const previous = this.engine.serve(serving);
    this.markLoaded(serving, 'production');
    this.swapsTotal.inc();
    if (previous) await this.unload(previous);
    this.swapSeconds.observe((performance.now() - swapStarted) / 1000);
    this.logger.log(`Production is now ${version}${previous ? ` (was ${previous.version})` : ''}`);
    return { version, previousVersion: previous?.version, validation, warm: !!reused, recorded: true };
  }

  private productionChanges(version: string, previous: string | undefined): RoleChange[] {
    const changes: RoleChange[] = [{ role: 'production', version }];
    if (previous !== undefined && previous !== version) changes.push({ role: 'previous', version: previous });
    return changes;
  }

  private async assignSecondary(role: 'canary' | 'shadow', version: string, traffic: number): Promise<void> {
    await this.manifestOf(version);
    const holder = this.loaded.get(version);
    if (holder && holder.role !== role) {
      throw new AppError('MODEL_VERSION_IN_USE', `Version ${version} is already the ${holder.role}; a version holds one role at a time`);
    }
    const production = this.engine.productionEngine;
    let serving = holder?.serving;
    if (!serving) {
      const started = performance.now();
      serving = await this.loadVersion(version);
      try {
        await this.validator.validate(serving, production?.info.labels, role === 'shadow');
      } catch (error) {
        this.loadsTotal.inc({ outcome: 'refused' });
        await serving.engine.close().catch(() => undefined);
        throw error;
      }
      this.loadsTotal.inc({ outcome: 'ok' });
      this.loadSeconds.observe({ temperature: 'cold' }, (performance.now() - started) / 1000);
    }
    try {
      await this.storage('stored', this.store.changeRoles([{ role, version, traffic }], entry(`${role}.set`, version, `${role} set (${role === 'canary' ? `${traffic} %` : `sample rate ${traffic}`})`)));
    } catch (error) {
      if (!holder) await serving.engine.close().catch(() => undefined);
      throw error;
    }
    const replaced = this.attachSecondary(role, serving, traffic);
    if (replaced && replaced.version !== version) await this.unload(replaced);
  }

  /** Puts a loaded engine in the canary or shadow role; returns the engine it replaced there. */
  private attachSecondary(role: 'canary' | 'shadow', serving: ServingEngine, traffic: number): ServingEngine | undefined {
    let replaced: ServingEngine | undefined;
    if (role === 'canary') {
      replaced = this.engine.setCanary(serving, traffic);
      const production = this.engine.productionEngine;
      this.canarySince = {
        canary: this.predictionCounts.get(serving.version) ?? 0,
        production: production ? (this.predictionCounts.get(production.version) ?? 0) : 0,
      };
    } else {
      replaced = this.shadow.attach(serving, traffic);
    }
    this.markLoaded(serving, role);
    return replaced;
  }

  private markLoaded(serving: ServingEngine, role: ServingRole): void {
    const existing = this.loaded.get(serving.version);
    this.loaded.set(serving.version, { serving, role, loadedAt: existing?.loadedAt ?? Date.now() });
    this.events.versionLoaded({ version: serving.version, engine: serving.engine, modelDir: serving.modelDir, role });
  }

  /** Closes an engine that left its role (after the calls it accepted finish) and tells the listeners. */
  private async unload(serving: ServingEngine): Promise<void> {
    const entryOf = this.loaded.get(serving.version);
    if (entryOf?.serving === serving) this.loaded.delete(serving.version);
    this.events.versionUnloaded(serving.version);
    await this.engine.retire(serving);
  }

  private async loadVersion(version: string): Promise<ServingEngine> {
    const modelDir = this.repository.dirOf(version);
    if (!modelDir) throw new AppError('MODEL_VERSION_NOT_FOUND', `No registered model version is named ${JSON.stringify(version)}`);
    try {
      const engine = await this.engine.load(modelDir);
      return { version, engine, info: engine.info(), modelDir };
    } catch (error) {
      this.loadsTotal.inc({ outcome: 'failed' });
      throw error;
    }
  }

  /**
   * Copies a directory into the registry as a new version, loads it once to read its labels, maximum length and
   * outputs for the manifest, and closes it. Registering the same content under the same name again is a no-op;
   * other content under a registered name is refused (versions are immutable).
   */
  private async registerDirectory(
    sourceDir: string,
    options: { versionName?: string; source: string; notes?: string; allowedRoot?: string },
  ): Promise<{ manifest: ModelManifest; created: boolean }> {
    if (options.versionName !== undefined && !VERSION_NAME.test(options.versionName)) {
      throw new AppError('VALIDATION_FAILED', `version_name must match ${VERSION_NAME.source} (letters, digits, . _ @ + -; at most 128)`);
    }
    const names = await listModelFiles(sourceDir, options.allowedRoot);
    const version = options.versionName ?? modelVersion(await modelNameOf(sourceDir), await digestModelFiles(sourceDir));
    const staged = await this.repository.stage(version, sourceDir, names);
    try {
      const files = await hashModelFiles(staged, names);
      const digest = contentDigest(files);
      const existing = this.repository.get(version);
      if (existing) {
        if (existing.content_sha256 !== digest) {
          throw new AppError('MODEL_VERSION_CONFLICT', `Version ${version} is already registered with other content; versions are immutable: register it under another version_name`);
        }
        await this.repository.discard(staged);
        return { manifest: existing, created: false };
      }
      const engine = await this.engine.load(staged);
      const info = engine.info();
      await engine.close();
      const manifest: ModelManifest = {
        version,
        model_name: info.modelName,
        files,
        content_sha256: digest,
        labels: info.labels,
        max_length: info.maxLength,
        outputs: info.outputs.map((o) => o.name),
        source: options.source,
        registered_at: new Date().toISOString(),
        ...(options.notes !== undefined ? { notes: options.notes } : {}),
      };
      await this.repository.commit(staged, manifest);
      this.logger.log(`Registered model version ${version} (${files.length} files, labels [${info.labels.join(', ')}])`);
      return { manifest, created: true };
    } catch (error) {
      await this.repository.discard(staged);
      throw error;
    }
  }

  /** The version's manifest; with a shared registry, one registered by another replica since the last look too. */
  private async manifestOf(version: string): Promise<ModelManifest> {
    if (!this.repository.get(version) && this.sharedRoles) await this.repository.rescan();
    const manifest = this.repository.get(version);
    if (!manifest) throw new AppError('MODEL_VERSION_NOT_FOUND', `No registered model version is named ${JSON.stringify(version)}`);
    return manifest;
  }

  private async roleOf(role: RoleAssignment['role']): Promise<RoleAssignment | undefined> {
    return (await this.storage('read', this.store.roles())).find((r) => r.role === role);
  }

  private view(manifest: ModelManifest, roles: readonly RoleAssignment[]): VersionView {
    const loaded = this.loaded.get(manifest.version);
    return {
      manifest,
      roles: roles.filter((r) => r.version === manifest.version),
      ...(loaded ? { loaded: { role: loaded.role, loadedAt: loaded.loadedAt } } : {}),
      predictionsSinceStart: this.predictionCounts.get(manifest.version) ?? 0,
    };
  }
}

function entry(action: string, version: string, detail: string, previousVersion?: string): Omit<HistoryEntry, 'id'> {
  return { at: Date.now(), action, version, previousVersion, outcome: 'ok', detail };
}

function describeValidation(v: ValidationReport, warm: boolean): string {
  const accuracy = v.accuracy !== undefined ? `, accuracy ${v.accuracy.toFixed(4)} on ${v.validationSamples} validation texts` : '';
  return `made production (${warm ? 'warm' : 'cold'} engine; smoke batch of ${v.smokeTexts} passed${accuracy})`;
}

function describeChange(change: ProductionChange): string {
  return change.previousVersion ? `production ${change.previousVersion} -> ${change.version}` : `production ${change.version}`;
}

function isStorageFailure(error: unknown): boolean {
  return error instanceof AppError && error.code === 'STORAGE_UNAVAILABLE';
}

function hasEngineCode(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}
