import { describe, expect, it } from '@jest/globals';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ROLES_KEY, WEB_KEY } from '../people/auth.decorators.js';
import { LifecycleHealthController } from './lifecycle/health.controller.js';
import { LifecyclePeopleController } from './lifecycle/people.controller.js';
import { LifecyclePeriodsController } from './lifecycle/periods.controller.js';
import { LifecycleProgramsController } from './lifecycle/programs.controller.js';
import { LifecycleRollupsController } from './lifecycle/rollups.controller.js';
import { LifecycleThemesController } from './lifecycle/themes.controller.js';
import { MarketerFormsController } from './marketer/marketer-forms.controller.js';
import { MarketerPagesController } from './marketer/marketer.controller.js';
import { RepPagesController } from './rep/rep.controller.js';

/** Every route of the role pages is a web page (session + CSRF guard) and names the roles it serves. */
describe('role page routes', () => {
  const controllers = [
    RepPagesController,
    MarketerPagesController,
    MarketerFormsController,
    LifecycleProgramsController,
    LifecyclePeriodsController,
    LifecyclePeopleController,
    LifecycleThemesController,
    LifecycleRollupsController,
    LifecycleHealthController,
  ];
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
