import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { notFound } from '../common/errors.js';
import { ApiJsonResponse, entity, listOf, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { Optional } from '../common/validation.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import type { User } from '../people/user.entity.js';
import { ScimToken } from './scim-token.entity.js';
import { IssuedScimToken, ScimService } from './scim.service.js';

export class CreateScimTokenDto {
  @ApiProperty({ required: false, example: 'Okta' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Optional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

/** Provisioning tokens for identity providers: they open /scim/v2 and nothing else. */
@ApiTags('scim')
@ApiBearerAuth()
@Roles('lifecycle')
@Controller('api/v1/scim-tokens')
export class ScimTokensController {
  constructor(private readonly scim: ScimService) {}

  /** The secret is in this response only. */
  @Post()
  @ApiJsonResponse(view('IssuedScimToken', ['id', 'name', 'prefix', 'createdAt', 'token'], { token: { type: 'string', description: 'The secret: in this answer only' } }), 201)
  create(@CurrentUser() actor: User, @Body() dto: CreateScimTokenDto): Promise<IssuedScimToken> {
    return this.scim.issueToken(actor, dto.name ?? 'scim');
  }

  @Get()
  @ApiJsonResponse(listOf('tokens', entity(ScimToken)))
  async list() {
    return { tokens: await this.scim.listTokens() };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<void> {
    if (!(await this.scim.revokeToken(actor, id))) throw notFound('SCIM token', id);
  }
}
