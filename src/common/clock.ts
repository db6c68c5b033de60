import { Injectable } from '@nestjs/common';

/** The one source of "now" for services; pure code takes the instant as an argument instead. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
