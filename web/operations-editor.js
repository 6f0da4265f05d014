// The operations editor: a pipeline built from GET /api/operations (the same
// schemas the API validates with), step by step, without typing JSON.
import { el } from './format.js';
import { SchemaField } from './schema-field.js';

let nextStep = 0;

export class OperationsEditor {
  /**
   * @param {object} parts the editor's elements: `picker` (select), `add`
   *   (button), `steps` (ol), `preview` (output), `status` (live text)
   */
  constructor({ picker, add, steps, preview, status }) {
    Object.assign(this, { picker, add, list: steps, preview, status });
    this.operations = new Map();
    this.maxSteps = 20;
    /** The steps in order: { key, op, fields, item, error } */
    this.steps = [];
    add.addEventListener('click', () => this.addStep(picker.value));
  }

  /** Reads the catalogue of operations; the editor stays disabled if it cannot. */
  async load() {
    let catalogue;
    try {
      const response = await fetch('/api/operations');
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      catalogue = await response.json();
    } catch (err) {
      this.status.textContent = `The operations could not be loaded (${err.message}); the JSON field below still works.`;
      return;
    }
    this.maxSteps = catalogue.max_steps;
    for (const op of catalogue.operations) {
      this.operations.set(op.name, op);
      this.picker.append(el('option', { value: op.name, title: op.summary }, op.name));
    }
    this.picker.disabled = false;
    this.add.disabled = false;
    this.render();
  }

  addStep(name) {
    const op = this.operations.get(name);
    if (!op || this.steps.length >= this.maxSteps) return;
    const key = nextStep++;
    const required = new Set(op.params.required ?? []);
    const fields = Object.entries(op.params.properties ?? {}).map(
      ([param, schema]) => new SchemaField(`step-${key}-${param}`, param, schema, required.has(param), () => this.update()),
    );
    const error = el('p', { class: 'field-error step-error' });
    const step = { key, op: name, fields, error };
    const legend = el('legend');
    const up = el('button', { type: 'button', class: 'link' }, 'Up');
    const down = el('button', { type: 'button', class: 'link' }, 'Down');
    const remove = el('button', { type: 'button', class: 'link' }, 'Remove');
    up.addEventListener('click', () => this.move(step, -1, up));
    down.addEventListener('click', () => this.move(step, +1, down));
    remove.addEventListener('click', () => this.remove(step));
    step.item = el(
      'li',
      { class: 'step', 'data-op': name },
      el(
        'fieldset',
        {},
        legend,
        el('p', { class: 'hint' }, op.summary),
        fields.length ? el('div', { class: 'params' }, ...fields.map((f) => f.root)) : el('p', { class: 'hint' }, 'No parameters.'),
        error,
        el('div', { class: 'step-actions' }, up, down, remove),
      ),
    );
    Object.assign(step, { legend, up, down, remove });
    this.steps.push(step);
    this.list.append(step.item);
    this.render();
    this.status.textContent = `Step ${this.steps.length} (${name}) added.`;
    (fields[0]?.input ?? remove).focus();
  }

  /** Moves a step one place up or down; the focus stays on the button that moved it. */
  move(step, by, button) {
    const from = this.steps.indexOf(step);
    const to = from + by;
    if (to < 0 || to >= this.steps.length) return;
    this.steps.splice(from, 1);
    this.steps.splice(to, 0, step);
    this.list.replaceChildren(...this.steps.map((s) => s.item));
    this.render();
    this.status.textContent = `${step.op} is now step ${to + 1} of ${this.steps.length}.`;
    (button.disabled ? (by < 0 ? step.down : step.up) : button).focus();
  }

  remove(step) {
    const at = this.steps.indexOf(step);
    this.steps.splice(at, 1);
    step.item.remove();
    this.render();
    this.status.textContent = `Step ${at + 1} (${step.op}) removed.`;
    const next = this.steps[Math.min(at, this.steps.length - 1)];
    (next ? next.remove : this.picker).focus();
  }

  /** Numbers the steps, labels their buttons, and refreshes the preview. */
  render() {
    this.steps.forEach((s, i) => {
      const n = `step ${i + 1} (${s.op})`;
      s.legend.textContent = `Step ${i + 1}: ${s.op}`;
      s.up.disabled = i === 0;
      s.down.disabled = i === this.steps.length - 1;
      s.up.setAttribute('aria-label', `Move ${n} up`);
      s.down.setAttribute('aria-label', `Move ${n} down`);
      s.remove.setAttribute('aria-label', `Remove ${n}`);
    });
    this.add.disabled = this.operations.size === 0 || this.steps.length >= this.maxSteps;
    this.update();
  }

  /** The steps as the API receives them, and whether every value is valid. */
  collect() {
    let valid = true;
    const steps = this.steps.map((s) => {
      const step = { op: s.op };
      for (const f of s.fields) {
        const r = f.read();
        if (r.problem) valid = false;
        else if (!r.absent) step[f.name] = r.value;
      }
      return step;
    });
    return { steps, valid };
  }

  update() {
    for (const s of this.steps) s.error.textContent = '';
    const { steps } = this.collect();
    // One step a line: short enough to read at a glance, still the JSON sent.
    this.preview.textContent = steps.length ? `[\n${steps.map((s) => `  ${JSON.stringify(s)}`).join(',\n')}\n]` : '(no steps: the photo is captioned)';
  }

  get empty() {
    return this.steps.length === 0;
  }

  /**
   * The `operations` JSON to send ('' without steps), or null when a value
   * is invalid: each fault is then shown at its field and the first focused.
   */
  value() {
    let first = null;
    for (const s of this.steps) {
      for (const f of s.fields) if (!f.check() && !first) first = f;
    }
    if (first) {
      first.input.focus();
      return null;
    }
    const { steps } = this.collect();
    return steps.length ? JSON.stringify(steps) : '';
  }

  /**
   * Shows the API's refusal at the field it names (`operations[1].width: …`,
   * or a step as a whole); answers whether it could place it.
   */
  showApiError(message) {
    const m = /^operations\[(\d+)\](?:\.([A-Za-z_]\w*))?: (.*)$/s.exec(message ?? '');
    const step = m && this.steps[Number(m[1])];
    if (!step) return false;
    const field = m[2] && step.fields.find((f) => f.name === m[2]);
    if (field) {
      field.showError(m[3]);
      field.input.focus();
    } else {
      step.error.textContent = m[3];
      (step.fields[0]?.input ?? step.remove).focus();
    }
    return true;
  }
}
