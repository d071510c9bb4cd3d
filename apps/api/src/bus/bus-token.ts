/**
 * The node's Bus (Redis pub/sub in a cluster, in-process alone). In a file of
 * its own so providers outside StreamsModule inject it without importing that
 * module (and closing an import cycle through its controllers).
 */
export const BUS = Symbol("Bus");
