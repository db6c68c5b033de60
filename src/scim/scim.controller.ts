import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, Res, SetMetadata, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SCIM_KEY } from '../people/auth.decorators.js';
import { ScimAuthGuard, type ScimRequest } from './scim-auth.guard.js';
import { ScimErrorFilter } from './scim-error.filter.js';
import { readPaging, resourceTypes, SCIM_MEDIA_TYPE, schemas, ScimError, serviceProviderConfig, listResponse } from './scim-resources.js';
import { ScimService } from './scim.service.js';

/** Sends a SCIM document as application/scim+json, with its ETag and Location when it has them. */
function send(res: Response, status: number, doc: Record<string, unknown>): void {
  const meta = doc.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) res.setHeader('ETag', meta.version);
  if (status === 201 && meta?.location) res.setHeader('Location', meta.location);
  res.status(status).type(SCIM_MEDIA_TYPE).send(JSON.stringify(doc));
}

const excludesMembers = (excluded: string | undefined) => !!excluded && excluded.split(',').some((a) => a.trim().toLowerCase() === 'members');

/** SCIM 2.0 (RFC 7644) for identity providers: Okta, Microsoft Entra ID. Opened by SCIM tokens only. */
@ApiExcludeController()
@ApiBearerAuth()
@SetMetadata(SCIM_KEY, true)
@UseGuards(ScimAuthGuard)
@UseFilters(ScimErrorFilter)
@Controller('scim/v2')
export class ScimController {
  private readonly base: string;

  constructor(
    private readonly scim: ScimService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.base = `${config.publicUrl}/scim/v2`;
  }

  @Get('ServiceProviderConfig')
  spc(@Res() res: Response): void {
    send(res, 200, serviceProviderConfig(this.base));
  }

  @Get('ResourceTypes')
  resourceTypes(@Res() res: Response): void {
    const all = resourceTypes(this.base);
    send(res, 200, listResponse(all, all.length, 1));
  }

  @Get('ResourceTypes/:id')
  resourceType(@Param('id') id: string, @Res() res: Response): void {
    const one = resourceTypes(this.base).find((r) => r.id === id);
    if (!one) throw new ScimError(404, `ResourceType ${id} was not found`);
    send(res, 200, one);
  }

  @Get('Schemas')
  schemas(@Res() res: Response): void {
    const all = schemas(this.base);
    send(res, 200, listResponse(all, all.length, 1));
  }

  @Get('Schemas/:id')
  schema(@Param('id') id: string, @Res() res: Response): void {
    const one = schemas(this.base).find((s) => s.id === id);
    if (!one) throw new ScimError(404, `Schema ${id} was not found`);
    send(res, 200, one);
  }

  // ---------------------------------------------------------------- Users

  @Get('Users')
  async listUsers(
    @Query('filter') filter: string | undefined,
    @Query('startIndex') startIndex: string | undefined,
    @Query('count') count: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const paging = readPaging(startIndex, count);
    send(res, 200, await this.scim.listUsers(this.base, filter, paging.startIndex, paging.count));
  }

  @Post('Users')
  async createUser(@Req() req: ScimRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    send(res, 201, await this.scim.createUser(this.base, req.scimTokenId!, body));
  }

  @Get('Users/:id')
  async getUser(@Param('id') id: string, @Res() res: Response): Promise<void> {
    send(res, 200, await this.scim.getUser(this.base, id));
  }

  @Put('Users/:id')
  async replaceUser(@Req() req: ScimRequest, @Param('id') id: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res() res: Response): Promise<void> {
    send(res, 200, await this.scim.replaceUser(this.base, req.scimTokenId!, id, body, ifMatch));
  }

  @Patch('Users/:id')
  async patchUser(@Req() req: ScimRequest, @Param('id') id: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res() res: Response): Promise<void> {
    send(res, 200, await this.scim.patchUser(this.base, req.scimTokenId!, id, body, ifMatch));
  }

  @Delete('Users/:id')
  @HttpCode(204)
  async deleteUser(@Req() req: ScimRequest, @Param('id') id: string): Promise<void> {
    await this.scim.deleteUser(this.base, req.scimTokenId!, id);
  }

  // ---------------------------------------------------------------- Groups

  @Get('Groups')
  async listGroups(
    @Query('filter') filter: string | undefined,
    @Query('startIndex') startIndex: string | undefined,
    @Query('count') count: string | undefined,
    @Query('excludedAttributes') excluded: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const paging = readPaging(startIndex, count);
    send(res, 200, await this.scim.listGroups(this.base, filter, paging.startIndex, paging.count, excludesMembers(excluded)));
  }

  @Post('Groups')
  createGroup(@Body() body: unknown): never {
    return this.scim.createGroup(body);
  }

  @Get('Groups/:id')
  async getGroup(@Param('id') id: string, @Query('excludedAttributes') excluded: string | undefined, @Res() res: Response): Promise<void> {
    send(res, 200, await this.scim.getGroup(this.base, id, excludesMembers(excluded)));
  }

  @Put('Groups/:id')
  async replaceGroup(@Req() req: ScimRequest, @Param('id') id: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res() res: Response): Promise<void> {
    send(res, 200, await this.scim.replaceGroup(this.base, req.scimTokenId!, id, body, ifMatch));
  }

  @Patch('Groups/:id')
  async patchGroup(@Req() req: ScimRequest, @Param('id') id: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res() res: Response): Promise<void> {
    send(res, 200, await this.scim.patchGroup(this.base, req.scimTokenId!, id, body, ifMatch));
  }

  @Delete('Groups/:id')
  deleteGroup(@Param('id') id: string): never {
    return this.scim.deleteGroup(id);
  }
}
