/** A string that the type system keeps apart from other strings (`TenantId` is not a `KeyId`). */
export type Brand<T, B extends string> = T & { readonly __brand: B };
