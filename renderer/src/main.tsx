/**
 * Entry point: mounts the app on the bridge of whichever shell loaded the page.
 */
// First: settings that must hold before any module below builds or runs a schema.
import './lib/zod-csp';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getBridge } from './bridge/get-bridge';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App bridge={getBridge()} />
  </StrictMode>,
);
