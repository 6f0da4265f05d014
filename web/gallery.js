import { el, errorMessage, nextPage, timeElement } from './format.js';

const PAGE_SIZE = 12;

/** The processed images, newest first, a page at a time (the API's Link header gives the next page). */
export class Gallery {
  constructor(list, moreButton, status) {
    this.list = list;
    this.moreButton = moreButton;
    this.status = status;
    this.next = null;
    this.shown = new Set();
    moreButton.addEventListener('click', () => this.load(this.next));
  }

  /** Reloads the first page, keeping what is shown (new images go on top). */
  refresh() {
    return this.load(`/api/images?limit=${PAGE_SIZE}`, { top: true });
  }

  async load(url, { top = false } = {}) {
    if (!url) return;
    let response;
    try {
      response = await fetch(url);
    } catch {
      this.status.textContent = 'The gallery could not be loaded (network error).';
      return;
    }
    if (!response.ok) {
      this.status.textContent = `The gallery could not be loaded: ${await errorMessage(response)}`;
      return;
    }
    const images = await response.json();
    const fresh = images.filter((image) => !this.shown.has(image.id));
    const items = fresh.map((image) => this.item(image));
    if (top) this.list.prepend(...items);
    else this.list.append(...items);
    for (const image of fresh) this.shown.add(image.id);
    // A refresh only adds new images on top; paging goes on from where it was.
    if (!top || this.next === null) {
      this.next = nextPage(response);
      this.moreButton.hidden = this.next === null;
    }
    this.status.textContent = this.shown.size === 0 ? 'No processed images yet.' : `${this.shown.size} image${this.shown.size === 1 ? '' : 's'} shown.`;
  }

  item(image) {
    const src = `/api/images/${image.id}`;
    // The small JPEG made with the result; images saved before thumbnails existed have none.
    const thumbnail = image.thumbnail_url ? new URL(image.thumbnail_url, location.href).pathname : src;
    return el(
      'li',
      { class: 'photo', 'data-id': image.id },
      el(
        'figure',
        {},
        el(
          'a',
          { href: src, title: 'Open full size' },
          // width/height are the image's own: they only reserve the box's aspect ratio.
          el('img', { src: thumbnail, alt: image.description, width: image.width, height: image.height, loading: 'lazy', decoding: 'async' }),
        ),
        el('figcaption', {}, el('span', { class: 'description' }, image.description), ' ', timeElement(image.received_at)),
      ),
    );
  }
}
