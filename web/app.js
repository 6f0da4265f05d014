import { sendBatch } from './batch.js';
import { el, errorMessage, timeElement } from './format.js';
import { Gallery } from './gallery.js';
import { OperationsEditor } from './operations-editor.js';
import { JobWatcher } from './watch.js';

const MAX_DESCRIPTION = 200;
const DROP_HINT = {
  single: '…or drop them here. Each needs a description (1–200 characters).',
  batch: '…or drop them here. One description (1–200 characters) serves them all.',
};
const $ = (id) => document.getElementById(id);

const form = $('upload-form');
const fileInput = $('files');
const dropZone = $('drop-zone');
const chosenList = $('chosen');
const uploadButton = $('upload-button');
const formError = $('form-error');
const batchMode = $('batch-mode');
const batchDescription = $('batch-description');
const uploads = $('uploads');
const gallery = new Gallery($('gallery'), $('gallery-more'), $('gallery-status'));
const editor = new OperationsEditor({
  picker: $('op-picker'), add: $('add-step'), steps: $('steps'), preview: $('ops-preview'), status: $('steps-status'),
});

/** Files waiting to be uploaded, each with its description field. */
let chosen = [];
let nextKey = 0;

function choose(files) {
  for (const file of files) {
    if (!file.type.startsWith('image/')) {
      formError.textContent = `${file.name} is not an image.`;
      continue;
    }
    const key = nextKey++;
    const fieldId = `description-${key}`;
    const preview = URL.createObjectURL(file);
    const description = el('textarea', { id: fieldId, rows: 2, maxlength: MAX_DESCRIPTION, required: true });
    const remove = el('button', { type: 'button', class: 'link' }, 'Remove');
    const item = el(
      'li',
      { class: 'chosen-item' },
      el('img', { src: preview, alt: '', class: 'thumb' }),
      // In batch mode one description serves all, so each photo shows its name instead of a field.
      el('span', { class: 'file-name' }, file.name),
      el('div', { class: 'field' }, el('label', { for: fieldId }, `Description for ${file.name}`), description),
      remove,
    );
    const entry = { key, file, description, item, preview };
    remove.addEventListener('click', () => {
      unchoose(entry);
      fileInput.focus();
    });
    remove.setAttribute('aria-label', `Remove ${file.name}`);
    chosen.push(entry);
    chosenList.append(item);
  }
  uploadButton.disabled = chosen.length === 0;
  if (batchMode.checked) {
    if (batchDescription.value === '') batchDescription.focus();
    return;
  }
  const first = chosen.find((c) => c.description.value === '');
  if (first) first.description.focus();
}

function unchoose(entry) {
  URL.revokeObjectURL(entry.preview);
  entry.item.remove();
  chosen = chosen.filter((c) => c !== entry);
  uploadButton.disabled = chosen.length === 0;
}

const STATUS_TEXT = { queued: 'queued', fetching: 'fetching', processing: 'processing', saving: 'saving', done: 'done', failed: 'failed' };
const rows = new Map();

function uploadRow(name, description) {
  const status = el('span', { class: 'status', 'data-status': 'sending' }, 'sending');
  const detail = el('span', { class: 'detail' });
  const row = el('li', { class: 'upload' }, el('span', { class: 'name' }, name), ' — ', el('span', { class: 'description' }, description), ' ', status, ' ', detail);
  uploads.prepend(row);
  $('uploads-empty').hidden = true;
  return { row, status, detail };
}

function showStatus(event) {
  const r = rows.get(event.id);
  if (!r) return;
  r.status.textContent = STATUS_TEXT[event.status] ?? event.status;
  r.status.dataset.status = event.status;
  r.detail.replaceChildren();
  if (event.status === 'failed' && event.error) {
    r.detail.append(`Reason: ${event.error.message} (${event.error.code})`);
  } else if (event.status === 'done') {
    r.detail.append(el('a', { href: `/api/images/${event.id}` }, 'Open'), ' ', timeElement(event.updated_at));
    void gallery.refresh();
  }
}

