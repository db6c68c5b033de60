import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { Optional } from '../common/validation.js';

const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ImportPeopleQuery {
  @ApiProperty({ description: 'true: check and preview only, write nothing; false: apply (all rows or none)' })
  @Transform(bool)
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun: boolean;

  @ApiPropertyOptional({ description: 'true: email each person the import creates a welcome with a sign-in link' })
  @Optional()
  @Transform(bool)
  @IsBoolean({ message: 'welcome must be true or false' })
  welcome?: boolean;
}
