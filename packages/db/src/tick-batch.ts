import DataLoader from "dataloader";

/**
 * Gathers the calls made while the event loop turns once (I/O callbacks
 * included, hence setImmediate) into one call of `many`, which answers each
 * key at its index (an Error fails that key alone). After a restart every
 * stream a client touches asks for its lease and its state at once: one
 * statement for all of them instead of one round trip (and one WAL flush)
 * each. Nothing is cached: every call reaches the database.
 */
export function tickBatch<K, V>(
  many: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  maxBatch = 500,
): (key: K) => Promise<V> {
  const loader = new DataLoader<K, V>(many, {
    cache: false,
    maxBatchSize: maxBatch,
    batchScheduleFn: (run) => setImmediate(run),
  });
  return (key) => loader.load(key);
}
