import { Module } from '@nestjs/common';
import { EngineService } from './engine.service';
import { ENGINE_LOADER } from './engine.types';
import { NativeEngineLoader } from './native-engine.loader';

@Module({
  providers: [{ provide: ENGINE_LOADER, useClass: NativeEngineLoader }, EngineService],
  exports: [EngineService],
})
export class EngineModule {}
