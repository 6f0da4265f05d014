// Starts Swagger UI on the page served by api/swagger/swagger-page.ts. A file
// of its own rather than an inline script, so the page keeps the strict CSP.

/**
 * Swagger UI fills every field of a form body with a sample made up from its
 * schema ("string", the maximum of a number, the default...), so "Try it out"
 * would send a crop's rectangle and its aspect at once, a text colour with an
 * image watermark, and a pipeline of one step of every operation. A form
 * field is left empty instead (a list with no items), unless its schema gives
 * an example: the API takes an empty optional field as not sent, and applies
 * the default itself.
 */
const EmptyFormFields = (system) => {
  const sample = system.fn.getSampleSchema;
  return {
    fn: {
      getSampleSchema(schema, contentType, ...rest) {
        const s = schema && typeof schema.toJS === 'function' ? schema.toJS() : schema;
        // Swagger UI asks for a form field's sample with contentType false.
        const made = contentType === false && s && s.type !== 'object' && s.example === undefined;
        if (!made) return sample(schema, contentType, ...rest);
        return s.type === 'array' ? '[]' : '';
      },
    },
  };
};

/**
 * Swagger UI's list input for `operations` (a JSON array of steps) sends one
 * step's JSON alone when it holds one item, a JSON list of each item's text
 * when it holds more, and `[]` when left untouched. Before the request goes
 * out, the part is rewritten as the API reads it: one JSON list of steps, or
 * no part at all. Text that is not JSON is sent as typed, for the API to
 * refuse with its own message.
 */
async function pipelineAsSent(request) {
  const form = request.body;
  if (!(form instanceof FormData) || !form.has('operations')) return request;
  const parse = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const values = form.getAll('operations');
  form.delete('operations');
  for (const value of values) {
    const text = typeof value === 'string' ? value : await value.text();
    const parsed = parse(text);
    if (parsed === undefined) {
      form.append('operations', value);
      continue;
    }
    const steps = (Array.isArray(parsed) ? parsed : [parsed]).map((item) => (typeof item === 'string' ? parse(item) ?? item : item));
    if (steps.length > 0) form.append('operations', new Blob([JSON.stringify(steps)], { type: 'application/json' }), 'operations.json');
  }
  return request;
}

window.ui = SwaggerUIBundle({
  // The document is `json` beside the page, whether it was opened as /swagger
  // or /swagger/, and behind a proxy's path prefix too.
  url: location.pathname.replace(/\/?$/, '/json'),
  dom_id: '#swagger-ui',
  // The validator badge would call validator.swagger.io: nothing leaves the API.
  validatorUrl: null,
  plugins: [EmptyFormFields],
  requestInterceptor: pipelineAsSent,
});
