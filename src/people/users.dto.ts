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
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsIanaZone } from './time-zone.js';
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
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'startedOn must be a date like 2026-11-02' })
  @Length(10, 10, { message: 'startedOn must be a date like 2026-11-02' })
  startedOn?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIanaZone()
  timeZone?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each value in roles must be one of ${ROLES.join(', ')}` })
  roles?: Role[];

  @ApiPropertyOptional({ description: 'false deactivates the user: their tokens stop working at once' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'startedOn must be a date like 2026-11-02' })
  @Length(10, 10, { message: 'startedOn must be a date like 2026-11-02' })
  startedOn?: string;
}

export class CreateTokenDto {
  @ApiPropertyOptional({ example: 'laptop', description: 'A label to tell tokens apart' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name?: string;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
