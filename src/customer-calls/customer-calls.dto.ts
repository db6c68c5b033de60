import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { IsDateOrInstant } from '../common/time/dates.js';
import { Optional } from '../common/validation.js';
import { LABEL_MAX } from './customer-call.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ListCustomerCallsQuery {
  @ApiPropertyOptional({ example: '2027-03-08', description: "ISO date (00:00 in my zone) or instant; default now" })
  @Optional()
  @IsDateOrInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2027-04-08', description: 'Exclusive; a date means the end of that day; default 60 days after from' })
  @Optional()
  @IsDateOrInstant()
  to?: string;

  @ApiPropertyOptional({ description: "The lifecycle team reads a rep's calls" })
  @Optional()
  @IsUUID('all', { message: 'repId must be a UUID' })
  repId?: string;
}

export class OpenCustomerCallDto {
  @ApiPropertyOptional({ example: 'Renewal call, mid-market', description: "What marketers see; default: the event's title" })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, LABEL_MAX)
  label?: string;

  @ApiPropertyOptional({ example: 'renewal' })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  callType?: string;

  @ApiPropertyOptional({ description: 'The call follows up a marketing-sourced lead' })
  @Optional()
  @IsBoolean()
  marketingSourced?: boolean;
}

export class CustomerCallRuleDto {
  @ApiProperty({ description: 'Open every new customer call automatically' })
  @IsBoolean()
  enabled: boolean;

  @ApiPropertyOptional({ example: 'demo', description: 'Only calls whose title holds this text (ignoring case)' })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  keyword?: string;

  @ApiPropertyOptional({ example: 'discovery', description: 'The call type the rule gives the calls it opens' })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  callType?: string;

  @ApiPropertyOptional({ description: 'The calls the rule opens follow up marketing-sourced leads' })
  @Optional()
  @IsBoolean()
  marketingSourced?: boolean;
}

export class PutOrganisationDto {
  @ApiProperty({ type: [String], nullable: true, example: ['example.com', 'example.co.uk'], description: "The company's email domains (subdomains included); null: back to the default" })
  @ValidateIf((_o: object, v: unknown) => v !== null)
  @IsArray({ message: 'companyDomains must be a list of domains like ["example.com"], or null' })
  @ArrayMaxSize(50, { message: 'companyDomains may hold at most 50 domains' })
  @IsString({ each: true, message: 'companyDomains must hold domains as text' })
  @Length(1, 253, { each: true, message: 'each of companyDomains must be 1 to 253 characters' })
  companyDomains: string[] | null;
}

export class BookedByDto {
  @ApiProperty() bookingId: string;
  @ApiProperty() marketerId: string;
  @ApiProperty() marketerName: string;
}

export class CustomerCallDto {
  @ApiProperty() id: string;
  @ApiProperty() repId: string;
  @ApiProperty() startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty({ description: "The event's title (only the rep and the lifecycle team see it)" }) title: string;
  @ApiProperty({ enum: ['closed', 'open', 'booked'] }) state: string;
  @ApiProperty({ nullable: true, type: String }) label: string | null;
  @ApiProperty({ nullable: true, type: String }) callType: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) marketingSourced: boolean | null;
  @ApiProperty({ nullable: true, type: String }) openedAt: string | null;
  @ApiProperty({ type: [BookedByDto] }) bookedBy: BookedByDto[];
  @ApiProperty({ description: 'How many attendees are from outside the company (their addresses are not shown)' }) externalAttendees: number;
}

export class CustomerCallsResponseDto {
  @ApiProperty({ type: [CustomerCallDto] }) calls: CustomerCallDto[];
}

export class CustomerCallRuleViewDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String }) keyword: string | null;
  @ApiProperty({ nullable: true, type: String }) callType: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) marketingSourced: boolean | null;
}

export class CustomerCallRuleSetDto extends CustomerCallRuleViewDto {
  @ApiProperty({ description: 'How many of the rep\'s customer calls the rule opened just now' }) openedNow: number;
}

export class OrganisationDto {
  @ApiProperty({ type: [String], description: "The domains in force: the organisation's setting, else the default" }) companyDomains: string[];
  @ApiProperty({ enum: ['organisation', 'default'] }) source: string;
  @ApiProperty({ type: [String], description: 'COMPANY_DOMAINS, else the domain of ADMIN_EMAIL' }) defaultCompanyDomains: string[];
  @ApiProperty({ nullable: true, type: String }) updatedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) updatedBy: string | null;
}
