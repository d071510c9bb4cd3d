import { randomUUID } from "node:crypto";
import { maxHeaderSize } from "node:http";
import { type Socket } from "node:net";
import { HeadersTooLarge, MalformedRequest, RequestTimeout, UriTooLong } from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { type Problem, toProblem } from "./problem.js";

/**
 * Fastify's router errors, raised before any route (so before Nest and its
 * filter): a URL that does not percent-decode, a path parameter over the
 * router's length limit. Answered as problem+json like everything else.
 */
export function frameworkErrors(
  err: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const cause =
    err.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? new UriTooLong(MAX_PARAM_LENGTH, "A path segment (a name or an id)")
      : err.code === "FST_ERR_BAD_URL"
        ? new MalformedRequest(
            "The request URL is not valid: each '%' must start a percent-encoded UTF-8 byte.",
          )
        : err;
  const body = { ...toProblem(cause), request_id: String(request.id) };
  void reply
    .status(body.status)
    .header("x-request-id", String(request.id))
    .header("content-type", "application/problem+json")
    .send(body);
}

/** The router's limit on one path parameter (a name, an id); see create-app. */
export const MAX_PARAM_LENGTH = 1024;

/**
 * Errors Node's HTTP parser raises before there is a request at all (an
 * oversized header block or URL, a garbled request line, a timeout). The
 * socket is written raw and closed: the parser cannot read on past the
 * damage.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  if (socket.writable) {
    const id = randomUUID();
    const problem: Problem =
      err.code === "HPE_HEADER_OVERFLOW"
        ? toProblem(new HeadersTooLarge(maxHeaderSize))
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? toProblem(new RequestTimeout("The request was not received in time."))
          : toProblem(new MalformedRequest("The request is not valid HTTP/1.1."));
    const body = JSON.stringify({ ...problem, request_id: id });
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
        "Content-Type: application/problem+json\r\n" +
        "X-Content-Type-Options: nosniff\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${id}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
    );
  }
  socket.destroy(err);
}
