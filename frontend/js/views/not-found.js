// Any path no route knows.
import { h } from '../dom.js';
import { link } from '../navigation.js';

export function notFoundView() {
  return [h('h1', {}, 'Page not found'), h('p', {}, 'There is nothing here. ', link('/', 'Go to Explore'), '.')];
}
