import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The health check's one query; no decisions. */
@Injectable()
export class HealthRepository {
  constructor(private readonly db: DataSource) {}

  /** `SELECT 1` on a pooled connection: resolves when the database answers. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** Whether `SELECT 1` answers within `ms` (a pool waiting on a database that is away counts as no answer). */
  async answersWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('the database did not answer in time')), ms);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
