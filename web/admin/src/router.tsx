import { createRouter } from '../../lib/create-router.tsx';

/**
 * The console's router (the shared tiny router in web/lib). Paths are relative to /admin:
 * "/users" is /admin/users. Focus moves to <main> on each navigation.
 */
export type { Route } from '../../lib/create-router.tsx';

export const BASE = '/admin';

export const { RouterProvider, useRoute, Link, href } = createRouter({ base: BASE, focusId: 'main' });
