import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { gaugeProvider, setEach } from '../metrics/metric.providers';
import { PredictionsModule } from '../predictions/predictions.module';
import { JobRunner } from './job-runner';
import { JobStore } from './job.store';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/**
 * Asynchronous classification jobs, kept in SQLite. Imports EngineModule, so the engine closes after the job
 * workers have stopped; the (global) database closes after both.
 */
@Module({
  imports: [EngineModule, PredictionsModule],
  controllers: [JobsController],
  providers: [
    JobStore,
    JobRunner,
    JobsService,
    gaugeProvider(
      { name: 'classifier_jobs', help: 'Async jobs in the database, by state (queued, running, completed, failed).', labelNames: ['state'] },
      { inject: [JobsService], sample: (gauge, jobs: JobsService) => setEach(gauge, 'state', jobs.countByState()) },
    ),
  ],
  exports: [JobsService],
})
export class JobsModule {}
