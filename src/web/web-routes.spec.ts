import { describe, expect, it } from '@jest/globals';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ROLES_KEY, WEB_KEY } from '../people/auth.decorators.js';
import { PAGE_CONTROLLERS, ROLE_PAGE_CONTROLLERS } from './page-controllers.js';
import { WebModule } from './web.module.js';

/** Every route of the role pages is a web page (session + CSRF guard) and names the roles it serves. */
describe('role page routes', () => {
  const controllers = ROLE_PAGE_CONTROLLERS;
  const handler = (c: (typeof controllers)[number], name: string): object => (c.prototype as unknown as Record<string, object>)[name];
  const routes = controllers.flatMap((c) =>
    Object.getOwnPropertyNames(c.prototype)
      .filter((name) => name !== 'constructor' && Reflect.getMetadata(PATH_METADATA, handler(c, name)) !== undefined)
      .map((name) => ({ c, name, path: String(Reflect.getMetadata(PATH_METADATA, handler(c, name))), method: Reflect.getMetadata(METHOD_METADATA, handler(c, name)) })),
  );

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(40);
  });

  it.each(controllers.map((c) => [c.name, c]))('%s is guarded as a web page', (_name, c) => {
    expect(Reflect.getMetadata(WEB_KEY, c)).toBe(true);
  });

  it('gives every route a role', () => {
    const missing = routes.filter(({ c, name }) => !(Reflect.getMetadata(ROLES_KEY, handler(c, name)) ?? Reflect.getMetadata(ROLES_KEY, c))?.length);
    expect(missing.map((r) => `${r.c.name}.${r.name} ${r.path}`)).toEqual([]);
  });

  it('keeps each area to its role (lifecycle may also read a form)', () => {
    for (const { c, name, path } of routes) {
      const roles: string[] = Reflect.getMetadata(ROLES_KEY, handler(c, name)) ?? Reflect.getMetadata(ROLES_KEY, c);
      const area = path.split('/')[0] as 'rep' | 'marketer' | 'lifecycle';
      expect(roles).toContain(area);
      if (roles.length > 1) expect(`${path} ${roles.join(',')}`).toBe('marketer/forms/:id marketer,lifecycle');
    }
  });
});

describe('page controllers', () => {
  it('the list the route specs and fuzz tests walk is exactly what WebModule registers', () => {
    const registered = Reflect.getMetadata('controllers', WebModule) as unknown[];
    expect(new Set(registered)).toEqual(new Set(PAGE_CONTROLLERS));
    expect(registered).toHaveLength(PAGE_CONTROLLERS.length);
  });
});
