import { render } from 'preact';
import { App } from './app.tsx';
import { I18nProvider } from './i18n/i18n.tsx';
import { RouterProvider } from './router.tsx';
import { createSwBridge } from './sw-bridge.ts';
import './styles.css';

const bridge = createSwBridge({ enabled: import.meta.env.PROD });

render(
  <I18nProvider>
    <RouterProvider>
      <App bridge={bridge} />
    </RouterProvider>
  </I18nProvider>,
  document.getElementById('app')!,
);
