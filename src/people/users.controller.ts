import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from './auth.decorators.js';
import { User } from './user.entity.js';
import { CreateTokenDto, CreateUserDto, ListUsersQuery, UpdateUserDto } from './users.dto.js';
import { IssuedToken, UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  me(@CurrentUser() me: User): User {
    return me;
  }

  @Post('users')
  @Roles('lifecycle')
  create(@CurrentUser() actor: User, @Body() dto: CreateUserDto): Promise<User> {
    return this.users.create(actor, dto);
  }

  @Get('users')
  @Roles('lifecycle')
  async list(@Query() q: ListUsersQuery): Promise<{ users: User[] }> {
    return { users: await this.users.list(q) };
  }

  @Get('users/:id')
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<User> {
    return this.users.get(actor, id);
  }

  @Patch('users/:id')
  update(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateUserDto): Promise<User> {
    return this.users.update(actor, id, dto);
  }

  /** Issues a token; the secret is in this response only. */
  @Post('users/:id/tokens')
  issueToken(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreateTokenDto): Promise<IssuedToken> {
    return this.users.issueToken(actor, id, dto);
  }

  @Get('users/:id/tokens')
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