const watcher = new JobWatcher(showStatus);

/** Shows a refusal of the editor's steps at the field it names, too. */
function placeRefusal(message, fromEditor) {
  if (fromEditor && editor.showApiError(message)) formError.textContent = 'The server refused a step; see the field marked.';
}

async function send(entry, operations, fromEditor) {
  const form = new FormData();
  form.append('image', entry.file, entry.file.name);
  form.append('description', entry.description.value);
  if (operations) form.append('operations', operations);
  const r = uploadRow(entry.file.name, entry.description.value);
  let response;
  try {
    response = await fetch('/api/images', { method: 'POST', body: form });
  } catch {
    r.status.textContent = 'not sent';
    r.status.dataset.status = 'failed';
    r.detail.textContent = 'Network error; try again.';
    return;
  }
  if (response.status !== 202) {
    r.status.textContent = 'refused';
    r.status.dataset.status = 'failed';
    r.detail.textContent = await errorMessage(response);
    placeRefusal(r.detail.textContent, fromEditor);
    return;
  }
  const accepted = await response.json();
  r.row.dataset.id = accepted.id;
  rows.set(accepted.id, r);
  showStatus({ id: accepted.id, status: accepted.status, updated_at: accepted.received_at });
  watcher.watch(accepted.id);
}

/**
 * The operations to send: the editor's steps, or the Advanced JSON when that
 * is filled in; '' for none, null (with the reason shown and the focus
 * there) when they cannot be sent.
 */
function readOperations() {
  const operations = $('operations').value.trim();
  if (!operations) {
    const built = editor.value();
    if (built === null) formError.textContent = 'Some step values are not valid; see the fields marked.';
    return built;
  }
  if (!editor.empty) {
    formError.textContent = 'Give the operations either as steps or as JSON under Advanced, not both.';
    $('operations').focus();
    return null;
  }
  try {
    JSON.parse(operations);
    return operations;
  } catch {
    formError.textContent = 'Operations must be valid JSON.';
    $('operations').focus();
    return null;
  }
}

async function submitBatch() {
  const description = batchDescription.value;
  if (description.trim() === '') {
    formError.textContent = 'Please give the batch a description.';
    batchDescription.focus();
    return;
  }
  const operations = readOperations();
  if (operations === null) return;
  const files = chosen.map((c) => c.file);
  for (const entry of [...chosen]) unchoose(entry);
  batchDescription.value = '';
  $('batches-section').hidden = false;
  const fromEditor = operations !== '' && $('operations').value.trim() === '';
  await sendBatch($('batches'), files, description, operations, () => void gallery.refresh(), (message) => placeRefusal(message, fromEditor));
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.textContent = '';
  if (batchMode.checked) return submitBatch();
  const blank = chosen.find((c) => c.description.value.trim() === '');
  if (blank) {
    formError.textContent = `Please describe ${blank.file.name}.`;
    blank.description.focus();
    return;
  }
  const operations = readOperations();
  if (operations === null) return;
  const batch = chosen;
  for (const entry of batch) unchoose(entry);
  uploadButton.disabled = true;
  // One at a time: uploads are quick, and the browser keeps connections free for the status stream.
  const fromEditor = operations !== '' && $('operations').value.trim() === '';
  for (const entry of batch) await send(entry, operations, fromEditor);
});

batchMode.addEventListener('change', () => {
  const on = batchMode.checked;
  form.classList.toggle('batch-mode', on);
  $('drop-hint').textContent = on ? DROP_HINT.batch : DROP_HINT.single;
  $('batch-fields').hidden = !on;
  uploadButton.textContent = on ? 'Upload batch' : 'Upload';
});

fileInput.addEventListener('change', () => {
  choose(fileInput.files);
  fileInput.value = '';
});

for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) {
  dropZone.addEventListener(type, () => dropZone.classList.remove('over'));
}
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  if (event.dataTransfer) choose(event.dataTransfer.files);
});

void gallery.refresh();
void editor.load();
