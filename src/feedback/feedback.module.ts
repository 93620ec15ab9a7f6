import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { PredictionsModule } from '../predictions/predictions.module';
import { FeedbackController } from './feedback.controller';
import { FeedbackService } from './feedback.service';
import { FeedbackStore } from './feedback.store';

/** POST /feedback: correct labels for logged predictions, stored in SQLite; monitoring subscribes to them. */
@Module({
  imports: [PredictionsModule],
  controllers: [FeedbackController],
  providers: [FeedbackService, FeedbackStore, Clock],
  exports: [FeedbackService],
})
export class FeedbackModule {}
