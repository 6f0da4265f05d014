// One form field generated from the JSON schema of an operation's parameter
// (as GET /api/operations publishes it): enums as selects, colours as colour
// inputs, booleans as checkboxes, numbers as number inputs with the schema's
// range, anything else as text. The page checks the schema's own rules
// (range, integer, length, pattern) before sending; rules across parameters
// are the API's, and its message is shown here too (showError).
import { el } from './format.js';

const COLOUR_PATTERN = '^#[0-9a-fA-F]{6}$';

/** The allowed values of an enum-like schema (TypeBox writes a union of literals as anyOf const), or null. */
function choicesOf(schema) {
  if (Array.isArray(schema.enum)) return schema.enum;
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((s) => 'const' in s)) return schema.anyOf.map((s) => s.const);
  return null;
}

function kindOf(schema) {
  if (choicesOf(schema)) return 'choice';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'string' && schema.pattern === COLOUR_PATTERN) return 'colour';
  return 'text';
}

/** What is wrong with a number against its schema, or ''. */
function numberProblem(schema, n) {
  if (schema.type === 'integer' && !Number.isInteger(n)) return 'must be a whole number';
  const { minimum: min, maximum: max } = schema;
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
    return min !== undefined ? `must be at least ${min}` : `must be at most ${max}`;
  }
  return '';
}

function textProblem(schema, s) {
  const length = [...s].length;
  if (schema.minLength !== undefined && length < schema.minLength) return `must be at least ${schema.minLength} characters`;
  if (schema.maxLength !== undefined && length > schema.maxLength) return `must be at most ${schema.maxLength} characters`;
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(s)) return `does not have the expected form (${schema.pattern})`;
  return '';
}

export class SchemaField {
  /**
   * @param {string} id unique element id
   * @param {string} name the parameter's name
   * @param {object} schema its JSON schema
   * @param {boolean} required whether the step needs it
   * @param {() => void} onChange called after every edit
   */
  constructor(id, name, schema, required, onChange) {
    this.name = name;
    this.schema = schema;
    this.required = required;
    this.kind = kindOf(schema);
    const hintId = `${id}-hint`;
    const errorId = `${id}-error`;
    this.input = this.createInput(id);
    this.input.setAttribute('aria-describedby', `${hintId} ${errorId}`);
    this.error = el('p', { id: errorId, class: 'field-error' });
    const label = el('label', { for: id }, name, required ? ' (required)' : '');
    const hint = el('p', { id: hintId, class: 'hint' }, schema.description ?? '');
    this.root = this.kind === 'boolean'
      ? el('div', { class: 'param check' }, this.input, label, hint, this.error)
      : el('div', { class: 'param' }, label, this.input, hint, this.error);
    this.root.dataset.param = name;
    // Checked while typing, so a value out of range is shown before anything is sent.
    this.input.addEventListener('input', () => {
      this.check();
      onChange();
    });
  }

  createInput(id) {
    const s = this.schema;
    switch (this.kind) {
      case 'choice': {
        const select = el('select', { id });
        if (!this.required) select.append(el('option', { value: '' }, s.default === undefined ? '(none)' : `default (${s.default})`));
        for (const value of choicesOf(s)) select.append(el('option', { value }, value));
        return select;
      }
      case 'boolean':
        return el('input', { id, type: 'checkbox', checked: s.default === true });
      case 'colour':
        return el('input', { id, type: 'color', value: (s.default ?? '#000000').toLowerCase() });
      case 'number':
        return el('input', {
          id, type: 'number', inputmode: s.type === 'integer' ? 'numeric' : 'decimal',
          min: s.minimum, max: s.maximum, step: s.type === 'integer' ? 1 : 'any',
          placeholder: s.default === undefined ? '' : String(s.default),
        });
      default:
        return el('input', { id, type: 'text', maxlength: s.maxLength, placeholder: s.default === undefined ? '' : String(s.default) });
    }
  }

  /**
   * The parameter as the step sends it: `{ value }`, `{ absent: true }` when
   * left empty (or at its default for a checkbox or a colour, which always
   * hold a value), or `{ problem }`.
   */
  read() {
    const s = this.schema;
    const raw = this.input.value;
    switch (this.kind) {
      case 'boolean': {
        const on = this.input.checked;
        return !this.required && on === (s.default ?? false) ? { absent: true } : { value: on };
      }
      case 'colour':
        return !this.required && raw.toLowerCase() === (s.default ?? '').toLowerCase() ? { absent: true } : { value: raw };
      case 'number': {
        if (this.input.validity.badInput) return { problem: 'must be a number' };
        if (raw.trim() === '') return this.required ? { problem: 'is required' } : { absent: true };
        const n = Number(raw);
        const problem = numberProblem(s, n);
        return problem ? { problem } : { value: n };
      }
      default: {
        if (raw === '') return this.required ? { problem: 'is required' } : { absent: true };
        const problem = textProblem(s, raw);
        return problem ? { problem } : { value: raw };
      }
    }
  }

  /** Shows what is wrong with the value (or clears it); answers whether it is valid. */
  check() {
    const r = this.read();
    this.showError(r.problem ?? '');
    return !r.problem;
  }

  showError(message) {
    this.error.textContent = message ? `${this.name} ${message}` : '';
    if (message) this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
  }
}
