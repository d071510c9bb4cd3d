/** Holds the operator token (httpOnly, SameSite=Strict); read by the proxy and the data layer. */
export const SESSION_COOKIE = "strata_admin_token";
