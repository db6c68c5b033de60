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
}
