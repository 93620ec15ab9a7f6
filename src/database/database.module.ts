import { Global, Module } from '@nestjs/common';
import { DatabaseService } from './database.service';

/** The embedded SQLite database. Global: every feature's store uses it, and global modules shut down last. */
@Global()
@Module({
  providers: [DatabaseService],
  exports: [DatabaseService],
})
export class DatabaseModule {}
