// Placeholder app (the ui-app branch replaces it): proves the build pipeline and the UI server end to end.
import { render } from 'preact';

function App() {
  return <h1>Hourglass</h1>;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
