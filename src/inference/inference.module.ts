import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { ModelsModule } from '../models/models.module';
import { PredictionsModule } from '../predictions/predictions.module';
import { InferenceController } from './inference.controller';
import { InferenceService } from './inference.service';

@Module({
  imports: [EngineModule, PredictionsModule, ModelsModule],
  controllers: [InferenceController],
  providers: [InferenceService],
  exports: [InferenceService],
})
export class InferenceModule {}
