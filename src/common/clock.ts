import { Injectable } from '@nestjs/common';

/**
 * The wall clock, as a provider: features that stamp or group by time (feedback, monitoring windows) inject it,
 * so their specs can set the time instead of waiting for it.
 */
@Injectable()
export class Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number {
    return Date.now();
  }
}
