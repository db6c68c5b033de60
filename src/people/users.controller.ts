import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, entity, listOf, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from './auth.decorators.js';
import { ApiToken } from './api-token.entity.js';
import { User } from './user.entity.js';
import { CreateTokenDto, CreateUserDto, ListUsersQuery, UpdateUserDto } from './users.dto.js';
import { IssuedToken, UsersService } from './users.service.js';

const ISSUED_TOKEN = view('IssuedToken', ['id', 'name', 'prefix', 'createdAt', 'token'], { token: { type: 'string', description: 'The secret: in this answer only' } });

@ApiTags('users')
@ApiBearerAuth()
@ApiErrors(403) // the lifecycle team, or the user themself
@Controller('api/v1')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiJsonResponse(entity(User))
  me(@CurrentUser() me: User): User {
    return me;
  }

  @Post('users')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(User), 201)
  @ApiErrors(409)
  create(@CurrentUser() actor: User, @Body() dto: CreateUserDto): Promise<User> {
    return this.users.create(actor, dto);
  }

  @Get('users')
  @Roles('lifecycle')
  @ApiJsonResponse(listOf('users', entity(User)))
  async list(@Query() q: ListUsersQuery): Promise<{ users: User[] }> {
    return { users: await this.users.list(q) };
  }

  @Get('users/:id')
  @ApiJsonResponse(entity(User))
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<User> {
    return this.users.get(actor, id);
  }

  @Patch('users/:id')
  @ApiJsonResponse(entity(User))
  @ApiErrors(409)
  update(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateUserDto): Promise<User> {
    return this.users.update(actor, id, dto);
  }

  /** Issues a token; the secret is in this response only. */
  @Post('users/:id/tokens')
  @ApiJsonResponse(ISSUED_TOKEN, 201)
  @ApiErrors(409)
  issueToken(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreateTokenDto): Promise<IssuedToken> {
    return this.users.issueToken(actor, id, dto);
  }

  @Get('users/:id/tokens')
  @ApiJsonResponse(listOf('tokens', entity(ApiToken)))
  async listTokens(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return { tokens: await this.users.listTokens(actor, id) };
  }

  @Delete('users/:id/tokens/:tokenId')
  @HttpCode(204)
  revokeToken(
    @CurrentUser() actor: User,
    @Param('id', uuid('id')) id: string,
    @Param('tokenId', uuid('tokenId')) tokenId: string,
  ): Promise<void> {
    return this.users.revokeToken(actor, id, tokenId);
  }
}
