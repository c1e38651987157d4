import { createRouter } from '../lib/create-router.tsx';

/** The PWA's router: pages at the site root (the shared tiny router in web/lib). */
export type { Route } from '../lib/create-router.tsx';

export const { RouterProvider, useRoute, Link } = createRouter();
