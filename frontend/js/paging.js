// Cursor paging, shared by every list in the app and the node tests.

/**
 * Walks a keyset-paginated list. `fetchPage(cursor)` resolves to
 * `{items, next_cursor}`. Items already seen (by id) are never repeated,
 * whatever the server or the network does.
 */
export class Pager {
  constructor(fetchPage) {
    this.fetchPage = fetchPage;
    this.cursor = null;
    this.done = false;
    this.loading = false;
    this.seen = new Set();
  }

  /** The next page's new items; [] once the list is exhausted. */
  async next() {
    if (this.done || this.loading) return [];
    this.loading = true;
    try {
      const page = await this.fetchPage(this.cursor);
      this.cursor = page.next_cursor;
      this.done = !page.next_cursor;
      return this.take(page.items);
    } finally {
      this.loading = false;
    }
  }

  /** Marks items as shown and returns those not shown before. */
  take(items) {
    const fresh = [];
    for (const item of items) {
      if (!this.seen.has(item.id)) {
        this.seen.add(item.id);
        fresh.push(item);
      }
    }
    return fresh;
  }
}

/**
 * Tweets newer than `newestId` from a newest-first list, fetched page by
 * page until one reaches back to what is already shown (at most `maxPages`).
 */
export async function fetchNewer(fetchPage, newestId, maxPages = 5) {
  const found = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(cursor);
    for (const item of page.items) {
      if (item.id <= newestId) return found;
      found.push(item);
    }
    if (!page.next_cursor) return found;
    cursor = page.next_cursor;
  }
  return found;
}
