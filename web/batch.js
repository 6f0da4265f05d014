// Batch mode: many photos as ONE POST /api/batches, then the batch's progress
// pushed by the server (GET /api/batches/{id}/events) until it is complete.
import { errorMessage } from './format.js';
import { BatchPanel } from './batch-panel.js';

/**
 * Sends `files` with one description (and operations, when given) for all,
 * shows the batch in a new panel added to the top of `list`, and follows it
 * live; `onComplete` runs once when the batch is complete, `onRefused` with
 * the API's message when it refuses the batch.
 */
export async function sendBatch(list, files, description, operations, onComplete, onRefused = () => {}) {
  const panel = new BatchPanel(files.map((f) => f.name));
  list.prepend(panel.root);
  const form = new FormData();
  for (const file of files) form.append('image', file, file.name);
  form.append('description', description);
  if (operations) form.append('operations', operations);
  let response;
  try {
    response = await fetch('/api/batches', { method: 'POST', body: form });
  } catch {
    panel.refused('network error; try again.');
    return;
  }
  if (response.status !== 202) {
    const message = await errorMessage(response);
    panel.refused(message);
    onRefused(message);
    return;
  }
  const accepted = await response.json();
  panel.root.dataset.id = accepted.id;
  watchBatch(accepted.id, panel, onComplete);
}

function watchBatch(id, panel, onComplete) {
  const source = new EventSource(`/api/batches/${encodeURIComponent(id)}/events`);
  source.addEventListener('batch', (message) => {
    const batch = JSON.parse(message.data);
    panel.show(batch);
    // The server ends the stream after this one; closing first keeps EventSource from reconnecting.
    if (batch.status === 'complete') {
      source.close();
      onComplete();
    }
  });
  // A dropped stream is reopened by EventSource itself (and starts with the
  // current snapshot); it gives up only on an answer that is not a stream: 404 or 410.
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) panel.lost();
  });
}
