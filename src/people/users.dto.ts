import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsIsoDate } from '../common/time/dates.js';
import { Optional, OptionalOrNull } from '../common/validation.js';
import { IsIanaZone } from '../common/time/time-zone.js';
import { ROLES, type Role } from './user.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateUserDto {
  @ApiProperty({ example: 'ana@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Ana Ruiz' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'Europe/Madrid' })
  @IsIanaZone()
  timeZone: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['marketer'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each value in roles must be one of ${ROLES.join(', ')}` })
  roles: Role[];

  @ApiPropertyOptional({ example: '2026-11-02', description: 'First day at the company' })
  @Optional()
  @IsIsoDate({ message: 'startedOn must be a date like 2026-11-02' })
  startedOn?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsIanaZone()
  timeZone?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each value in roles must be one of ${ROLES.join(', ')}` })
  roles?: Role[];

  @ApiPropertyOptional({ description: 'false deactivates the user: their tokens stop working at once' })
  @Optional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-11-02', description: 'null clears it' })
  @OptionalOrNull()
  @IsIsoDate({ message: 'startedOn must be a date like 2026-11-02' })
  startedOn?: string | null;
}

export class CreateTokenDto {
  @ApiPropertyOptional({ example: 'laptop', description: 'A label to tell tokens apart' })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name?: string;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ enum: ROLES })
  @Optional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional()
  @Optional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ default: 100 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @ApiPropertyOptional({ default: 0 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
