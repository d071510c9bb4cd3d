import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from "@nestjs/common";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { StrataError, TooManyRequests } from "@strata/core";
import { toProblem } from "./problem.js";

/** The one place where errors become HTTP responses (RFC 9457 problem+json). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger("http");

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = { ...toProblem(err), request_id: String(request.id) };
    if (body.status >= 500 && !(err instanceof StrataError)) {
      this.logger.error({ err, request_id: request.id }, "unhandled error");
    }
    if (err instanceof TooManyRequests) {
      void reply.header("retry-after", String(err.retryAfterSeconds));
    }
    if (reply.sent) return;
    void reply.status(body.status).header("content-type", "application/problem+json").send(body);
  }
}
