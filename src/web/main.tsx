import './app/styles.css';
import { createRoot } from 'react-dom/client';
import { AppRoutes } from './app/router';
import { SessionProvider } from './app/session';
import { Shell } from './app/shell';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <SessionProvider>
    <Shell>
      <AppRoutes />
    </Shell>
  </SessionProvider>,
);
