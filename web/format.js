// Small DOM helpers shared by the pages. Text always goes in as textContent,
// never as HTML: descriptions are user input.

/** Creates an element with attributes (strings) and children (nodes or text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === undefined || value === null) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A <time> element showing an ISO instant in the reader's locale. */
export function timeElement(iso) {
  const date = new Date(iso);
  return el('time', { datetime: iso }, Number.isNaN(date.getTime()) ? iso : dateTime.format(date));
}

/** The path of the next page from a response's `Link: <…>; rel="next"` header, or null on the last page. */
export function nextPage(response) {
  const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '');
  if (!link) return null;
  // Links are relative unless PUBLIC_URL is set, so resolve them against the page.
  const url = new URL(link[1], location.href);
  return url.pathname + url.search;
}

/** An API error body's message, or the HTTP status when there is none. */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}`;
}
