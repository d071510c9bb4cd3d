import { NestFactory } from "@nestjs/core";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { DocumentBuilder, SwaggerModule } from "@nestjs/swagger";
import { LogController } from "fastify";
import pino from "pino";
import { AppModule } from "../app.module.js";
import { type Runtime } from "../config/runtime.js";
import { VERSION } from "../config/version.js";
import { HttpMetrics } from "../metrics/http-metrics.js";
import { serveApiDocsPage } from "./api-docs-page.js";
import { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH } from "./framework-errors.js";
import { registerInputBounds } from "./input-bounds.js";
import { loggerOptions, PinoNestLogger, redactUrl, requestId } from "./logging.js";
import { ProblemFilter } from "./problem.filter.js";
import { ZodValidationPipe } from "./zod-validation.pipe.js";

const QUIET_ROUTES = new Set(["/health/live", "/health/ready", "/metrics"]);

/** Builds the API (not yet listening); main.ts and the tests share it. */
export async function createApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const logger = pino(loggerOptions(runtime.config.logLevel));
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: runtime.config.bodyLimitBytes,
    genReqId: requestId,
    requestIdHeader: false,
    // Names and ids are checked (and named) by their schemas; the router's own limit
    // (100 by default) would turn a 255-character stream name into a bare 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    // Slow or stalled clients must not hold sockets forever: a client gets this long to send
    // its headers, and the whole request (Node checks the clocks every interval below).
    connectionTimeout: 0,
    requestTimeout: runtime.config.requestTimeoutMs,
    http: {
      headersTimeout: runtime.config.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(runtime.config.headersTimeoutMs / 4)),
    },
    keepAliveTimeout: 65_000,
    // While closing (after a drain) keep answering: requests are forwarded to the new owners.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(runtime),
    adapter,
    {
      logger: new PinoNestLogger(logger.child({ component: "nest" })),
      // Fastify's own JSON parser stays; everything else (forms included: `curl --data-binary`
      // sends one) is a message value, taken as bytes by the catch-all parser below.
      bodyParser: false,
    },
  );
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new ZodValidationPipe());
  app.enableShutdownHooks([]);

  const fastify = app.getHttpAdapter().getInstance();
  // Message values are bytes: every body that is not JSON arrives as a Buffer.
  fastify.removeContentTypeParser(["text/plain"]);
  fastify.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  const metrics = app.get(HttpMetrics);
  fastify.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
    // No response is ever sniffed into another type (a message value served as HTML).
    void reply.header("x-content-type-options", "nosniff");
  });
  registerInputBounds(fastify);
  fastify.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const seconds = reply.elapsedTime / 1000;
    metrics.observe(request.method, route, reply.statusCode, seconds);
    const line = {
      method: request.method,
      url: redactUrl(request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (QUIET_ROUTES.has(route)) request.log.debug(line, "request");
    else request.log.info(line, "request");
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle("Strata API")
      .setDescription("Streams, KV buckets and Automerge documents, multi-tenant, on PostgreSQL.")
      .setVersion(VERSION)
      .addBearerAuth(
        { type: "http", scheme: "bearer", description: "Tenant API key (sk_…)" },
        "tenant-key",
      )
      .addBearerAuth({ type: "http", scheme: "bearer", description: "Operator token" }, "operator")
      .build(),
  );
  fastify.get("/docs/openapi.json", async () => document);
  serveApiDocsPage(fastify, "/docs/openapi.json");

  await app.init();
  return app;
}
