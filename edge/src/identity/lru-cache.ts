interface Node<K, V> {
  key: K;
  value: V;
  older: Node<K, V> | undefined;
  newer: Node<K, V> | undefined;
}

/**
 * A bounded map that forgets the least recently used entry first. The recency order is a linked list
 * through the entries, so a hit only relinks two neighbours: no delete-and-reinsert in the map (which,
 * on the edge's hot path, left the map rehashing its holes away every few thousand requests).
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, Node<K, V>>();
  /** Least recently used. */
  private oldest: Node<K, V> | undefined;
  /** Most recently used. */
  private newest: Node<K, V> | undefined;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`LRU capacity must be at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const node = this.entries.get(key);
    if (node === undefined) return undefined;
    this.touch(node);
    return node.value;
  }

  /** The value without counting it as a use (the entry keeps its place in the recency order). */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: K, value: V): void {
    const existing = this.entries.get(key);
    if (existing) {
      existing.value = value;
      this.touch(existing);
      return;
    }
    const node: Node<K, V> = { key, value, older: this.newest, newer: undefined };
    if (this.newest) this.newest.newer = node;
    this.newest = node;
    this.oldest ??= node;
    this.entries.set(key, node);
    if (this.entries.size > this.capacity) this.remove(this.oldest);
  }

  delete(key: K): void {
    const node = this.entries.get(key);
    if (node) this.remove(node);
  }

  private touch(node: Node<K, V>): void {
    if (node === this.newest) return;
    this.unlink(node);
    node.older = this.newest;
    node.newer = undefined;
    this.newest!.newer = node;
    this.newest = node;
  }

  private remove(node: Node<K, V>): void {
    this.unlink(node);
    this.entries.delete(node.key);
  }

  private unlink(node: Node<K, V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}
