import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { PageCursor, PageLimit } from '../common/paging.js';
import { Optional } from '../common/validation.js';
import { WEBHOOK_EVENTS } from './webhook-events.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;
const EVENTS_MESSAGE = `events must be a list of one or more of ${WEBHOOK_EVENTS.join(', ')}`;

/** `{url, events[], description?}` */
export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/ridealong', description: 'Where events are POSTed (https or http). Stored encrypted; shown afterwards as its host only.' })
  @Transform(trim)
  @IsString({ message: 'url must be a web address' })
  @Length(1, 2048, { message: 'url must be a web address of at most 2048 characters' })
  @Matches(PRINTABLE, { message: 'url must not contain control characters' })
  url: string;

  @ApiProperty({ type: [String], enum: WEBHOOK_EVENTS, example: ['booking.created', 'rollup.sent'] })
  @IsArray({ message: EVENTS_MESSAGE })
  @ArrayMinSize(1, { message: EVENTS_MESSAGE })
  @ArrayMaxSize(WEBHOOK_EVENTS.length * 2, { message: EVENTS_MESSAGE })
  @IsIn(WEBHOOK_EVENTS, { each: true, message: EVENTS_MESSAGE })
  events: string[];

  @ApiPropertyOptional({ example: 'Campaign tracker in the CRM' })
  @Optional()
  @Transform(trim)
  @IsString({ message: 'description must be text' })
  @Length(1, 500, { message: 'description must be 1 to 500 characters' })
  @Matches(PRINTABLE, { message: 'description must not contain control characters' })
  description?: string;
}

export class DeliveriesQueryDto {
  @PageLimit(50, 200, 'deliveries')
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class WebhookViewDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: "The URL's host; the URL itself is never shown again" }) host: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENTS }) events: string[];
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty() consecutiveFailures: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) disabledAt: Date | null;
  @ApiProperty({ nullable: true, type: String }) disabledReason: string | null;
  @ApiProperty({ nullable: true, type: String }) createdBy: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

export class CreatedWebhookDto extends WebhookViewDto {
  @ApiProperty({ description: 'The signing secret (Standard Webhooks, `whsec_…`): shown once, in this answer only' }) secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookViewDto] }) webhooks: WebhookViewDto[];
}
