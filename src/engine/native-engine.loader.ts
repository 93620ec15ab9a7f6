import { Injectable } from '@nestjs/common';
import { Engine, EngineOptions } from '../../lib';
import type { ClassifierEngine, EngineLoader } from './engine.types';

/** The production EngineLoader: the native addon (lib/), which loads and runs the model off the JS thread. */
@Injectable()
export class NativeEngineLoader implements EngineLoader {
  load(modelDir: string, options: EngineOptions): Promise<ClassifierEngine> {
    return Engine.load(modelDir, options);
  }
}
