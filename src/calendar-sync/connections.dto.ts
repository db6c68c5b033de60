import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { Optional } from '../common/validation.js';
import type { ConnectionKind } from './calendar.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** No control characters (a NUL, a line break) in what is sent to a server as a URL or a header. */
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** `{kind:"ics", url}` or `{kind:"caldav", url, username, password}`. */
export class ConnectCalendarDto {
  @ApiProperty({ enum: ['ics', 'caldav'], description: '`ics`: a calendar address (https, http or webcal); `caldav`: a CalDAV calendar or account' })
  @IsIn(['ics', 'caldav'], { message: 'kind must be ics or caldav' })
  kind: ConnectionKind;

  @ApiProperty({
    example: 'webcal://calendar.example.com/ical/secret-address/basic.ics',
    description: "The calendar's secret address (ics), or the CalDAV calendar, principal or server address (caldav). Stored encrypted; never shown again, only its host.",
  })
  @Transform(trim)
  @IsString({ message: 'url must be a web address' })
  @Length(1, 4096, { message: 'url must be a web address of at most 4096 characters' })
  @Matches(PRINTABLE, { message: 'url must not contain control characters' })
  url: string;

  @ApiPropertyOptional({ description: 'CalDAV only: the account name' })
  @Optional()
  @IsString({ message: 'username must be text' })
  @Length(1, 256, { message: 'username must be 1 to 256 characters' })
  @Matches(PRINTABLE, { message: 'username must not contain control characters' })
  username?: string;

  @ApiPropertyOptional({ description: 'CalDAV only: the password (an app password for iCloud or Fastmail). Stored encrypted; never shown again.' })
  @Optional()
  @IsString({ message: 'password must be text' })
  @Length(1, 1024, { message: 'password must be 1 to 1024 characters' })
  @Matches(PRINTABLE, { message: 'password must not contain control characters' })
  password?: string;
}

/** A connection as anyone sees it: never the URL, user name or password. */
export class ConnectionViewDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['ics', 'caldav'] }) kind: ConnectionKind;
  @ApiProperty({ example: 'calendar.google.com', description: "The calendar address's host: the only part of it ever shown" }) host: string;
  @ApiProperty({ nullable: true, type: String, description: 'The last successful read' }) lastSyncedAt: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'The last read, successful or not' }) lastAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last read failed, in plain words; null when it worked' }) lastError: string | null;
  @ApiProperty({ description: 'Events of this calendar from now to the end of the kept window' }) eventCount: number;
  @ApiProperty() createdAt: Date;
}

export class ConnectionListDto {
  @ApiProperty({ type: [ConnectionViewDto] }) connections: ConnectionViewDto[];
}
