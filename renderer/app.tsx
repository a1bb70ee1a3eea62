import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type ViewName } from './api.ts';
import { Badge } from './components/badge.tsx';
import { useAgentState } from './hooks.ts';
import type { FixPreset, Navigate } from './navigate.ts';
import { EnvironmentView } from './views/environment.tsx';
import { FixesView } from './views/fixes.tsx';
import { HistoryView } from './views/history.tsx';
import { ListenersView } from './views/listeners.tsx';
import { OverviewView } from './views/overview.tsx';
import { ProbesView } from './views/probes.tsx';
import { SettingsPage } from './views/settings.tsx';
import { WizardView } from './views/wizard.tsx';

const TABS: Array<[ViewName, string]> = [
  ['overview', 'Overview'], ['probes', 'Probes'], ['listeners', 'Listeners'], ['environment', 'Env'], ['fixes', 'Fixes'], ['history', 'History'],
];

/** The popover: a header with the overall state, tabs, and one view at a time. */
export function App() {
  const state = useAgentState();
  const [view, setView] = useState<ViewName>('overview');
  const [preset, setPreset] = useState<FixPreset | null>(null);
  const wizardShown = useRef(false);
  const navigate: Navigate = (next, fix) => { setPreset(fix ?? null); setView(next); };

  useEffect(() => api.onView(({ view: next }) => navigate(next)), []);
  // A first run opens the wizard once; after that the operator decides.
  useEffect(() => {
    if (state?.firstRun && !wizardShown.current) { wizardShown.current = true; setView('wizard'); }
  }, [state?.firstRun]);

  const overall = state?.overall ?? 'unknown';
  return (
    <div class="app">
      <header class="top">
        <span class={`top-dot tone-${overall}`} aria-hidden="true" />
        <strong class="brand">clawbar</strong>
        <span class="top-state" data-testid="overall">{state ? overall : 'loading'}</span>
        {state?.paused && <Badge tone="info">paused</Badge>}
        <span class="spacer" />
        <button type="button" class="ghost small" onClick={() => navigate('wizard')} aria-pressed={view === 'wizard'}>Setup</button>
        <button type="button" class="ghost small" onClick={() => navigate('settings')} aria-pressed={view === 'settings'} data-testid="open-settings">Settings</button>
      </header>
      <nav class="tabs" role="tablist" aria-label="Views">
        {TABS.map(([name, label]) => (
          <button key={name} type="button" role="tab" class="tab" aria-selected={view === name} data-view={name} onClick={() => navigate(name)}>{label}</button>
        ))}
      </nav>
      <main class="view" data-testid={`view-${view}`}>
        {view === 'overview' && <OverviewView state={state} navigate={navigate} />}
        {view === 'probes' && <ProbesView state={state} navigate={navigate} />}
        {view === 'listeners' && <ListenersView state={state} />}
        {view === 'environment' && <EnvironmentView />}
        {view === 'fixes' && <FixesView preset={preset} />}
        {view === 'history' && <HistoryView state={state} />}
        {view === 'wizard' && <WizardView state={state} navigate={navigate} />}
        {view === 'settings' && <SettingsPage />}
      </main>
    </div>
  );
}
