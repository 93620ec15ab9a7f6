import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { PredictionsModule } from '../predictions/predictions.module';
import { InferenceController } from './inference.controller';
import { InferenceService } from './inference.service';

@Module({
  imports: [EngineModule, PredictionsModule],
  controllers: [InferenceController],
  providers: [InferenceService],
  exports: [InferenceService],
})
export class InferenceModule {}
