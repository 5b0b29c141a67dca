import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { PortcullisProvider } from '@portcullis/react';
import 'uplot/dist/uPlot.min.css';
import './console.css';
import { readConfig } from './config.js';
import { App } from './app.js';

const config = readConfig();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PortcullisProvider options={{ tenant: config.tenant || undefined, scriptUrls: config.scriptUrls }}>
      <App config={config} />
    </PortcullisProvider>
  </StrictMode>,
);
