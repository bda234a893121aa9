// routes.h — the server's endpoints on an HttpServer: /predict, /health, /metadata, /metrics.
#pragma once
#include "nabla/serve/server.h"
#include "serve/batcher.h"
#include "serve/http.h"
#include "serve/inputs.h"
#include "serve/metrics.h"

namespace nabla::serve::detail {

struct Routes {
  const training::RunConfig& config;
  const ServerOptions& options;
  Batcher& batcher;
  Metrics& metrics;
};

// Registers the handlers, the JSON error pages and the request logger on `http`. `routes` must outlive it.
void add_routes(HttpServer& http, const Routes& routes);

}  // namespace nabla::serve::detail
