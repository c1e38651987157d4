import { render } from 'preact';

function App() {
  return (
    <main>
      <h1>S/MIME Portal</h1>
      <p>Your certificates, on this device.</p>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
