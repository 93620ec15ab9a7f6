import { Logger, Module, Provider } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { Gauge, Registry } from 'prom-client';
import { storeProvider } from '../database/store-provider';
import { metricToken, setEach } from '../metrics/metric.providers';
import { PredictionsModule } from '../predictions/predictions.module';
import { JobRunner } from './job-runner';
import { JobStore } from './job.store';
import { PostgresJobStore } from './postgres-job.store';
import { SqliteJobStore } from './sqlite-job.store';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/**
 * The jobs-by-state gauge, counted at each scrape. Not gaugeProvider's synchronous sampler: the count is a query
 * (asynchronous on PostgreSQL), and prom-client awaits an asynchronous `collect`. A failed count keeps the last values.
 */
function jobsGaugeProvider(): Provider {
  const logger = new Logger('Metrics');
  return {
    provide: metricToken('classifier_jobs'),
    inject: [Registry, JobsService],
    useFactory: (registry: Registry, jobs: JobsService) =>
      new Gauge({
        name: 'classifier_jobs',
        help: 'Async jobs in the database, by state (queued, running, completed, failed).',
        labelNames: ['state'],
        registers: [registry],
        async collect(this: Gauge<'state'>) {
          try {
            setEach(this, 'state', await jobs.countByState());
          } catch (error) {
            logger.warn(`Could not sample classifier_jobs: ${(error as Error).message}`);
          }
        },
      }),
  };
}

/**
 * Asynchronous classification jobs, in SQLite or PostgreSQL (several replicas share them). Imports EngineModule, so the engine closes after the job
 * workers have stopped; the (global) database closes after both.
 */
@Module({
  imports: [EngineModule, PredictionsModule],
  controllers: [JobsController],
  providers: [
    storeProvider(JobStore, SqliteJobStore, PostgresJobStore),
    JobRunner,
    JobsService,
    jobsGaugeProvider(),
  ],
  exports: [JobsService],
})
export class JobsModule {}
