import { PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { validationError } from './validation.js';

/** Path ids must be UUIDs: anything else is a 400 naming the parameter, never a database error. */
export class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!isUUID(value)) throw validationError([{ field: this.name, problems: [`${this.name} must be a UUID`] }]);
    return value;
  }
}

export const uuidParam = (name: string) => new UuidPipe(name);
