import { render } from 'preact';
import { SessionProvider } from './api/session.tsx';
import { App } from './app.tsx';
import { I18nProvider } from './i18n/i18n.tsx';
import { RouterProvider } from './router.tsx';
import './styles.css';

render(
  <I18nProvider>
    <RouterProvider>
      <SessionProvider>
        <App />
      </SessionProvider>
    </RouterProvider>
  </I18nProvider>,
  document.getElementById('app')!,
);
