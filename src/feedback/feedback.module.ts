import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { storeProvider } from '../database/store-provider';
import { PredictionsModule } from '../predictions/predictions.module';
import { FeedbackController } from './feedback.controller';
import { FeedbackService } from './feedback.service';
import { FeedbackStore } from './feedback.store';
import { PostgresFeedbackStore } from './postgres-feedback.store';
import { SqliteFeedbackStore } from './sqlite-feedback.store';

/** POST /feedback: correct labels for logged predictions, stored in SQLite or PostgreSQL; monitoring subscribes to them. */
@Module({
  imports: [PredictionsModule],
  controllers: [FeedbackController],
  providers: [FeedbackService, storeProvider(FeedbackStore, SqliteFeedbackStore, PostgresFeedbackStore), Clock],
  exports: [FeedbackService],
})
export class FeedbackModule {}
