import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { RootController } from './root.controller';
import { RootService } from './root.service';

@Module({
  imports: [EngineModule],
  controllers: [RootController],
  providers: [RootService],
})
export class RootModule {}
